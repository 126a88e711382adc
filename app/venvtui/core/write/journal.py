"""The journal of a write in progress, and recovery of an interrupted one.

Every write keeps `.NAME.venvtui-journal` beside the environment (written atomically: temporary
file, fsync, rename, fsync of the directory) from before its first change until after its last.
It names the siblings the write uses (`.NAME.venvtui-new-TOKEN`, `-old-TOKEN`, `-del-TOKEN`),
the identity (st_dev, st_ino) of the environment as it was and of the tree being built, and,
for an in-place edit, the undo of every operation, recorded before the operation is done.

After anything (an exception, SIGTERM, SIGKILL, power loss), `settle()` leaves either the old
environment or the new complete one at the path and removes the leftovers:

- build (create, rebuild): the new tree is complete only once the final check passed (phase
  "commit"); before that, whichever sibling holds the old environment is put back;
- in place (repair, upgrade): the recorded undos run in reverse, then the backup is removed;
  after "commit" only the journal goes;
- delete: once the environment was renamed aside, removal is finished (the user asked for it).

The applying process holds an flock on the tree it owns (the staging directory, the backup
directory, or the environment being deleted) so that recovery never races a live write.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import fcntl
import json
import os
import signal
import stat
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from venvtui.core.base.errors import VenvtuiError, WriteRefused
from venvtui.core.base.readlog import narrow
from venvtui.core.write import fsops
from venvtui.core.write.fsops import FileId

Mode = Literal["build", "inplace", "delete"]
TAGS = ("new", "old", "del")
JOURNAL_TAG = "journal"
BACKUP_DIR = ".venvtui-backup"
_MAX_JOURNAL = 1 << 20


def sibling(env: str, tag: str) -> str:
    """`.NAME.venvtui-TAG` beside the environment `env`."""
    env = os.path.abspath(env)
    return os.path.join(os.path.dirname(env), f".{os.path.basename(env)}.venvtui-{tag}")


@dataclass(frozen=True, slots=True)
class Undo:
    """How to undo one in-place operation (paths relative to the environment / the backup):

    - "created": remove `rel` if it is still the inode `ino` we made; remove `tmp` if present.
    - "restore": put the saved copy `saved` back at `rel` if it exists; remove `tmp` if present.
    """

    kind: Literal["created", "restore"]
    rel: str
    saved: str = ""
    tmp: str = ""
    ino: int = 0


@dataclass(frozen=True, slots=True)
class Journal:
    env: str
    action: str
    mode: Mode
    token: str
    phase: str  # build: "build" | "swap" | "swapped" | "commit"; inplace: "apply" | "commit"
    old: FileId  # what stood at `env` when the write began
    new: FileId  # build: the staging tree; inplace: the backup directory; delete: == old
    backup: str = ""  # inplace: the backup directory
    backup_root_created: bool = False
    undo: tuple[Undo, ...] = ()
    started: str = ""
    inside: bool = False  # in place, parent not writable: kept in <env>/.venvtui-backup/

    @property
    def path(self) -> str:
        if self.inside:
            return inside_path(self.env)
        return sibling(self.env, JOURNAL_TAG)

    def name(self, tag: str) -> str:
        """Base name of this write's sibling `tag` (new, old, del)."""
        return os.path.basename(sibling(self.env, f"{tag}-{self.token}"))

    def to_json(self) -> dict[str, object]:
        return {
            "version": 1,
            "env": self.env,
            "action": self.action,
            "mode": self.mode,
            "token": self.token,
            "phase": self.phase,
            "old": self.old.to_json(),
            "new": self.new.to_json(),
            "backup": self.backup,
            "backup_root_created": self.backup_root_created,
            "inside": self.inside,
            "undo": [dataclasses.asdict(u) for u in self.undo],
            "started": self.started,
            "pid": os.getpid(),
        }

    @classmethod
    def from_json(cls, data: object) -> Journal:
        if not isinstance(data, dict) or data.get("version") != 1:
            raise ValueError("not a venvtui journal (version 1)")
        mode = data["mode"]
        if mode not in ("build", "inplace", "delete"):
            raise ValueError(f"unknown mode {mode!r}")
        undo = []
        for u in data.get("undo", []):
            if not isinstance(u, dict) or u.get("kind") not in ("created", "restore"):
                raise ValueError(f"bad undo record {u!r}")
            undo.append(
                Undo(u["kind"], str(u["rel"]), str(u["saved"]), str(u["tmp"]), int(u["ino"]))
            )
        return cls(
            env=str(data["env"]),
            action=str(data["action"]),
            mode=mode,
            token=str(data["token"]),
            phase=str(data["phase"]),
            old=FileId.from_json(data["old"]),
            new=FileId.from_json(data["new"]),
            backup=str(data.get("backup", "")),
            backup_root_created=bool(data.get("backup_root_created", False)),
            undo=tuple(undo),
            started=str(data.get("started", "")),
            inside=bool(data.get("inside", False)),
        )

    def replace(self, **changes: object) -> Journal:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    def _open_dir(self) -> int:
        """The directory holding the journal: beside the environment, or (inside) its own
        `.venvtui-backup`, reached without following a link."""
        if not self.inside:
            return fsops.open_parent(self.path)
        env_fd = fsops.open_anchored(self.env, self.old)
        try:
            return fsops.open_dir_at(env_fd, BACKUP_DIR)
        finally:
            os.close(env_fd)

    def save(self) -> Journal:
        """Write the journal atomically and durably; return it (for chaining)."""
        data = (json.dumps(self.to_json(), indent=1) + "\n").encode()
        pfd = self._open_dir()
        try:
            name = fsops.tmp_name(JOURNAL_TAG)
            fsops.write_new_at(pfd, name, data, 0o600)
            os.rename(name, os.path.basename(self.path), src_dir_fd=pfd, dst_dir_fd=pfd)
            fsops.fsync_dir(pfd)
        finally:
            os.close(pfd)
        return self

    def discard(self) -> None:
        pfd = self._open_dir()
        try:
            os.unlink(os.path.basename(self.path), dir_fd=pfd)
            fsops.fsync_dir(pfd)
        except FileNotFoundError:
            pass
        finally:
            os.close(pfd)


