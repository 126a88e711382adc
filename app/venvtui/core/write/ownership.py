"""Which directories venvtui may write over or delete: one rule for every verb that writes
(create --clear, repair, rebuild, delete), checked when planning and again when applying.

A directory is an environment venvtui may touch only when it holds `pyvenv.cfg` (or, for
delete, `conda-meta/history`) and *every* entry at its top is one an environment creator or
installer puts there (see `layout.env_top`). Anything else (a `.git`, a `pyproject.toml`, a
`Documents/`) means the `pyvenv.cfg` is a stray and the directory is someone's project or home:
refused with one line naming the foreign entries.

Entries at the top, from the creators themselves (checked with venv 3.8-3.13, virtualenv 20.x/21.x,
uv 0.13 `venv`/`pip install`/`tool install`, pipx's venv.py):
- CPython Lib/venv ensure_directories: bin (Scripts on Windows), include (Include), lib (Lib),
  the lib64 -> lib link on 64-bit POSIX, pyvenv.cfg; 3.13+ also `.gitignore` holding `*`.
- virtualenv: the same plus `.gitignore` ("# created by virtualenv automatically" + `*`) and
  CACHEDIR.TAG.
- uv venv: the same plus `.lock` (taken by `uv pip install` and `uv sync`).
- pipx: pipx_metadata.json. uv tool: uv-receipt.toml. virtualenvwrapper and pipenv: `.project`.
- tox 4: `.tox-info.json`, with the env's `tmp/` and `log/`.
- pip installs a wheel's data files relative to the environment root (`share/`, `etc/`, `man/`,
  sometimes others): an entry listed in a dist-info RECORD is owned too.
- conda: conda-meta/ and whatever the packages recorded in conda-meta/*.json put there; a conda
  *base* install (condabin/, envs/, pkgs/) is never treated as one environment.

Paths are resolved by the filesystem, not by spelling (`a/linkdir/../victim` is the `victim`
beside the link's target); a target that is itself a symbolic link is refused, never replaced.
"""

from __future__ import annotations

import os
import pwd
import stat
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Literal

from venvtui.core.base import safe_io
from venvtui.core.base.errors import NotAnEnvironmentError, NotFoundError, WriteRefused
from venvtui.core.base.paths import inside, safe_name
from venvtui.core.layout.env_top import (
    CONDA_BASE_MARKERS,
    CONDA_ENTRIES,
    PROJECT_FILES,
    TOOL_MARKERS,
    TOP_ENTRIES,
    VCS_DIRS,
    project_markers,
)

if TYPE_CHECKING:
    from venvtui.core.write.plan import Plan

EnvKind = Literal["venv", "conda"]

# `/` and the system directories under it (Filesystem Hierarchy Standard; macOS's own top
# level): never an environment, whatever lies in them.
SYSTEM_DIRS = frozenset(
    {
        os.sep,
        "/bin",
        "/boot",
        "/dev",
        "/etc",
        "/home",
        "/lib",
        "/lib32",
        "/lib64",
        "/libx32",
        "/media",
        "/mnt",
        "/opt",
        "/proc",
        "/root",
        "/run",
        "/sbin",
        "/srv",
        "/sys",
        "/tmp",
        "/usr",
        "/usr/local",
        "/var",
        "/var/tmp",
        "/nix",
        "/snap",
        "/Applications",
        "/Library",
        "/System",
        "/Users",
        "/Volumes",
        "/private",
        "/private/tmp",
        "/private/var",
        "/opt/homebrew",
    }
)
SHOWN = 4  # foreign entries named in a refusal before "+N more"
MAX_RECORDS = 5000  # dist-info RECORD / conda-meta files read to place data files
RECORD_LIMIT = 16 << 20  # bytes per RECORD or conda-meta JSON
GITIGNORE_LIMIT = 4096


@dataclass(frozen=True, slots=True)
class EnvOwnership:
    """An environment venvtui may write: its physical path, kind, the installers whose
    metadata sits at its top, and the identity (device, inode) it had when checked, so that
    apply can refuse a directory swapped in since planning."""

    path: str
    kind: EnvKind
    tools: tuple[str, ...] = ()
    dev: int = 0
    ino: int = 0
    notes: tuple[str, ...] = ()

    @property
    def identity(self) -> tuple[int, int]:
        return self.dev, self.ino


# --- resolving what the user typed --------------------------------------------------------------


