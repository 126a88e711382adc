"""Output hygiene: whatever bytes a path holds and whatever a file says, venvtui's output is
safe to print and to parse, and errors under --json are JSON."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.safety.hang_guard import no_hang  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("no_hang")

RUNNER = "import sys; from venvtui.cli.main import main; raise SystemExit(main())"


def venvtui(*argv: str | bytes, **kw: object) -> subprocess.CompletedProcess[bytes]:
    """The real CLI in a child process, stdout/stderr as pipes (strict UTF-8, not a tty)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-c", RUNNER, "--no-cache", *argv],
        capture_output=True,
        timeout=120,
        env=env,
        **kw,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def base_env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("base") / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    return path


@pytest.fixture
def odd_root(base_env: Path, tmp_path: Path) -> bytes:
    """A root holding an env whose directory name is not valid UTF-8."""
    root = os.fsencode(tmp_path)
    shutil.copytree(os.fsencode(base_env), os.path.join(root, b"env-\xff\xfe"), symlinks=True)
    return root


@pytest.mark.parametrize("command", ["envs", "doctor"])
def test_undecodable_path_in_text_output(command: str, odd_root: bytes) -> None:
    extra = ["--no-confirm"] if command == "doctor" else []
    done = venvtui(command, odd_root, *extra)
    assert b"Traceback" not in done.stderr, done.stderr.decode(errors="replace")
    assert b"UnicodeEncodeError" not in done.stderr
    assert done.returncode in (0, 1)
    assert b"env-\\xff\\xfe" in done.stdout  # shown escaped, whole


@pytest.mark.parametrize("command", ["envs", "doctor"])
def test_undecodable_path_in_json_output(command: str, odd_root: bytes) -> None:
    extra = ["--no-confirm"] if command == "doctor" else []
    done = venvtui(command, odd_root, "--json", *extra)
    assert done.returncode in (0, 1), done.stderr.decode(errors="replace")
    data = json.loads(done.stdout)
    paths = [e["path"] for e in data["environments"]]
    # JSON carries the path as os.fsdecode gives it: os.fsencode restores the exact bytes.
    assert os.path.join(odd_root, b"env-\xff\xfe") in [os.fsencode(p) for p in paths]


def test_undecodable_path_in_an_error(tmp_path: Path) -> None:
    done = venvtui("show", os.path.join(os.fsencode(tmp_path), b"gone-\xff"))
    assert done.returncode == 2
    assert b"Traceback" not in done.stderr
    assert b"gone-\\xff does not exist" in done.stderr


def test_terminal_escapes_from_pyvenv_cfg_are_escaped(base_env: Path, tmp_path: Path) -> None:
    env = tmp_path / "env"
    shutil.copytree(base_env, env, symlinks=True)
    with open(env / "pyvenv.cfg", "a") as fh:
        fh.write("prompt = \x1b[31mRED\x1b]0;pwned\x07\x9b2J\r\n")
    done = venvtui("show", str(env))
    assert done.returncode == 0, done.stderr
    for raw in (b"\x1b", b"\x07", b"\xc2\x9b", b"\r"):
        assert raw not in done.stdout
    assert b"\\x1b[31mRED\\x1b]0;pwned\\x07\\x9b2J" in done.stdout
    as_json = venvtui("show", str(env), "--json").stdout
    assert b'"\\u001b[31mRED\\u001b]0;pwned\\u0007\\u009b2J"' in as_json  # exact, JSON-escaped
    json.loads(as_json)


@pytest.mark.parametrize(
    "argv",
    [
        ["show", "/nonexistent/venvtui-test", "--json"],
        ["doctor", "/nonexistent/venvtui-test", "--json"],
        ["envs", "--json", "--depth", "many"],
        ["doctor", "--json", "--timeout", "inf"],
        ["whatif", "--json"],
        ["delete", "/etc/passwd", "--yes", "--json"],
        ["resolve", "/nonexistent/python3", "--json"],
    ],
)
def test_json_errors_are_a_json_object_on_stdout(argv: list[str]) -> None:
    done = venvtui(*argv)
    assert done.returncode != 0
    data = json.loads(done.stdout)
    assert isinstance(data, dict)
    assert data["error"] and "hint" in data
    assert b"Traceback" not in done.stderr


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "0", "-1", "1e400", "soon"])
def test_bad_timeouts_are_one_line_errors(value: str) -> None:
    done = venvtui("doctor", "--timeout", value)
    assert done.returncode == 2
    lines = done.stderr.decode().splitlines()
    assert lines[0].startswith("venvtui: error: argument --timeout:")
    assert len(lines) <= 2 and not any("usage:" in ln for ln in lines)


def test_broken_pipe_keeps_the_real_exit_status(base_env: Path, tmp_path: Path) -> None:
    """`venvtui doctor | head` must still exit 1 when something is broken."""
    for i in range(20):  # enough output that writing hits the closed pipe
        broken = tmp_path / f"broken-{i}"
        shutil.copytree(base_env, broken, symlinks=True)
        (broken / "bin" / "python").unlink()
        (broken / "bin" / "python").symlink_to(tmp_path / "gone" / "python")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    child = subprocess.Popen(
        [sys.executable, "-c", RUNNER, "--no-cache", "doctor", str(tmp_path), "--no-confirm"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()  # the reader went away before anything was written
    err = child.stderr.read()
    assert child.wait(timeout=120) == 1
    assert b"BrokenPipe" not in err and b"Traceback" not in err, err
