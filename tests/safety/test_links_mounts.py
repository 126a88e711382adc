"""Links and mounts: the writer never acts through a link and never enters another mount.

Each case keeps a tree outside the target (a canary, or another environment) and checks it is
byte for byte the same afterwards (type, mode, content, link target). Bind mounts need root
and a kernel that allows them; those cases skip cleanly otherwise."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.layouts import require_python, runs
from tests.safety import canary
from tests.safety.hang_guard import no_hang  # noqa: F401 (fixture)
from tests.safety.writes import fake_uv, leftovers, make_env
from venvtui.core.base.errors import VenvtuiError, WriteRefused
from venvtui.core.write import fsops
from venvtui.core.write import repair as repair_mod
from venvtui.core.write.create import CreateRequest, plan_create
from venvtui.core.write.plan import Plan, apply
from venvtui.core.write.repair import plan_delete, plan_rebuild, plan_repair

pytestmark = [pytest.mark.realpython, pytest.mark.usefixtures("no_hang")]


@pytest.fixture
def env(tmp_path: Path) -> Path:
    (tmp_path / "work").mkdir()
    return make_env(require_python("3.12").exe, tmp_path / "work" / "env")


@pytest.fixture
def outside(tmp_path: Path) -> Iterator[Path]:
    """A canary tree outside every target, checked unchanged at the end."""
    tree = canary.make_canary(tmp_path / "outside")
    before = canary.record(tree)
    yield tree
    assert canary.diff(before, canary.record(tree)) == []


def _bind(src: Path, dst: Path) -> None:
    dst.mkdir(parents=True, exist_ok=True)
    try:
        done = subprocess.run(["mount", "--bind", str(src), str(dst)], capture_output=True)
    except OSError:
        pytest.skip("no mount command")
    if done.returncode != 0:
        pytest.skip(f"bind mounts are not permitted here: {done.stderr.decode().strip()}")


def _unmount(path: Path) -> None:
    subprocess.run(["umount", str(path)], capture_output=True)


@pytest.fixture
def mounted(env: Path, outside: Path) -> Iterator[Path]:
    """`outside` bind-mounted inside the environment (same filesystem: same st_dev)."""
    point = next(env.glob("lib/python*/site-packages")) / "data"
    _bind(outside, point)
    try:
        yield point
    finally:
        for p in (point, *env.parent.glob(f".{env.name}.venvtui-*/**/data")):
            _unmount(p)


# --- mounts -------------------------------------------------------------------------------------


def test_delete_never_enters_a_bind_mount(
    env: Path, outside: Path, mounted: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from venvtui.cli.main import main

    assert main(["delete", str(env), "--yes"]) == 0
    out = capsys.readouterr().out
    assert "another filesystem is mounted here (not entered)" in out
    assert not env.exists()
    (trash,) = env.parent.glob(f".{env.name}.venvtui-del-*")
    _unmount(trash.joinpath(*mounted.relative_to(env).parts))
    # outside is checked by its fixture; what is left is only the empty mount point's tree
    shutil.rmtree(trash)


def test_rebuild_never_removes_a_bind_mount_with_the_old_env(
    env: Path, outside: Path, mounted: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uv = fake_uv(tmp_path)
    monkeypatch.setattr(repair_mod, "find_uv", lambda: str(uv))
    py = require_python("3.12")
    result = apply(plan_rebuild(str(env), str(py.exe), home_policy="venv", installer="uv"))
    assert any("mounted" in line for line in result.log), result.log
    for left in env.parent.glob(f".{env.name}.venvtui-old-*"):
        for p in left.glob("lib/python*/site-packages/data"):
            _unmount(p)
        shutil.rmtree(left)


def test_mount_ids_tell_a_same_device_bind_mount_apart(tmp_path: Path, outside: Path) -> None:
    point = tmp_path / "point"
    _bind(outside, point)
    try:
        fd = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            st = os.stat("point", dir_fd=fd, follow_symlinks=False)
            here = fsops.Mount.of_fd(fd)
            if here.mnt is None:
                pytest.skip("statx mount ids are not available")
            assert st.st_dev == here.dev  # st_dev alone cannot see it
            assert not here.holds(fd, "point", st)
        finally:
            os.close(fd)
    finally:
        _unmount(point)


# --- links swapped in between plan and apply ------------------------------------------------------


def _swap_for_link(env: Path, elsewhere: Path) -> None:
    """Replace `env` by a link to `elsewhere` (a copy of the environment: it looks right)."""
    shutil.copytree(env, elsewhere, symlinks=True)
    shutil.rmtree(env)
    env.symlink_to(elsewhere)


def _plans(env: Path, tmp: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Plan]:
    py = require_python("3.12")
    uv = fake_uv(tmp)
    monkeypatch.setattr(repair_mod, "find_uv", lambda: str(uv))
    return {
        "delete": plan_delete(str(env)),
        "repair": plan_repair(str(env), str(py.prefix / "bin" / "python3"), home_policy="venv"),
        "rebuild": plan_rebuild(str(env), str(py.exe), home_policy="venv", installer="uv"),
        "create --clear": plan_create(
            CreateRequest(python=str(py.exe), dest=str(env), home_policy="venv", clear=True)
        ),
    }


@pytest.mark.parametrize("verb", ["delete", "repair", "rebuild", "create --clear"])
def test_env_swapped_for_a_link_after_planning_is_refused(
    env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, verb: str
) -> None:
    plan = _plans(env, tmp_path, monkeypatch)[verb]
    elsewhere = tmp_path / "elsewhere"
    _swap_for_link(env, elsewhere)
    os.chmod(elsewhere / "lib", 0o555)  # a mode a chmod-on-the-way would have changed
    before = canary.record(elsewhere)
    with pytest.raises(WriteRefused):
        apply(plan)
    assert canary.diff(before, canary.record(elsewhere)) == []
    assert os.readlink(env) == str(elsewhere)
    assert leftovers(env) == []


@pytest.mark.parametrize("verb", ["delete", "repair", "rebuild"])
def test_env_swapped_for_another_directory_after_planning_is_refused(
    env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, verb: str
) -> None:
    plan = _plans(env, tmp_path, monkeypatch)[verb]
    shutil.move(str(env), str(tmp_path / "moved"))
    shutil.copytree(tmp_path / "moved", env, symlinks=True)  # same content, another directory
    before = canary.record(env)
    with pytest.raises(WriteRefused):
        apply(plan)
    assert canary.diff(before, canary.record(env)) == []
    assert leftovers(env) == []


def test_backup_dir_linked_outside_never_receives_the_backup(
    env: Path, outside: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = _plans(env, tmp_path, monkeypatch)["repair"]
    (env / ".venvtui-backup").symlink_to(outside)  # after planning
    before = canary.record(env)
    with pytest.raises(WriteRefused, match="link"):
        apply(plan)
    assert canary.diff(before, canary.record(env)) == []


def test_repair_refuses_a_bin_linked_outside(
    env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = _plans(env, tmp_path, monkeypatch)["repair"]
    # After planning, bin/ becomes a link to a copy outside: writing there is refused.
    outside = tmp_path / "outside-bin"
    shutil.copytree(env / "bin", outside, symlinks=True)
    before = canary.record(outside)
    shutil.rmtree(env / "bin")
    (env / "bin").symlink_to(outside)
    with pytest.raises(WriteRefused, match="link"):
        apply(plan)
    assert canary.diff(before, canary.record(outside)) == []
    assert leftovers(env) == [] and not (env / ".venvtui-backup").exists()
    # Planned with the link already there: refused as well (at plan or at apply time).
    py = require_python("3.12")
    with pytest.raises(VenvtuiError):
        apply(plan_repair(str(env), str(py.prefix / "bin" / "python3"), home_policy="venv"))
    assert canary.diff(before, canary.record(outside)) == []


@pytest.mark.parametrize("verb", ["create", "rebuild"])
def test_build_on_a_path_that_is_a_link_is_refused(
    env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, verb: str
) -> None:
    link = tmp_path / "work" / "via-link"
    link.symlink_to(env)
    before = canary.record(env)
    py = require_python("3.12")
    uv = fake_uv(tmp_path)
    monkeypatch.setattr(repair_mod, "find_uv", lambda: str(uv))
    with pytest.raises(VenvtuiError):
        if verb == "create":
            apply(plan_create(CreateRequest(str(py.exe), str(link), "venv", clear=True)))
        else:
            apply(plan_rebuild(str(link), str(py.exe), home_policy="venv", installer="uv"))
    assert link.is_symlink() and os.readlink(link) == str(env)
    assert canary.diff(before, canary.record(env)) == []
    assert leftovers(link) == [] and leftovers(env) == []


# --- links inside ---------------------------------------------------------------------------------


def remove_completely(path: Path) -> bool:
    """`fsops.remove_tree` of `path` from its parent's fd: it reports complete and `path` is gone."""
    pfd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        complete = fsops.remove_tree(pfd, path.name, shown=str(path)).complete
    finally:
        os.close(pfd)
    return complete and not os.path.lexists(path)