def inside_path(env: str) -> str:
    """Where an in-place write keeps its journal when it cannot write beside the environment."""
    return os.path.join(os.path.abspath(env), BACKUP_DIR, f".{JOURNAL_TAG}")


def load(path: str) -> Journal:
    """Read a journal file (bounded; a link or a non-regular file is refused)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > _MAX_JOURNAL:
            raise ValueError(f"{path} is not a journal file")
        data = os.read(fd, _MAX_JOURNAL + 1)
    finally:
        os.close(fd)
    return Journal.from_json(json.loads(data))


def _load_for(path: str, env: str) -> Journal:
    """The journal at `path`, which must be about `env` (the environment its name and place
    say): a journal naming another path is never acted on."""
    j = load(path)
    if os.path.abspath(j.env) != os.path.abspath(env):
        raise ValueError(f"it names {j.env}, not {env}")
    return j


def now_stamp() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


# --- locks ------------------------------------------------------------------------------------


def lock(fd: int) -> bool:
    """Take the write lock on the directory `fd`; False when a live process holds it."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _lock_tree(j: Journal) -> tuple[int | None, bool]:
    """(a locked descriptor of the tree the write owns, or None when it is gone; busy?)"""
    want = j.old if j.mode == "delete" else j.new
    if want.kind != "dir":
        return None, False
    for path in _candidates(j):
        if fsops.identify(path) != want:
            continue
        try:
            fd = os.open(path, fsops.O_DIR)
        except OSError:
            continue
        if FileId.of(os.fstat(fd)) != want:
            os.close(fd)
            continue
        if not lock(fd):
            os.close(fd)
            return None, True
        return fd, False
    return None, False


