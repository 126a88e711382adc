"""CLI conventions shared by every command (uv and pip are the yardstick): usage errors, help,
piped vs terminal tables, broken pipes, copy-pasteable fixes, specific hints, short versions,
shell completion and what the package ships."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import shlex
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from venvtui.cli.main import main

REPO = Path(__file__).resolve().parents[2]
RUNNER = "import sys; from venvtui.cli.main import main; raise SystemExit(main())"


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def child_env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), **extra}


@pytest.fixture(scope="module")
def base_env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("base") / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    return path


def dangling(base_env: Path, dest: Path) -> Path:
    """A copy of a real venv whose bin/python points at a removed install."""
    shutil.copytree(base_env, dest, symlinks=True)
    for name in ("python", "python3"):
        (dest / "bin" / name).unlink(missing_ok=True)
    (dest / "bin" / "python").symlink_to(dest.parent / "removed-install" / "bin" / "python3.11")
    (dest / "bin" / "python3").symlink_to("python")
    return dest


# -- usage errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["create"],
        ["show"],
        ["resolve"],
        ["delete"],
        ["whatif", "remove"],
        ["doctor", "--timeout"],
        ["envs", "--depth", "deep"],
        ["doctor", "--frobnicate"],
        ["completion", "tcsh"],
    ],
)
def test_usage_error_is_one_line_with_a_hint(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(capsys, *argv)
    assert code == 2
    lines = err.splitlines()
    assert lines[0].startswith("venvtui: error: ")
    assert lines[1].startswith("  hint: ") and "venvtui help" in lines[1]
    assert len(lines) == 2
    assert "usage:" not in err and out == ""


def test_unknown_command_suggests_the_close_one(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "docter")
    assert code == 2
    assert "unknown command 'docter'; did you mean `doctor`?" in err


def test_whatif_without_an_event_lists_its_events(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "whatif")
    assert code == 2 and out == ""
    listed = [ln.split()[0] for ln in err.splitlines()[1:] if not ln.lstrip().startswith("hint")]
    assert {"remove", "upgrade"} <= set(listed)
    code, out, _ = run_cli(capsys, "whatif", "--json")
    assert code == 2
    assert {"remove", "upgrade"} <= set(json.loads(out)["choices"])


# -- help ---------------------------------------------------------------------------------------


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "help")
    assert code == 0
    for command in ("interpreters", "envs", "show", "doctor", "whatif", "create", "completion"):
        assert command in out


def test_help_command_is_the_commands_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "help", "doctor")
    assert code == 0
    with pytest.raises(SystemExit) as exited:
        main(["doctor", "--help"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == out
    code, out, _ = run_cli(capsys, "help", "whatif", "remove")
    assert code == 0 and "usage: venvtui whatif remove" in out


def test_help_of_an_unknown_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "help", "nope")
    assert code == 2 and "no such command: nope" in err


# -- tables: whole when piped, fitted on a terminal ----------------------------------------------


def _long_env(base_env: Path, tmp_path: Path) -> Path:
    deep = tmp_path / ("a-rather-long-directory-name-" * 4) / "project"
    deep.mkdir(parents=True)
    env = deep / ".venv"
    shutil.copytree(base_env, env, symlinks=True)
    return env


def test_piped_table_keeps_paths_whole(base_env: Path, tmp_path: Path) -> None:
    env = _long_env(base_env, tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, "envs", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        env=child_env(COLUMNS="40"),  # COLUMNS is for terminals: a pipe gets everything
    )
    assert done.returncode == 0, done.stderr
    assert str(env) in done.stdout
    assert "…" not in done.stdout


def _on_a_terminal(argv: list[str], columns: int) -> str:
    master, slave = pty.openpty()
    child = subprocess.Popen(
        [sys.executable, "-c", RUNNER, *argv],
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=subprocess.DEVNULL,
        env=child_env(COLUMNS=str(columns)),
    )
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 120)
        if not ready:
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the terminal's other side closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    child.wait(timeout=120)
    return b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")


def test_terminal_table_honours_columns(base_env: Path, tmp_path: Path) -> None:
    _long_env(base_env, tmp_path)
    out = _on_a_terminal(["envs", str(tmp_path)], 70)
    rows = [ln for ln in out.splitlines() if ln.strip()]
    assert rows and rows[0].split()[0] == "VERSION"
    assert all(len(ln) <= 70 for ln in rows), rows
    assert any("…" in ln for ln in rows)


# -- exit status through a closed pipe ------------------------------------------------------------


def test_doctor_piped_to_head_still_exits_1(base_env: Path, tmp_path: Path) -> None:
    for i in range(30):
        dangling(base_env, tmp_path / f"env-{i}")
    script = f"set -o pipefail; {shlex.quote(sys.executable)} -c {shlex.quote(RUNNER)} doctor "
    script += f"{shlex.quote(str(tmp_path))} --no-confirm | head -1"
    done = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, timeout=120, env=child_env()
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr


# -- fix lines and hints ----------------------------------------------------------------------------


def test_fix_lines_are_complete_commands(
    base_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = dangling(base_env, tmp_path / "my env")  # a space: the command must quote it
    code, out, _ = run_cli(capsys, "doctor", str(env), "--no-confirm")
    assert code == 1
    fixes = [ln.split("fix:", 1)[1] for ln in out.splitlines() if "fix:" in ln]
    assert fixes
    for fix in fixes:
        # Every option belongs to a command inside backticks: nothing dangles after one.
        outside = re.sub(r"`[^`]*`", "", fix)
        assert "--python" not in outside, fix
        for command in re.findall(r"`([^`]*)`", fix):
            argv = shlex.split(command)
            if argv[0] == "venvtui":
                assert argv[1] in ("repair", "rebuild", "create", "doctor", "delete")
                assert str(env) in argv, argv
                if "--python" in argv:
                    value = argv[argv.index("--python") + 1]
                    assert not value.startswith("<") and value not in ("…", "...")


def test_missing_path_hint_is_specific(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "project").mkdir()
    code, _, err = run_cli(capsys, "show", str(tmp_path / "projetc" / ".venv"))
    assert code == 2
    assert "venvtui interpreters" not in err
    assert f"did you mean {tmp_path / 'project'}" in err


def test_delete_of_a_file_says_it_is_a_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "delete", "/etc/passwd", "--yes")
    assert code == 2
    assert "file" in err.splitlines()[0] and "does not exist" not in err


def test_show_of_a_plain_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    code, _, err = run_cli(capsys, "show", str(tmp_path / "notes.txt"))
    assert code == 2
    assert "is a file, neither an environment directory nor an interpreter" in err


# -- short versions ---------------------------------------------------------------------------------


def test_envs_shows_a_short_version(
    base_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = tmp_path / "env"
    shutil.copytree(base_env, env, symlinks=True)
    cfg = (env / "pyvenv.cfg").read_text()
    cfg = re.sub(r"(?m)^version = .*\n", "version_info = 3.11.7.final.0\n", cfg)
    (env / "pyvenv.cfg").write_text(cfg)
    code, out, _ = run_cli(capsys, "envs", str(tmp_path))
    assert code == 0
    [row] = [ln for ln in out.splitlines() if str(env) in ln]
    assert row.split()[0] == "3.11.7"
    assert "final" not in out


# -- shell completion ---------------------------------------------------------------------------------


def _complete_bash(script: str, words: list[str]) -> list[str]:
    arr = " ".join(shlex.quote(w) for w in words)
    probe = f"{script}\nCOMP_WORDS=({arr}); COMP_CWORD={len(words) - 1}; _venvtui\n"
    probe += 'printf "%s\\n" "${COMPREPLY[@]}"\n'
    done = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_completion_completes_commands_and_options(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, script, _ = run_cli(capsys, "completion", "bash")
    assert code == 0
    assert _complete_bash(script, ["venvtui", "do"]) == ["doctor"]
    assert "remove" in _complete_bash(script, ["venvtui", "whatif", ""])
    assert _complete_bash(script, ["venvtui", "doctor", "--no-c"]) == ["--no-cache", "--no-confirm"]
    assert _complete_bash(script, ["venvtui", "envs", "--no-"]) == ["--no-cache"]
    assert set(_complete_bash(script, ["venvtui", "completion", ""])) >= {"bash", "zsh", "fish"}


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_scripts_name_every_command(
    shell: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, script, _ = run_cli(capsys, "completion", shell)
    assert code == 0
    for command in ("interpreters", "envs", "doctor", "whatif", "create", "delete"):
        assert command in script
    assert ("#compdef venvtui" if shell == "zsh" else "complete -c venvtui") in script
    if shutil.which(shell):
        check = [shell, "-n"] if shell == "zsh" else [shell, "--no-execute"]
        assert subprocess.run([*check], input=script, text=True, timeout=60).returncode == 0


def test_completion_costs_nothing_at_start_up() -> None:
    code = (
        "import sys; from venvtui.cli.main import build_parser; build_parser(['envs']);"
        "print('venvtui.cli.completion' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=child_env(), timeout=60
    )
    assert done.stdout.strip() == "False", done.stderr


# -- packaging ----------------------------------------------------------------------------------------


@pytest.mark.slow
def test_wheel_and_sdist_ship_the_license_and_the_sdist_the_tests(tmp_path: Path) -> None:
    uv = shutil.which("uv", path=os.path.dirname(sys.executable)) or shutil.which("uv")
    if uv is None:
        pytest.skip("needs uv")
    done = subprocess.run(
        [uv, "build", "--out-dir", str(tmp_path), str(REPO)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    [wheel] = tmp_path.glob("*.whl")
    [sdist] = tmp_path.glob("*.tar.gz")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
        meta = zf.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "License-Expression: MIT" in meta
    assert "Classifier: " in meta
    textual = next(ln for ln in meta.splitlines() if ln.startswith("Requires-Dist: textual"))
    # a range with an upper bound (the series whose internals the tables rely on), not the pin
    # the snapshot tests use
    assert "==" not in textual and ">=" in textual and "<" in textual
    with tarfile.open(sdist) as tf:
        members = [m.split("/", 1)[1] for m in tf.getnames() if "/" in m]
    assert "LICENSE" in members
    assert "tests/safety/test_reads.py" in members and "tests/conftest.py" in members
