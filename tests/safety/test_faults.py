"""Faults at every step of every write: an exception, a Ctrl-C and a SIGKILL injected before
each step (the writer calls `plan._step` before every change, journal save, run and check).

After an exception or an interrupt, the environment is byte for byte as it was and nothing is
left beside it. After a SIGKILL (a forked child dies at step k), recovery from the journal
leaves the old tree or the new complete environment, never a half-made one. A canary tree
beside the target is identical throughout."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.layouts import require_python, runs
from tests.safety import canary
from tests.safety.hang_guard import no_hang  # noqa: F401 (fixture)
from tests.safety.writes import (
    Snapshot,
    assert_old_or_new,
    fake_uv,
    leftovers,
    make_env,
    recover_all,
)
from venvtui.core.base.errors import WriteFailed, WriteRefused
from venvtui.core.write import fsops, journal
from venvtui.core.write import plan as plan_mod
from venvtui.core.write import repair as repair_mod
from venvtui.core.write.create import CreateRequest, plan_create
from venvtui.core.write.plan import Plan, apply
from venvtui.core.write.repair import plan_delete, plan_rebuild, plan_repair

pytestmark = [pytest.mark.realpython, pytest.mark.usefixtures("no_hang")]


class Boom(Exception):
    pass


def count_steps(monkeypatch: pytest.MonkeyPatch, run: Callable[[], object]) -> list[str]:
    labels: list[str] = []
    with monkeypatch.context() as m:
        m.setattr(plan_mod, "_step", labels.append)
        run()
    return labels


def fail_at(m: pytest.MonkeyPatch, k: int, exc: BaseException) -> None:
    calls = [0]

    def step(label: str) -> None:
        calls[0] += 1
        if calls[0] == k:
            raise exc

    m.setattr(plan_mod, "_step", step)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """(work dir for environments, canary tree beside it), the canary checked afterwards."""
    work = tmp_path / "work"
    work.mkdir()
    tree = canary.make_canary(tmp_path / "canary")
    before = canary.record(tree)
    yield work, tree
    assert canary.diff(before, canary.record(tree)) == []


def cfg_of(plan: Plan) -> bytes:
    op = next(o for o in plan.ops if os.path.basename(o.path) == "pyvenv.cfg")
    assert op.content is not None
    return op.content


def _rebuild_plan(env: Path, monkeypatch: pytest.MonkeyPatch, tmp: Path) -> Plan:
    py = require_python("3.12")
    uv = fake_uv(tmp)
    monkeypatch.setattr(repair_mod, "find_uv", lambda: str(uv))
    return plan_rebuild(str(env), str(py.exe), home_policy="venv", installer="uv")


def env_312(work: Path) -> Path:
    """A venv of the real 3.12 at work/env."""
    return make_env(require_python("3.12").exe, work / "env")


def create_plan(dest: Path) -> Plan:
    """The plan creating a venv at `dest` from the real 3.12 (home as venv writes it)."""
    py = require_python("3.12")
    return plan_create(CreateRequest(python=str(py.exe), dest=str(dest), home_policy="venv"))


def repair_plan(env: Path) -> Plan:
    """The plan repairing `env` onto the real 3.12's bin/python3 (home as venv writes it)."""
    py = require_python("3.12")
    return plan_repair(str(env), str(py.prefix / "bin" / "python3"), home_policy="venv")


def copy_of(env: Path, name: str) -> Path:
    """A throw-away copy beside `env` (or a fresh path when `env` does not exist yet)."""
    dst = env.parent / name
    if dst.exists():
        shutil.rmtree(dst)
    if env.exists():
        shutil.copytree(env, dst, symlinks=True)
    return dst


def steps_of(
    monkeypatch: pytest.MonkeyPatch,
    make: Callable[[Path], Plan],
    env: Path,
    *,
    upto_commit: bool = True,
) -> int:
    """How many steps applying the plan takes up to its commit (counted on a copy, then
    removed); after the commit a write has succeeded."""
    probe = copy_of(env, "count")
    labels = count_steps(monkeypatch, lambda: apply(make(probe)))
    shutil.rmtree(probe)
    if upto_commit and "commit" in labels:
        return labels.index("commit") + 1
    return len(labels)


