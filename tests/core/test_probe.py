"""The interpreter probe: real CPython builds as oracles, fake interpreters for failures."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.fakes import make_fake_python, recorded_probe, run_count
from venvtui.core.base.errors import (
    NotAnInterpreterError,
    NotFoundError,
    ProbeError,
    ProbeTimeout,
    VenvtuiError,
)
from venvtui.core.base.models import ProbeResult
from venvtui.core.installed.probe import guess_version, probe
from venvtui.core.installed.sources import Context, shim_of
from venvtui.core.layout.symlinks import readlink_chain

PYENV = Path.home() / ".pyenv" / "versions"

# What the interpreter says about itself when run normally (site enabled): the oracle.
_ORACLE = r"""
import sys, json, sysconfig
try:
    import site
    sp = site.getsitepackages()
except Exception:
    sp = None
sys.stdout.write(json.dumps({
    "version": list(sys.version_info[:3]),
    "prefix": sys.prefix,
    "exec_prefix": sys.exec_prefix,
    "base_prefix": getattr(sys, "base_prefix", getattr(sys, "real_prefix", sys.prefix)),
    "executable": sys.executable,
    "base_executable": getattr(sys, "_base_executable", None),
    "stdlib": sysconfig.get_paths()["stdlib"],
    "site_packages": sp,
    "abiflags": getattr(sys, "abiflags", ""),
    "platform": sys.platform,
}))
"""


def _oracle(python: str | Path) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.pop("VIRTUAL_ENV", None)
    out = subprocess.run(
        [str(python), "-s", "-c", _ORACLE], capture_output=True, text=True, env=env, timeout=60
    )
    assert out.returncode == 0, out.stderr
    data: dict[str, Any] = json.loads(out.stdout)
    return data


def _pyenv_pythons() -> list[Path]:
    found = []
    for version_dir in sorted(PYENV.glob("*")):
        m = re.match(r"^(\d+)\.(\d+)\.\d+$", version_dir.name)
        if not m:
            continue
        exe = version_dir / "bin" / f"python{m[1]}.{m[2]}"
        if exe.is_file():
            found.append(exe)
    return found


PYENV_PYTHONS = _pyenv_pythons()


def _pyenv(minor: str) -> Path:
    for exe in PYENV_PYTHONS:
        if exe.name == f"python{minor}":
            return exe
    pytest.skip(f"no pyenv CPython {minor} under {PYENV}")


def _assert_matches_oracle(result: ProbeResult, oracle: dict[str, Any]) -> None:
    assert list(result.version) == oracle["version"]
    assert result.prefix == oracle["prefix"]
    assert result.exec_prefix == oracle["exec_prefix"]
    assert result.base_prefix == oracle["base_prefix"]
    assert result.sys_executable == oracle["executable"]
    assert result.stdlib == oracle["stdlib"]
    assert result.abiflags == oracle["abiflags"]
    assert result.platform == oracle["platform"]
    if oracle["base_executable"] is not None:
        assert result.base_executable == oracle["base_executable"]
    if oracle["site_packages"] is not None:
        assert list(result.site_packages) == oracle["site_packages"]


# --- real interpreters ----------------------------------------------------------------------


@pytest.mark.realpython
@pytest.mark.parametrize("exe", PYENV_PYTHONS or [None], ids=lambda p: p.name if p else "none")
def test_probe_every_pyenv_build_matches_the_interpreter(exe: Path | None) -> None:
    if exe is None:
        pytest.skip(f"no CPython builds under {PYENV}")
    result = probe(str(exe))
    _assert_matches_oracle(result, _oracle(exe))
    assert result.executable == str(exe)
    assert result.implementation == "cpython"
    assert not result.in_venv and result.pyvenv_cfg is None
    assert result.version_full.startswith(".".join(map(str, result.version)))
    assert result.config_prefix == str(exe.parent.parent)
    assert result.enable_shared == (result.ldlibrary or "").endswith(".so")
    assert result.framework in ("", None)
    assert result.free_threaded is False
    assert result.machine
    assert result.to_json()["version_info"] == list(result.version)


@pytest.mark.realpython
def test_python27_falls_back_from_dash_i(tmp_path: Path) -> None:
    exe = _pyenv("2.7")
    # A name that does not reveal the version: the probe must try -I, then fall back.
    link = tmp_path / "python"
    link.symlink_to(exe)
    (tmp_path / "plainname").symlink_to(exe)
    for path in (link, tmp_path / "plainname"):
        result = probe(str(path))
        assert result.version[:2] == (2, 7)
        assert result.base_executable is None
        assert result.base_prefix == str(exe.parent.parent)
        assert str(exe.parent.parent / "lib" / "site-python") in result.site_packages


@pytest.mark.realpython
def test_symlink_is_probed_unresolved(tmp_path: Path) -> None:
    exe = _pyenv("3.12")
    link = tmp_path / "pub" / "python3.12"
    link.parent.mkdir()
    link.symlink_to(exe)
    result = probe(str(link))
    assert result.executable == str(link)
    assert result.sys_executable == str(link)
    # research P1.4: 3.11+ outside a venv, sys._base_executable is the invoked path
    assert result.base_executable == str(link)
    _assert_matches_oracle(result, _oracle(link))


@pytest.mark.realpython
@pytest.mark.parametrize("minor", ["3.12", "3.13", "3.11", "3.10", "3.8"])
def test_venv_base_executable_per_version(tmp_path: Path, minor: str) -> None:
    exe = _pyenv(minor)
    venv = tmp_path / "venv"
    subprocess.run([str(exe), "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    result = probe(str(python))
    assert result.in_venv
    assert result.pyvenv_cfg == str(venv / "pyvenv.cfg")
    assert result.prefix == str(venv)
    assert result.base_prefix == str(exe.parent.parent)
    assert result.site_packages[0] == str(venv / "lib" / f"python{minor}" / "site-packages")
    if tuple(map(int, minor.split("."))) >= (3, 11):
        # research P1.5: readlink_chain(sys.executable) when it differs from sys.executable
        assert result.base_executable == readlink_chain(str(python)) == str(exe)
    else:
        # research P1.3: 3.8-3.10 POSIX: sys._base_executable == sys.executable, in a venv too
        assert result.base_executable == str(python)
    _assert_matches_oracle(result, _oracle(python))


@pytest.mark.realpython
def test_copies_venv_base_executable_comes_from_home(tmp_path: Path) -> None:
    exe = _pyenv("3.12")
    venv = tmp_path / "copies"
    subprocess.run(
        [str(exe), "-m", "venv", "--copies", "--without-pip", str(venv)], check=True, timeout=120
    )
    result = probe(str(venv / "bin" / "python3.12"))
    # research P1.5: no link to follow, so home/basename(sys.executable)
    assert result.base_executable == str(exe.parent / "python3.12")
    _assert_matches_oracle(result, _oracle(venv / "bin" / "python3.12"))


@pytest.mark.realpython
def test_system_python(tmp_path: Path) -> None:
    exe = Path("/usr/bin/python3.11")
    if not exe.is_file():
        pytest.skip("no /usr/bin/python3.11")
    result = probe(str(exe))
    _assert_matches_oracle(result, _oracle(exe))
    assert result.config_prefix == "/usr"
    venv = tmp_path / "sysvenv"
    subprocess.run([str(exe), "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    in_venv = probe(str(venv / "bin" / "python"))
    _assert_matches_oracle(in_venv, _oracle(venv / "bin" / "python"))
    assert in_venv.base_executable == "/usr/bin/python3.11"


# --- fakes: the failure paths ---------------------------------------------------------------


def test_fake_ok_answer_is_parsed(tmp_path: Path) -> None:
    recorded = recorded_probe("homebrew-framework")
    fake = make_fake_python(tmp_path, "python3.12", recorded)
    result = probe(str(fake))
    assert result.executable == str(fake)
    assert result.sys_executable == "/opt/homebrew/bin/python3.12"
    assert result.framework == "Python"
    assert result.has_homebrew_sitecustomize
    assert result.version == (3, 12, 7)
    assert result.raw["probe_version"] == 1


def test_old_interpreter_without_dash_i(tmp_path: Path) -> None:
    log = tmp_path / "log"
    fake = make_fake_python(tmp_path, "python", behaviour="old", log=log)
    assert probe(str(fake)).version == (3, 12, 1)
    assert run_count(log) == 2  # -I refused, then -E -s -S
    # A name that says 2.x goes straight to -E -s -S
    fake2 = make_fake_python(tmp_path, "python2.7", behaviour="old", log=tmp_path / "log2")
    probe(str(fake2))
    assert run_count(tmp_path / "log2") == 1


def test_hang_times_out(tmp_path: Path) -> None:
    finished = tmp_path / "finished"
    fake = make_fake_python(tmp_path, "python3.12", behaviour="sleep", finished=finished)
    with pytest.raises(ProbeTimeout) as info:
        probe(str(fake), timeout=0.5)
    assert not finished.exists(), "the probe waited for the hanging interpreter"
    assert str(fake) in str(info.value) and "0.5" in str(info.value)
    assert info.value.hint


@pytest.mark.parametrize(
    ("behaviour", "name", "error", "needle"),
    [
        ("crash", "python3.12", ProbeError, "SIGSEGV"),
        ("junk", "python3.12", ProbeError, "not python"),
        ("junk", "sometool", NotAnInterpreterError, "not python"),
        ("fail", "python3.12", ProbeError, "encodings"),
        ("badjson", "python3.12", ProbeError, "garbled"),
        ("error", "python3.12", ProbeError, "boom"),
    ],
)
def test_misbehaving_interpreters(
    tmp_path: Path, behaviour: Any, name: str, error: type[VenvtuiError], needle: str
) -> None:
    fake = make_fake_python(tmp_path, name, behaviour=behaviour)
    with pytest.raises(error) as info:
        probe(str(fake))
    message = str(info.value)
    assert needle in message
    assert "\n" not in message
    assert info.value.hint


def test_incomplete_answer(tmp_path: Path) -> None:
    data = recorded_probe()
    del data["prefix"]
    fake = make_fake_python(tmp_path, "python3.12", data)
    with pytest.raises(ProbeError, match="incomplete"):
        probe(str(fake))


def test_paths_that_are_not_interpreters(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        probe(str(tmp_path / "nope"))
    with pytest.raises(NotAnInterpreterError, match="directory"):
        probe(str(tmp_path))
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(NotAnInterpreterError, match="not executable"):
        probe(str(text))
    text.chmod(0o755)
    with pytest.raises(NotAnInterpreterError, match="not a program"):
        probe(str(text))
    script = tmp_path / "python3.12-gdb.py"
    script.write_text("#!/nonexistent/bin/python\nprint('hi')\n")
    script.chmod(0o755)
    with pytest.raises(NotAnInterpreterError, match="#! interpreter does not exist"):
        probe(str(script))
    dangling = tmp_path / "python3"
    dangling.symlink_to(tmp_path / "Cellar" / "3.12.7" / "python3.12")
    with pytest.raises(NotFoundError, match="broken symlink") as info:
        probe(str(dangling))
    assert "Cellar" in str(info.value)


def test_guess_version(tmp_path: Path) -> None:
    assert guess_version("/x/python3.12") == (3, 12)
    assert guess_version("/x/python2") == (2,)
    assert guess_version("/x/pypy3.10") == (3, 10)
    assert guess_version("/x/python") is None
    real = tmp_path / "python2.7"
    real.write_text("")
    (tmp_path / "python").symlink_to("python2.7")
    assert guess_version(str(tmp_path / "python")) == (2, 7)


PYENV_SHIM = """#!/usr/bin/env bash
set -e
[ -n "$PYENV_DEBUG" ] && set -x