def _candidates(j: Journal) -> list[str]:
    parent = os.path.dirname(j.env)
    out = [j.env] + [os.path.join(parent, j.name(t)) for t in TAGS]
    if j.backup:
        out.append(j.backup)
    return out


# --- settling a write -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    """What settle() did: "restored" the old state, "finished" the write, or "failed"."""

    env: str
    action: str
    result: Literal["restored", "finished", "failed", "busy"]
    detail: str
    leftovers: tuple[str, ...] = ()


def settle(j: Journal) -> Outcome:
    """Leave the old or the new complete environment at `j.env` and remove this write's
    leftovers; the journal is removed unless something is left to do by hand."""
    try:
        if j.mode == "build":
            out = _settle_build(j)
        elif j.mode == "inplace":
            out = _settle_inplace(j)
        else:
            out = _settle_delete(j)
    except (OSError, VenvtuiError) as exc:  # the journal stays: the next run tries again
        detail = f"{exc.strerror or exc}" if isinstance(exc, OSError) else str(exc)
        return Outcome(j.env, j.action, "failed", detail)
    if out.result != "failed":
        j.discard()
        if j.mode == "inplace" and out.result == "restored" and j.backup_root_created:
            _remove_empty_backup_root(j)
    return out


def _remove_empty_backup_root(j: Journal) -> None:
    try:
        env_fd = fsops.open_anchored(j.env, j.old)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.rmdir(BACKUP_DIR, dir_fd=env_fd)
    finally:
        os.close(env_fd)


def _settle_build(j: Journal) -> Outcome:
    parent_fd = fsops.open_parent(j.env)
    try:
        name = os.path.basename(j.env)
        new_name, old_name = j.name("new"), j.name("old")
        _kill_writers(j.new)
        keep, drop = (j.new, j.old) if j.phase == "commit" else (j.old, j.new)
        at_env = fsops.identify_at(parent_fd, name)
        problems: list[str] = []
        if keep.kind == "dir" and at_env != keep:
            where = next(
                (n for n in (new_name, old_name) if fsops.identify_at(parent_fd, n) == keep), None
            )
            if where is None:
                return Outcome(
                    j.env,
                    j.action,
                    "failed",
                    f"the environment to keep is not found beside {j.env}",
                )
            if at_env.kind == "absent":
                fsops.rename_noreplace(parent_fd, where, parent_fd, name)
            elif at_env == drop:
                if not fsops.exchange(parent_fd, where, name):
                    # Two renames: the tree to drop to its own sibling name (free, since the
                    # tree is at the path), then the one to keep into place.
                    aside = new_name if drop == j.new else old_name
                    fsops.rename_noreplace(parent_fd, name, parent_fd, aside)
                    fsops.rename_noreplace(parent_fd, where, parent_fd, name)
            else:
                return Outcome(
                    j.env, j.action, "failed", f"{j.env} holds something this write did not make"
                )
            fsops.fsync_dir(parent_fd)
        elif keep.kind != "dir" and at_env == drop and drop.kind == "dir":
            # A create rolled back: the new tree leaves the path (renamed, then removed).
            fsops.rename_noreplace(parent_fd, name, parent_fd, new_name)
            fsops.fsync_dir(parent_fd)
        for n in (new_name, old_name):
            here = fsops.identify_at(parent_fd, n)
            if here.kind == "absent" or here == keep:
                continue
            if here != drop:
                problems.append(f"{os.path.join(os.path.dirname(j.env), n)} was left alone")
                continue
            removal = fsops.remove_tree(parent_fd, n, shown=os.path.join(os.path.dirname(j.env), n))
            problems.extend(removal.leftovers)
        if keep == j.new:
            return Outcome(
                j.env, j.action, "finished", "the new environment is in place", tuple(problems)
            )
        return Outcome(j.env, j.action, "restored", "the environment is as it was", tuple(problems))
    finally:
        os.close(parent_fd)


