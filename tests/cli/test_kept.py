"""Kept answers of `envs` and `doctor`: printed again only while nothing they read changed.

The oracle is the command itself run with `--no-cache` after a real change on disk (real
venvs made by the real `python -m venv`, links re-pointed, installs removed, files rewritten):
the kept path must print exactly what a fresh run prints, and the change must be one that
changes the answer, so a stale answer fails the test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.core.test_readlog import tick_past
from tests.layouts import create_venv, make_install, real_python

from venvtui.cli import inventory, kept
from venvtui.cli.main import main
from venvtui.core.base import readlog


@pytest.fixture
def world(quiet_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Two installs (`make_install`: a real build's binary and os.py copied, the rest of its
    stdlib linked), three real venvs and a broken one under ROOT, all below a directory no
    other test changes; answers may be kept though the files are new (`RACY_NS` 0: each test
    waits for the filesystem clock before it changes anything)."""
    real = real_python("3.12") or real_python("3.11")
    if real is None:
        pytest.skip("no real CPython 3.11/3.12 under ~/.pyenv/versions")
    monkeypatch.setattr(readlog, "RACY_NS", 0)
    root = quiet_path / "root"
    root.mkdir()
    for name in ("a", "b"):
        make_install(real, quiet_path / "installs" / name)
    create_venv(quiet_path / "installs" / "a" / "bin" / real.exe.name, root / "one")
    create_venv(quiet_path / "installs" / "a" / "bin" / real.exe.name, root / "two")
    create_venv(quiet_path / "installs" / "b" / "bin" / real.exe.name, root / "three")
    (root / "broken" / "bin").mkdir(parents=True)
    (root / "broken" / "pyvenv.cfg").write_text(f"home = {quiet_path / 'gone' / 'bin'}\n")
    (root / "broken" / "bin" / "python").symlink_to(quiet_path / "gone" / "bin" / "python3")
    monkeypatch.chdir(quiet_path)
    yield root


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def why_not_kept(argv: tuple[str, ...]) -> str | None:
    """The first read of the kept answer to `argv` that answers otherwise now ("kind path"),
    "none kept" without one, None when it would be printed."""
    try:
        data = header(answers_dir() / kept._file_name(kept.question(list(argv))))
    except OSError:
        return "none kept"
    return readlog.changed(data["reads"])


def run_kept(
    capsys: pytest.CaptureFixture[str], computed: list[str], world: Path, *argv: str
) -> tuple[int, str, str]:
    """`run`, which must print the kept answer. Other tests change directories above this
    test's tree (/tmp, the checkout); when one of those changed since the answer was kept, it
    is computed (and kept) again and asked once more, a few times at most. A change inside the
    tree fails at once."""
    for _ in range(10):
        why = why_not_kept(argv)
        n = len(computed)
        out = run(capsys, *argv)
        if len(computed) == n:
            return out
        if why is not None and why != "none kept":
            path = Path(why.split(" ", 1)[1])
            assert not path.is_relative_to(world.parent), f"not kept: {why}"
    pytest.fail("the kept answer is never printed")


def keep(capsys: pytest.CaptureFixture[str], *argv: str) -> None:
    """Run `argv` until its answer is kept (a directory above the test's tree changing while
    it runs leaves it unkept: see `run_kept`)."""
    for _ in range(10):
        run(capsys, *argv)
        if why_not_kept(argv) is None:
            return
    pytest.fail(f"{argv} is never kept: {why_not_kept(argv)}")


def header(path: Path) -> dict[str, Any]:
    """A kept answer file's first line: its question, reads, status and output chunks."""
    data: dict[str, Any] = json.loads(path.read_bytes().partition(b"\n")[0])
    return data


def answers_dir() -> Path:
    return Path(os.environ["XDG_CACHE_HOME"]) / "venvtui" / "answers"