def resolve_target(arg: str) -> tuple[str, tuple[str, ...]]:
    """The physical absolute path `arg` names, and a note when it differs from the spelling.

    `..` is resolved by the filesystem: every directory above the last component is resolved
    with realpath (links followed), then the last component is joined unresolved, so that a
    link there is seen as a link. Empty and whitespace-only arguments are refused: an unset
    shell variable must not mean the current directory."""
    if not arg or not arg.strip():
        raise WriteRefused(
            "an empty path was given",
            "pass the environment's directory (an unset shell variable expands to nothing)",
        )
    if "\0" in arg:
        raise WriteRefused("the path contains a NUL byte", "pass the environment's directory")
    raw = os.path.expanduser(arg)
    if not os.path.isabs(raw):
        raw = os.path.join(os.getcwd(), raw)
    head, tail = os.path.split(raw.rstrip(os.sep) or os.sep)
    if tail in ("", os.curdir, os.pardir):
        phys = os.path.realpath(raw)
    else:
        phys = os.path.join(os.path.realpath(head), tail)
    notes: tuple[str, ...] = ()
    if os.path.normpath(raw) != phys:
        notes = (f"{arg} is {phys} (links and .. resolved by the filesystem)",)
    return phys, notes


def refuse_link(path: str, verb: str) -> None:
    """A target that is itself a symbolic link is never followed nor replaced."""
    if os.path.islink(path):
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
        raise WriteRefused(
            f"refusing to {verb} {path}: it is a symbolic link (-> {target})",
            f"pass the directory it points to ({os.path.realpath(path)}) or remove the link",
        )


# --- protected places ----------------------------------------------------------------------------


@cache
def _passwd_homes() -> frozenset[str]:
    homes = set()
    try:
        for entry in pwd.getpwall():
            if entry.pw_dir and os.path.isabs(entry.pw_dir):
                homes.add(os.path.realpath(entry.pw_dir))
    except OSError:
        pass
    return frozenset(homes)


def home_dirs() -> frozenset[str]:
    """Every user's home (passwd), plus $HOME and `~` as this process sees them now."""
    homes = set(_passwd_homes())
    for h in (os.environ.get("HOME"), os.path.expanduser("~")):
        if h and os.path.isabs(h):
            homes.add(os.path.realpath(h))
    homes.discard(os.sep)  # a user whose home is / (daemons): / is refused on its own
    return frozenset(homes)


def protected_reason(phys: str) -> str:
    """Why `phys` can never be an environment ('' when nothing protects it): `/`, a system
    directory, a home directory or a directory holding one."""
    real = os.path.realpath(phys)
    for p in (phys, real):
        if p in SYSTEM_DIRS:
            return "it is / or a system directory"
    for home in home_dirs():
        if inside(home, real):
            return "it is a home directory" if home == real else f"it holds the home {home}"
    return ""


# --- the top-level rule --------------------------------------------------------------------------


def _gitignore_ignores_all(path: str) -> bool:
    """venv 3.13+, virtualenv and uv write a .gitignore whose only pattern is `*`."""
    try:
        text = safe_io.read_text(path, limit=GITIGNORE_LIMIT, follow_symlinks=False)
    except OSError:
        return False
    patterns = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    return patterns == ["*"]


def _site_dirs(root: str) -> Iterator[str]:
    for lib in ("lib", "lib64", "Lib"):
        base = os.path.join(root, lib)
        try:
            names = sorted(os.listdir(base))
        except OSError:
            continue
        if lib == "Lib":
            yield os.path.join(base, "site-packages")
        for name in names:
            if name.startswith("python") or name.startswith("pypy"):
                yield os.path.join(base, name, "site-packages")


def _recorded_tops(root: str, kind: EnvKind) -> set[str]:
    """Top-level entries installers recorded as theirs: pip's RECORD (paths relative to
    site-packages; data files reach the root through `../../../`) and conda's
    conda-meta/*.json `files` (relative to the root). Bounded in files and bytes."""
    tops: set[str] = set()
    budget = MAX_RECORDS
    if kind == "conda":
        meta = os.path.join(root, "conda-meta")
        try:
            names = sorted(n for n in os.listdir(meta) if n.endswith(".json"))
        except OSError:
            names = []
        for name in names[:budget]:
            try:
                data = safe_io.loads_json(
                    safe_io.read_bytes(os.path.join(meta, name), limit=RECORD_LIMIT)
                )
            except (OSError, ValueError):
                continue
            files = data.get("files") if isinstance(data, dict) else None
            for f in files if isinstance(files, list) else ():
                if isinstance(f, str) and f:
                    tops.add(f.replace("\\", "/").split("/", 1)[0])
        budget -= len(names)
    for site in _site_dirs(root):
        try:
            infos = sorted(n for n in os.listdir(site) if n.endswith(".dist-info"))
        except OSError:
            continue
        for info in infos[: max(budget, 0)]:
            budget -= 1
            try:
                text = safe_io.read_text(
                    os.path.join(site, info, "RECORD"), limit=RECORD_LIMIT, follow_symlinks=False
                )
            except OSError:
                continue
            for line in text.splitlines():
                rel = line.split(",", 1)[0].strip().strip('"')
                if not rel.startswith(".."):
                    continue
                full = os.path.normpath(os.path.join(site, rel))
                if inside(full, root) and full != root:
                    tops.add(os.path.relpath(full, root).split(os.sep, 1)[0])
    return tops