def _settle_delete(j: Journal) -> Outcome:
    parent_fd = fsops.open_parent(j.env)
    try:
        trash = j.name("del")
        if fsops.identify_at(parent_fd, os.path.basename(j.env)) == j.old:
            return Outcome(j.env, j.action, "restored", "the environment was not touched")
        if fsops.identify_at(parent_fd, trash) != j.old:
            return Outcome(j.env, j.action, "finished", "nothing is left to remove")
        shown = os.path.join(os.path.dirname(j.env), trash)
        removal = fsops.remove_tree(parent_fd, trash, shown=shown, expect=j.old)
        return Outcome(
            j.env, j.action, "finished", "the environment was removed", removal.leftovers
        )
    finally:
        os.close(parent_fd)


def _settle_inplace(j: Journal) -> Outcome:
    env_fd = fsops.open_anchored(j.env, j.old)
    try:
        if j.phase == "commit":
            return Outcome(
                j.env, j.action, "finished", f"the change is in place; backup: {j.backup}"
            )
        problems = run_undo(env_fd, j)
        if problems:
            return Outcome(
                j.env,
                j.action,
                "failed",
                f"the rollback hit: {problems[0]}; the backup is in {j.backup}",
                tuple(problems),
            )
        leftovers: list[str] = []
        if j.backup and fsops.lstat_at(env_fd, BACKUP_DIR) is not None:
            root_fd = fsops.open_dir_at(env_fd, BACKUP_DIR)
            try:
                stamp = os.path.basename(j.backup)
                if j.new.kind == "dir":
                    removal = fsops.remove_tree(root_fd, stamp, shown=j.backup, expect=j.new)
                    leftovers.extend(removal.leftovers)
                else:  # made (empty) before its identity was journaled
                    with contextlib.suppress(OSError):
                        os.rmdir(stamp, dir_fd=root_fd)
            finally:
                os.close(root_fd)
        return Outcome(
            j.env, j.action, "restored", "the environment is as it was", tuple(leftovers)
        )
    finally:
        os.close(env_fd)


def run_undo(env_fd: int, j: Journal) -> list[str]:
    """Undo the recorded in-place operations in reverse order; the problems met."""
    problems: list[str] = []
    backup_fd: int | None = None
    if j.new.kind == "dir":
        try:
            root_fd = fsops.open_dir_at(env_fd, BACKUP_DIR)
            try:
                backup_fd = fsops.open_dir_at(root_fd, os.path.basename(j.backup))
            finally:
                os.close(root_fd)
            if FileId.of(os.fstat(backup_fd)) != j.new:
                os.close(backup_fd)
                backup_fd = None
                problems.append(f"{j.backup} is not the backup this write made")
        except OSError as exc:
            problems.append(f"{j.backup}: {exc}")
    try:
        for u in reversed(j.undo):
            try:
                _undo_one(env_fd, backup_fd, u, j)
            except OSError as exc:
                problems.append(f"{os.path.join(j.env, u.rel)}: {exc.strerror or exc}")
    finally:
        if backup_fd is not None:
            os.close(backup_fd)
    return problems


def _undo_one(env_fd: int, backup_fd: int | None, u: Undo, j: Journal) -> None:
    pfd, leaf = fsops.walk_to_parent(env_fd, u.rel, shown_root=j.env)
    try:
        if u.tmp:
            st = fsops.lstat_at(pfd, u.tmp)
            if st is not None:
                _remove_entry(pfd, u.tmp, st)
        if u.kind == "created":
            st = fsops.lstat_at(pfd, leaf)
            if st is not None and u.ino and st.st_ino == u.ino:
                _remove_entry(pfd, leaf, st)
            return
        if backup_fd is None:
            raise OSError(errno.ENOENT, "the backup is missing", u.saved)
        sfd, sleaf = fsops.walk_to_parent(backup_fd, u.saved, shown_root=j.backup)
        try:
            if fsops.lstat_at(sfd, sleaf) is not None:
                os.rename(sleaf, leaf, src_dir_fd=sfd, dst_dir_fd=pfd)
                fsops.fsync_dir(pfd)
        finally:
            os.close(sfd)
    finally:
        os.close(pfd)


