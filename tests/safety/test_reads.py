"""Bounded reads: hostile files where an environment keeps small text files."""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path

import pytest

from tests.safety.hang_guard import no_hang  # noqa: F401 (fixture)
from venvtui.core.base.safe_io import UnsafeRead, loads_json, read_bytes, read_text

pytestmark = pytest.mark.usefixtures("no_hang")

LIMIT = 1 << 20


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    # No writer ever opens the FIFO: a plain open() would block forever.
    fifo = _fifo(tmp_path / "pyvenv.cfg")
    with pytest.raises(UnsafeRead, match="FIFO"):
        read_bytes(fifo, limit=LIMIT)


def test_link_to_fifo_is_refused(tmp_path: Path) -> None:
    fifo = _fifo(tmp_path / "fifo")
    (tmp_path / "pyvenv.cfg").symlink_to(fifo)
    with pytest.raises(UnsafeRead, match="FIFO"):
        read_text(tmp_path / "pyvenv.cfg", limit=LIMIT)


def test_dev_zero_is_refused(tmp_path: Path) -> None:
    (tmp_path / "pyvenv.cfg").symlink_to("/dev/zero")
    with pytest.raises(UnsafeRead, match="character device"):
        read_bytes(tmp_path / "pyvenv.cfg", limit=LIMIT)


@pytest.mark.skipif(not os.path.exists("/proc/kmsg"), reason="needs /proc/kmsg")
def test_link_to_proc_kmsg_is_refused(tmp_path: Path) -> None:
    # As root /proc/kmsg opens, then blocks on read (and reading consumes the kernel log).
    (tmp_path / "pyvenv.cfg").symlink_to("/proc/kmsg")
    with pytest.raises((UnsafeRead, PermissionError)):
        read_bytes(tmp_path / "pyvenv.cfg", limit=LIMIT)


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs procfs")
def test_proc_pseudo_file_is_refused() -> None:
    with pytest.raises(UnsafeRead, match="pseudo-file"):
        read_bytes("/proc/self/status", limit=LIMIT)


def test_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(str(path))
        with pytest.raises(UnsafeRead, match="socket"):
            read_bytes(path, limit=LIMIT)
    finally:
        sock.close()


def test_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnsafeRead, match="directory") as info:
        read_bytes(tmp_path, limit=LIMIT)
    assert isinstance(info.value, OSError)


def test_sparse_200_gib_file_is_refused_without_reading(tmp_path: Path) -> None:
    big = tmp_path / "pyvenv.cfg"
    with open(big, "wb") as fh:
        fh.truncate(200 << 30)
    with pytest.raises(UnsafeRead, match="limit"):
        read_bytes(big, limit=LIMIT)


def test_100_mb_one_line_file_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "pyvenv.cfg"
    with open(big, "wb") as fh:
        fh.write(b"home = /usr/bin" + b"x" * (100 << 20))
    with pytest.raises(UnsafeRead, match="limit"):
        read_text(big, limit=LIMIT)


def test_file_at_the_limit_is_read_whole(tmp_path: Path) -> None:
    f = tmp_path / "f"
    f.write_bytes(b"a" * 100)
    assert read_bytes(f, limit=100) == b"a" * 100
    with pytest.raises(UnsafeRead):
        read_bytes(f, limit=99)


def test_undecodable_bytes_round_trip(tmp_path: Path) -> None:
    f = tmp_path / "f"
    f.write_bytes(b"home = /opt/\xff\xfe\n")
    text = read_text(f, limit=LIMIT)
    assert text.encode("utf-8", "surrogateescape") == b"home = /opt/\xff\xfe\n"


def test_no_follow_refuses_a_link(tmp_path: Path) -> None:
    (tmp_path / "real").write_text("x")
    (tmp_path / "link").symlink_to(tmp_path / "real")
    assert read_text(tmp_path / "link", limit=LIMIT) == "x"
    with pytest.raises(UnsafeRead, match="symbolic link"):
        read_text(tmp_path / "link", limit=LIMIT, follow_symlinks=False)


