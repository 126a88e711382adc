"""Write plans: an ordered list of file operations that is shown first (dry run / diff) and
then applied as a journaled transaction (core.journal): a failure, a timeout, Ctrl-C, SIGTERM or
SIGHUP rolls it back; after SIGKILL or a power loss the next write or `doctor --recover` does.

Three ways to apply a plan (`Plan.mode`):

- "build": the operations lay out a new environment inside a sibling staging directory
  (`.NAME.venvtui-new-*`), where everything runs: ensurepip, the reinstall, the start-up check
  (paths naming the final environment are mapped into the staging tree, and console scripts
  written there are pointed back at the final path). Only then is it swapped in atomically
  (renameat2 RENAME_EXCHANGE; the old environment becomes `.NAME.venvtui-old-*`) and checked
  again at its place; on failure it is swapped back. The old tree is removed after that.
- "inplace": the operations edit an existing environment. Each one's undo is journaled before it
  is done; every file or link removed or overwritten is moved or copied into a backup directory
  inside the environment (`.venvtui-backup/<stamp>/`, shown in the plan) first. A rollback runs
  the undos in reverse and removes the backup; on success the backup is kept.
- "delete": the environment is renamed to a hidden sibling (atomic) and then removed.

Every file operation goes through core.fsops: directory descriptors, no link followed, no
other mount entered; the environment must still be the directory the plan was made on.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import difflib
import importlib
import os
import secrets
import signal
import stat
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from venvtui.core.base import proc
from venvtui.core.base.errors import NotFoundError, VenvtuiError, WriteFailed, WriteRefused
from venvtui.core.base.paths import inside
from venvtui.core.base.safe_io import loads_json
from venvtui.core.write import fsops, journal
from venvtui.core.write.journal import BACKUP_DIR

OpKind = Literal["mkdir", "symlink", "write", "copy", "remove", "run"]
PlanMode = Literal["build", "inplace", "delete"]

RUN_TIMEOUT = 600.0  # seconds a post-install step (ensurepip, pip install) may take


@dataclass(frozen=True, slots=True)
class Progress:
    """What `apply(plan, on_progress=...)` reports as it goes: the step it is at, and (`line`)
    each line an installer prints during that step."""

    step: str
    line: str | None = None


# The callback of the apply running in this thread (a context variable: each thread has its own).
_REPORT: contextvars.ContextVar[Callable[[Progress], None] | None] = contextvars.ContextVar(
    "venvtui_apply_progress", default=None
)


# The steps `apply` reports besides one per operation (`Plan.steps` lists them in order).
STEP_CHECK_NEW = "check the new environment"
STEP_SWAP = "swap into place"
STEP_CHECK = "check the environment"
STEP_MOVE_ASIDE = "move aside"
STEP_REMOVE = "remove"


def _report(step: str) -> None:
    report = _REPORT.get()
    if report is not None:
        report(Progress(step))


def _op_label(op: Op, env: str) -> str:
    if op.kind == "run":
        return "run " + " ".join(
            os.path.basename(a) if i == 0 else a for i, a in enumerate(op.argv)
        )
    return f"{op.kind} {_rel(op.path, env)}" + (f" ({op.note})" if op.note else "")


@dataclass(frozen=True, slots=True)
class Op:
    """One file operation. Paths are absolute and name the *final* location.

    - mkdir: `path`.
    - symlink: `path` -> `target` (the link text, written verbatim).
    - write: `path` gets `content` (`mode` bits); `before` is the current content when the
      file exists (rendered as a unified diff).
    - copy: `target` (source file) copied to `path` (mode kept).
    - remove: `path` (a file or link; a dangling link too). In place, it is moved into the backup.
    - run: `argv` executed (after the environment is in place); must exit 0.
    """

    kind: OpKind
    path: str
    target: str | None = None
    content: bytes | None = None
    before: bytes | None = None
    mode: int = 0o644
    argv: tuple[str, ...] = ()
    note: str = ""
    env: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"op": self.kind, "path": self.path}
        if self.target is not None:
            data["target"] = self.target
        if self.kind == "write" and self.content is not None:
            data["bytes"] = len(self.content)
            data["mode"] = oct(self.mode)
            if self.before is not None:
                data["diff"] = _diff(self.path, self.before, self.content)
        if self.argv:
            data["argv"] = list(self.argv)
        if self.note:
            data["note"] = self.note
        return data


@dataclass(frozen=True, slots=True)
class Verify:
    """What the environment's python must report after apply, or the plan is rolled back."""

    python: str
    prefix: str
    base_prefix: str | None = None
    minor: str | None = None
    imports: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "python": self.python,
            "prefix": self.prefix,
            "base_prefix": self.base_prefix,
            "minor": self.minor,
            "imports": list(self.imports),
        }