def the_one_kept_answer_holds() -> bool:
    """Whether one answer is kept and each of its reads answers the same now (for a command
    run in another process, whose question this process cannot ask)."""
    found = list(answers_dir().glob("*.json")) if answers_dir().is_dir() else []
    return len(found) == 1 and readlog.changed(header(found[0])["reads"]) is None


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each time `envs` or `doctor` really computes (not from a kept answer)."""
    calls: list[str] = []
    real_envs, real_doctor = inventory.cmd_envs, None
    from venvtui.cli import doctor

    real_doctor = doctor.cmd_doctor

    def envs(args: object) -> int:
        calls.append("envs")
        return real_envs(args)  # type: ignore[arg-type]

    def doc(args: object) -> int:
        calls.append("doctor")
        return real_doctor(args)  # type: ignore[arg-type]

    monkeypatch.setattr(inventory, "cmd_envs", envs)
    monkeypatch.setattr(doctor, "cmd_doctor", doc)
    return calls


@pytest.mark.parametrize(
    "argv",
    [
        ("envs", "--json"),
        ("envs",),
        ("doctor", "--no-confirm", "--json"),
        ("doctor", "--no-confirm"),
    ],
)
def test_the_second_run_prints_the_kept_answer(
    argv: tuple[str, ...], world: Path, capsys: pytest.CaptureFixture[str], computed: list[str]
) -> None:
    first = run(capsys, *argv, str(world))
    assert len(computed) == 1
    assert run_kept(capsys, computed, world, *argv, str(world)) == first
    n = len(computed)
    assert run(capsys, "--no-cache", *argv, str(world)) == first
    assert len(computed) == n + 1


def _rewrite_home(world: Path) -> None:
    cfg = world / "one" / "pyvenv.cfg"
    text = cfg.read_text()
    home = next(ln for ln in text.splitlines() if ln.startswith("home = "))
    # the same length: only the content (and so mtime/ctime) tells
    cfg.write_text(text.replace(home, home.replace("/a/", "/b/")))


def _repoint_python(world: Path) -> None:
    link = world / "two" / "bin" / "python"
    link.unlink()
    link.symlink_to(world.parent / "installs" / "b" / "bin" / "no-such-python")


def _remove_install(world: Path) -> None:
    shutil.rmtree(world.parent / "installs" / "b")


def _new_env(world: Path) -> None:
    shutil.copytree(world / "one", world / "four", symlinks=True)


def _remove_env(world: Path) -> None:
    shutil.rmtree(world / "two")


def _env_becomes_link(world: Path) -> None:
    (world / "three").rename(world.parent / "three-elsewhere")
    (world / "three").symlink_to(world.parent / "three-elsewhere")


def _install_bin_repointed(world: Path) -> None:
    inst = world.parent / "installs" / "a"
    (inst / "bin").rename(inst / "bin-away")
    (inst / "bin").symlink_to(world.parent / "gone")


def _broken_env_mended(world: Path) -> None:
    (world / "broken").rename(world.parent / "broken-away")
    shutil.copytree(world / "one", world / "broken", symlinks=True)


CHANGES: dict[str, Callable[[Path], None]] = {
    "pyvenv.cfg home rewritten, same size": _rewrite_home,
    "bin/python re-pointed to a missing file": _repoint_python,
    "an install removed": _remove_install,
    "a new env": _new_env,
    "an env removed": _remove_env,
    "an env replaced by a link to it": _env_becomes_link,
    "an install's bin re-pointed": _install_bin_repointed,
    "a broken env replaced by a good one": _broken_env_mended,
}


@pytest.mark.parametrize("change", sorted(CHANGES))
@pytest.mark.parametrize("command", ["envs", "doctor"])
def test_after_a_change_the_answer_is_computed_again(
    change: str,
    command: str,
    world: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    computed: list[str],
) -> None:
    argv = ("envs", "--json") if command == "envs" else ("doctor", "--no-confirm", "--json")
    before = run(capsys, *argv, str(world))
    assert run_kept(capsys, computed, world, *argv, str(world)) == before
    tick_past(tmp_path / "clock")
    CHANGES[change](world)
    n = len(computed)
    after = run(capsys, *argv, str(world))
    assert len(computed) == n + 1, "a stale answer was printed"
    assert after == run(capsys, "--no-cache", *argv, str(world))
    assert after != before, "the change does not change the answer: the test proves nothing"


def _history_rewritten(world: Path) -> None:
    """What a shell does to its history file in `~`: write a new one, rename it over."""
    (world / ".history.tmp").write_text("ls\ncd\n")
    (world / ".history.tmp").rename(world / ".history")


def _temporary_file(world: Path) -> None:
    """An editor's swap file, made and removed (not in an env: its time is shown)."""
    (world / ".swp").write_text("x")
    (world / ".swp").unlink()