def test_delete_removes_links_inside_not_what_they_name(env: Path, outside: Path) -> None:
    sp = next(env.glob("lib/python*/site-packages"))
    (sp / "dir-link").symlink_to(outside)
    (sp / "file-link").symlink_to(outside / "thesis.txt")
    (sp / "dangling").symlink_to(outside / "nothing")
    ro = sp / "ro" / "deeper"
    ro.mkdir(parents=True)
    (ro / "f").write_text("x")
    os.chmod(ro, 0o555)
    os.chmod(sp / "ro", 0o000)
    apply(plan_delete(str(env)))
    assert not env.exists() and leftovers(env) == []


def test_remove_tree_is_iterative_and_bounded(tmp_path: Path) -> None:
    deep = tmp_path / "deep"
    path = deep
    path.mkdir()
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    for _ in range(3000):  # deeper than the recursion limit and the usual open-files limit
        os.mkdir("d", dir_fd=fd)
        nxt = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
        os.close(fd)
        fd = nxt
    os.close(fd)
    assert remove_completely(deep)


def test_repaired_env_still_runs_after_refusals(env: Path, tmp_path: Path) -> None:
    """A refusal changes nothing: the same environment repairs fine afterwards."""
    py = require_python("3.12")
    apply(plan_repair(str(env), str(py.prefix / "bin" / "python3"), home_policy="venv"))
    assert runs(env / "bin" / "python").returncode == 0