@dataclass(frozen=True, slots=True)
class Plan:
    """A planned write. `render()` is the dry run; `apply(plan)` performs it."""

    action: str  # "create", "repair", "rebuild", "delete", "upgrade"
    env: str
    mode: PlanMode
    ops: tuple[Op, ...]
    summary: str
    warnings: tuple[str, ...] = ()
    replaces: bool = False  # build mode: an existing environment at `env` is replaced
    verify: Verify | None = None
    details: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    # What stood at `env` when the plan was made (lstat identity, captured on construction):
    # apply refuses to act when the path now holds something else (a link swapped in).
    env_id: fsops.FileId | None = None

    def __post_init__(self) -> None:
        if self.env_id is None:
            object.__setattr__(self, "env_id", fsops.identify(os.path.abspath(self.env)))

    @property
    def target_id(self) -> fsops.FileId:
        assert self.env_id is not None  # set by __post_init__
        return self.env_id

    @property
    def backup_hint(self) -> str:
        if self.mode == "inplace":
            return os.path.join(self.env, BACKUP_DIR, "<timestamp>")
        if self.mode == "build":
            return _sibling(self.env, "new-*")
        return _sibling(self.env, "del-*")

    def steps(self) -> tuple[str, ...]:
        """The steps `apply(plan, on_progress=...)` reports, in the order it reports them."""
        if self.mode == "delete":
            return (STEP_MOVE_ASIDE, STEP_REMOVE)
        if self.mode == "inplace" and not self.ops:
            return ()
        labels = [
            _op_label(op, self.env)
            for op in self.ops
            if not (self.mode == "build" and op.kind == "mkdir" and op.path == self.env)
        ]
        if self.mode == "build":
            labels += [STEP_CHECK_NEW] if self.verify is not None else []
            labels.append(STEP_SWAP)
        else:
            labels.append(STEP_CHECK)
        return tuple(labels)

    def render(self) -> str:
        """The dry run: what would be written, linked, removed and run, in order."""
        lines = [f"{self.action} {self.env}", f"  {self.summary}"]
        if self.mode == "build":
            lines.append(
                f"  built, installed and checked in {_sibling(self.env, 'new-*')}, "
                "then swapped into place atomically and checked again"
            )
            if self.replaces:
                lines.append(
                    f"  what is at {self.env} now is kept as {_sibling(self.env, 'old-*')} "
                    "until the new one is proven in place, then removed"
                )
        elif self.mode == "inplace":
            lines.append(
                f"  backup of every changed file and link: {self.backup_hint} "
                "(rolled back on failure)"
            )
        elif self.mode == "delete":
            lines.append(f"  renamed to {_sibling(self.env, 'del-*')}, then removed")
        lines.append(
            f"  journal: {journal.sibling(self.env, journal.JOURNAL_TAG)} "
            "(an interrupted write is finished or rolled back by the next one, or `doctor`)"
        )
        for op in self.ops:
            lines.extend(_render_op(op, self.env))
        if self.verify is not None:
            v = self.verify
            check = f"  check    {_rel(v.python, self.env)} starts with sys.prefix = {v.prefix}"
            if v.base_prefix:
                check += f", sys.base_prefix = {v.base_prefix}"
            lines.append(check)
            if v.imports:
                lines.append(f"  check    imports: {', '.join(v.imports)}")
        if self.warnings:
            lines.append("warnings:")
            lines.extend(f"  ! {w}" for w in self.warnings)
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "env": self.env,
            "mode": self.mode,
            "summary": self.summary,
            "replaces": self.replaces,
            "backup": self.backup_hint,
            "ops": [op.to_json() for op in self.ops],
            "verify": self.verify.to_json() if self.verify else None,
            "warnings": list(self.warnings),
            "details": self.details,
        }


@dataclass(frozen=True, slots=True)
class ApplyResult:
    env: str
    action: str
    backup: str | None  # in-place backup directory kept after success
    verified: dict[str, Any] = field(default_factory=dict)
    log: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "env": self.env,
            "action": self.action,
            "backup": self.backup,
            "verified": self.verified,
            "log": list(self.log),
        }


# --- rendering ---------------------------------------------------------------------------------


def _sibling(env: str, tag: str) -> str:
    return journal.sibling(env, tag)


def _rel(path: str, env: str) -> str:
    try:
        rel = os.path.relpath(path, env)
    except ValueError:
        return path
    return path if rel.startswith(os.pardir) else rel