def _remove_entry(dir_fd: int, name: str, st: os.stat_result) -> None:
    if stat.S_ISDIR(st.st_mode):
        os.rmdir(name, dir_fd=dir_fd)
    else:
        os.unlink(name, dir_fd=dir_fd)


def _kill_writers(tree: FileId) -> None:
    """SIGKILL processes whose working directory is the tree `tree` (an installer a killed
    venvtui left running in its staging directory; Linux /proc), and wait until they are gone."""
    if tree.kind != "dir" or not os.path.isdir("/proc/self"):
        return
    victims = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            st = os.stat(f"/proc/{pid}/cwd")
        except OSError:
            continue
        if (st.st_dev, st.st_ino) == (tree.dev, tree.ino):
            try:
                os.kill(int(pid), signal.SIGKILL)
                victims.append(int(pid))
            except OSError:
                pass
    deadline = time.monotonic() + 5.0
    while victims and time.monotonic() < deadline:
        victims = [p for p in victims if _alive(p)]
        if victims:
            time.sleep(0.01)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            data = fh.read(4096)
    except OSError:
        return False
    return data[data.rfind(b")") + 2 :][:1] not in (b"Z", b"X")


# --- finding interrupted writes ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Pending:
    """An interrupted write (`journal` set), or a leftover sibling without a journal."""

    env: str
    path: str  # the journal, or the leftover directory
    journal: Journal | None = None
    error: str = ""  # the journal could not be read

    def describe(self) -> str:
        if self.journal is not None:
            j = self.journal
            return f"interrupted {j.action} of {j.env} (since {j.started or '?'}, step {j.phase})"
        if self.error:
            return f"unreadable journal {self.path}: {self.error}"
        tag = _tag_of(os.path.basename(self.path))
        what = {
            "new": "a half-built environment",
            "old": "an earlier environment kept aside",
            "del": "an environment being deleted",
        }.get(tag or "", "a leftover")
        return f"{what} of {self.env}: {self.path}"


def _tag_of(name: str) -> str | None:
    for tag in (*TAGS, JOURNAL_TAG):
        if f".venvtui-{tag}" in name:
            return tag
    return None


def _parse(name: str) -> tuple[str, str, str] | None:
    """`.NAME.venvtui-TAG[-TOKEN]` -> (NAME, TAG, TOKEN)."""
    if not name.startswith("."):
        return None
    stem, sep, rest = name[1:].rpartition(".venvtui-")
    if not sep or not stem:
        return None
    tag, _, token = rest.partition("-")
    if tag not in (*TAGS, JOURNAL_TAG):
        return None
    return stem, tag, token


def pending(paths: Iterable[str]) -> list[Pending]:
    """Interrupted writes and leftovers for each path: an environment (its siblings are
    looked at) or a directory holding environments (its entries are)."""
    found: dict[str, Pending] = {}
    for path in paths:
        path = os.path.abspath(os.path.expanduser(path))
        _scan(os.path.dirname(path), os.path.basename(path), found)
        if os.path.isdir(path) and not os.path.islink(path):
            _scan(path, None, found)
    found.update((p.path, p) for p in pending_inside(paths))
    return sorted(found.values(), key=lambda p: p.path)


def pending_inside(envs: Iterable[str]) -> list[Pending]:
    """In-place writes that kept their journal inside the environment (one lstat each)."""
    out = []
    for env in envs:
        env = os.path.abspath(os.path.expanduser(env))
        path = inside_path(env)
        try:
            if not stat.S_ISREG(os.lstat(path).st_mode):
                continue
        except OSError:
            continue
        try:
            out.append(Pending(env, path, _load_for(path, env)))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            out.append(Pending(env, path, error=str(exc)))
    return out


