"""Write plans: an ordered list of file operations that is shown first (dry run / diff) and
then applied atomically, with a backup and a rollback on any failure, timeout or Ctrl-C.

Three ways to apply a plan (`Plan.mode`):

- "build": the operations lay out a new environment. They run inside a temporary sibling
  directory (`.NAME.venvtui-new-*`), which is then renamed into place. An existing environment
  being replaced is first renamed aside (`.NAME.venvtui-old-*`) and only removed once the new one
  has been proven (post-install steps ran, its python started with the expected prefixes).
  Any failure removes the new tree and renames the old one back.
- "inplace": the operations edit an existing environment. Before anything changes, every file or
  link the plan removes or overwrites is moved or copied into a backup directory inside the
  environment (`.venvtui-backup/<stamp>/`, shown in the plan). Any failure undoes the operations
  done so far in reverse order and removes the backup directory, leaving the original tree as it
  was. On success the backup is kept.
- "delete": the environment is renamed to a hidden sibling (atomic) and then removed.
"""

from __future__ import annotations

import difflib
import json
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from venvtui.core import proc
from venvtui.core.errors import VenvtuiError, WriteFailed

OpKind = Literal["mkdir", "symlink", "write", "copy", "remove", "run"]
PlanMode = Literal["build", "inplace", "delete"]

BACKUP_DIR = ".venvtui-backup"
RUN_TIMEOUT = 600.0  # seconds a post-install step (ensurepip, pip install) may take


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

    @property
    def backup_hint(self) -> str:
        if self.mode == "inplace":
            return os.path.join(self.env, BACKUP_DIR, "<timestamp>")
        if self.mode == "build":
            return _sibling(self.env, "new-*")
        return _sibling(self.env, "del-*")

    def render(self) -> str:
        """The dry run: what would be written, linked, removed and run, in order."""
        lines = [f"{self.action} {self.env}", f"  {self.summary}"]
        if self.mode == "build":
            lines.append(f"  built in {_sibling(self.env, 'new-*')}, then renamed into place")
            if self.replaces:
                lines.append(
                    f"  what is at {self.env} now is kept as {_sibling(self.env, 'old-*')} "
                    "until the new one is proven, then removed"
                )
        elif self.mode == "inplace":
            lines.append(
                f"  backup of every changed file and link: {self.backup_hint} "
                "(rolled back on failure)"
            )
        elif self.mode == "delete":
            lines.append(f"  renamed to {_sibling(self.env, 'del-*')}, then removed")
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
    env = os.path.abspath(env)
    return os.path.join(os.path.dirname(env), f".{os.path.basename(env)}.venvtui-{tag}")


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


def _remap(path: str, env: str, root: str) -> str:
    """`path` (under the final `env`) inside the staging `root`."""
    rel = os.path.relpath(path, env)
    return root if rel == os.curdir else os.path.join(root, rel)


def _write_atomic(path: str, content: bytes, mode: int) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".venvtui-", dir=os.path.dirname(path))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.lexists(tmp):
            os.unlink(tmp)
        raise


def _run(op: Op, cwd: str) -> None:
    result = proc.run(op.argv, timeout=RUN_TIMEOUT, cwd=cwd, env_extra=dict(op.env) or None)
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        raise WriteFailed(
            f"`{' '.join(op.argv)}` exited with {result.returncode}: {' / '.join(tail)}",
            "nothing was changed; run the command by hand to see the full output",
        )