def _diff(path: str, before: bytes, after: bytes) -> str:
    a = before.decode("utf-8", "replace").splitlines(keepends=True)
    b = after.decode("utf-8", "replace").splitlines(keepends=True)
    name = os.path.basename(path)
    out = difflib.unified_diff(a, b, f"a/{name}", f"b/{name}")
    return "".join(line if line.endswith("\n") else line + "\n" for line in out)


def _render_op(op: Op, env: str) -> list[str]:
    rel = _rel(op.path, env)
    if rel == os.curdir:
        rel = op.path
    if op.kind == "mkdir":
        return [f"  mkdir    {rel}/"]
    if op.kind == "symlink":
        return [f"  symlink  {rel} -> {op.target}"]
    if op.kind == "copy":
        return [f"  copy     {op.target} -> {rel}"]
    if op.kind == "remove":
        return [f"  remove   {rel}" + (f"  ({op.note})" if op.note else "")]
    if op.kind == "run":
        return [f"  run      {' '.join(op.argv)}" + (f"  ({op.note})" if op.note else "")]
    size = len(op.content or b"")
    if op.before is not None:
        lines = [f"  rewrite  {rel}"]
        lines.extend("    " + d for d in _diff(op.path, op.before, op.content or b"").splitlines())
        return lines
    if os.path.basename(op.path) == "pyvenv.cfg":
        lines = [f"  write    {rel}"]
        text = (op.content or b"").decode("utf-8", "replace")
        lines.extend(f"    | {line}" for line in text.splitlines())
        return lines
    return [f"  write    {rel} ({size} bytes)" + (f"  ({op.note})" if op.note else "")]


# --- applying ----------------------------------------------------------------------------------


class Interrupted(KeyboardInterrupt):
    """SIGINT, SIGTERM or SIGHUP arrived while a write was applied (it was rolled back)."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"interrupted by {signal.Signals(signum).name}")
        self.signum = signum


class _Signals:
    """During apply, SIGTERM and SIGHUP act like SIGINT: the first one raises Interrupted
    (the write rolls back); later ones are ignored so that the rollback itself is never cut
    short. Inside a critical section (a swap, a rollback) the signal is held until its end."""

    def __init__(self) -> None:
        self.depth = 0
        self.held: int | None = None
        self.fired = False

    def handler(self, signum: int, _frame: object) -> None:
        if self.fired:
            return
        if self.depth:
            self.held = self.held or signum
            return
        self.fired = True
        raise Interrupted(signum)

    @contextlib.contextmanager
    def critical(self, *, then_raise: bool = True) -> Iterator[None]:
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1
        if then_raise and not self.depth and self.held and not self.fired:
            signum, self.held, self.fired = self.held, None, True
            raise Interrupted(signum)


_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@contextlib.contextmanager
def _handling_signals() -> Iterator[_Signals]:
    state = _Signals()
    if threading.current_thread() is not threading.main_thread():
        yield state  # signals are delivered to the main thread only
        return
    saved = {sig: signal.signal(sig, state.handler) for sig in _SIGNALS}
    try:
        yield state
    finally:
        for sig, old in saved.items():
            signal.signal(sig, old)
        if state.held in (signal.SIGTERM, signal.SIGHUP) and not state.fired:
            # Held while the write was finishing: it is done, now terminate as asked.
            signal.raise_signal(state.held)


def _step(label: str) -> None:
    """Called before every step of every write (tests inject faults and signals here)."""


def _remap(path: str, env: str, root: str) -> str:
    """`path` (under the final `env`) inside the staging `root`; other paths unchanged."""
    if not (os.path.isabs(path) and inside(path, env)):
        return path
    rel = os.path.relpath(path, env)
    return root if rel == os.curdir else os.path.join(root, rel)


def _rel_in(path: str, env: str) -> str:
    if not (os.path.isabs(path) and inside(path, env)):
        raise WriteFailed(f"{path} is not inside {env}", "this is a bug in the plan")
    return os.path.relpath(path, env)


class _Tx:
    """An in-place write's journal, saved after every change to its undo list."""

    def __init__(self, j: journal.Journal, backup_fd: int) -> None:
        self.j = j
        self.backup_fd = backup_fd

    def record(self, undo: journal.Undo) -> None:
        _step("journal undo")
        self.j = self.j.replace(undo=(*self.j.undo, undo)).save()

    def amend(self, undo: journal.Undo) -> None:
        _step("journal undo")
        self.j = self.j.replace(undo=(*self.j.undo[:-1], undo)).save()


@dataclass(frozen=True, slots=True)
class _Site:
    """Where operations happen: the directory `root` (open as `root_fd`) stands for the final
    `env` the operations name. In place, `tx` journals each undo before the operation."""

    root_fd: int
    root: str
    env: str
    tx: _Tx | None = None