# What `_scan` looks at in a listing (`readlog.narrow`): the names that hold the mark every
# leftover's name holds (`_parse`); a file coming or going beside an env (a project's sources)
# changes nothing it answers.
_LEFTOVERS = ":*.venvtui-"


def _scan(directory: str, only: str | None, found: dict[str, Pending]) -> None:
    try:
        with os.scandir(directory) as listing:
            names = [e.name for e in listing]
    except OSError:
        return
    narrow(listing, _LEFTOVERS)
    journals: dict[str, Journal] = {}
    for name in sorted(names):
        parsed = _parse(name)
        if parsed is None or (only is not None and parsed[0] != only):
            continue
        env = os.path.join(directory, parsed[0])
        full = os.path.join(directory, name)
        if parsed[1] == JOURNAL_TAG and not parsed[2]:
            try:
                j = _load_for(full, env)
            except (OSError, ValueError, KeyError, TypeError) as exc:
                found[full] = Pending(env, full, error=str(exc))
                continue
            journals[env] = j
            found[full] = Pending(env, full, j)
    for name in sorted(names):
        parsed = _parse(name)
        if parsed is None or parsed[1] == JOURNAL_TAG or (only is not None and parsed[0] != only):
            continue
        env = os.path.join(directory, parsed[0])
        owner = journals.get(env)
        if owner is not None and parsed[2] == owner.token:
            continue  # settled with its journal
        full = os.path.join(directory, name)
        found[full] = Pending(env, full)


def recover(p: Pending) -> Outcome:
    """Settle one interrupted write (or remove a disposable leftover: a half-built `-new-` or
    a half-deleted `-del-` tree nobody holds; an `-old-` environment is never removed)."""
    if p.journal is None:
        return _recover_leftover(p)
    j = p.journal
    fd, busy = _lock_tree(j)
    if busy:
        return Outcome(j.env, j.action, "busy", "another venvtui process is still writing it")
    try:
        return settle(j)
    finally:
        if fd is not None:
            os.close(fd)


def _recover_leftover(p: Pending) -> Outcome:
    tag = _tag_of(os.path.basename(p.path))
    if p.error or tag not in ("new", "del"):
        hint = (
            f"move it back by hand if {p.env} is missing or broken, else remove it"
            if tag == "old"
            else "inspect and remove it by hand"
        )
        return Outcome(p.env, "recover", "failed", f"{p.describe()}: left alone; {hint}")
    try:
        fd = os.open(p.path, fsops.O_DIR)
    except OSError as exc:
        return Outcome(p.env, "recover", "failed", f"{p.path}: {exc.strerror or exc}")
    try:
        if not lock(fd):
            return Outcome(p.env, "recover", "busy", "another venvtui process is using it")
        tree = FileId.of(os.fstat(fd))
        _kill_writers(tree)
        pfd = fsops.open_parent(p.path)
        try:
            removal = fsops.remove_tree(pfd, os.path.basename(p.path), shown=p.path, expect=tree)
        finally:
            os.close(pfd)
    finally:
        os.close(fd)
    return Outcome(p.env, "recover", "finished", f"removed {p.path}", removal.leftovers)


def recover_for(env: str) -> list[Outcome]:
    """Before writing `env`: settle any interrupted write of it. Refuse while another process
    is writing it, or when an earlier write could not be settled."""
    outcomes = []
    for p in pending([env]):
        if os.path.abspath(p.env) != os.path.abspath(env):
            continue
        if p.journal is None and _tag_of(os.path.basename(p.path)) == "old":
            continue  # an earlier environment kept aside: reported by doctor, never touched
        out = recover(p)
        if out.result == "busy":
            raise WriteRefused(f"{env} is being written by another venvtui process", "wait for it")
        if out.result == "failed":
            raise WriteRefused(
                f"an interrupted write of {env} could not be settled: {out.detail}",
                "run `venvtui doctor --recover` and follow its advice",
            )
        outcomes.append(out)
    return outcomes