def sweep_exceptions(
    monkeypatch: pytest.MonkeyPatch, env: Path, make: Callable[[Path], Plan]
) -> int:
    """Raise Boom, OSError(ENOSPC) and KeyboardInterrupt at every step: each time the tree is
    as it was and nothing is left beside it. Returns the number of steps."""
    before = canary.record(env) if env.exists() else None
    names = sorted(os.listdir(env.parent))
    steps = steps_of(monkeypatch, make, env)
    plan = make(env)  # one plan: a rolled-back write leaves the very same tree (inode)
    for k in range(1, steps + 1):
        faults: list[Exception] = [Boom(f"step {k}")]
        if k % 4 == 1:  # a full disk is one more exception: every 4th step is enough
            faults.append(OSError(errno.ENOSPC, "No space left on device"))
        for exc in faults:
            with monkeypatch.context() as m:
                fail_at(m, k, exc)
                with pytest.raises(WriteFailed):
                    apply(plan)
            _same(env, before, names, f"{type(exc).__name__} at step {k}")
        with monkeypatch.context() as m:
            fail_at(m, k, KeyboardInterrupt())
            with pytest.raises(KeyboardInterrupt):
                apply(plan)
        _same(env, before, names, f"Ctrl-C at step {k}")
    return steps


def _same(env: Path, before: Snapshot | None, names: list[str], when: str) -> None:
    if before is None:
        assert not os.path.lexists(env), when
    else:
        assert canary.diff(before, canary.record(env)) == [], when
    assert sorted(os.listdir(env.parent)) == names, when