def _run(op: Op, site: _Site) -> None:
    argv = [_remap(a, site.env, site.root) for a in op.argv]
    extra = {k: _remap(v, site.env, site.root) for k, v in op.env}
    report, step = _REPORT.get(), _op_label(op, site.env)
    on_line = None if report is None else lambda line: report(Progress(step, line))
    result = proc.run(
        argv, timeout=RUN_TIMEOUT, cwd=site.root, env_extra=extra or None, on_line=on_line
    )
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        raise WriteFailed(
            f"`{' '.join(op.argv)}` exited with {result.returncode}: {' / '.join(tail)}",
            "nothing was changed; run the command by hand to see the full output",
        )


def _execute_op(op: Op, site: _Site) -> None:
    """Perform one operation inside `site`, reached one real directory at a time (no link is
    followed, no mount entered). In place, the undo is journaled before the change is made."""
    if op.kind == "run":
        _run(op, site)
        return
    rel = _rel_in(op.path, site.env)
    pfd, leaf = fsops.walk_to_parent(site.root_fd, rel, shown_root=site.root)
    try:
        if site.tx is None:  # staging: flushed as a whole (syncfs) before the swap
            _make(op, pfd, leaf, sync=False)
        elif op.kind == "remove":
            _remove_into_backup(site.tx, rel, pfd, leaf)
        elif op.kind == "write" and fsops.lstat_at(pfd, leaf) is not None:
            _overwrite(site.tx, op, rel, pfd, leaf)
        else:
            tmp = fsops.tmp_name()
            site.tx.record(journal.Undo("created", rel, tmp=tmp))
            _make(op, pfd, tmp)
            ino = os.stat(tmp, dir_fd=pfd, follow_symlinks=False).st_ino
            site.tx.amend(journal.Undo("created", rel, tmp=tmp, ino=ino))
            _step("rename into place")
            fsops.rename_noreplace(pfd, tmp, pfd, leaf)
            fsops.fsync_dir(pfd)
    finally:
        os.close(pfd)


def _make(op: Op, dir_fd: int, name: str, *, sync: bool = True) -> None:
    """Create `name` in `dir_fd` as `op` says (it must not exist)."""
    if op.kind == "mkdir":
        os.mkdir(name, dir_fd=dir_fd)
    elif op.kind == "symlink":
        assert op.target is not None
        os.symlink(op.target, name, dir_fd=dir_fd)
    elif op.kind == "copy":
        assert op.target is not None
        fsops.copy_new_at(op.target, dir_fd, name, sync=sync)
    elif op.kind == "write":
        fsops.write_new_at(dir_fd, name, op.content or b"", op.mode, sync=sync)
    else:
        raise WriteFailed(f"cannot {op.kind} {op.path} here", "this is a bug in the plan")


def _backup_rel(path: str) -> str:
    """Where `path` is kept in the backup: <its dir name>/<name>.orig (the suffix keeps a saved
    pyvenv.cfg from making the backup look like an environment to scanners)."""
    return os.path.join(os.path.basename(os.path.dirname(path)), os.path.basename(path) + ".orig")


def _backup_dir_fd(tx: _Tx, saved: str) -> tuple[int, str]:
    sub = os.path.dirname(saved)
    if sub and fsops.lstat_at(tx.backup_fd, sub) is None:
        os.mkdir(sub, 0o700, dir_fd=tx.backup_fd)
    return fsops.walk_to_parent(tx.backup_fd, saved, shown_root=tx.j.backup)


def _remove_into_backup(tx: _Tx, rel: str, pfd: int, leaf: str) -> None:
    saved = _backup_rel(os.path.join(tx.j.env, rel))
    sfd, sleaf = _backup_dir_fd(tx, saved)
    try:
        if fsops.lstat_at(sfd, sleaf) is not None:
            raise WriteFailed(f"{saved} is already in the backup", "this is a bug in the plan")
        tx.record(journal.Undo("restore", rel, saved=saved))
        _step("move into backup")
        os.rename(leaf, sleaf, src_dir_fd=pfd, dst_dir_fd=sfd)  # the link or file itself
        fsops.fsync_dir(pfd)
    finally:
        os.close(sfd)


def _overwrite(tx: _Tx, op: Op, rel: str, pfd: int, leaf: str) -> None:
    saved = _backup_rel(os.path.join(tx.j.env, rel))
    sfd, sleaf = _backup_dir_fd(tx, saved)
    try:
        tmp = fsops.tmp_name()
        tx.record(journal.Undo("restore", rel, saved=saved, tmp=tmp))
        _step("copy into backup")
        spare = fsops.tmp_name()
        fsops.copy_entry_at(pfd, leaf, sfd, spare)
        os.rename(spare, sleaf, src_dir_fd=sfd, dst_dir_fd=sfd)
        fsops.fsync_dir(sfd)
        _step("write")
        fsops.write_new_at(pfd, tmp, op.content or b"", op.mode)
        _step("rename into place")
        os.rename(tmp, leaf, src_dir_fd=pfd, dst_dir_fd=pfd)
        fsops.fsync_dir(pfd)
    finally:
        os.close(sfd)


