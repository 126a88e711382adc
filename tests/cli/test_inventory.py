"""`venvtui interpreters`, `envs` and `show`: output shapes, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.fakes import make_fake_python, recorded_probe, run_count

from venvtui.cli.main import main


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def fake_install(root: Path, version: str, behaviour: str = "ok", log: Path | None = None) -> Path:
    bindir = root / version / "bin"
    minor = ".".join(version.split(".")[:2])
    exe = bindir / f"python{minor}"
    probe = recorded_probe(
        sys_executable=str(exe),
        base_executable=str(exe),
        version=[int(p) for p in version.split(".")],
        version_full=version,
        prefix=str(bindir.parent),
        base_prefix=str(bindir.parent),
        exec_prefix=str(bindir.parent),
        base_exec_prefix=str(bindir.parent),
    )
    make_fake_python(bindir, f"python{minor}", probe, behaviour, log=log, delay=30)  # type: ignore[arg-type]
    (bindir / "python3").symlink_to(f"python{minor}")
    return exe


@pytest.fixture
def fake_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """HOME, PYENV_ROOT and PATH pointed into tmp_path (the system dirs stay: fakes need sh tools)."""
    home = tmp_path / "home"
    (home / ".pyenv" / "versions").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("PYENV_ROOT", str(home / ".pyenv"))
    monkeypatch.setenv("PATH", os.pathsep.join((str(tmp_path / "empty-bin"), "/usr/bin", "/bin")))
    for var in ("PYENV_VERSION", "CONDA_PREFIX", "CONDA_EXE", "MISE_DATA_DIR", "ASDF_DATA_DIR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(home)
    return home


def fake_env(path: Path, python_target: Path | str) -> Path:
    (path / "bin").mkdir(parents=True)
    (path / "pyvenv.cfg").write_text(
        f"home = {os.path.dirname(python_target)}\ninclude-system-site-packages = false\n"
        "version = 3.12.1\nuv = 0.13.9\n"
    )
    (path / "bin" / "python").symlink_to(python_target)
    return path


def assert_not_cut(text: str) -> None:
    """Piped output (capsys is not a terminal) sizes tables to their content: nothing cut."""
    assert "…" not in text


def assert_one_line_error(err: str) -> None:
    lines = err.strip().splitlines()
    assert "Traceback" not in err
    assert lines[0].startswith("venvtui: error: ")
    assert len(lines) <= 2 and (len(lines) == 1 or lines[1].strip().startswith("hint: "))


# --- interpreters ----------------------------------------------------------------------------


def test_interpreters_json(fake_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    versions = fake_home / ".pyenv" / "versions"
    good = fake_install(versions, "3.12.1")
    junk = fake_install(versions, "3.9.1", "junk")
    code, out, _ = run_cli(capsys, "interpreters", "--json", "--timeout", "5")
    assert code == 0
    data = json.loads(out)
    assert list(data) == ["schema_version", "interpreters", "errors"]
    assert data["schema_version"] == 1
    rows = {i["real_path"]: i for i in data["interpreters"]}
    assert rows[str(good)]["version"] == "3.12.1"
    assert rows[str(good)]["sources"] == ["pyenv"]
    assert {a["path"] for a in rows[str(good)]["aliases"]} == {
        str(good),
        str(good.parent / "python3"),
    }
    assert rows[str(junk)]["version"] is None and rows[str(junk)]["error"]
    assert [e["path"] for e in data["errors"]] == [str(junk)]


def test_interpreters_table(fake_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    versions = fake_home / ".pyenv" / "versions"
    fake_install(versions, "3.12.1")
    crash = fake_install(versions, "3.10.1", "crash")
    code, out, err = run_cli(capsys, "interpreters")
    assert code == 0
    assert out.splitlines()[0].split() == ["VERSION", "SOURCES", "ALIASES", "PATH"]
    assert any(line.startswith("3.12.1") for line in out.splitlines())
    assert_not_cut(out)
    assert f"venvtui: warning: {crash}" in err and "Traceback" not in err


def test_interpreters_no_probe_runs_nothing(
    fake_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "runs.log"
    fake_install(fake_home / ".pyenv" / "versions", "3.12.1", log=log)
    code, out, _ = run_cli(capsys, "interpreters", "--json", "--no-probe")
    assert code == 0 and run_count(log) == 0
    assert any(i["probe"] is None for i in json.loads(out)["interpreters"])


# --- envs ------------------------------------------------------------------------------------


def test_envs_json_and_errors(
    fake_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "projects"
    base = fake_install(tmp_path / "base", "3.12.1")
    ok = fake_env(root / "app" / ".venv", base)
    broken = fake_env(root / "old" / ".venv", tmp_path / "removed" / "python3.12")
    code, out, err = run_cli(capsys, "envs", "--json", str(root), str(tmp_path / "nope"))
    assert err == ""  # in JSON the problems are entries of "errors"
    assert code == 2  # a bad root is reported, the rest still listed
    data = json.loads(out)
    assert list(data) == ["schema_version", "environments", "errors", "limits"]
    envs = {e["path"]: e for e in data["environments"]}
    assert set(envs) == {str(ok), str(broken)}
    assert envs[str(ok)]["creator"] == "uv" and envs[str(ok)]["owner"] == "project"
    assert envs[str(ok)]["chain"]["ok"] is True
    assert envs[str(broken)]["chain"]["ok"] is False
    assert envs[str(ok)]["cfg"]["home"] == str(base.parent)
    assert len(data["errors"]) == 1 and "does not exist" in data["errors"][0]["error"]


def test_envs_table_and_depth(
    fake_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = fake_install(tmp_path / "base", "3.12.1")
    deep = tmp_path / ("a-rather-long-directory-name-" * 3) / "x" / "y"
    fake_env(deep / ".venv", base)
    fake_env(tmp_path / "broken" / ".venv", tmp_path / "gone" / "python")
    code, out, _ = run_cli(capsys, "envs", str(tmp_path))
    assert code == 0
    assert out.splitlines()[0].split() == ["VERSION", "CREATOR", "OWNER", "STATUS", "PATH"]
    assert len(out.splitlines()) == 3
    assert any(" broken " in line for line in out.splitlines())
    assert_not_cut(out)
    assert str(deep / ".venv") in out
    code, out, _ = run_cli(capsys, "envs", "--json", "--depth", "2", str(tmp_path))
    assert [e["path"] for e in json.loads(out)["environments"]] == [
        str(tmp_path / "broken" / ".venv")
    ]


# --- show ------------------------------------------------------------------------------------


def test_show_environment(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = fake_install(tmp_path / "base", "3.12.1")
    env = fake_env(tmp_path / "proj" / ".venv", base.parent / "python3")
    code, out, _ = run_cli(capsys, "show", str(env))
    assert code == 0
    assert f"{env / 'bin' / 'python'} -> {base.parent / 'python3'}" in out
    assert f"{base.parent / 'python3'} -> python3.12" in out
    assert "uv = 0.13.9" in out
    code, out, _ = run_cli(capsys, "show", "--json", str(env))
    data: dict[str, Any] = json.loads(out)
    assert data["kind"] == "environment"
    assert data["environment"]["path"] == str(env)
    assert [h["kind"] for h in data["environment"]["chain"]["hops"]] == ["link", "link", "file"]
    assert data["probe"]["version"] == "3.12.1"


def test_show_broken_environment_still_shows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = fake_env(tmp_path / "e", tmp_path / "gone" / "python3.12")
    code, out, _ = run_cli(capsys, "show", str(env))
    assert code == 0
    assert "chain (broken):" in out and "MISSING" in out


def test_show_interpreter(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    exe = fake_install(tmp_path / "base", "3.12.1")
    code, out, _ = run_cli(capsys, "show", "--json", str(exe.parent / "python3"))
    assert code == 0
    data = json.loads(out)
    assert data["kind"] == "interpreter"
    assert data["interpreter"]["version"] == "3.12.1"
    assert data["interpreter"]["real_path"] == str(exe)
    code, out, _ = run_cli(capsys, "show", str(exe.parent / "python3"))
    assert f"{exe.parent / 'python3'} -> python3.12" in out and "3.12.1" in out


@pytest.mark.parametrize(
    "case", ["missing", "text", "plain-dir", "loop", "hang", "crash", "junk", "dangling"]
)
def test_show_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str) -> None:
    if case == "missing":
        target = tmp_path / "nothing"
    elif case == "text":
        target = tmp_path / "notes.txt"
        target.write_text("hello")
    elif case == "plain-dir":
        target = tmp_path / "plain"
        target.mkdir()
    elif case == "loop":
        (tmp_path / "a").symlink_to("b")
        (tmp_path / "b").symlink_to("a")
        target = tmp_path / "a"
    elif case == "dangling":
        target = tmp_path / "python3"
        target.symlink_to(tmp_path / "gone")
    else:
        behaviour = {"hang": "sleep", "crash": "crash", "junk": "junk"}[case]
        target = make_fake_python(tmp_path / "bin", "python3", behaviour=behaviour)  # type: ignore[arg-type]
    code, out, err = run_cli(capsys, "--no-cache", "show", "--timeout", "1", str(target))
    assert code == 2, (out, err)
    assert out == ""
    assert_one_line_error(err)


def test_json_path_imports_no_textual_or_rich(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    code = (
        "import sys; from venvtui.cli.main import main; "
        "main(['interpreters', '--json', '--no-probe']); "
        "main(['envs', '--json', sys.argv[1]]); "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')); "
        "sys.stderr.write('LOADED:' + ','.join(bad))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.rsplit("LOADED:", 1)[1] == ""


@pytest.mark.parametrize("depth", [350, 2040])
def test_a_home_thousands_of_directories_deep_gets_statuses_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], depth: int
) -> None:
    """A pyvenv.cfg `home` naming a path thousands of components deep (PATH_MAX allows ~2,000):
    every path is followed without one recursion per component, in the listing and in doctor
    (its forecast and parent-env searches included)."""
    env = tmp_path / "e"
    (env / "bin").mkdir(parents=True)
    (env / "bin" / "python").symlink_to(sys.executable)
    deep = "/nx" + "/a" * depth + "/bin"
    (env / "pyvenv.cfg").write_text(f"home = {deep}\nversion = 3.12.1\n")
    for argv in (["envs", "--json"], ["doctor", "--no-confirm", "--json"]):
        code, out, err = run_cli(capsys, "--no-cache", *argv, str(tmp_path))
        listed = json.loads(out)["environments"]
        assert [e["path"] for e in listed] == [str(env)], (argv, err)
        assert listed[0]["status"], argv
        assert code in (0, 1) and "Traceback" not in err, (argv, err)


def test_no_cache_envs_reads_no_cache_and_agrees_with_doctor(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--no-cache` reads none of venvtui's caches (the help's promise): the listing's statuses
    come from the disk alone, the ones `doctor --no-confirm --no-cache` gives."""
    from venvtui.core.base import readlog

    cache = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    exe = fake_install(tmp_path / "inst", "3.12.1")
    env = tmp_path / "proj" / ".venv"
    (env / "bin").mkdir(parents=True)
    (env / "bin" / "python").symlink_to(exe)
    (env / "pyvenv.cfg").write_text(f"home = {exe.parent}\nversion = 3.12.1\n")
    run_cli(capsys, "doctor", str(env))  # runs the base: its facts go to the probe cache
    assert list(cache.rglob("*.json")), "the probe cache holds the base's facts"
    with readlog.recording() as log:
        code, out, err = run_cli(capsys, "--no-cache", "envs", "--json", str(env.parent))
    assert code == 0, err
    read = [key for _kind, key in log.answers if key.startswith(str(cache))]
    assert read == []
    listed = {e["path"]: e["status"] for e in json.loads(out)["environments"]}
    code, out, err = run_cli(capsys, "--no-cache", "doctor", "--no-confirm", "--json", str(env))
    assert listed == {e["path"]: e["status"] for e in json.loads(out)["environments"]}
