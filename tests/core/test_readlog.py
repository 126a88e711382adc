"""readlog: every read made while recording is logged, and a change to anything read is seen.

The oracle is the real filesystem: each case reads through the ordinary `os`/`io`/`pathlib`
functions while recording, then really changes the disk (or the environment), and `changed`
must notice. `tick_past` waits for the filesystem clock (an event, not a duration) so that a
change made after a recording gets a newer ctime than any answer in it.
"""

from __future__ import annotations

import builtins
import errno
import io
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from venvtui.core.base import readlog
from venvtui.core.base.readlog import Log, changed, recording
from venvtui.core.base.safe_io import read_bytes


def every_question(log: Log) -> dict[str, list[str]]:
    """The log as asked, without `_fewer`'s merging."""
    return log.questions(merge=False)


def tick_past(scratch: Path) -> None:
    """Return once the filesystem stamps a change later than anything stamped before the call
    (touching `scratch` until its ctime moves: at most one tick of the kernel's coarse clock)."""
    scratch.write_bytes(b"0")
    first = os.stat(scratch).st_ctime_ns
    while True:
        os.chmod(scratch, 0o600 if os.stat(scratch).st_mode & 0o100 else 0o700)
        if os.stat(scratch).st_ctime_ns > first:
            return


def tree(root: Path) -> Path:
    (root / "d" / "sub").mkdir(parents=True)
    (root / "d" / "f").write_text("hello")
    (root / "d" / "exe").write_text("#!/bin/sh\n")
    (root / "d" / "exe").chmod(0o755)
    (root / "other").mkdir()
    (root / "other" / "f").write_text("other")
    (root / "l").symlink_to(root / "d" / "f")
    (root / "dl").symlink_to(root / "d")
    (root / "entries").mkdir()
    (root / "entries" / "to-dir").symlink_to(root / "d" / "sub")
    return root


Case = tuple[Callable[[Path], object], Callable[[Path], None]]