# "#!python", or distlib's "#!/bin/sh" line followed by an exec line naming python.
_SHEBANG_LINES = 3
_SCRIPT_MAX = 1 << 20


def _point_scripts_home(sfd: int, bin_rel: str, staging: str, env: str) -> list[str]:
    """Console scripts installed while the tree was staged name the staging python in their
    first lines (pip/distlib and uv write `#!<sys.executable>`, or a `/bin/sh` exec trick for
    long paths): make them name the final path. Returns the scripts rewritten."""
    try:
        bfd, _ = fsops.walk_to_parent(sfd, os.path.join(bin_rel, "x"), shown_root=staging)
    except (OSError, WriteRefused):
        return []
    olds = {os.fsencode(staging), os.fsencode(os.path.realpath(staging))}
    new = os.fsencode(env)
    done = []
    try:
        for name in sorted(os.listdir(bfd)):
            st = fsops.lstat_at(bfd, name)
            if st is None or not stat.S_ISREG(st.st_mode) or st.st_size > _SCRIPT_MAX:
                continue
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=bfd)
            try:
                data = os.read(fd, _SCRIPT_MAX)
            finally:
                os.close(fd)
            if not data.startswith(b"#!"):
                continue
            lines = data.split(b"\n", _SHEBANG_LINES)
            head = b"\n".join(lines[:_SHEBANG_LINES])
            fixed = head
            for old in olds:
                fixed = fixed.replace(old, new)
            if fixed == head:
                continue
            tmp = fsops.tmp_name()
            rest = b"\n" + lines[_SHEBANG_LINES] if len(lines) > _SHEBANG_LINES else b""
            fsops.write_new_at(bfd, tmp, fixed + rest, stat.S_IMODE(st.st_mode), sync=False)
            os.rename(tmp, name, src_dir_fd=bfd, dst_dir_fd=bfd)
            done.append(name)
    finally:
        os.close(bfd)
    return done


_VERIFY_CODE = (
    "import sys, json; mods = sys.argv[1:]\n"
    "for m in mods: __import__(m)\n"
    "print(json.dumps({'prefix': sys.prefix, 'base_prefix': sys.base_prefix, "
    "'version': '%d.%d.%d' % sys.version_info[:3], 'executable': sys.executable}))"
)


def verify(v: Verify, *, timeout: float = 60.0) -> dict[str, Any]:
    """Run the environment's python (not isolated from its pyvenv.cfg, only from PYTHON* vars)
    and check its prefixes; raise WriteFailed with what went wrong."""
    result = proc.run(
        [v.python, "-I", "-c", _VERIFY_CODE, *v.imports],
        timeout=timeout,
        max_output=proc.ANSWER_MAX,
    )
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-2:]
        raise WriteFailed(
            f"{v.python} does not start: {' / '.join(tail) or f'exit {result.returncode}'}",
            "the change was rolled back",
        )
    try:
        got = loads_json(result.stdout.strip().splitlines()[-1])
        if not isinstance(got, dict):
            raise ValueError("not a JSON object")
    except (ValueError, IndexError) as exc:
        raise WriteFailed(
            f"{v.python} printed unexpected output", "the change was rolled back"
        ) from exc
    if os.path.realpath(got["prefix"]) != os.path.realpath(v.prefix):
        raise WriteFailed(
            f"{v.python} runs with sys.prefix {got['prefix']}, expected {v.prefix}",
            "the change was rolled back",
        )
    if v.base_prefix and os.path.realpath(got["base_prefix"]) != os.path.realpath(v.base_prefix):
        raise WriteFailed(
            f"{v.python} binds to {got['base_prefix']}, expected {v.base_prefix}",
            "the change was rolled back",
        )
    if v.minor and not got["version"].startswith(v.minor + "."):
        raise WriteFailed(
            f"{v.python} runs Python {got['version']}, expected {v.minor}",
            "the change was rolled back",
        )
    return got