def _execute_op(op: Op, path: str, undo: list[Callable[[], None]], backup: str | None) -> None:
    """Perform one operation at `path` (already mapped to where it happens), pushing the action
    that undoes it onto `undo`. In place, removed/overwritten files go to `backup` first."""
    if op.kind == "mkdir":
        os.mkdir(path)
        undo.append(lambda: shutil.rmtree(path, ignore_errors=True))
    elif op.kind == "symlink":
        assert op.target is not None
        os.symlink(op.target, path)
        undo.append(lambda: os.unlink(path))
    elif op.kind == "copy":
        assert op.target is not None
        shutil.copy2(op.target, path)
        undo.append(lambda: os.unlink(path))
    elif op.kind == "write":
        content = op.content or b""
        if backup is not None and os.path.lexists(path):
            saved = _backup_copy(path, backup)
            _write_atomic(path, content, op.mode)
            undo.append(lambda: os.replace(saved, path) if os.path.lexists(saved) else None)
        else:
            existed = os.path.lexists(path)
            _write_atomic(path, content, op.mode)
            if not existed:
                undo.append(lambda: os.unlink(path))
    elif op.kind == "remove":
        if backup is None:
            raise WriteFailed(f"cannot remove {path} without a backup")
        saved = _backup_path(path, backup)
        os.makedirs(os.path.dirname(saved), exist_ok=True)
        os.rename(path, saved)  # same filesystem: the link or file itself is kept
        undo.append(lambda: os.rename(saved, path))
    elif op.kind == "run":
        _run(op, os.path.dirname(path) if not os.path.isdir(path) else path)
    else:  # pragma: no cover - exhaustive
        raise WriteFailed(f"unknown operation {op.kind}")


def _backup_path(path: str, backup: str) -> str:
    """Where `path` is kept: <backup>/<its dir name>/<name>.orig (the suffix keeps a saved
    pyvenv.cfg from making the backup look like an environment to scanners)."""
    return os.path.join(
        backup, os.path.basename(os.path.dirname(path)), os.path.basename(path) + ".orig"
    )


def _backup_copy(path: str, backup: str) -> str:
    saved = _backup_path(path, backup)
    os.makedirs(os.path.dirname(saved), exist_ok=True)
    if os.path.islink(path):
        os.symlink(os.readlink(path), saved)
    else:
        shutil.copy2(path, saved)
    return saved


def _undo_all(undo: list[Callable[[], None]]) -> list[str]:
    problems = []
    while undo:
        action = undo.pop()
        try:
            action()
        except OSError as exc:
            problems.append(str(exc))
    return problems


_VERIFY_CODE = (
    "import sys, json; mods = sys.argv[1:]\n"
    "for m in mods: __import__(m)\n"
    "print(json.dumps({'prefix': sys.prefix, 'base_prefix': sys.base_prefix, "
    "'version': '%d.%d.%d' % sys.version_info[:3], 'executable': sys.executable}))"
)


def verify(v: Verify, *, timeout: float = 60.0) -> dict[str, Any]:
    """Run the environment's python (not isolated from its pyvenv.cfg, only from PYTHON* vars)
    and check its prefixes; raise WriteFailed with what went wrong."""
    result = proc.run([v.python, "-I", "-c", _VERIFY_CODE, *v.imports], timeout=timeout)
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-2:]
        raise WriteFailed(
            f"{v.python} does not start: {' / '.join(tail) or f'exit {result.returncode}'}",
            "the change was rolled back",
        )
    try:
        got: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
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


def apply(plan: Plan, *, backup_stamp: str | None = None) -> ApplyResult:
    """Perform `plan` atomically; raise WriteFailed (after rolling back) when any step fails.
    KeyboardInterrupt also rolls back, then propagates."""
    if plan.mode == "build":
        return _apply_build(plan)
    if plan.mode == "inplace":
        return _apply_inplace(plan, backup_stamp or time.strftime("%Y%m%dT%H%M%S", time.gmtime()))
    return _apply_delete(plan)


def _fail(exc: BaseException, what: str) -> WriteFailed:
    if isinstance(exc, WriteFailed):
        return exc
    if isinstance(exc, VenvtuiError):
        return WriteFailed(f"{what}: {exc}", exc.hint or "nothing was changed")
    if isinstance(exc, OSError):
        detail = f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else "")
        return WriteFailed(
            f"{what}: {detail}", "nothing was changed; check permissions and free space"
        )
    return WriteFailed(f"{what}: {exc!r}", "nothing was changed")