def test_missing_file_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_bytes(tmp_path / "nope", limit=LIMIT)


def test_unreadable_file_is_permission_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads any file")
    f = tmp_path / "f"
    f.write_text("x")
    f.chmod(0)
    with pytest.raises(PermissionError):
        read_bytes(f, limit=LIMIT)
    f.chmod(stat.S_IRUSR | stat.S_IWUSR)


@pytest.mark.parametrize("depth", [100, 10_000, 1_000_000])
def test_deep_json_is_value_error_not_recursion(depth: int) -> None:
    doc = "[" * depth + "]" * depth
    with pytest.raises(ValueError, match="nested"):
        loads_json(doc, max_depth=64)
    deep_obj = '{"a":' * depth + "1" + "}" * depth
    with pytest.raises(ValueError, match="nested"):
        loads_json(deep_obj, max_depth=64)


def test_shallow_json_loads() -> None:
    assert loads_json('{"a": [1, {"b": 2}]}', max_depth=3) == {"a": [1, {"b": 2}]}
    with pytest.raises(ValueError):
        loads_json('{"a": [1, {"b": 2}]}', max_depth=2)
    with pytest.raises(ValueError):
        loads_json("not json")


# -- the readers that use it -------------------------------------------------------------------


def test_pyvenv_cfg_fifo_is_a_cfg_error(tmp_path: Path) -> None:
    from venvtui.core.base.errors import CfgError
    from venvtui.core.layout.pyvenv_cfg import read_cfg

    _fifo(tmp_path / "pyvenv.cfg")
    with pytest.raises(CfgError, match="FIFO"):
        read_cfg(tmp_path / "pyvenv.cfg")


def test_pyvenv_cfg_sparse_is_a_cfg_error(tmp_path: Path) -> None:
    from venvtui.core.base.errors import CfgError
    from venvtui.core.layout.pyvenv_cfg import read_cfg

    with open(tmp_path / "pyvenv.cfg", "wb") as fh:
        fh.truncate(200 << 30)
    with pytest.raises(CfgError, match="limit"):
        read_cfg(tmp_path / "pyvenv.cfg")


# -- hostile files where venvtui looks, through the CLI ----------------------------------------


def _venv(path: Path) -> Path:
    import subprocess
    import sys

    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    return path


@pytest.fixture(scope="module")
def base_env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _venv(tmp_path_factory.mktemp("base") / "env")


def _copy_env(base_env: Path, dest: Path) -> Path:
    import shutil

    shutil.copytree(base_env, dest, symlinks=True)
    return dest


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    from venvtui.cli.main import main

    code = main(["--no-cache", *argv])
    out, err = capsys.readouterr()
    return code, out, err


HOSTILE_CFGS = ["fifo", "kmsg", "dev-zero", "sparse-200g", "one-line-100mb", "home-10000"]


def _spoil(env: Path, how: str) -> None:
    cfg = env / "pyvenv.cfg"
    if how == "home-10000":
        cfg.write_text("home = /" + "a" * 10_000 + "\nversion = 3.11.7\n")
        return
    cfg.unlink()
    if how == "fifo":
        os.mkfifo(cfg)
    elif how == "kmsg":
        cfg.symlink_to("/proc/kmsg")
    elif how == "dev-zero":
        cfg.symlink_to("/dev/zero")
    elif how == "sparse-200g":
        with open(cfg, "wb") as fh:
            fh.truncate(200 << 30)
    elif how == "one-line-100mb":
        with open(cfg, "wb") as fh:
            fh.write(b"home = /usr/bin" + b"x" * (100 << 20))