def apply(
    plan: Plan,
    *,
    backup_stamp: str | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> ApplyResult:
    """Perform `plan` as a journaled transaction; raise WriteFailed (after rolling back) when
    any step fails. An interrupt (SIGINT, SIGTERM, SIGHUP) rolls back too, then propagates as
    Interrupted (a KeyboardInterrupt). An earlier interrupted write of the same environment is
    settled first (see core.journal). `on_progress` is called (in this thread) at each step and
    with each line an installer prints; what it raises fails the write like any step."""
    if plan.mode == "inplace" and not plan.ops:  # e.g. "nothing to repair": no backup, no write
        return ApplyResult(plan.env, plan.action, None, {}, (plan.summary,))
    token = _REPORT.set(on_progress)
    try:
        return _apply(plan, backup_stamp)
    finally:
        _REPORT.reset(token)


def _apply(plan: Plan, backup_stamp: str | None) -> ApplyResult:
    with _handling_signals() as signals:
        journal.recover_for(plan.env)
        _recheck_ownership(plan)
        if plan.mode == "build":
            return _apply_build(plan, signals)
        if plan.mode == "inplace":
            stamp = backup_stamp or time.strftime("%Y%m%dT%H%M%S", time.gmtime())
            return _apply_inplace(plan, stamp, signals)
        return _apply_delete(plan, signals)


def _recheck_ownership(plan: Plan) -> None:
    """The ownership rule (core.ownership: what may stand at the top of an environment),
    checked again at apply time when that module provides `check_apply(plan)`."""
    try:
        ownership = importlib.import_module("venvtui.core.write.ownership")
    except ImportError:
        return
    check = getattr(ownership, "check_apply", None)
    if callable(check):
        check(plan)


def _fail(exc: BaseException, what: str) -> WriteFailed | WriteRefused:
    if isinstance(exc, WriteFailed | WriteRefused):  # a refusal stays one (after the rollback)
        return exc
    if isinstance(exc, VenvtuiError):
        return WriteFailed(f"{what}: {exc}", exc.hint or "nothing was changed")
    if isinstance(exc, OSError):
        detail = f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else "")
        return WriteFailed(
            f"{what}: {detail}", "nothing was changed; check permissions and free space"
        )
    return WriteFailed(f"{what}: {exc!r}", "nothing was changed")


def _check_target(plan: Plan, at: fsops.FileId) -> None:
    """What stands at the environment path now must be what was planned on."""
    env = os.path.abspath(plan.env)
    if at.kind == "link" or plan.target_id.kind == "link":
        target = os.path.realpath(env)
        raise fsops.UnsafePath(
            f"{env} is a symbolic link (to {target})",
            f"pass the directory it points to if that is meant: {target}",
        )
    if at == plan.target_id:
        return
    if plan.target_id.kind == "absent":
        raise WriteFailed(f"{env} appeared while planning", "plan again")
    raise fsops.UnsafePath(
        f"{env} changed after the plan was made", "plan again; nothing was changed"
    )


def _settled(j: journal.Journal, signals: _Signals) -> journal.Outcome:
    with signals.critical(then_raise=False):
        return journal.settle(j)


def _rolled_back(
    exc: BaseException, out: journal.Outcome, what: str, backup: str = ""
) -> WriteFailed | WriteRefused:
    err = _fail(exc, what)
    if out.result == "failed":
        return WriteFailed(
            f"{err} (and the rollback hit: {out.detail})",
            f"the backup is in {backup}; restore it by hand" if backup else out.detail,
        )
    return err


def _apply_build(plan: Plan, signals: _Signals) -> ApplyResult:
    env = os.path.abspath(plan.env)
    name = os.path.basename(env)
    what = f"could not {plan.action} {env}"
    try:
        os.makedirs(os.path.dirname(env), exist_ok=True)
        pfd = fsops.open_parent(env)
    except OSError as exc:
        raise _fail(exc, what) from exc
    log: list[str] = []
    try:
        at = fsops.identify_at(pfd, name)
        _check_target(plan, at)
        if at.kind not in ("absent", "dir") or (at.kind == "dir" and not plan.replaces):
            raise WriteFailed(f"{env} appeared while planning", "plan again")
        j = journal.Journal(
            env,
            plan.action,
            "build",
            secrets.token_hex(4),
            "build",
            at,
            fsops.FileId("absent"),
            started=journal.now_stamp(),
        )
        staging_name = j.name("new")
        staging = os.path.join(os.path.dirname(env), staging_name)
        try:
            _step("make the staging directory")
            os.mkdir(staging_name, 0o700, dir_fd=pfd)
            sfd = fsops.open_dir_at(pfd, staging_name, shown=staging)
        except Exception as exc:
            if os.path.lexists(staging):
                os.rmdir(staging)
            raise _fail(exc, what) from exc
        try:
            journal.lock(sfd)
            j = j.replace(new=fsops.FileId.of(os.fstat(sfd)))
            try:
                _step("journal")
                j = j.save()
            except BaseException as exc:
                fsops.remove_tree(pfd, staging_name, shown=staging, expect=j.new)
                if isinstance(exc, KeyboardInterrupt | SystemExit):
                    raise
                raise _fail(exc, what) from exc
            try:
                _build(plan, env, staging, sfd, log)
                _step("swap")
                _report(STEP_SWAP)
                with signals.critical():
                    j = j.replace(phase="swap").save()
                    _swap(pfd, staging_name, name, j.name("old"), at)
                    j = j.replace(phase="swapped").save()
                _step("final check")
                verified = verify(plan.verify) if plan.verify else {}
                _step("commit")
                with signals.critical():
                    j = j.replace(phase="commit").save()
            except BaseException as exc:
                out = _settled(j, signals)
                if isinstance(exc, KeyboardInterrupt | SystemExit):
                    raise
                raise _rolled_back(exc, out, what) from exc
            _step("remove the old tree")  # committed: from here recovery finishes the write
            out = _settled(j, signals)
            if at.kind == "dir":
                log.append("swapped into place; the old environment was removed")
            else:
                log.append("renamed into place")
            log.extend(f"left behind: {x}" for x in out.leftovers)
        finally:
            os.close(sfd)
    finally:
        os.close(pfd)
    return ApplyResult(env, plan.action, None, verified, tuple(log))