def test_create_fails_cleanly_at_every_step(
    world: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    work, _ = world
    dest = work / "new"
    assert sweep_exceptions(monkeypatch, dest, create_plan) >= 15
    result = apply(create_plan(dest))
    assert result.verified["prefix"] == str(dest)
    assert leftovers(dest) == []


@pytest.mark.parametrize(
    "exchange", [True, pytest.param(False, marks=pytest.mark.slow)], ids=["exchange", "two-renames"]
)
def test_rebuild_fails_cleanly_at_every_step(
    world: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, exchange: bool
) -> None:
    work, _ = world
    if not exchange:
        monkeypatch.setattr(fsops, "exchange", lambda *_args: False)
    env = env_312(work)

    def make(d: Path) -> Plan:
        return _rebuild_plan(d, monkeypatch, tmp_path)

    assert sweep_exceptions(monkeypatch, env, make) >= 15
    apply(make(env))
    # Console scripts the installer wrote in staging name the final python, in both forms.
    python = env / "bin" / "python"
    assert (env / "bin" / "tinycli").read_text().startswith(f"#!{python}\n")
    assert f'"{python}"' in (env / "bin" / "longcli").read_text()
    out = subprocess.run([str(env / "bin" / "tinycli")], capture_output=True, text=True)
    assert out.stdout.strip() == "1.0", out.stderr
    assert leftovers(env) == []


def test_repair_fails_cleanly_at_every_step(
    world: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    work, _ = world
    env = env_312(work)
    assert sweep_exceptions(monkeypatch, env, repair_plan) >= 10
    result = apply(repair_plan(env))
    assert result.backup is not None and (Path(result.backup) / "README").is_file()
    assert leftovers(env) == []


def test_delete_fails_cleanly_before_the_rename_and_finishes_after(
    world: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    work, _ = world
    env = env_312(work)
    before = canary.record(env)
    probe = copy_of(env, "count")
    assert count_steps(monkeypatch, lambda: apply(plan_delete(str(probe)))) == [
        "journal",
        "rename aside",
        "remove",
    ]
    for k in (1, 2):
        with monkeypatch.context() as m:
            fail_at(m, k, Boom("x"))
            with pytest.raises(WriteFailed):
                apply(plan_delete(str(env)))
        assert canary.diff(before, canary.record(env)) == []
        assert leftovers(env) == []
    # Interrupted after the rename: the next recovery finishes the deletion.
    with monkeypatch.context() as m:
        fail_at(m, 3, KeyboardInterrupt())
        with pytest.raises(KeyboardInterrupt):
            apply(plan_delete(str(env)))
    assert not env.exists() and leftovers(env) != []
    assert [o.result for o in recover_all(env)] == ["finished"]
    assert leftovers(env) == [] and not env.exists()


def test_readme_failure_after_success_is_not_a_failure(
    world: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    work, _ = world
    env = env_312(work)

    def full_at_readme(label: str) -> None:
        if label == "readme":
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(plan_mod, "_step", full_at_readme)
    result = apply(repair_plan(env))
    assert any("README" in line for line in result.log)
    assert runs(env / "bin" / "python").returncode == 0
    assert leftovers(env) == []


# --- SIGKILL at every step, then recovery ------------------------------------------------------


def killed_at(k: int, plan: Plan) -> int:
    """Fork; the child applies `plan` and SIGKILLs itself at step k. The child's wait status."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        try:
            calls = [0]

            def step(label: str) -> None:
                calls[0] += 1
                if calls[0] == k:
                    os.kill(os.getpid(), signal.SIGKILL)

            plan_mod._step = step  # type: ignore[assignment]
            apply(plan)
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    return status


def sweep_kills(
    monkeypatch: pytest.MonkeyPatch, env: Path, make: Callable[[Path], Plan]
) -> dict[str, int]:
    """SIGKILL at every step k, then recover: the old or the new complete env each time."""
    steps = steps_of(monkeypatch, make, env, upto_commit=False)
    commit = steps_of(monkeypatch, make, env)  # steps up to and including "commit"
    pristine = copy_of(env, "pristine")
    seen = {"old": 0, "new": 0}
    plan: Plan | None = None
    for k in range(1, steps + 1):
        if plan is None:  # fresh copy of the original tree, and a plan for it
            if env.exists():
                shutil.rmtree(env)
            if pristine.exists():
                shutil.copytree(pristine, env, symlinks=True)
            before = canary.record(env) if env.exists() else None
            plan = make(env)
        status = killed_at(k, plan)
        assert not os.WIFSIGNALED(status) or os.WTERMSIG(status) == signal.SIGKILL, k
        recover_all(env)
        if plan.mode == "build":
            outcome = assert_old_or_new(env, before, cfg_of(plan))
        else:
            assert leftovers(env) == [], k
            if before is not None and canary.diff(before, canary.record(env)) == []:
                outcome = "old"
            else:  # recovered after the commit: the change is kept, with its backup
                assert runs(env / "bin" / "python").returncode == 0, k
                assert (env / ".venvtui-backup").is_dir(), k
                outcome = "new"
        # The old tree until the commit is journaled (killed at step <= commit), the new one after.
        assert outcome == ("old" if k <= commit else "new"), (k, commit, outcome)
        seen[outcome] += 1
        if outcome == "new":
            plan = None  # the same plan cannot apply twice
    return seen


@pytest.mark.slow
def test_sigkill_at_every_step_of_create(
    world: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    work, _ = world
    seen = sweep_kills(monkeypatch, work / "new", create_plan)
    assert seen["old"] and seen["new"], seen


@pytest.mark.slow
@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "two-renames"])
def test_sigkill_at_every_step_of_rebuild(
    world: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, exchange: bool
) -> None:
    """Also without renameat2 (old kernels, other systems): two renames under the journal."""
    work, _ = world
    if not exchange:
        monkeypatch.setattr(fsops, "exchange", lambda *_args: False)
    env = env_312(work)
    seen = sweep_kills(monkeypatch, env, lambda d: _rebuild_plan(d, monkeypatch, tmp_path))
    assert seen["old"] and seen["new"], seen


@pytest.mark.slow
def test_sigkill_at_every_step_of_repair(
    world: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    work, _ = world
    env = env_312(work)
    seen = sweep_kills(monkeypatch, env, repair_plan)
    assert seen["old"] >= 10 and seen["new"] >= 1, seen


def test_sigkill_at_every_step_of_delete(
    world: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    work, _ = world
    env = env_312(work)
    for k in (1, 2, 3):
        if not env.exists():
            make_env(require_python("3.12").exe, env)
        before = canary.record(env)
        status = killed_at(k, plan_delete(str(env)))
        assert os.WIFSIGNALED(status), k
        recover_all(env)
        assert leftovers(env) == [], k
        assert not env.exists() or canary.diff(before, canary.record(env)) == [], k


def test_doctor_reports_a_killed_write_as_json_and_recovers_it(
    world: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from venvtui.cli.main import main

    work, _ = world
    env = env_312(work)
    before = canary.record(env)
    plan = repair_plan(env)
    assert os.WIFSIGNALED(killed_at(8, plan))
    assert main(["doctor", "--json", "--no-confirm", str(env)]) == 1
    rows = json.loads(capsys.readouterr().out)["interrupted_writes"]
    assert [(r["env"], r["state"]) for r in rows] == [(str(env), "pending")]
    assert main(["doctor", "--json", "--no-confirm", "--recover", str(env)]) == 0
    rows = json.loads(capsys.readouterr().out)["interrupted_writes"]
    assert [(r["state"], r["result"]) for r in rows] == [("settled", "restored")]
    assert canary.diff(before, canary.record(env)) == []
    assert leftovers(env) == []


# --- a real full disk -------------------------------------------------------------------------


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """A 2 MiB tmpfs (needs root and mount permission; skipped otherwise)."""
    mnt = tmp_path / "fs"
    mnt.mkdir()
    try:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mnt)], capture_output=True
        )
    except OSError:
        pytest.skip("no mount command")
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def _fill(fs: Path, leave: int) -> Path:
    """Fill the filesystem, leaving about `leave` bytes free."""
    filler = fs / "filler"
    st = os.statvfs(fs)
    size = max(0, st.f_bavail * st.f_frsize - leave)
    with open(filler, "wb") as fh:
        fh.write(b"\0" * size)
    return filler


@pytest.mark.slow
def test_full_disk_at_every_amount_of_free_space(small_fs: Path) -> None:
    """repair and create on a really full filesystem, with 0 to 64 KiB left: each run either
    succeeds (the env starts) or fails with the tree as it was and nothing beside it."""
    py = require_python("3.12")
    results = {"ok": 0, "failed": 0}
    for kib in (0, 4, 8, 12, 16, 20, 24, 32, 48, 64):
        env = make_env(py.exe, small_fs / "env")
        plan = repair_plan(env)
        dest = small_fs / "new"
        create = create_plan(dest)
        before = canary.record(env)
        filler = _fill(small_fs, kib * 1024)
        for p, target, old in ((plan, env, before), (create, dest, None)):
            try:
                apply(p)
            except (WriteFailed, WriteRefused) as exc:
                assert "No space" in str(exc) or "space" in (exc.hint or ""), exc
                if old is None:
                    assert not target.exists(), kib
                else:
                    assert canary.diff(old, canary.record(target)) == [], kib
                results["failed"] += 1
            else:
                assert runs(target / "bin" / "python").returncode == 0, kib
                results["ok"] += 1
            assert leftovers(target) == [], kib
        filler.unlink()
        shutil.rmtree(env)
        if dest.exists():
            shutil.rmtree(dest)
    assert results["ok"] and results["failed"], results


@pytest.fixture
def read_only_parent(tmp_path: Path) -> Iterator[Path]:
    """An environment whose parent directory is on a read-only mount (the environment itself
    is a writable bind mount): an in-place write keeps its journal inside the environment."""
    py = require_python("3.12")
    src = tmp_path / "src"
    src.mkdir()
    make_env(py.exe, src / "env")
    ro = tmp_path / "ro"
    ro.mkdir()
    mounts: list[Path] = []
    try:
        for argv, point in (
            (["mount", "--bind", str(src), str(ro)], ro),
            (["mount", "-o", "remount,ro,bind", str(ro)], None),
            (["mount", "--bind", str(src / "env"), str(ro / "env")], ro / "env"),
        ):
            try:
                done = subprocess.run(argv, capture_output=True)
            except OSError:
                pytest.skip("no mount command")
            if done.returncode != 0:
                pytest.skip(f"cannot mount here: {done.stderr.decode().strip()}")
            if point is not None:
                mounts.append(point)
        yield ro / "env"
    finally:
        for point in reversed(mounts):
            subprocess.run(["umount", str(point)], capture_output=True)


def test_in_place_write_beside_a_read_only_parent_journals_inside(
    read_only_parent: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = read_only_parent
    assert not os.access(env.parent, os.W_OK)
    plan = repair_plan(env)
    before = canary.record(env)
    # SIGKILL at each step up to the commit: recovery puts the old tree back each time.
    k = 1
    while True:
        status = killed_at(k, plan)
        assert os.WIFSIGNALED(status), k
        if k > 1:
            pending = journal.pending([str(env)])
            assert [p.path for p in pending] == [journal.inside_path(str(env))], k
        assert [o.result for o in recover_all(env)] in ([], ["restored"], ["finished"]), k
        if canary.diff(before, canary.record(env)) != []:
            break  # killed after the commit: the repair stands
        k += 1
    assert k > 10
    assert runs(env / "bin" / "python").returncode == 0
    assert journal.pending([str(env)]) == []
    assert not os.path.lexists(journal.inside_path(str(env)))


def test_a_journal_naming_another_path_is_never_acted_on(world: tuple[Path, Path]) -> None:
    """A journal is only about the environment its own name and place say: one planted
    beside `decoy` that names the canary tree is reported, and nothing is touched."""
    import json

    work, tree = world
    env = env_312(work)
    before = canary.record(env)
    st = os.lstat(tree)
    planted = {
        "version": 1,
        "env": str(tree),
        "action": "rebuild",
        "mode": "build",
        "token": "abcd1234",
        "phase": "commit",
        "old": ["dir", st.st_dev, st.st_ino],
        "new": ["dir", 1, 1],
    }
    (work / ".decoy.venvtui-journal").write_text(json.dumps(planted))
    (work / f".{env.name}.venvtui-journal").write_text(json.dumps(planted))
    found = journal.pending([str(work / "decoy"), str(env)])
    assert len(found) == 2 and all(p.journal is None and "names" in p.error for p in found)
    assert {o.result for o in (journal.recover(p) for p in found)} == {"failed"}
    with pytest.raises(WriteRefused, match="could not be settled"):
        apply(plan_delete(str(env)))
    assert canary.diff(before, canary.record(env)) == []