@pytest.mark.parametrize("how", HOSTILE_CFGS)
@pytest.mark.parametrize("command", ["show", "doctor", "envs"])
def test_hostile_pyvenv_cfg_gives_an_answer(
    how: str, command: str, base_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = _copy_env(base_env, tmp_path / "env")
    _spoil(env, how)
    args = [command, str(env)] if command != "envs" else ["envs", str(tmp_path)]
    if command == "doctor":
        args.append("--no-confirm")  # the env's own python may block on the file itself
    code, out, err = _cli(capsys, *args, "--json")
    assert "Traceback" not in err
    assert out.strip(), err  # an answer (or a JSON error object) on stdout
    import json

    json.loads(out)
    assert code in (0, 1, 2)


def test_fifo_as_bin_python_is_refused_without_opening(tmp_path: Path) -> None:
    from venvtui.core.base.errors import NotAnInterpreterError
    from venvtui.core.installed.probe import probe
    from venvtui.core.installed.sources import Context, shim_of

    fifo = tmp_path / "python3"
    os.mkfifo(fifo)
    fifo.chmod(0o755)
    assert shim_of(str(fifo), Context.current()) is None  # not opened: no hang
    with pytest.raises(NotAnInterpreterError, match="FIFO"):
        probe(str(fifo), timeout=30)


def test_fifo_console_script_and_elf(
    base_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from venvtui.core.layout.elfdeps import read_elf_deps

    env = _copy_env(base_env, tmp_path / "env")
    os.mkfifo(env / "bin" / "pip")
    (env / "bin" / "pip").chmod(0o755)
    assert read_elf_deps(str(env / "bin" / "pip")) is None
    code, out, _ = _cli(capsys, "doctor", str(env), "--no-confirm")
    assert code in (0, 1)
    assert str(env) in out


def test_fifos_where_environments_are_listed(
    base_env: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    home = tmp_path / "home"
    workon = home / ".virtualenvs"
    workon.mkdir(parents=True)
    env = _copy_env(base_env, workon / "proj")
    os.mkfifo(env / ".project")  # virtualenvwrapper's project pointer
    (home / ".conda").mkdir()
    os.mkfifo(home / ".conda" / "environments.txt")
    cwd = tmp_path / "work"
    cwd.mkdir()
    os.mkfifo(cwd / ".venv")  # uv/poetry-style pointer file in the project
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("WORKON_HOME", str(workon))
    monkeypatch.chdir(cwd)
    code, out, err = _cli(capsys, "envs", "--json")
    assert code == 0, err
    import json

    paths = [e["path"] for e in json.loads(out)["environments"]]
    assert str(env) in paths


def test_deep_json_in_the_probe_cache_is_a_miss(tmp_path: Path) -> None:
    from venvtui.core.installed import probe_cache

    key = probe_cache.cache_key("/bin/sh", "0" * 16)
    path = probe_cache.cache_dir() / key.filename
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("[" * 200_000 + "]" * 200_000)
    assert probe_cache.load(key) is None


def test_deep_json_from_a_probed_python_is_a_probe_error(tmp_path: Path) -> None:
    from venvtui.core.base.errors import ProbeError
    from venvtui.core.installed.probe import probe

    fake = tmp_path / "python3"
    deep = "[" * 100_000 + "]" * 100_000
    (tmp_path / "deep.json").write_text(deep)
    # The probe passes "-" and a cookie; answer with the cookie around a hostile document.
    fake.write_text(f'#!/bin/sh\nprintf %s "$2"; cat {tmp_path / "deep.json"}; printf %s "$2"\n')
    fake.chmod(0o755)
    with pytest.raises(ProbeError):
        probe(str(fake), timeout=30)


def test_doctor_confirming_a_fifo_bin_python(
    base_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = _copy_env(base_env, tmp_path / "env")
    for name in ("python", "python3"):
        (env / "bin" / name).unlink(missing_ok=True)
    os.mkfifo(env / "bin" / "python")
    (env / "bin" / "python").chmod(0o755)
    code, out, err = _cli(capsys, "doctor", str(env), "--timeout", "30")
    assert code == 1, err
    assert "FIFO" in out