def _apply_build(plan: Plan) -> ApplyResult:
    env = os.path.abspath(plan.env)
    parent = os.path.dirname(env)
    name = os.path.basename(env)
    layout = [op for op in plan.ops if op.kind != "run"]
    post = [op for op in plan.ops if op.kind == "run"]
    log: list[str] = []
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=f".{name}.venvtui-new-", dir=parent)
    old: str | None = None
    swapped = False
    try:
        undo: list[Callable[[], None]] = []
        for op in layout:
            if op.path == env and op.kind == "mkdir":
                continue  # the staging directory itself
            _execute_op(op, _remap(op.path, env, staging), undo, None)
        os.chmod(staging, 0o755 & ~_umask())
        if os.path.lexists(env):
            if not plan.replaces:
                raise WriteFailed(f"{env} appeared while planning", "plan again")
            old = tempfile.mkdtemp(prefix=f".{name}.venvtui-old-", dir=parent)
            os.rmdir(old)
            os.rename(env, old)
            log.append(f"kept the old environment aside as {old}")
        os.rename(staging, env)
        swapped = True
        for op in post:
            log.append("ran " + " ".join(op.argv))
            _execute_op(op, env, [], None)
        verified = verify(plan.verify) if plan.verify else {}
    except BaseException as exc:
        if swapped:
            shutil.rmtree(env, ignore_errors=True)
        else:
            shutil.rmtree(staging, ignore_errors=True)
        if old is not None:
            os.rename(old, env)
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        raise _fail(exc, f"could not {plan.action} {env}") from exc
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
        log.append(f"removed the old environment {old}")
    return ApplyResult(env, plan.action, None, verified, tuple(log))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _apply_inplace(plan: Plan, stamp: str) -> ApplyResult:
    env = os.path.abspath(plan.env)
    root = os.path.join(env, BACKUP_DIR)
    root_created = not os.path.exists(root)
    backup = os.path.join(root, stamp)
    n = 1
    while os.path.lexists(backup):
        n += 1
        backup = os.path.join(root, f"{stamp}-{n}")
    undo: list[Callable[[], None]] = []
    log: list[str] = []
    try:
        os.makedirs(backup)
        for op in plan.ops:
            _execute_op(op, op.path, undo, backup)
            log.append(f"{op.kind} {op.path}")
        verified = verify(plan.verify) if plan.verify else {}
    except BaseException as exc:
        problems = _undo_all(undo)
        shutil.rmtree(root if root_created else backup, ignore_errors=True)
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        err = _fail(exc, f"could not {plan.action} {env}")
        if problems:
            err = WriteFailed(
                f"{err} (and the rollback hit: {problems[0]})",
                f"the backup is in {backup}; restore it by hand",
            )
        raise err from exc
    # Make the backup readable as a record: what was there before.
    with open(os.path.join(backup, "README"), "w", encoding="utf-8") as fh:
        fh.write(f"venvtui {plan.action} of {env}: the files and links as they were before.\n")
    return ApplyResult(env, plan.action, backup, verified, tuple(log))


def _apply_delete(plan: Plan) -> ApplyResult:
    env = os.path.abspath(plan.env)
    name = os.path.basename(env)
    trash = tempfile.mkdtemp(prefix=f".{name}.venvtui-del-", dir=os.path.dirname(env))
    os.rmdir(trash)
    try:
        os.rename(env, trash)
    except OSError as exc:
        raise _fail(exc, f"could not delete {env}") from exc

    try:
        shutil.rmtree(trash)
    except OSError:  # read-only directories (e.g. build caches): make them writable, retry
        for root, dirs, _files in os.walk(trash):
            for d in dirs:
                full = os.path.join(root, d)
                if not os.path.islink(full):
                    os.chmod(full, stat.S_IRWXU)
        shutil.rmtree(trash, ignore_errors=True)
    leftover = os.path.lexists(trash)
    log = [f"renamed to {trash} and removed"]
    if leftover:
        log.append(f"some files could not be removed: {trash}")
    return ApplyResult(env, plan.action, trash if leftover else None, {}, tuple(log))