def _build(plan: Plan, env: str, staging: str, sfd: int, log: list[str]) -> None:
    """Lay out, install and check the new environment entirely inside the staging tree."""
    site = _Site(sfd, staging, env)
    for i, op in enumerate(plan.ops):
        if op.kind == "mkdir" and op.path == env:
            continue  # the staging directory itself
        _step(f"op {i + 1} {op.kind}")
        _report(_op_label(op, env))
        if op.kind == "run":
            log.append("ran " + " ".join(op.argv))
        _execute_op(op, site)
    bin_rel = "bin"
    if plan.verify is not None:
        _step("check in staging")
        _report(STEP_CHECK_NEW)
        v = plan.verify
        verify(
            dataclasses.replace(
                v, python=_remap(v.python, env, staging), prefix=_remap(v.prefix, env, staging)
            )
        )
        bin_rel = os.path.relpath(os.path.dirname(v.python), env)
    _step("point scripts at the final path")
    fixed = _point_scripts_home(sfd, bin_rel, staging, env)
    if fixed:
        log.append(f"pointed {len(fixed)} scripts at {env}")
    os.fchmod(sfd, 0o755 & ~_umask())
    _step("sync")
    fsops.syncfs(sfd)


def _swap(pfd: int, staging: str, name: str, old: str, at: fsops.FileId) -> None:
    """Put the staged tree at `name`: exchanged atomically with the old environment
    (renameat2 RENAME_EXCHANGE), which then moves to `old`; without exchange support, two
    renames (the journal covers the instant in between)."""
    if at.kind == "absent":
        fsops.rename_noreplace(pfd, staging, pfd, name)
    elif fsops.exchange(pfd, staging, name):
        _step("after exchange")
        os.rename(staging, old, src_dir_fd=pfd, dst_dir_fd=pfd)
    else:
        os.rename(name, old, src_dir_fd=pfd, dst_dir_fd=pfd)
        _step("between renames")
        fsops.rename_noreplace(pfd, staging, pfd, name)
    fsops.fsync_dir(pfd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _backup_name(efd: int, stamp: str) -> str:
    """A free name for this write's backup in `<env>/.venvtui-backup/` (a real directory of
    the environment's own filesystem, never a link)."""
    if fsops.lstat_at(efd, BACKUP_DIR) is None:
        return stamp
    rfd = fsops.open_dir_at(efd, BACKUP_DIR, shown=BACKUP_DIR)
    try:
        if not fsops.Mount.of_fd(efd).holds(efd, BACKUP_DIR, os.fstat(rfd)):
            raise fsops.UnsafePath(
                f"{BACKUP_DIR} is another filesystem mounted inside the environment",
                "unmount it first",
            )
        name, n = stamp, 1
        while fsops.lstat_at(rfd, name) is not None:
            n += 1
            name = f"{stamp}-{n}"
        return name
    finally:
        os.close(rfd)


def _make_backup(efd: int, name: str, created: bool, shown: str) -> int:
    """Create and open the backup directory `<env>/.venvtui-backup/<name>`."""
    if created:
        os.mkdir(BACKUP_DIR, dir_fd=efd)
    rfd = fsops.open_dir_at(efd, BACKUP_DIR, shown=os.path.dirname(shown))
    try:
        os.mkdir(name, 0o700, dir_fd=rfd)
        return fsops.open_dir_at(rfd, name, shown=shown)
    finally:
        os.close(rfd)


def _apply_inplace(plan: Plan, stamp: str, signals: _Signals) -> ApplyResult:
    env = os.path.abspath(plan.env)
    what = f"could not {plan.action} {env}"
    _check_target(plan, fsops.identify(env))
    if plan.target_id.kind != "dir":
        raise NotFoundError(f"{env} is not a directory")
    efd = fsops.open_anchored(env, plan.target_id)
    log: list[str] = []
    bfd = -1
    try:
        created = fsops.lstat_at(efd, BACKUP_DIR) is None
        backup = os.path.join(env, BACKUP_DIR, _backup_name(efd, stamp))
        j = journal.Journal(
            env,
            plan.action,
            "inplace",
            secrets.token_hex(4),
            "apply",
            plan.target_id,
            fsops.FileId("absent"),
            backup=backup,
            backup_root_created=created,
            started=journal.now_stamp(),
            # The journal lives beside the environment; an environment in a directory we may
            # not write keeps it inside, in its .venvtui-backup (which then exists first).
            inside=not os.access(os.path.dirname(env), os.W_OK | os.X_OK),
        )
        try:
            _step("journal")
            if not j.inside:
                j = j.save()  # before anything changes, even the backup directory
            bfd = _make_backup(efd, os.path.basename(backup), created, backup)
            journal.lock(bfd)
            j = j.replace(new=fsops.FileId.of(os.fstat(bfd))).save()
        except BaseException as exc:
            out = _settled(j, signals)
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise
            raise _rolled_back(exc, out, what) from exc
        tx = _Tx(j, bfd)
        try:
            site = _Site(efd, env, env, tx)
            for i, op in enumerate(plan.ops):
                _step(f"op {i + 1} {op.kind}")
                _report(_op_label(op, env))
                _execute_op(op, site)
                log.append(f"{op.kind} {op.path}")
            _step("check")
            _report(STEP_CHECK)
            verified = verify(plan.verify) if plan.verify else {}
            _step("commit")
            with signals.critical():
                tx.j = tx.j.replace(phase="commit").save()
        except BaseException as exc:
            out = _settled(tx.j, signals)
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise
            raise _rolled_back(exc, out, what, backup) from exc
        # Done. The README makes the backup a readable record; writing it is a courtesy
        # that may fail on a full disk without undoing the change.
        try:
            _step("readme")
            note = f"venvtui {plan.action} of {env}: the files and links as they were before.\n"
            fsops.write_new_at(bfd, "README", note.encode(), 0o644)
        except OSError as exc:
            log.append(f"could not write the backup's README: {exc.strerror or exc}")
        with signals.critical(then_raise=False):
            tx.j.discard()
    finally:
        if bfd >= 0:
            os.close(bfd)
        os.close(efd)
    return ApplyResult(env, plan.action, backup, verified, tuple(log))


def _apply_delete(plan: Plan, signals: _Signals) -> ApplyResult:
    env = os.path.abspath(plan.env)
    name = os.path.basename(env)
    pfd = fsops.open_parent(env)
    try:
        at = fsops.identify_at(pfd, name)
        _check_target(plan, at)
        if at.kind != "dir":
            raise NotFoundError(f"{env} does not exist or is not a directory")
        efd = fsops.open_anchored(env, at)
        try:
            journal.lock(efd)
            j = journal.Journal(
                env,
                plan.action,
                "delete",
                secrets.token_hex(4),
                "delete",
                at,
                at,
                started=journal.now_stamp(),
            )
            trash = j.name("del")
            shown = os.path.join(os.path.dirname(env), trash)
            try:
                _step("journal")
                j = j.save()
                _step("rename aside")
                _report(STEP_MOVE_ASIDE)
                with signals.critical():
                    fsops.rename_noreplace(pfd, name, pfd, trash)
                    fsops.fsync_dir(pfd)
            except BaseException as exc:
                out = _settled(j, signals)
                if isinstance(exc, KeyboardInterrupt | SystemExit):
                    raise
                raise _rolled_back(exc, out, f"could not delete {env}") from exc
            # From here the deletion is finished even after an interrupt: the next write or
            # `venvtui doctor --recover` completes it from the journal.
            _step("remove")
            _report(STEP_REMOVE)
            removal = fsops.remove_tree(pfd, trash, shown=shown, expect=at)
            with signals.critical(then_raise=False):
                j.discard()
        finally:
            os.close(efd)
    finally:
        os.close(pfd)
    log = [f"renamed to {shown} and removed"]
    log.extend(f"not removed: {x}" for x in removal.leftovers)
    return ApplyResult(env, plan.action, None if removal.complete else shown, {}, tuple(log))