# --- junk trees (hypothesis) ----------------------------------------------------------------------

_KINDS = ("file", "dir", "link-out-dir", "link-out-file", "dangling", "fifo", "locked-dir")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 6), st.sampled_from(_KINDS), st.sampled_from([0o000, 0o500, 0o755])
        ),
        max_size=25,
    )
)
def test_remove_tree_removes_junk_and_touches_nothing_outside(
    tmp_path: Path, outside: Path, spec: list[tuple[int, str, int]]
) -> None:
    """Any tree of files, directories (some without permissions), FIFOs and links to outside
    is removed entirely, and the tree outside stays byte for byte the same."""
    root = tmp_path / "junk"
    if root.exists():
        shutil.rmtree(root)
    root.mkdir()
    dirs = [root]
    locked: list[tuple[Path, int]] = []
    for i, (parent, kind, mode) in enumerate(spec):
        where = dirs[parent % len(dirs)] / f"e{i}"
        if kind == "file":
            where.write_bytes(b"x" * i)
            os.chmod(where, mode)
        elif kind in ("dir", "locked-dir"):
            where.mkdir()
            dirs.append(where)
            if kind == "locked-dir":
                locked.append((where, mode))
        elif kind == "link-out-dir":
            where.symlink_to(outside / "deep")
        elif kind == "link-out-file":
            where.symlink_to(outside / "secret.key")
        elif kind == "dangling":
            where.symlink_to(tmp_path / "nowhere")
        else:
            os.mkfifo(where)
    for where, mode in reversed(locked):  # deepest first, once their content exists
        os.chmod(where, mode)
    before = canary.record(outside)
    assert remove_completely(root)
    assert canary.diff(before, canary.record(outside)) == []


def test_remove_tree_opens_locked_directories_as_a_user(outside: Path) -> None:
    """Without root's override: directories of mode 000 and 500 are unlocked through their own
    descriptors (never through a link) and removed; a link to outside is never chmod'ed."""
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="venvtui-user-"))
    try:
        os.chmod(base, 0o755)
        root = base / "junk"
        (root / "a" / "b").mkdir(parents=True)
        (root / "a" / "b" / "f").write_text("x")
        (root / "out").symlink_to(outside / "deep")
        (root / "ro").mkdir()
        (root / "ro" / "g").write_text("y")
        uid = os.getuid() if os.getuid() else 65534
        for p in (base, root, root / "a", root / "a" / "b", root / "ro"):
            os.chown(p, uid, uid)
        for p in (root / "a" / "b" / "f", root / "ro" / "g"):
            os.chown(p, uid, uid)
        os.lchown(root / "out", uid, uid)
        os.chmod(root / "a" / "b", 0o000)
        os.chmod(root / "a", 0o000)
        os.chmod(root / "ro", 0o500)
        pid = os.fork()
        if pid == 0:  # pragma: no cover - child
            code = 3
            try:
                if os.getuid() == 0:
                    os.setgid(uid)
                    os.setuid(uid)
                pfd = os.open(base, os.O_RDONLY | os.O_DIRECTORY)
                code = 0 if fsops.remove_tree(pfd, "junk", shown=str(root)).complete else 1
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status
        assert not root.exists()
    finally:
        shutil.rmtree(base, ignore_errors=True)