def _describe(names: Iterable[str], root: str) -> str:
    shown: list[str] = []
    items = sorted(names, key=lambda n: (n not in VCS_DIRS, n not in PROJECT_FILES, n))
    for name in items[:SHOWN]:
        full = os.path.join(root, name)
        is_dir = os.path.isdir(full) and not os.path.islink(full)
        shown.append(safe_name(name) + ("/" if is_dir else ""))
    more = len(items) - SHOWN
    return ", ".join(shown) + (f" (+{more} more)" if more > 0 else "")


def _listdir(path: str, verb: str) -> list[str]:
    try:
        return os.listdir(path)
    except OSError as exc:
        raise WriteRefused(
            f"refusing to {verb} {path}: cannot list it ({exc.strerror or exc})",
            "check its permissions",
        ) from None


def check_env(path: str, *, verb: str = "write") -> EnvOwnership:
    """Check that the physical path `path` is an environment venvtui may `verb`; raise
    WriteRefused (or NotFoundError / NotAnEnvironmentError) with one line otherwise.

    Callers pass a path from `resolve_target` (or a plan's `env`); apply calls it again, and
    compares `identity` with what planning saw."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        raise NotFoundError(f"{path} does not exist", "check the path") from None
    except OSError as exc:
        raise WriteRefused(
            f"refusing to {verb} {path}: {exc.strerror or exc}", "check its permissions"
        ) from None
    refuse_link(path, verb)
    if not stat.S_ISDIR(st.st_mode):
        raise NotAnEnvironmentError(
            f"{path} is {safe_io.kind_of(st.st_mode)}, not an environment directory",
            "pass the environment's directory",
        )
    why = protected_reason(path)
    if why:
        raise WriteRefused(
            f"refusing to {verb} {path}: {why}",
            "pass the environment directory itself, e.g. ~/project/.venv",
        )
    names = set(_listdir(path, verb))
    if "pyvenv.cfg" in names and safe_io.is_regular_file(
        os.path.join(path, "pyvenv.cfg"), follow_symlinks=False
    ):
        kind: EnvKind = "venv"
    elif "conda-meta" in names and os.path.isdir(os.path.join(path, "conda-meta")):
        kind = "conda"
        base = [m for m in CONDA_BASE_MARKERS if m in names]
        if base:
            raise WriteRefused(
                f"refusing to {verb} {path}: it is a conda installation (base), not one "
                f"environment (it holds {', '.join(b + '/' for b in base)})",
                "manage it with conda; pass one of its environments (envs/NAME) instead",
            )
    else:
        vcs = project_markers(names)
        if vcs:
            raise NotAnEnvironmentError(
                f"{path} is a project directory ({_describe(vcs, path)}), not an environment",
                "pass the environment inside it, e.g. .venv",
            )
        raise NotAnEnvironmentError(
            f"{path} is not an environment (no pyvenv.cfg or conda-meta/)",
            "an environment is a directory holding pyvenv.cfg (or conda-meta/)",
        )
    allowed = set(TOP_ENTRIES)
    tools: list[str] = []
    for marker, tool, extra in TOOL_MARKERS:
        if marker in names:
            allowed |= {marker, *extra}
            tools.append(tool)
    if kind == "conda":
        allowed |= CONDA_ENTRIES
    foreign = {n for n in names - allowed}
    if ".gitignore" in names and not _gitignore_ignores_all(os.path.join(path, ".gitignore")):
        foreign.add(".gitignore")
    if foreign - VCS_DIRS:
        foreign -= _recorded_tops(path, kind) - VCS_DIRS - {".gitignore"}
    if foreign:
        project = foreign & (VCS_DIRS | PROJECT_FILES)
        hint = (
            "it looks like a project; pass the environment inside it (e.g. .venv), or move "
            "the stray pyvenv.cfg away"
            if project
            else "move those entries out (or the stray pyvenv.cfg away) if this really is an "
            "environment; venvtui never removes what no environment creator wrote"
        )
        raise WriteRefused(
            f"refusing to {verb} {path}: it holds {_describe(foreign, path)}, which no "
            "environment creator writes",
            hint,
        )
    mounted = _mounted_entries(path, st.st_dev, names)
    if mounted:
        raise WriteRefused(
            f"refusing to {verb} {path}: {', '.join(mounted)} is another filesystem mounted "
            "inside it",
            "unmount it first",
        )
    return EnvOwnership(path, kind, tuple(tools), st.st_dev, st.st_ino)


def _mounted_entries(path: str, dev: int, names: Iterable[str]) -> list[str]:
    out = []
    for name in sorted(names):
        try:
            st = os.lstat(os.path.join(path, name))
        except OSError:
            continue
        if stat.S_ISDIR(st.st_mode) and st.st_dev != dev:
            out.append(safe_name(name) + "/")
    return out


def check_target(arg: str, *, verb: str) -> EnvOwnership:
    """`resolve_target` then `check_env`: what every verb acting on an existing environment
    calls with the user's argument. The resolution note is carried in `notes`."""
    phys, notes = resolve_target(arg)
    refuse_link(phys, verb)
    own = check_env(phys, verb=verb)
    check_not_running(own.path, verb)
    return EnvOwnership(own.path, own.kind, own.tools, own.dev, own.ino, notes)