CASES: dict[str, Case] = {
    "file rewritten, same size (open)": (
        lambda r: open(r / "d" / "f").read(),  # noqa: SIM115
        lambda r: (r / "d" / "f").write_text("HELLO"),
    ),
    "file rewritten (pathlib read_text)": (
        lambda r: (r / "d" / "f").read_text(),
        lambda r: (r / "d" / "f").write_text("bye"),
    ),
    "file rewritten (bounded read: os.open)": (
        lambda r: read_bytes(r / "d" / "f", limit=100),
        lambda r: (r / "d" / "f").write_text("HELLO"),
    ),
    "mode changed (access)": (
        lambda r: os.access(r / "d" / "exe", os.X_OK),
        lambda r: (r / "d" / "exe").chmod(0o644),
    ),
    "mode changed (stat)": (
        lambda r: os.stat(r / "d" / "f"),
        lambda r: (r / "d" / "f").chmod(0o600),
    ),
    "link re-pointed (readlink)": (
        lambda r: os.readlink(r / "l"),
        lambda r: (os.unlink(r / "l"), os.symlink(r / "other" / "f", r / "l")),
    ),
    "link re-pointed (readlink of a bytes path)": (
        lambda r: os.readlink(os.fsencode(r / "l")),
        lambda r: (os.unlink(r / "l"), os.symlink(r / "other" / "f", r / "l")),
    ),
    "link re-pointed (lstat only)": (
        lambda r: os.lstat(r / "l"),
        lambda r: (os.unlink(r / "l"), os.symlink(r / "other" / "f", r / "l")),
    ),
    "a link's target rewritten (stat and lstat of the link)": (
        lambda r: (os.lstat(r / "l").st_ino, os.stat(r / "l").st_size),
        lambda r: (r / "d" / "f").write_text("longer text"),
    ),
    "a directory link's target gains an entry (lstat, listdir)": (
        lambda r: (os.lstat(r / "dl").st_ino, os.listdir(r / "dl")),
        lambda r: (r / "d" / "new").write_text(""),
    ),
    "directory link re-pointed under a path (stat)": (
        lambda r: os.stat(r / "dl" / "f"),
        lambda r: (os.unlink(r / "dl"), os.symlink(r / "other", r / "dl")),
    ),
    "realpath through a re-pointed link": (
        lambda r: os.path.realpath(r / "l"),
        lambda r: (os.unlink(r / "l"), os.symlink(r / "other" / "f", r / "l")),
    ),
    "entry added (listdir)": (
        lambda r: os.listdir(r / "d"),
        lambda r: (r / "d" / "new").write_text(""),
    ),
    "entry removed (scandir)": (
        lambda r: [e.name for e in os.scandir(r / "d")],
        lambda r: (r / "d" / "exe").unlink(),
    ),
    "entry renamed (os.walk)": (
        lambda r: list(os.walk(r / "d")),
        lambda r: (r / "d" / "sub").rename(r / "d" / "sub2"),
    ),
    "a link entry's target changes type (DirEntry.is_dir follows it)": (
        lambda r: [e.is_dir() for e in os.scandir(r / "entries")],
        lambda r: ((r / "d" / "sub").rmdir(), (r / "d" / "sub").write_text("")),
    ),
    "an entry's stat (DirEntry.stat)": (
        lambda r: [e.stat().st_size for e in os.scandir(r / "d")],
        lambda r: (r / "d" / "f").write_text("longer text"),
    ),
    "a directory's times (stat)": (
        lambda r: os.stat(r / "d").st_mtime_ns,
        lambda r: (r / "d" / "new").write_text(""),
    ),
    "a parent directory's times (lstat)": (
        lambda r: os.lstat(r / "d").st_ctime_ns,
        lambda r: (r / "d" / "f").rename(r / "d" / "g"),
    ),
    "a missing file appears (exists)": (
        lambda r: os.path.exists(r / "d" / "missing"),
        lambda r: (r / "d" / "missing").write_text(""),
    ),
    "a directory becomes a link (islink)": (
        lambda r: os.path.islink(r / "other"),
        lambda r: ((r / "other").rename(r / "o2"), (r / "other").symlink_to(r / "o2")),
    ),
    "a file is removed (isfile)": (
        lambda r: os.path.isfile(r / "other" / "f"),
        lambda r: (r / "other" / "f").unlink(),
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("fresh", [True, False], ids=["fresh", "older"])
def test_a_change_to_what_was_read_is_seen(
    name: str, fresh: bool, quiet_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """(Below `quiet_path`: realpath asks every directory above the tree.) `fresh`: as in
    `test_what_was_learnt_changing_is_seen_merged_or_not`."""
    tmp_path = quiet_path
    read, change = CASES[name]
    root = tree(tmp_path / "t")
    if not fresh:
        monkeypatch.setattr(readlog, "RACY_NS", -(10**12))
    with recording() as log:
        before = read(root)
    assert log.answers, "nothing was logged"
    assert changed(log.questions()) is None and changed(every_question(log)) is None
    tick_past(tmp_path / "clock")
    change(root)
    assert read(root) != before
    assert changed(every_question(log)) is not None
    assert changed(log.questions()) is not None, "the merged questions missed the change"


def _walked(r: Path) -> object:
    """What a scan learns of a directory it walks: that it is one, where it really is, and its
    entries' names and types."""
    with os.scandir(r / "d") as it:
        entries = sorted((e.name, e.is_dir(follow_symlinks=False)) for e in it)
    return os.path.isdir(r / "d"), os.path.realpath(r / "d" / "sub"), entries


UNSEEN: dict[str, Case] = {
    "a file beside the entries rewritten by a rename (a shell's history)": (
        _walked,
        lambda r: (
            (r / "d" / "f.tmp").write_text("new"),
            (r / "d" / "f.tmp").rename(r / "d" / "f"),
        ),
    ),
    "a file made and removed again": (
        _walked,
        lambda r: ((r / "d" / "tmp").write_text(""), (r / "d" / "tmp").unlink()),
    ),
    "the directories' times alone": (
        _walked,
        lambda r: (os.utime(r / "d"), os.utime(r), os.utime(r / "d" / "sub")),
    ),
    "a file's content, when only its existence was asked": (
        lambda r: os.path.exists(r / "d" / "f"),
        lambda r: (r / "d" / "f").write_text("other text"),
    ),
    "a file's times, when only its type was asked": (
        lambda r: os.path.isfile(r / "d" / "f"),
        lambda r: os.utime(r / "d" / "f", ns=(0, 0)),
    ),
}


@pytest.mark.parametrize("name", sorted(UNSEEN))
def test_a_change_to_what_was_not_learnt_is_not_seen(name: str, quiet_path: Path) -> None:
    """The point of noting the fields looked at and the names listed: what goes on beside what
    was read (a rewritten history file in `~`, a directory's times) asks nothing again."""
    read, change = UNSEEN[name]
    root = tree(quiet_path / "t")
    with recording() as log:
        before = read(root)
    assert log.taint is None, log.taint
    tick_past(quiet_path / "clock")
    change(root)
    assert read(root) == before
    assert changed(log.questions()) is None, log.questions()


@pytest.mark.parametrize(
    ("read", "change"),
    [
        (lambda: os.environ.get("VT_X"), lambda: os.environ.__setitem__("VT_X", "1")),
        (lambda: os.getenv("VT_Y"), lambda: os.environ.__setitem__("VT_Y", "1")),
        (lambda: os.environ.copy().get("VT_Z"), lambda: os.environ.__setitem__("VT_Z", "1")),
        (lambda: "VT_W" in os.environ, lambda: os.environ.__setitem__("VT_W", "")),
        (lambda: sorted(os.environ.copy()), lambda: os.environ.__setitem__("VT_V", "v")),
        (lambda: os.path.expanduser("~"), lambda: os.environ.__setitem__("HOME", "/elsewhere")),
        (lambda: os.environ.copy().pop("VT_P", None), lambda: os.environ.__setitem__("VT_P", "")),
        (
            lambda: os.environ.copy().setdefault("VT_S", "default"),
            lambda: os.environ.__setitem__("VT_S", "set"),
        ),
        (lambda: repr(os.environ.copy()), lambda: os.environ.__setitem__("VT_V", "v")),
        (lambda: os.environ.copy() != {}, lambda: os.environ.__setitem__("VT_V", "v")),
    ],
)
def test_a_changed_environment_variable_is_seen(
    read: Callable[[], object], change: Callable[[], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("VT_X", "VT_Y", "VT_Z", "VT_W", "VT_V", "VT_P", "VT_S"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", os.environ.get("HOME", "/root"))
    with recording() as log:
        read()
    assert changed(log.questions()) is None
    change()
    assert changed(log.questions()) is not None


@pytest.mark.parametrize(
    ("why", "act"),
    [
        ("write", lambda r: open(r / "w", "w").close()),
        ("mkdir", lambda r: os.mkdir(r / "newdir")),
        ("replace", lambda r: os.replace(r / "d" / "f", r / "d" / "g")),
        ("unlink", lambda r: (r / "d" / "f").unlink()),
        ("os.open for writing", lambda r: os.close(os.open(r / "x", os.O_WRONLY | os.O_CREAT))),
        ("process", lambda r: subprocess.run(["true"], check=True)),
        ("dir_fd", lambda r: os.stat("f", dir_fd=os.open(r / "d", os.O_RDONLY))),
        ("environment set", lambda r: os.environ.__setitem__("VT_SET", "1")),
    ],
)
def test_a_recording_that_writes_spawns_or_uses_descriptors_is_tainted(
    why: str, act: Callable[[Path], object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VT_SET", raising=False)
    monkeypatch.setattr(readlog, "RACY_NS", -(10**12))  # fresh files are not what is tested
    root = tree(tmp_path / "t")
    with recording() as log:
        os.stat(root / "d" / "f")
        assert log.taint is None
        act(root)
    assert log.taint is not None, why


def test_a_file_changed_moments_before_is_racy(tmp_path: Path) -> None:
    (tmp_path / "fresh").write_text("x")
    with recording() as log:
        (tmp_path / "fresh").read_text()
    assert log.taint is not None and "moments ago" in log.taint


def test_an_old_file_is_not_racy() -> None:
    old = os.path.realpath(os.__file__)  # the stdlib: installed long before this test
    if os.stat(old).st_ctime_ns > readlog.time.time_ns() - 10 * readlog.RACY_NS:
        pytest.skip("the stdlib was installed moments ago")
    with recording() as log:
        open(old, "rb").close()
    assert log.taint is None


@pytest.mark.skipif(os.name != "posix", reason="no user database")
def test_a_home_from_the_user_database_taints(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without HOME, `~` is the user database's answer (read by libc, not through `os`): the
    log could not ask it again."""
    monkeypatch.delenv("HOME", raising=False)
    with recording() as log:
        home = os.path.expanduser("~")
    assert home != "~" and log.taint is not None


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="no procfs")
@pytest.mark.parametrize(
    "read",
    [
        lambda: open("/proc/self/status").read(),  # noqa: SIM115
        lambda: os.stat("/proc/self/status").st_mode,
        lambda: [e.stat().st_mode for e in os.scandir("/proc/self") if e.name == "status"],
        lambda: os.listdir("/proc/self"),
    ],
)
def test_a_kernel_pseudo_file_taints(read: Callable[[], object]) -> None:
    with recording() as log:
        read()
    assert log.taint is not None and "pseudo" in log.taint


@pytest.mark.parametrize(
    ("name", "fields"),
    [
        ("st_mode", readlog._FIELDS["st_mode"]),
        ("st_mtime", readlog._FIELDS["st_mtime_ns"]),
        ("st_nlink", readlog.ALL),  # a field not in a signature: all of them
        ("st_atime_ns", readlog.ALL),
        ("n_fields", readlog.ALL),
        ("count", readlog.ALL),
    ],
)
def test_the_fields_looked_at_are_noted(name: str, fields: int, tmp_path: Path) -> None:
    f = tmp_path / "f"
    f.write_text("x")
    expected = getattr(os.stat(f), name)
    with recording() as log:
        st = os.stat(f)
        with pytest.raises(AttributeError):
            st.no_such_field  # noqa: B018
        assert log.used.get(("stat", str(f)), 0) == 0
        value = getattr(st, name)
    assert log.used[("stat", str(f))] == fields
    if name not in ("st_atime_ns", "count"):  # reading moves the atime; a method
        assert value == expected


@pytest.mark.parametrize("looked_at", ["st_size", "st_mode"])
def test_a_stat_answering_twice_differently_taints_if_the_field_was_looked_at(
    looked_at: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file changes between two stats of it while recording: only a field that was looked
    at (and answered differently) spoils the recording."""
    monkeypatch.setattr(readlog, "RACY_NS", -(10**12))  # fresh files are not what is tested
    f = tmp_path / "f"
    f.write_text("x")
    fd = os.open(f, os.O_WRONLY)  # opened before: writing it then is not the recording's
    try:
        with recording() as log:
            getattr(os.stat(f), looked_at)
            os.write(fd, b"longer")
            getattr(os.stat(f), looked_at)
            assert log.taint is None  # told at the end (`finish`)
    finally:
        os.close(fd)
    assert (log.taint is not None) == (looked_at == "st_size")


def test_everything_is_restored_even_after_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    before = (os.stat, os.lstat, os.scandir, os.open, os.unlink, builtins.open, io.open)
    environ = os.environ
    child = subprocess.Popen._execute_child  # type: ignore[attr-defined]
    with pytest.raises(ZeroDivisionError), recording():
        assert os.stat is not before[0] and os.environ is not environ
        1 / 0  # noqa: B018
    assert (os.stat, os.lstat, os.scandir, os.open, os.unlink, builtins.open, io.open) == before
    assert os.environ is environ
    assert subprocess.Popen._execute_child is child  # type: ignore[attr-defined]


def test_what_was_in_place_is_what_the_wrappers_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A test's fault injection (a patched os.stat) still applies while recording."""
    real_stat = os.stat

    def failing(path: object, *args: object, **kw: object) -> os.stat_result:
        if str(path).endswith("boom"):
            raise PermissionError(13, "injected", str(path))
        return real_stat(path, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "stat", failing)
    with recording() as log, pytest.raises(PermissionError):
        os.stat(tmp_path / "boom")
    assert log.answers[("stat", str(tmp_path / "boom"))] == 13
    assert os.stat is failing


# --- the merged questions answer exactly as the full log does -------------------------------

KINDS = (
    "stat",
    "stat-times",
    "lstat",
    "lstat-whole",
    "exists",
    "lexists",
    "size",
    "readlink",
    "listdir",
    "scandir",
    "open",
    "access",
    "samefile",
    "realpath",
    "walk",
    "entry-stat",
    "glob",
)
PATHS = (
    "d",
    "d/f",
    "d/sub",
    "l",
    "dl",
    "dl/f",
    "missing",
    "other",
    "other/f",
    "entries",
    "entries/to-dir",
)
MUTATIONS: tuple[Callable[[Path], object], ...] = (
    lambda r: (r / "d" / "f").write_text("HELLO"),
    lambda r: (r / "d" / "f").write_text("longer text"),
    lambda r: (r / "d" / "f").chmod(0o600),
    lambda r: (os.unlink(r / "l"), os.symlink(r / "other" / "f", r / "l")),
    lambda r: (os.unlink(r / "dl"), os.symlink(r / "other", r / "dl")),
    lambda r: (r / "d" / "new").write_text(""),
    lambda r: (r / "missing").mkdir(),
    lambda r: ((r / "other").rename(r / "o2"), (r / "other").symlink_to(r / "o2")),
    lambda r: (r / "other" / "f").unlink(),
    lambda r: (os.unlink(r / "l"), os.symlink(r / "d" / "f", r / "l")),  # same target, new link
    lambda r: ((r / "d" / "f.new").write_text("hello"), (r / "d" / "f.new").rename(r / "d" / "f")),
    # d/f (5 bytes) becomes a link whose own size is 5 too, to a longer file
    lambda r: (
        (r / "d" / "big99").write_text("longer text"),
        (r / "d" / "f").unlink(),
        os.symlink("big99", r / "d" / "f"),
    ),
    # a name that stays, its type changes
    lambda r: ((r / "d" / "f").unlink(), (r / "d" / "f").mkdir()),
    lambda r: ((r / "d" / "sub").rmdir(), (r / "d" / "sub").write_text("")),
    # a directory becomes a link to a copy of it; one made again from a copy
    lambda r: ((r / "d" / "sub").rename(r / "sub2"), (r / "d" / "sub").symlink_to(r / "sub2")),
    lambda r: (
        shutil.copytree(r / "other", r / "o3", symlinks=True),
        shutil.rmtree(r / "other"),
        (r / "o3").rename(r / "other"),
    ),
    # a link entry's target becomes a file; a hard link made; only the ctime moves
    lambda r: ((r / "entries" / "to-dir").unlink(), (r / "entries" / "to-dir").symlink_to("f")),
    lambda r: os.link(r / "d" / "f", r / "other" / "hard"),
    lambda r: (r / "d" / "f").chmod(os.stat(r / "d" / "f").st_mode & 0o7777),
    lambda r: None,
)


def _ask(kind: str, path: Path) -> object:
    """What a caller learns from one question (the fields it looks at)."""
    try:
        if kind == "stat":
            st = os.stat(path)
            return st.st_mode, st.st_size
        if kind == "stat-times":
            return os.stat(path).st_mtime_ns
        if kind == "lstat":
            return os.lstat(path).st_mode
        if kind == "lstat-whole":
            return tuple(os.lstat(path))[:-3]  # all but the atime (reading moves it)
        if kind == "exists":
            return os.path.exists(path)
        if kind == "lexists":
            return os.path.lexists(path)
        if kind == "size":
            return os.path.getsize(path)
        if kind == "readlink":
            return os.readlink(path)
        if kind == "listdir":
            return sorted(os.listdir(path))
        if kind == "scandir":
            with os.scandir(path) as it:
                return sorted((e.name, e.is_dir(), e.is_symlink()) for e in it)
        if kind == "open":
            with open(path, "rb") as fh:
                return fh.read()
        if kind == "samefile":
            return os.path.samefile(path, path.parent.parent / "d")
        if kind == "realpath":
            return os.path.realpath(path)
        if kind == "walk":
            return sorted((top, sorted(dirs), sorted(files)) for top, dirs, files in os.walk(path))
        if kind == "entry-stat":
            with os.scandir(path) as it:
                return sorted((e.name, e.is_file(), e.stat().st_mode) for e in it)
        if kind == "glob":
            return sorted(map(str, path.glob("*")))
        return os.access(path, os.R_OK)
    except OSError as exc:
        return exc.errno


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    asked=st.lists(st.tuples(st.sampled_from(KINDS), st.sampled_from(PATHS)), max_size=12),
    mutation=st.integers(0, len(MUTATIONS) - 1),
    fresh=st.booleans(),
)
@example(asked=[("stat", "l"), ("lstat", "l")], mutation=0, fresh=False)
@example(asked=[("lstat", "dl"), ("listdir", "dl")], mutation=5, fresh=False)
@example(
    asked=[("lstat", "other"), ("stat", "other"), ("listdir", "other")], mutation=7, fresh=False
)
@example(asked=[("lstat-whole", "l"), ("readlink", "l")], mutation=3, fresh=False)
@example(asked=[("stat", "d/f"), ("lstat", "d/f")], mutation=10, fresh=False)
@example(asked=[("lstat", "d/f"), ("stat", "d/f")], mutation=1, fresh=False)
@example(asked=[("stat-times", "d/f"), ("lstat", "d/f")], mutation=0, fresh=False)
@example(asked=[("size", "d/f"), ("lexists", "d/f")], mutation=11, fresh=False)
@example(asked=[("stat-times", "d"), ("scandir", "d")], mutation=10, fresh=False)
def test_what_was_learnt_changing_is_seen_merged_or_not(
    asked: list[tuple[str, str]], mutation: int, fresh: bool
) -> None:
    """Whenever a mutation changes what some question told its caller, the log sees a change,
    and the merged log sees every change the full one does (it may see more: a merged lstat
    also looks at the type). `fresh`: the tree counts as changed moments before the recording
    (listings are asked again by listing them, links by readlink); else as older, which
    `tick_past` makes true of every change after it."""
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as mp:
        root = tree(Path(tmp) / "t")
        mp.setattr(readlog, "RACY_NS", readlog.RACY_NS if fresh else -(10**12))
        with recording() as log:
            before = [_ask(kind, root / rel) for kind, rel in asked]
        tick_past(Path(tmp) / "clock")
        MUTATIONS[mutation](root)
        after = [_ask(kind, root / rel) for kind, rel in asked]
        full = changed(every_question(log)) is not None
        merged = changed(log.questions()) is not None
        if before != after:
            assert full, (asked, mutation, every_question(log))
        if full:
            assert merged, (asked, mutation, log.questions())


@pytest.mark.parametrize(
    "read",
    [
        lambda r: os.listdir(r / "d"),
        lambda r: open(r / "d" / "f").close(),
        lambda r: read_bytes(r / "d" / "f", limit=100),
    ],
)
def test_a_failure_of_the_process_not_of_the_file_taints(
    read: Callable[[Path], object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Out of descriptors (EMFILE, the kernel's real answer): the read fails though nothing
    about the file says so, and the next run would not fail."""
    import resource

    monkeypatch.setattr(readlog, "RACY_NS", -(10**12))  # fresh files are not what is tested
    root = tree(tmp_path / "t")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    held: list[int] = []
    with recording() as log:
        resource.setrlimit(resource.RLIMIT_NOFILE, (64, hard))
        try:
            with pytest.raises(OSError):
                while True:
                    held.append(os.dup(0))
            with pytest.raises(OSError) as failed:
                read(root)
        finally:
            for fd in held:
                os.close(fd)
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert failed.value.errno == errno.EMFILE
    assert log.taint is not None


# --- a caller that looks at some entries of a listing only -----------------------------------

ONLY = "dl:.venv"  # directories, links, and the entry named .venv


def _walk_like(d: Path, *, again: bool = False, partly: bool = False) -> None:
    """List `d` as the scan does (read to its end) and narrow it; `again`: a second caller
    lists it too; `partly`: the caller stops after one entry."""
    with os.scandir(d) as it:
        if partly:
            next(it)
        else:
            list(it)
    readlog.narrow(it, ONLY)
    if again:
        with os.scandir(d) as it:
            list(it)


@pytest.mark.parametrize(
    ("change", "seen"),
    [
        (lambda d: (d / "main.py").write_text("x"), False),
        (lambda d: (d / "f").unlink(), False),
        (lambda d: os.mkfifo(d / "fifo"), False),
        (lambda d: (d / "newdir").mkdir(), True),
        (lambda d: (d / "sub").rmdir(), True),
        (lambda d: (d / "newlink").symlink_to(d / "sub"), True),
        (lambda d: (d / ".venv").write_text("../elsewhere\n"), True),
        (lambda d: ((d / "f").unlink(), (d / "f").mkdir()), True),  # a file becomes a dir
    ],
)
def test_a_narrowed_listing_sees_only_what_its_caller_looks_at(
    change: Callable[[Path], object], seen: bool, quiet_path: Path
) -> None:
    d = quiet_path / "d"
    (d / "sub").mkdir(parents=True)
    (d / "f").write_text("x")
    with recording() as log:
        _walk_like(d)
    assert changed(log.questions()) is None
    assert any(k.startswith("list/") for k in log.questions())
    tick_past(quiet_path / "clock")
    change(d)
    assert (changed(log.questions()) is not None) == seen


@pytest.mark.parametrize("how", ["listed again", "read partly"])
def test_a_listing_is_narrowed_only_for_its_one_caller_reading_it_all(
    how: str, quiet_path: Path
) -> None:
    d = quiet_path / "d"
    (d / "sub").mkdir(parents=True)
    (d / "f").write_text("x")
    with recording() as log:
        _walk_like(d, again=how == "listed again", partly=how == "read partly")
    assert not any(k.startswith("list/") for k in log.questions())
    tick_past(quiet_path / "clock")
    (d / "main.py").write_text("x")
    assert changed(log.questions()) is not None


def _list_and_narrow(d: Path, only: str) -> object:
    with os.scandir(d) as it:
        list(it)
    readlog.narrow(it, only)
    return it


@pytest.mark.parametrize(
    ("change", "seen"),
    [
        (lambda d: (d / "main.py").write_text("x"), False),
        (lambda d: (d / "newdir").mkdir(), True),  # the first caller's directories
        (lambda d: (d / ".env.venvtui-new-1").write_text(""), True),  # the second's mark
        (lambda d: (d / "x.venvtui").write_text(""), False),  # not the mark
        (lambda d: (d / "pyvenv.cfg").write_text(""), True),  # the second's name
    ],
)
def test_a_listing_narrowed_by_each_of_its_callers_sees_what_any_of_them_looks_at(
    change: Callable[[Path], object], seen: bool, quiet_path: Path
) -> None:
    """Two callers list one directory, each narrowing its own listing: it is asked as the
    union of what they look at. The directory's stat, asked for its type only, does not
    widen it (its whole signature would answer for every entry)."""
    d = quiet_path / "d"
    (d / "sub").mkdir(parents=True)
    with recording() as log:
        _list_and_narrow(d, "d:")
        assert os.path.isdir(d)
        second = _list_and_narrow(d, ":*.venvtui-,pyvenv.cfg")
        readlog.narrow(second, ":*.venvtui-")  # the same listing again: counted once
    asked = log.questions()
    assert [k for k in asked if k.startswith("list")] == ["list/d:*.venvtui-,pyvenv.cfg"]
    assert changed(asked) is None
    tick_past(quiet_path / "clock")
    change(d)
    assert (changed(asked) is not None) == seen


def test_a_listing_narrowed_by_one_of_two_callers_is_asked_whole(quiet_path: Path) -> None:
    d = quiet_path / "d"
    d.mkdir()
    with recording() as log:
        _list_and_narrow(d, "d:")
        with os.scandir(d) as it:
            list(it)
        _list_and_narrow(d, "d:")  # a third listing, narrowed: two of three
    assert not any(k.startswith("list/") for k in log.questions())
    tick_past(quiet_path / "clock")
    (d / "main.py").write_text("x")
    assert changed(log.questions()) is not None


def test_a_promise_holds_for_its_own_listing_only(quiet_path: Path) -> None:
    """A caller narrows its listing twice while another caller listed the directory in
    between, whole: the other listing is not narrowed by the caller's second promise."""
    d = quiet_path / "d"
    d.mkdir()
    with recording() as log:
        mine = _list_and_narrow(d, "d:")
        with os.scandir(d) as theirs:
            list(theirs)
        readlog.narrow(mine, "d:")
    assert not any(k.startswith("list/") for k in log.questions())
    tick_past(quiet_path / "clock")
    (d / "new.txt").write_text("x")
    assert changed(log.questions()) is not None