program="${0##*/}"

export PYENV_ROOT="/home/dev/.pyenv"
exec "/home/dev/.pyenv/libexec/pyenv" exec "$program" "$@"
"""

ASDF_SHIM = """#!/usr/bin/env bash
# asdf-plugin: python 3.12.1
exec /home/dev/.asdf/bin/asdf exec "python3" "$@" # asdf_allow: ' asdf '
"""


def test_shim_of(tmp_path: Path) -> None:
    """pyenv and asdf shims by their text, mise (and rtx, its old name) by their link to the
    binary: never probed as interpreters."""
    ctx = Context.current()
    shim = tmp_path / "shims" / "python3"
    shim.parent.mkdir()
    shim.write_text(PYENV_SHIM)
    shim.chmod(0o755)
    assert shim_of(str(shim), ctx) is not None
    assert shim_of(str(shim), ctx)[0] == "pyenv"  # type: ignore[index]
    asdf = tmp_path / "shims" / "python"
    asdf.write_text(ASDF_SHIM)
    assert shim_of(str(asdf), ctx) == ("asdf", None)
    (tmp_path / "bin").mkdir()
    for tool in ("mise", "rtx"):
        binary = tmp_path / "bin" / tool
        binary.write_bytes(b"\x7fELF....")
        (tmp_path / "shims" / f"python3.12-{tool}").symlink_to(binary)
        assert shim_of(str(tmp_path / "shims" / f"python3.12-{tool}"), ctx) == ("mise", None)
    assert shim_of(str(make_fake_python(tmp_path, "python3.12")), ctx) is None
    assert shim_of(sys.executable, ctx) is None
    assert shim_of(str(tmp_path / "missing"), ctx) is None


@pytest.mark.realpython
@pytest.mark.parametrize("minor", ["3.12", "2.7", "3.6"])
def test_non_ascii_and_undecodable_paths_round_trip(tmp_path: Path, minor: str) -> None:
    exe = _pyenv(minor)
    odd = tmp_path / 'dir "quoted" ünï \\ 😀'
    odd.mkdir()
    link = odd / f"python{minor}"
    link.symlink_to(exe)
    assert probe(str(link)).sys_executable == str(link)
    if minor == "2.7":
        return  # Python 2 has no surrogateescape: undecodable bytes cannot round-trip
    raw = os.fsdecode(bytes(tmp_path) + b"/bad\xff")
    os.mkdir(raw)
    link2 = os.path.join(raw, f"python{minor}")
    os.symlink(exe, link2)
    result = probe(link2)
    assert result.sys_executable == link2
    assert os.fsencode(result.sys_executable).endswith(b"/bad\xff/python" + minor.encode())


def _creator_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.pop("VIRTUAL_ENV", None)
    env.update(
        UV_CACHE_DIR=str(tmp_path / "uv-cache"),
        UV_PYTHON_DOWNLOADS="never",
        UV_NO_CONFIG="1",
        VIRTUALENV_OVERRIDE_APP_DATA=str(tmp_path / "venv-appdata"),
    )
    return env


@pytest.mark.realpython
@pytest.mark.parametrize("creator", ["virtualenv", "uv"])
@pytest.mark.parametrize("minor", ["3.12", "3.9"])
def test_probe_in_envs_of_each_creator(tmp_path: Path, creator: str, minor: str) -> None:
    exe = _pyenv(minor)
    tool = Path(sys.executable).parent / creator
    if not tool.exists():
        pytest.skip(f"{creator} not installed next to {sys.executable}")
    dest = tmp_path / "env"
    if creator == "virtualenv":
        argv = [str(tool), "--no-seed", "--no-download", "-p", str(exe), str(dest)]
    else:
        argv = [str(tool), "venv", "--no-config", "--offline", "-q", "-p", str(exe), str(dest)]
    subprocess.run(argv, check=True, capture_output=True, env=_creator_env(tmp_path), timeout=120)
    python = dest / "bin" / "python"
    result = probe(str(python))
    assert result.in_venv and result.prefix == str(dest)
    assert result.pyvenv_cfg == str(dest / "pyvenv.cfg")
    assert result.base_prefix == str(exe.parent.parent)
    _assert_matches_oracle(result, _oracle(python))


def test_binary_with_missing_loader(tmp_path: Path) -> None:
    true = Path("/bin/true")
    data = true.read_bytes() if true.exists() else b""
    loader = next((m for m in re.findall(rb"/lib[^\x00]*/ld-[^\x00]+", data[:4096])), None)
    if loader is None:
        pytest.skip("no ELF /bin/true with a PT_INTERP loader to break")
    broken = tmp_path / "python3.12"
    # same length, so the ELF stays valid; the loader it names no longer exists
    broken.write_bytes(data.replace(loader, loader[:-1] + b"X", 1))
    broken.chmod(0o755)
    with pytest.raises(ProbeError, match="loader or a library") as info:
        probe(str(broken))
    assert info.value.hint


HOMEBREW_SITECUSTOMIZE = """\
# This file is created by Homebrew and is executed on each python startup.
# Don't print from here, or else python command line scripts may fail!
# <https://docs.brew.sh/Homebrew-and-Python>
import sys
"""


@pytest.mark.realpython
@pytest.mark.parametrize("homebrew", [True, False])
def test_sitecustomize_is_reported_not_run(tmp_path: Path, homebrew: bool) -> None:
    exe = _pyenv("3.12")
    # A private install: the real binary plus a stdlib dir made of links to the real stdlib's
    # entries, so a sitecustomize.py can be added without touching the real install.
    prefix = tmp_path / "prefix"
    (prefix / "bin").mkdir(parents=True)
    copy = prefix / "bin" / "python3.12"
    copy.write_bytes(exe.read_bytes())
    copy.chmod(0o755)
    stdlib = prefix / "lib" / "python3.12"
    stdlib.mkdir(parents=True)
    real_stdlib = exe.parent.parent / "lib" / "python3.12"
    for entry in real_stdlib.iterdir():
        if entry.name != "sitecustomize.py":
            (stdlib / entry.name).symlink_to(entry)
    text = HOMEBREW_SITECUSTOMIZE if homebrew else "import sys\n"
    (stdlib / "sitecustomize.py").write_text(text + "sys.executable = '/rewritten'\n")
    result = probe(str(copy))
    assert result.stdlib == str(stdlib)
    assert result.base_prefix == str(prefix)
    assert result.sitecustomize == str(stdlib / "sitecustomize.py")
    assert result.has_homebrew_sitecustomize is homebrew
    assert result.sys_executable == str(copy)  # -S: the rewrite did not run
    assert _oracle(copy)["executable"] == "/rewritten"  # ... but it does on a normal start


@pytest.mark.realpython
@pytest.mark.parametrize("style", ["virtualenv20", "legacy"])
def test_python2_environment_base_prefix(tmp_path: Path, style: str) -> None:
    exe = _pyenv("2.7")
    base = exe.parent.parent
    env = tmp_path / "env"
    (env / "bin").mkdir(parents=True)
    python = env / "bin" / "python"
    python.write_bytes(exe.read_bytes())
    python.chmod(0o755)
    # like virtualenv for Python 2: the env's lib/python2.7 holds links to the stdlib files
    lib = env / "lib" / "python2.7"
    lib.mkdir(parents=True)
    for entry in (base / "lib" / "python2.7").iterdir():
        if entry.name != "site-packages":
            (lib / entry.name).symlink_to(entry)
    (lib / "site-packages").mkdir()
    if style == "virtualenv20":
        (env / "pyvenv.cfg").write_text(
            f"home = {base}/bin\nbase-prefix = {base}\nbase-exec-prefix = {base}\n"
        )
    else:
        (lib / "orig-prefix.txt").write_text(str(base))
    result = probe(str(python))
    assert result.prefix == str(env)
    assert result.base_prefix == str(base)
    assert result.in_venv
    assert result.site_packages[0] == str(lib / "site-packages")