def _site_packages_grew(world: Path) -> None:
    """A pure-library install: files below site-packages, no new script in bin/."""
    (site,) = (world / "one" / "lib").glob("python3.*/site-packages")
    (site / "newlib").mkdir()
    (site / "newlib" / "__init__.py").write_text("")


def _source_file_added(world: Path) -> None:
    """A project's new source file, in a directory the walk enters (not an env)."""
    (world / "proj" / "src" / "new_module.py").write_text("x = 1\n")


def _file_beside_envs(world: Path) -> None:
    """A file added in the directory holding the envs, where `doctor` also looks for the
    leftovers of interrupted writes (`journal._scan`)."""
    (world / "notes.txt").write_text("x")


UNCHANGES: dict[str, Callable[[Path], None]] = {
    "a source file added to a project": _source_file_added,
    "a file added beside the envs": _file_beside_envs,
    "a history file in the root rewritten by a rename": _history_rewritten,
    "a file made and removed in the root": _temporary_file,
    "a library installed into an env (no script)": _site_packages_grew,
    "the root directory's times": lambda world: os.utime(world),
}


@pytest.mark.parametrize("change", sorted(UNCHANGES))
@pytest.mark.parametrize("command", ["envs", "doctor"])
def test_a_change_beside_what_was_read_prints_the_kept_answer(
    change: str,
    command: str,
    world: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    computed: list[str],
) -> None:
    """What goes on beside the answer (the names listed stay, the fields looked at answer the
    same) asks nothing again: the answer is printed from what was kept, and equals a fresh
    one."""
    argv = ("envs", "--json") if command == "envs" else ("doctor", "--no-confirm", "--json")
    (world / ".history").write_text("ls\n")
    (world / "proj" / "src").mkdir(parents=True)
    before = run(capsys, *argv, str(world))
    assert run_kept(capsys, computed, world, *argv, str(world)) == before
    tick_past(tmp_path / "clock")
    UNCHANGES[change](world)
    assert run_kept(capsys, computed, world, *argv, str(world)) == before
    assert run(capsys, "--no-cache", *argv, str(world)) == before


def _leftover(world: Path) -> None:
    """What an interrupted rebuild of `one` leaves beside it (`core.write.journal`)."""
    (world / ".one.venvtui-new-0123abcd").mkdir()