def check_not_running(path: str, verb: str) -> None:
    """The environment venvtui itself runs from is never replaced or deleted under it."""
    if inside(os.path.realpath(sys.prefix), os.path.realpath(path)):
        raise WriteRefused(
            f"refusing to {verb} {path}: venvtui runs from it", "run venvtui from elsewhere"
        )


@dataclass(frozen=True, slots=True)
class Dest:
    """Where `create` builds: the physical path, whether an environment there is replaced
    (--clear), and the resolution note."""

    path: str
    replaces: bool
    notes: tuple[str, ...] = ()
    owner: EnvOwnership | None = None


def check_dest(arg: str, *, clear: bool) -> Dest:
    """A destination for a new environment: missing, an empty directory, or (with `clear`)
    an environment venvtui may replace. Never a link, a file, a protected place or anything
    holding other files."""
    phys, notes = resolve_target(arg)
    refuse_link(phys, "create")
    why = protected_reason(phys)
    if why:
        raise WriteRefused(
            f"refusing to create an environment at {phys}: {why}",
            "pick a new directory, e.g. ~/project/.venv",
        )
    if not os.path.lexists(phys):
        _check_writable_ancestor(phys)
        return Dest(phys, False, notes)
    if not os.path.isdir(phys):
        raise WriteRefused(f"{phys} exists and is not a directory", "pick another destination")
    if not _listdir(phys, "create"):
        _check_writable(os.path.dirname(phys))
        return Dest(phys, True, notes)
    own = check_env(phys, verb="replace")
    if own.kind == "conda":
        raise WriteRefused(f"{phys} is a conda environment", "manage it with conda")
    if not clear:
        raise WriteRefused(
            f"{phys} is already an environment",
            "pass --clear to replace it, or --upgrade to re-point it at the interpreter",
        )
    check_not_running(phys, "replace")
    _check_writable(os.path.dirname(phys))
    return Dest(phys, True, notes, own)


def _check_writable(parent: str) -> None:
    if not os.access(parent, os.W_OK | os.X_OK):
        raise WriteRefused(f"{parent} is not writable", "pick a destination you can write to")


def _check_writable_ancestor(dest: str) -> None:
    """Missing parents are created: the nearest existing ancestor must be a writable dir."""
    ancestor = os.path.dirname(dest)
    while not os.path.lexists(ancestor):
        nxt = os.path.dirname(ancestor)
        if nxt == ancestor:
            break
        ancestor = nxt
    if not os.path.isdir(ancestor) or not os.access(ancestor, os.W_OK | os.X_OK):
        raise WriteRefused(f"{ancestor} is not writable", "pick a destination you can write to")


def recheck(env: str, identity: tuple[int, int] | None, *, verb: str = "write") -> EnvOwnership:
    """Apply time: the same rule again, and the same directory (device, inode) as planned."""
    own = check_env(env, verb=verb)
    if identity is not None and own.identity != tuple(identity):
        raise WriteRefused(
            f"refusing to {verb} {env}: it was replaced since the plan was made", "plan again"
        )
    return own


def check_apply(plan: Plan) -> None:
    """Apply time (called by core.plan.apply): the environment a plan deletes, edits or
    replaces is still one by the same rule, and the same directory as planned. A build into a
    missing or still-empty directory has nothing to re-check."""
    if plan.mode == "build" and not plan.replaces:
        return
    identity = plan.details.get("identity")
    if plan.mode == "build" and identity is None:
        try:
            if not os.listdir(plan.env):
                return  # create into an empty directory
        except FileNotFoundError:
            return
        except OSError:
            pass
    verb = "replace" if plan.mode == "build" else plan.action
    recheck(plan.env, (int(identity[0]), int(identity[1])) if identity else None, verb=verb)


__all__ = [
    "Dest",
    "EnvOwnership",
    "check_apply",
    "check_dest",
    "check_env",
    "check_target",
    "recheck",
    "resolve_target",
]