@pytest.mark.parametrize("targets", ["the root", "none (beside the envs found)"])
def test_doctor_sees_a_leftover_appear_beside_an_env(
    targets: str,
    world: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    computed: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A listing `doctor` narrows to a write's leftovers, beside each env: a file coming or
    going there changes nothing (above), a leftover does. Without targets, doctor scans the
    home (here the test's tree) and looks beside the envs it found."""
    monkeypatch.setenv("HOME", str(world.parent))
    argv = ("doctor", "--no-confirm", "--json", *([str(world)] if targets == "the root" else []))
    before = run(capsys, *argv)
    assert str(world / "one") in before[1]  # the envs were found
    assert run_kept(capsys, computed, world, *argv) == before
    tick_past(tmp_path / "clock")
    _file_beside_envs(world)
    assert run_kept(capsys, computed, world, *argv) == before
    tick_past(tmp_path / "clock")
    _leftover(world)
    n = len(computed)
    after = run(capsys, *argv)
    assert len(computed) == n + 1, "a stale answer was printed"
    assert after == run(capsys, "--no-cache", *argv)
    assert json.loads(after[1])["interrupted_writes"] != json.loads(before[1])["interrupted_writes"]


def test_a_changed_environment_variable_computes_again(
    world: Path,
    capsys: pytest.CaptureFixture[str],
    computed: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[scan]\ndepth = -1\n")
    before = run(capsys, "envs", "--json", str(world))
    assert run_kept(capsys, computed, world, "envs", "--json", str(world)) == before
    monkeypatch.setenv("VENVTUI_CONFIG", str(config))  # a bad config: a one-line error
    n = len(computed)
    code, out, _err = run(capsys, "envs", "--json", str(world))
    assert len(computed) == n + 1 and code == 2 and "depth" in json.loads(out)["error"]


def test_other_arguments_or_directory_are_another_question(
    world: Path, capsys: pytest.CaptureFixture[str], computed: list[str]
) -> None:
    run(capsys, "envs", "--json", str(world))
    run(capsys, "envs", "--json", "--depth", "1", str(world))
    os.chdir(world)
    run(capsys, "envs", "--json", str(world))
    assert len(computed) == 3


def test_a_run_that_starts_processes_is_not_kept(
    world: Path, capsys: pytest.CaptureFixture[str], computed: list[str]
) -> None:
    """`doctor` (confirming) runs each env's python: its answer is not kept."""
    first = run(capsys, "doctor", "--json", str(world))
    second = run(capsys, "doctor", "--json", str(world))
    assert len(computed) == 2 and first[0] == second[0]
    assert not answers_dir().exists() or not list(answers_dir().iterdir())


@pytest.mark.parametrize("where", ["before the command", "after it"])
def test_no_cache_neither_reads_nor_keeps(
    where: str, world: Path, capsys: pytest.CaptureFixture[str], computed: list[str]
) -> None:
    def no_cache(*argv: str) -> tuple[int, str, str]:
        if where == "before the command":
            return run(capsys, "--no-cache", *argv)
        return run(capsys, argv[0], "--no-cache", *argv[1:])

    no_cache("envs", "--json", str(world))
    assert not answers_dir().exists()
    run(capsys, "envs", "--json", str(world))
    no_cache("envs", "--json", str(world))
    no_cache("doctor", "--no-confirm", "--json", str(world))
    assert len(computed) == 4
    assert len(list(answers_dir().iterdir())) == 1  # the one run without --no-cache


def test_files_changed_moments_before_are_not_kept(
    world: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readlog, "RACY_NS", readlog.RACY_NS.__class__(2_000_000_000))
    run(capsys, "envs", "--json", str(world))  # the venvs were made a moment ago
    assert not answers_dir().exists() or not list(answers_dir().iterdir())


@pytest.mark.parametrize(
    "damage",
    [
        "garbage",
        "truncated",
        "foreign",
        "deep",
        "reads-a-list",
        "output-odd",
        "status-infinite",
        "status-huge",
        "status-negative",
        "access-mode-huge",
        "body-short",
        "body-long",
        "chunk-negative",
        "stream-true",
        "one-line",
    ],
)
def test_a_damaged_answer_file_is_ignored(
    damage: str, world: Path, capsys: pytest.CaptureFixture[str], computed: list[str]
) -> None:
    first = run(capsys, "envs", "--json", str(world))
    (path,) = answers_dir().iterdir()
    text = path.read_text()
    path.write_text(
        {
            "garbage": "\x00not json",
            "truncated": text[: len(text) // 2],
            "foreign": json.dumps({"kind": "other", "schema": 1}),
            "deep": "[" * 100_000 + "]" * 100_000,
            "reads-a-list": text.replace('"reads": {', '"reads": [{', 1).replace(
                ', "output"', '], "output"', 1
            ),
            "output-odd": text.replace('"output": [', '"output": [[7, 1], 3, ', 1),
            "status-infinite": text.replace('"status": 0', '"status": Infinity', 1),
            "status-huge": text.replace('"status": 0', '"status": 1' + "0" * 30, 1),
            "status-negative": text.replace('"status": 0', '"status": -1', 1),
            "access-mode-huge": text.replace(
                '"reads": {', '"reads": {"access' + "9" * 30 + '": ["/", "T"], ', 1
            ),
            "body-short": text[:-1],
            "body-long": text + "x",
            "chunk-negative": text.replace('"output": [[0, ', '"output": [[0, -', 1),
            "stream-true": text.replace('"output": [[0, ', '"output": [[true, ', 1),
            "one-line": text.replace("\n", " ", 1),
        }[damage]
    )
    assert run(capsys, "envs", "--json", str(world)) == first
    assert len(computed) == 2


def test_at_most_a_few_answers_are_kept(world: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for depth in range(kept.MAX_FILES + 3):
        keep(capsys, "envs", "--json", "--depth", str(depth + 1), str(world))
    assert len(list(answers_dir().iterdir())) == kept.MAX_FILES


def test_doctor_no_confirm_starts_no_process(world: Path) -> None:
    """In a fresh interpreter (so import-time work counts too), static doctor and envs start
    no process at all."""
    code = (
        "import subprocess, sys\n"
        "def refuse(*a, **k): raise SystemExit('a process was started')\n"
        "subprocess.Popen.__init__ = refuse\n"
        "from venvtui.cli.main import main\n"
        "assert main(['--no-cache', 'doctor', '--no-confirm', '--json', sys.argv[1]]) in (0, 1)\n"
        "assert main(['--no-cache', 'envs', '--json', sys.argv[1]]) == 0\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(world)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_a_removed_working_directory_answers_as_without_the_cache(
    world: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Absolute roots need no working directory: the cache must not make one necessary."""
    gone = tmp_path / "gone"
    gone.mkdir()
    os.chdir(gone)
    gone.rmdir()
    fresh = run(capsys, "--no-cache", "envs", "--json", str(world))
    assert fresh[0] == 0
    assert run(capsys, "envs", "--json", str(world)) == fresh


def test_a_new_script_in_a_conda_envs_bin_computes_again(
    world: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], computed: list[str]
) -> None:
    """A conda env's bin/ is not listed (its python is bin/python) but its mtime is the env's
    `mtime` (installs add scripts there)."""
    conda = world / "conda"
    (conda / "conda-meta").mkdir(parents=True)
    (conda / "conda-meta" / "history").write_text("")
    (conda / "bin").mkdir()
    (conda / "bin" / "python").symlink_to(world / "one" / "bin" / "python")
    before = run(capsys, "envs", "--json", str(world))
    assert run_kept(capsys, computed, world, "envs", "--json", str(world)) == before
    tick_past(tmp_path / "clock")
    (conda / "bin" / "new-script").write_text("")
    n = len(computed)
    after = run(capsys, "envs", "--json", str(world))
    assert len(computed) == n + 1, "a stale answer was printed"
    assert after == run(capsys, "--no-cache", "envs", "--json", str(world))
    assert after != before, "the change does not change the answer: the test proves nothing"


def test_a_module_rewritten_while_the_command_ran_is_not_kept(
    world: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An upgrade in another process while the command runs: the code on disk when the answer
    is kept is not the code that computed it."""
    mods = tmp_path / "mods"
    mods.mkdir()
    (mods / "vt_upgraded.py").write_text("X = 1\n")
    monkeypatch.syspath_prepend(str(mods))
    fd = os.open(mods / "vt_upgraded.py", os.O_WRONLY)  # the other process's descriptor
    real_envs = inventory.cmd_envs

    def envs(args: object) -> int:
        import vt_upgraded  # noqa: F401

        now = time.time_ns()  # the recording began before: its clock is not later
        while os.fstat(fd).st_ctime_ns <= now:  # rewritten until the file's clock passes it
            os.pwrite(fd, b"X = 2\n", 0)
        return real_envs(args)  # type: ignore[arg-type]

    monkeypatch.setattr(inventory, "cmd_envs", envs)
    try:
        run(capsys, "envs", "--json", str(world))
    finally:
        os.close(fd)
        sys.modules.pop("vt_upgraded", None)
    assert not answers_dir().exists() or not list(answers_dir().iterdir())


def test_another_copy_of_venvtui_is_another_question(world: Path, tmp_path: Path) -> None:
    """The same interpreter running another copy of venvtui (PYTHONPATH, an editable install
    pointed elsewhere) prints that copy's answer, not the one the first copy kept."""
    import venvtui

    copy = tmp_path / "copy"
    shutil.copytree(
        Path(venvtui.__file__).parent,
        copy / "venvtui",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    output = copy / "venvtui" / "cli" / "output.py"
    text = output.read_text()
    assert 'sys.stdout.write(text + "\\n")' in text
    output.write_text(text.replace('(text + "\\n")', '(text + "\\n# the copy\\n")'))
    code = (
        "import sys\n"
        "from venvtui.core.base import readlog\n"
        "readlog.RACY_NS = 0\n"  # the world was made moments ago (see `world`)
        "from venvtui.cli.main import main\n"
        "sys.exit(main(['envs', '--json', sys.argv[1]]))\n"
    )

    def venvtui_run(pythonpath: str | None) -> str:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        if pythonpath is not None:
            env["PYTHONPATH"] = pythonpath
        done = subprocess.run(
            [sys.executable, "-c", code, str(world)],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    for _ in range(10):  # until it is kept (see `keep`; its question is not this process's)
        assert "# the copy" not in venvtui_run(None)
        if the_one_kept_answer_holds():
            break
    assert the_one_kept_answer_holds()
    assert "# the copy" in venvtui_run(str(copy))


@pytest.mark.parametrize("closed", [">&-", "2>&-"])
def test_a_closed_output_stream_is_no_traceback(closed: str, world: Path) -> None:
    """`venvtui envs >&-`: Python starts with that stream None; what is written to it is
    dropped (as print() drops it), on the computing path and the kept one alike."""
    code = "import sys\nfrom venvtui.cli.main import main\nsys.exit(main(sys.argv[1:]))\n"
    done = [
        subprocess.run(
            [
                "sh",
                "-c",
                f'c=$1; shift; exec "$0" -c "$c" "$@" {closed}',
                sys.executable,
                code,
                *argv,
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        for argv in (["--no-cache", "envs", str(world)], ["envs", str(world)], ["envs", str(world)])
    ]
    assert [(d.returncode, d.stderr) for d in done] == [(0, "")] * 3
    assert done[0].stdout == done[1].stdout == done[2].stdout
    assert bool(done[0].stdout) == (closed == "2>&-")


def test_only_answers_are_pruned(
    world: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The answers directory may be a link to one that holds other JSON files (or a writer's
    temporary file in flight): pruning removes kept answers only."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "notes.json").write_text("{}")
    (elsewhere / ".tmp-writing.json").write_text("{}")
    answers_dir().parent.mkdir(parents=True)
    answers_dir().symlink_to(elsewhere)
    for depth in range(kept.MAX_FILES + 2):
        keep(capsys, "envs", "--json", "--depth", str(depth + 1), str(world))
    assert (elsewhere / "notes.json").exists() and (elsewhere / ".tmp-writing.json").exists()
    assert len(list(elsewhere.glob("[0-9a-f]*.json"))) == kept.MAX_FILES


@pytest.fixture
def creation_ordered() -> Iterator[Path]:
    """A scratch directory on a filesystem that lists entries in the order they were made
    (tmpfs, btrfs, xfs: a directory made again moves in the listing, its name unchanged);
    ext4 lists by a hash of the names, which no such change moves."""
    shm = Path("/dev/shm")
    if not shm.is_dir() or not os.access(shm, os.W_OK):
        pytest.skip("no /dev/shm")
    scratch = Path(tempfile.mkdtemp(dir=shm))
    try:
        (scratch / "a").mkdir()
        (scratch / "b").mkdir()
        first = os.listdir(scratch)
        (scratch / "a").rmdir()
        (scratch / "a").mkdir()
        if os.listdir(scratch) == first:
            pytest.skip("/dev/shm lists entries in an order that no new entry moves")
        (scratch / "a").rmdir()
        (scratch / "b").rmdir()
        yield scratch
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def test_a_listing_in_another_order_answers_as_a_fresh_run(
    world: Path,
    creation_ordered: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    computed: list[str],
) -> None:
    """A version reinstalled beside another of the same version (`3.12.1`, `3.12.1t`): its
    directory is new, the names listed are not, but their order is. A broken env's fix names
    one of them; the kept answer must name the one a fresh run names."""
    versions = creation_ordered / "pyenv" / "versions"
    for name in ("3.12.1", "3.12.1t"):
        (versions / name / "bin").mkdir(parents=True)
        (versions / name / "bin" / "python3.12").write_text("")
    gone = versions / "3.12.9" / "bin"
    env = world / "on-removed"
    (env / "bin").mkdir(parents=True)
    (env / "pyvenv.cfg").write_text(f"home = {gone}\nversion = 3.12.9\n")
    (env / "bin" / "python").symlink_to(gone / "python3.12")
    argv = ("doctor", "--no-confirm", "--json", str(world))
    before = run(capsys, *argv)
    assert any(str(versions / name / "bin") in before[1] for name in ("3.12.1", "3.12.1t"))
    assert run_kept(capsys, computed, world, *argv) == before
    tick_past(tmp_path / "clock")
    # `pyenv install --force`: the version's directory is made again, with the same files (of
    # two entries, one moves: their order is the other one now)
    shutil.rmtree(versions / "3.12.1")
    (versions / "3.12.1" / "bin").mkdir(parents=True)
    (versions / "3.12.1" / "bin" / "python3.12").write_text("")
    assert run(capsys, *argv) == run(capsys, "--no-cache", *argv)


def test_another_filesystem_encoding_is_another_question(world: Path) -> None:
    """Names are decoded by the interpreter's filesystem encoding, which the locale and
    PYTHONUTF8 set at start-up (no environment lookup the command makes): `café` is `café`
    under UTF-8 and two undecodable bytes under ASCII, though both print to UTF-8 streams."""
    shutil.copytree(world / "one", world / "café", symlinks=True)
    code = (
        "import sys\n"
        "from venvtui.core.base import readlog\n"
        "readlog.RACY_NS = 0\n"  # the world was made moments ago (see `world`)
        "from venvtui.cli.main import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    utf8 = {"PYTHONUTF8": "1"}
    ascii_names = {
        "PYTHONUTF8": "0",
        "LC_ALL": "C",
        "PYTHONCOERCECLOCALE": "0",
        "PYTHONIOENCODING": "utf-8",
    }

    def venvtui_run(env: dict[str, str], *argv: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", code, *argv],
            capture_output=True,
            text=True,
            encoding="utf-8",
            env={**os.environ, **env},
            timeout=120,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    argv = ("envs", "--json", str(world))
    for _ in range(10):  # until it is kept (see `keep`; its question is not this process's)
        first = venvtui_run(ascii_names, *argv)
        if the_one_kept_answer_holds():
            break
    assert the_one_kept_answer_holds()
    fresh = venvtui_run(utf8, "--no-cache", *argv)
    assert "caf\\u00e9" in fresh and "caf\\u00e9" not in first
    assert venvtui_run(utf8, *argv) == fresh


def test_another_module_path_is_another_question(world: Path, tmp_path: Path) -> None:
    """Modules a run imports as it goes come from `sys.path` (PYTHONPATH, .pth files): with
    another module path, a module the kept run imported from the standard library may be
    another file, which no read of the kept answer names."""
    mods = tmp_path / "mods"
    mods.mkdir()
    (mods / "shlex.py").write_text(
        "def quote(s):\n    return '<' + s + '>'\n\n"
        "def join(words):\n    return ' '.join(quote(w) for w in words)\n"
    )
    code = (
        "import sys\n"
        "from venvtui.core.base import readlog\n"
        "readlog.RACY_NS = 0\n"  # the world was made moments ago (see `world`)
        "from venvtui.cli.main import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )

    def venvtui_run(pythonpath: str | None, *argv: str) -> str:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        if pythonpath is not None:
            env["PYTHONPATH"] = pythonpath
        done = subprocess.run(
            [sys.executable, "-c", code, *argv],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert done.returncode in (0, 1), done.stderr[-2000:]
        return done.stdout

    argv = ("doctor", "--no-confirm", "--json", str(world))
    for _ in range(10):  # until it is kept (see `keep`; its question is not this process's)
        first = venvtui_run(None, *argv)
        if the_one_kept_answer_holds():
            break
    assert the_one_kept_answer_holds()
    fresh = venvtui_run(str(mods), "--no-cache", *argv)
    assert fresh != first, "the module is not used: the test proves nothing"
    assert venvtui_run(str(mods), *argv) == fresh
