"""Installer events as filesystem changes: what each installer really does to the paths on an
upgrade or an uninstall, expressed as `overlay.Change`s (never applied to the disk).

A new install is laid down as the installer lays it down: a `copy` of the old tree that is
relocated (`elfdeps.relocation`: RUNPATH entries into the old tree name the new one, as
Homebrew's `Keg#relocate_dynamic_linkage` or a build configured for its own prefix has them;
`facts_after`: the compiled-in PREFIX likewise). Events are named with the root they act on
(two roots can hold the same version).

- Homebrew `brew upgrade <formula>`: a new keg `Cellar/<formula>/<new>`; `brew link` re-points
  `opt/<formula>` and the `<prefix>/bin` and `<prefix>/lib` links (libpython) at it; `brew
  cleanup` (automatic after an upgrade unless HOMEBREW_NO_INSTALL_CLEANUP is set) removes the
  old keg. `brew uninstall`: the keg, `opt/<formula>` and the links into it go.
- pyenv: `pyenv install X.Y.Z'` adds `versions/X.Y.Z'` and touches nothing else;
  `pyenv uninstall X.Y.Z` removes `versions/X.Y.Z` (a `versions/X.Y` link is the user's).
- uv (`crates/uv/src/commands/python/install.rs`): `uv python upgrade X.Y` installs
  `cpython-X.Y.Z'-<plat>`, re-points the `cpython-X.Y-<plat>` minor link (absolute target) and the
  `pythonX.Y` executables in uv's bin dir that lead to the old install (`create_bin_links`: to the
  minor link's executable); the old patch install stays (uv#13312) until
  `uv python uninstall X.Y.Z`.
- mise: `mise upgrade python` installs `installs/python/X.Y.Z'`, re-points the `X.Y` runtime
  link (relative) and uninstalls the old version.
- asdf, nix, conda: the versioned dir is removed (`asdf uninstall`, `nix-collect-garbage`
  after an upgrade, `conda clean`).
- An unversioned `python3` alias is re-pointed at the next minor version only where an
  installer owns it: a distribution's `/usr/bin` (`/bin`), Homebrew's `<prefix>/bin` when a new
  default formula is linked. No installer re-points an alias inside a self-contained tree (a
  standalone tree, `/usr/local/python-X`, a CI tool cache, a pyenv version).
- A link the user owns (`versions/3.12 -> 3.12.1`, `~/.local/bin/python3.11`,
  `/usr/local/bin/python3`) changes only when the user re-points it: `repoint_event`.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from venvtui.core.base.errors import VenvtuiError
from venvtui.core.base.models import exe_minor, minor_of
from venvtui.core.base.paths import inside
from venvtui.core.base.stability import Install, classify_path, find_install
from venvtui.core.layout.elfdeps import relocation
from venvtui.core.layout.view import (
    REAL,
    Change,
    Overlay,
    View,
    fold_ancestors,
    landmark,
    search_up,
)
from venvtui.core.startup.runtime import Runtime

EventKind = Literal[
    "patch-upgrade", "minor-upgrade", "uninstall", "env-delete", "remove", "repoint"
]


@dataclass(frozen=True, slots=True)
class Event:
    kind: EventKind
    text: str  # the command or happening, e.g. "`brew upgrade python@3.12` and `brew cleanup`"
    changes: tuple[Change, ...]
    target: str  # the install root, alias, link or env the event is about
    installer: str = ""
    new_root: str | None = None  # the install that replaces `target` (upgrades)
    removes_old: bool = True

    def overlay(self, base: View = REAL) -> Overlay:
        return Overlay(self.changes, base)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "text": self.text,
            "target": self.target,
            "installer": self.installer,
            "new_install": self.new_root,
            "removes_old": self.removes_old,
            "changes": [c.describe() for c in self.changes],
        }


class UnknownInstallError(VenvtuiError):
    hint = (
        "pass an install directory (…/Cellar/python@3.12/3.12.1, …/versions/3.12.1, "
        "…/cpython-3.12.1-<platform>, …/installs/python/3.12.1) or its executable"
    )


_VER = re.compile(r"^(\d+)\.(\d+)\.(\d+)")


def bump_patch(version: str) -> str:
    m = _VER.match(version)
    if not m:
        raise UnknownInstallError(f"cannot tell the next patch version after {version}")
    return f"{m[1]}.{m[2]}.{int(m[3]) + 1}"


def _rebase(path: str, old: str, new: str) -> str:
    return os.path.join(new, os.path.relpath(path, old)) if path != old else new


def _target_of(view: View, link: str) -> str | None:
    node = view.lnode(link)
    if node.kind != "link" or node.target is None:
        return None
    t = node.target
    return os.path.normpath(t if os.path.isabs(t) else os.path.join(os.path.dirname(link), t))


def _links_into(view: View, directory: str, root: str) -> list[tuple[str, str]]:
    """(link, immediate target path) for the links in `directory` whose target is in `root`."""
    out: list[tuple[str, str]] = []
    for name in view.listdir(directory):
        p = os.path.join(directory, name)
        tgt = _target_of(view, p)
        if tgt is not None and (inside(tgt, root) or inside(view.realpath(tgt), root)):
            out.append((p, tgt))
    return out


def _known_links_into(view: View, known: Iterable[str], root: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for p in dict.fromkeys(known):
        if inside(p, root) or _in_env(view, p):
            continue
        tgt = _target_of(view, p)
        if tgt is not None and inside(tgt, root):
            out.append((p, tgt))
    return out


def _in_env(view: View, link: str) -> bool:
    """A link inside a virtual environment (installers never touch those)."""
    d = os.path.dirname(link)
    return view.isfile(os.path.join(d, "pyvenv.cfg")) or view.isfile(
        os.path.join(os.path.dirname(d), "pyvenv.cfg")
    )


def _relink(link: str, old_target: str, old_root: str, new_root: str, absolute: bool) -> Change:
    new_target = _rebase(old_target, old_root, new_root)
    raw = new_target if absolute else os.path.relpath(new_target, os.path.dirname(link))
    return Change("link", link, raw)


def upgrade_target(inst: Install, to: str) -> str:
    """Where the installer lays down version `to` beside `inst`."""
    return _renamed_root(inst, to)


def _renamed_root(inst: Install, to: str) -> str:
    label = os.path.basename(inst.root)
    new_label = label.replace(f"-{inst.version}-", f"-{to}-", 1) if inst.installer == "uv" else to
    return os.path.join(os.path.dirname(inst.root), new_label)


def where(inst: Install) -> str:
    """The root an install lives under, for event names (two roots can hold 3.12.1)."""
    return inst.container


def uv_bin_dir() -> str:
    """uv's executable dir (`uv_python::managed::python_executable_dir`): UV_PYTHON_BIN_DIR,
    else XDG_BIN_HOME, else ~/.local/bin."""
    for var in ("UV_PYTHON_BIN_DIR", "XDG_BIN_HOME"):
        v = os.environ.get(var)
        if v:
            return os.path.normpath(os.path.expanduser(v))
    return os.path.normpath(os.path.expanduser(os.path.join("~", ".local", "bin")))


def _uv_minor_link(inst: Install) -> str:
    return os.path.join(inst.container, f"cpython-{inst.minor}-{inst.name}")


def _uv_bin_links(view: View, inst: Install, known: Iterable[str]) -> list[str]:
    """The `pythonX.Y` executables in uv's bin dir leading to `inst` (directly or through its
    minor link): the ones `uv python upgrade` / `uninstall` manage (`find_matching_bin_link`)."""
    out: list[str] = []
    bindir = uv_bin_dir()
    name = f"python{inst.minor}"
    for p in dict.fromkeys([os.path.join(bindir, name), *known]):
        if os.path.basename(p) != name or os.path.dirname(p) != bindir:
            continue
        if view.lnode(p).kind == "link" and inside(view.realpath(p), view.realpath(inst.root)):
            out.append(p)
    return out


def homebrew_cleanup_deferred() -> bool:
    """HOMEBREW_NO_INSTALL_CLEANUP: `brew upgrade` keeps the old keg until a `brew cleanup`."""
    return bool(os.environ.get("HOMEBREW_NO_INSTALL_CLEANUP"))


def upgrade_event(
    inst: Install,
    to: str | None = None,
    *,
    view: View = REAL,
    remove_old: bool | None = None,
    known_links: Iterable[str] = (),
) -> Event:
    """The installer's patch upgrade of `inst` to `to` (default: the next patch)."""
    known = _known_that_matter(view, inst, known_links)
    key = ("upgrade_event", inst, to, remove_old, known)
    return view.memoised(key, lambda: _upgrade_event(inst, to, view, remove_old, known))


def _known_that_matter(view: View, inst: Install, known: Iterable[str]) -> tuple[str, ...]:
    """The links of an env's chain an event of `inst` acts on (the rest never change it):
    Homebrew's links into the keg (`brew link`), uv's `pythonX.Y` executables."""
    if inst.installer == "homebrew":
        return tuple(link for link, _ in _known_links_into(view, known, inst.root))
    if inst.installer == "uv":
        bindir, name = uv_bin_dir(), f"python{inst.minor}"
        return tuple(
            p
            for p in dict.fromkeys(known)
            if os.path.basename(p) == name and os.path.dirname(p) == bindir
        )
    return ()


def _upgrade_event(
    inst: Install,
    to: str | None,
    view: View,
    remove_old: bool | None,
    known_links: tuple[str, ...],
) -> Event:
    to = to or bump_patch(inst.version)
    if not _VER.match(to):
        raise UnknownInstallError(f"not a version: {to!r}", "give the new version as X.Y.Z")
    if minor_of(to) != inst.minor:
        raise UnknownInstallError(
            f"{to} is not a patch upgrade of {inst.version}",
            "a patch upgrade keeps X.Y; a minor upgrade is a new install beside the old one",
        )
    new_root = _renamed_root(inst, to)
    if view.exists(new_root):
        raise UnknownInstallError(f"{new_root} already exists", "pick another --to version")
    known = list(known_links)
    src = view.realpath(inst.root)
    # the new install, relocated to its own root (see the module doc)
    changes: list[Change] = [Change("copy", new_root, src)]
    at = where(inst)
    if inst.installer == "homebrew":
        remove = (not homebrew_cleanup_deferred()) if remove_old is None else remove_old
        opt = os.path.join(inst.container, "opt", inst.name)
        changes.append(Change("link", opt, os.path.relpath(new_root, os.path.dirname(opt))))
        # `brew link`: every link of the keg's files in the prefix (bin/, lib/ libpython, ...)
        for sub in ("bin", "lib"):
            for link, tgt in _links_into(view, os.path.join(inst.container, sub), inst.root):
                changes.append(_relink(link, tgt, inst.root, new_root, absolute=False))
        for link, tgt in _known_links_into(view, known, inst.root):
            if inside(link, inst.container) and not inside(link, os.path.dirname(inst.root)):
                changes.append(_relink(link, tgt, inst.root, new_root, absolute=False))
        text = f"`brew upgrade {inst.name}`" + (
            " and `brew cleanup`" if remove else " with HOMEBREW_NO_INSTALL_CLEANUP (old keg kept)"
        )
    elif inst.installer == "uv":
        remove = False if remove_old is None else remove_old
        minor_link = _uv_minor_link(inst)
        has_minor = bool(inst.name) and inside(view.realpath(minor_link), src)
        if has_minor:
            changes.append(Change("link", minor_link, new_root))
        exe_name = f"python{inst.minor}"
        new_exe = (
            os.path.join(minor_link, "bin", exe_name)
            if has_minor
            else os.path.join(new_root, "bin", exe_name)
        )
        for link in _uv_bin_links(view, inst, known):
            if not (has_minor and inside(view.readlink_chain(link), minor_link)):
                changes.append(Change("link", link, new_exe))
        text = f"`uv python upgrade {inst.minor}`" + (
            f" and `uv python uninstall {inst.version}`" if remove else ""
        )
    elif inst.installer == "mise":
        remove = True if remove_old is None else remove_old
        minor_link = os.path.join(inst.container, inst.minor)
        if view.lnode(minor_link).kind == "link":
            changes.append(Change("link", minor_link, os.path.basename(new_root)))
        text = f"`mise upgrade python` ({inst.version} → {to}" + (
            f", removing {inst.version})" if remove else ")"
        )
    elif inst.installer == "pyenv":
        remove = True if remove_old is None else remove_old
        text = f"`pyenv install {to}`" + (
            f" and `pyenv uninstall {inst.version}`" if remove else ""
        )
    else:
        remove = True if remove_old is None else remove_old
        text = f"upgrading {inst.installer} {inst.version} to {to}"
    if remove:
        changes.append(Change("remove", inst.root))
    return _installer_event("patch-upgrade", f"{text} in {at}", changes, inst, new_root, remove)


def uninstall_event(inst: Install, *, view: View = REAL, known_links: Iterable[str] = ()) -> Event:
    """The installer removing `inst` (and the links it maintains into it)."""
    known = _known_that_matter(view, inst, known_links)
    key = ("uninstall_event", inst, known)
    return view.memoised(key, lambda: _uninstall_event(inst, view, known))


def _uninstall_event(inst: Install, view: View, known: tuple[str, ...]) -> Event:
    changes: list[Change] = [Change("remove", inst.root)]
    if inst.installer == "homebrew":
        opt = os.path.join(inst.container, "opt", inst.name)
        if inside(view.readlink_chain(opt), inst.root):
            changes.append(Change("remove", opt))
        for sub in ("bin", "lib"):
            for link, _ in _links_into(view, os.path.join(inst.container, sub), inst.root):
                changes.append(Change("remove", link))
        text = f"`brew uninstall {inst.name}`"
    elif inst.installer == "uv":
        minor_link = _uv_minor_link(inst)
        for link in _uv_bin_links(view, inst, known):
            changes.append(Change("remove", link))
        if inst.name and inside(view.realpath(minor_link), view.realpath(inst.root)):
            # uv re-points the minor link at the newest remaining patch of that minor
            others = sorted(
                (i for i in _siblings(view, inst) if i.root != inst.root),
                key=lambda i: tuple(int(x) for x in _VER.findall(i.version)[0]),
            )
            if others:
                changes.append(Change("link", minor_link, others[-1].root))
            else:
                changes.append(Change("remove", minor_link))
        text = f"`uv python uninstall {inst.version}`"
    elif inst.installer == "mise":
        minor_link = os.path.join(inst.container, inst.minor)
        if inside(view.readlink_chain(minor_link), inst.root):
            changes.append(Change("remove", minor_link))
        text = f"`mise uninstall python@{inst.version}`"
    elif inst.installer == "pyenv":
        text = f"`pyenv uninstall {inst.version}`"
    elif inst.installer == "asdf":
        text = f"`asdf uninstall python {inst.version}`"
    elif inst.installer == "nix":
        text = f"`nix-collect-garbage` once nothing roots {inst.name}"
    elif inst.installer == "conda":
        text = f"`conda clean --packages` removing {os.path.basename(inst.root)}"
    else:
        text = f"removing {inst.root}"
    return _installer_event("uninstall", f"{text} in {where(inst)}", changes, inst)


def _installer_event(
    kind: EventKind,
    text: str,
    changes: list[Change],
    inst: Install,
    new_root: str | None = None,
    removes_old: bool = True,
) -> Event:
    """An event the installer of `inst` performs; each change listed once, in order."""
    return Event(
        kind, text, tuple(dict.fromkeys(changes)), inst.root, inst.installer, new_root, removes_old
    )


def _siblings(view: View, inst: Install) -> list[Install]:
    """Installs of the same installer and minor version beside `inst`."""
    out: list[Install] = []
    parent = os.path.dirname(inst.root)
    for name in view.listdir(parent):
        other = find_install(os.path.join(parent, name))
        if (
            other is not None
            and other.installer == inst.installer
            and other.minor == inst.minor
            and other.name == inst.name
            and view.lnode(other.root).kind == "dir"
        ):
            out.append(other)
    return out


# --- Nix profiles ---------------------------------------------------------------------------

_GEN = re.compile(r"^(?P<name>.+)-(?P<n>\d+)-link$")
_MAX_ENV_ENTRIES = 4000


def _store_path(path: str) -> str | None:
    """The /nix/store/<hash>-<name> directory `path` lies in."""
    parts = os.path.normpath(path).split(os.sep)
    for i in range(1, len(parts) - 1):
        if parts[i - 1] == "nix" and parts[i] == "store":
            return os.sep.join(parts[: i + 2])
    return None


def nix_profile_of(view: View, inst: Install, known: Iterable[str]) -> tuple[str, str] | None:
    """(profile link, user environment) for a Nix profile through which one of `known` reaches
    `inst`: `~/.nix-profile -> …/profiles/profile -> profile-N-link -> /nix/store/<h>-user-
    environment`, whose links lead into the python store path."""
    for p in dict.fromkeys(known):
        d = os.path.normpath(p)
        while d != os.path.dirname(d):
            hop = d
            for _ in range(8):  # the profile's link hops
                tgt = _target_of(view, hop)
                if tgt is None:
                    break
                if _GEN.match(os.path.basename(tgt)):
                    env = _store_path(view.realpath(tgt))
                    if env is not None and env != inst.root:
                        return hop, env
                hop = tgt
            d = os.path.dirname(d)
    return None


def _env_links_into(view: View, root: str, into: str) -> list[tuple[str, str]]:
    """(path relative to `root`, target) of the links below `root` that lead into `into`."""
    out: list[tuple[str, str]] = []
    todo = [root]
    seen = 0
    while todo and seen < _MAX_ENV_ENTRIES:
        d = todo.pop()
        for name in view.listdir(d):
            seen += 1
            p = os.path.join(d, name)
            tgt = _target_of(view, p)
            if tgt is not None:
                if inside(tgt, into):
                    out.append((os.path.relpath(p, root), tgt))
            elif view.lnode(p).kind == "dir":
                todo.append(p)
    return out


def nix_upgrade_event(inst: Install, profile: str, user_env: str, *, view: View = REAL) -> Event:
    """A profile upgrade (`nix profile upgrade` / `nix-env -u`) then `nix-collect-garbage -d`:
    a new python store path (relocated) and a new user environment whose links lead to it,
    a new generation the profile link points at; GC deletes old generations and the store
    paths nothing roots any more (the old python and the old user environment)."""
    gen_link = _target_of(view, profile) or ""
    m = _GEN.match(os.path.basename(gen_link))
    if m is None:
        raise UnknownInstallError(f"{profile} is not a Nix profile link")
    to = bump_patch(inst.version)
    store = inst.container
    new_root = os.path.join(store, "0" * 32 + "-" + inst.name.replace(inst.version, to))
    new_env = os.path.join(store, "1" * 32 + "-" + os.path.basename(user_env)[33:])
    changes: list[Change] = [
        Change("copy", new_root, view.realpath(inst.root)),
        Change("copy", new_env, view.realpath(user_env)),
    ]
    for rel, tgt in _env_links_into(view, view.realpath(user_env), inst.root):
        changes.append(
            Change("link", os.path.join(new_env, rel), _rebase(tgt, inst.root, new_root))
        )
    new_gen = os.path.join(os.path.dirname(gen_link), f"{m['name']}-{int(m['n']) + 1}-link")
    changes.append(Change("link", new_gen, new_env))
    changes.append(Change("link", profile, os.path.basename(new_gen)))
    changes.extend(Change("remove", p) for p in (gen_link, view.realpath(user_env), inst.root))
    text = f"a Nix profile upgrade ({inst.name} → {to}) and `nix-collect-garbage -d` in {store}"
    return Event("patch-upgrade", text, tuple(dict.fromkeys(changes)), inst.root, "nix", new_root)


# --- unversioned aliases ----------------------------------------------------------------------


def installer_alias(alias: str, view: View = REAL) -> str | None:
    """Which installer re-points the unversioned `alias` at another minor version: "system"
    for a distribution's bin dir (`/usr/bin`, `/bin`, `<root>/usr/bin`), "homebrew" for
    `<prefix>/bin/python3` linked from a keg (the default formula), "conda" for a conda prefix
    (`conda install python=X.Y` replaces the interpreter in place); None when no installer
    does (the alias lives in a self-contained tree or is a link the user made)."""
    alias = os.path.normpath(alias)
    directory = os.path.dirname(alias)
    if directory in ("/usr/bin", "/bin") or os.path.basename(os.path.dirname(directory)) == "usr":
        return "system"
    if view.isdir(os.path.join(os.path.dirname(directory), "conda-meta")):
        return "conda"
    if os.path.basename(directory) == "bin":
        tgt = _target_of(view, alias)
        inst = find_install(tgt) if tgt else None
        if (
            inst is not None
            and inst.installer == "homebrew"
            and os.path.dirname(directory) == inst.container
        ):
            return "homebrew"
    return None


def repoint_event(alias: str, *, view: View = REAL) -> Event | None:
    """An installer re-pointing the unversioned `alias` at the next minor version (a
    distribution upgrade, a new default Homebrew formula); None when the alias's minor cannot be
    told or no installer owns the alias (see `installer_alias`)."""
    return view.memoised(("repoint_event", alias), lambda: _repoint_event(alias, view))


def _repoint_event(alias: str, view: View) -> Event | None:
    owner = installer_alias(alias, view)
    if owner is None:
        return None
    current = exe_minor(view.readlink_chain(alias))
    if current is None:
        return None
    major, minor = current.split(".")
    nxt = f"{major}.{int(minor) + 1}"
    directory = os.path.dirname(alias)
    new_exe = os.path.join(directory, f"python{nxt}")
    changes: list[Change] = [Change("link", alias, f"python{nxt}")]
    if not view.exists(new_exe):
        changes.append(Change("file", new_exe))
        # the new minor's stdlib comes with it, beside the old one
        prefix = search_up(view, directory, current) or os.path.dirname(directory)
        if not landmark(view, prefix, nxt):
            stdlib = os.path.join(prefix, "lib", f"python{nxt}")
            missing: list[str] = []
            d = stdlib
            while not view.exists(d) and d != os.path.dirname(d):
                missing.append(d)
                d = os.path.dirname(d)
            changes.extend(Change("dir", m) for m in reversed(missing))
            changes.append(Change("file", os.path.join(stdlib, "os.py")))
    if owner == "conda":
        # the old minor's package is unlinked: its binary and its stdlib go
        prefix = os.path.dirname(directory)
        old_exe = os.path.join(directory, f"python{current}")
        changes.append(Change("remove", os.path.join(prefix, "lib", f"python{current}")))
        if view.readlink_chain(alias) == old_exe or view.lnode(old_exe).kind == "file":
            changes.append(Change("remove", old_exe))
        text = f"`conda install python={nxt}` in {prefix}"
    elif owner == "system":
        text = f"a distribution upgrade re-points {alias} to python{nxt}"
    else:
        text = f"`python@{nxt}` becomes Homebrew's default and re-points {alias}"
    return Event("minor-upgrade", text, tuple(changes), alias, owner)


# --- links the user owns ----------------------------------------------------------------------


_INSTALLER_LINKS = ("Homebrew opt link", "uv minor-version link", "mise minor-version link")


def _installer_link(link: str, view: View) -> bool:
    """A link some installer maintains (it follows that installer's upgrades by itself)."""
    st = classify_path(link)
    if st.kind == "stable" and st.reason.startswith(_INSTALLER_LINKS):
        return True
    if installer_alias(link, view) is not None:
        return True
    directory = os.path.dirname(link)
    tgt = _target_of(view, link)
    inst = find_install(view.realpath(link)) or (find_install(tgt) if tgt else None)
    if inst is not None and inst.installer == "homebrew" and inside(directory, inst.container):
        return True  # `brew link`
    if inst is not None and inst.installer == "uv" and directory == uv_bin_dir():
        return True  # uv's executables dir
    parts = link.split(os.sep)
    return "profiles" in parts or any(p.startswith(".nix-profile") for p in parts)


def user_links(view: View, paths: Iterable[str], env_dir: str) -> list[str]:
    """Links along `paths` (file links and symlinked directory components) that no installer
    maintains: the user made them, and only the user re-points them."""
    out: list[str] = []
    for path in paths:
        path = os.path.normpath(path)
        if inside(path, env_dir):
            continue  # each of its components is in the env or above it: none is kept
        for c in _unowned_links_on(view, path):
            if not (inside(c, env_dir) or c in out or inside(env_dir, c)):
                out.append(c)
    return out


def _unowned_links_on(view: View, path: str) -> tuple[str, ...]:
    """The components of `path` (root first) that are links no installer maintains and that
    sit in no env (every env of a snapshot passing there shares the answer for the parent)."""

    def step(p: str, above: tuple[str, ...]) -> tuple[str, ...]:
        here = (
            view.lnode(p).kind == "link"
            and find_install(p) is None
            and not _in_env(view, p)
            and not _installer_link(p, view)
            and not _own_alias(view, p)
        )
        return above + ((p,) if here else ())

    return fold_ancestors(view, "unowned_links_on", path, step, ())


def _own_alias(view: View, link: str) -> bool:
    """An install's own alias (`bin/python3 -> python3.12`, made by `make install`): a target
    in the same directory, inside a tree holding its stdlib."""
    node = view.lnode(link)
    if node.target is None or os.sep in node.target:
        return False
    minor = exe_minor(view.readlink_chain(link))
    return (
        minor is not None
        and search_up(view, os.path.dirname(view.realpath(link)), minor) is not None
    )


def _link_install(view: View, link: str) -> tuple[str, str] | None:
    """(install root, minor) the link `link` leads to: the directory it names when that holds a
    stdlib, else the prefix above the executable it reaches."""
    real = view.realpath(link)
    if view.isdir(real):
        for name in view.listdir(os.path.join(real, "lib")):
            m = re.fullmatch(r"python(\d+\.\d+)t?", name)
            if m and landmark(view, real, m[1]):
                return real, m[1]
        return None
    minor = exe_minor(real) or exe_minor(view.readlink_chain(link))
    if minor is None:
        return None
    root = search_up(view, os.path.dirname(real), minor)
    return (root, minor) if root else None


def user_repoint_event(link: str, *, view: View = REAL) -> Event | None:
    """The user re-points their `link` at a new install of the same minor version, laid down
    beside the one it leads to now, and removes the old install (a hand-made patch upgrade)."""
    return view.memoised(("user_repoint_event", link), lambda: _user_repoint_event(link, view))


def _user_repoint_event(link: str, view: View) -> Event | None:
    found = _link_install(view, link)
    if found is None:
        return None
    old_root, minor = found
    if shared_prefix(old_root):
        return None  # a distribution's prefix: not replaced by hand
    base = os.path.basename(old_root)
    m = re.search(r"\d+\.\d+\.(\d+)", base)
    new_label, new_root = base, old_root
    for step in range(1, 100):  # the next free name beside it
        new_label = (
            base[: m.start(1)] + str(int(m[1]) + step) + base[m.end(1) :]
            if m
            else f"{base}-new{step}"
        )
        new_root = os.path.join(os.path.dirname(old_root), new_label)
        if view.lnode(new_root).kind == "missing":
            break
    tgt = _target_of(view, link)
    if tgt is None:
        return None
    real_tgt = view.realpath(tgt)
    new_tgt = _rebase(real_tgt, old_root, new_root) if inside(real_tgt, old_root) else new_root
    changes = (
        Change("copy", new_root, old_root),
        Change("link", link, new_tgt),
        Change("remove", old_root),
    )
    text = (
        f"re-pointing your link {link} to a new {minor} install ({new_label}) and removing "
        f"{old_root}"
    )
    return Event("repoint", text, changes, link, "user", new_root, True)


def repoint_to_event(link: str, to: str, *, view: View = REAL, remove_old: bool = False) -> Event:
    """`link` re-pointed at `to` (as typed: relative to the link's directory unless absolute),
    and with `remove_old` the install it leads to now removed (in a shared prefix such as
    /usr: its binary, the aliases to it and its lib/pythonX.Y, as a package manager does)."""
    link = os.path.normpath(os.path.abspath(link))
    if view.lnode(link).kind != "link":
        raise UnknownInstallError(
            f"{link} is not a symbolic link", "give the link to re-point (ls -l shows `->`)"
        )
    new = to if os.path.isabs(to) else os.path.join(os.path.dirname(link), to)
    if not view.exists(new):
        raise UnknownInstallError(
            f"{os.path.normpath(new)} does not exist", "--to must name an existing path"
        )
    changes: list[Change] = [Change("link", link, to)]
    text = f"re-pointing {link} to {to}"
    if remove_old:
        found = _link_install(view, link)
        if found is None:
            raise UnknownInstallError(
                f"cannot tell which install {link} leads to now",
                "leave out --remove-old, or ask `venvtui whatif remove` separately",
            )
        old_root, minor = found
        real = view.realpath(link)
        gone = real if shared_prefix(old_root) else old_root
        if inside(view.realpath(new), gone):
            raise UnknownInstallError(
                f"{to} is inside {gone}, which --remove-old would remove",
                "re-point to another install",
            )
        if shared_prefix(old_root):
            sys_ev = system_uninstall_event(real, old_root, minor, view=view)
            changes.extend(c for c in sys_ev.changes if c.path != link)
            text += f" and uninstalling python{minor} from {old_root}"
        else:
            changes.append(Change("remove", old_root))
            text += f" and removing {old_root}"
    return Event("repoint", text, tuple(changes), link, "user", None, remove_old)


# --- facts of the binary an event leaves ------------------------------------------------------


def facts_after(view: View, python: str | None, before: Runtime) -> Runtime | None:
    """The base facts of the binary `python` reaches in `view`, when they follow from
    `before`: the same binary (unchanged), or an installer's relocated copy of it (its
    compiled-in PREFIX rebased the way `elfdeps.relocation` rebases RUNPATH: a keg is configured
    with `--prefix=<keg>`; a standalone build keeps `/install`). None when the event leaves
    another binary, whose facts only probing it tells."""
    if python is None:
        return before
    real_now = REAL.realpath(python)
    real_after = view.realpath(python)
    if real_after == real_now:
        return before
    source = view.source_of(real_after)
    if source is None or source == real_after:
        return None
    if os.path.realpath(source) != os.path.realpath(real_now):
        return None
    moved = relocation(real_after, source)
    pfx = before.compiled_prefix
    if moved is not None and pfx and inside(os.path.realpath(pfx), moved[0]):
        pfx = _rebase(os.path.realpath(pfx), moved[0], moved[1])
    return dataclasses.replace(before, compiled_prefix=pfx, binary=real_after)


SHARED_PREFIXES = ("/", "/usr", "/usr/local", "/opt/local")


def shared_prefix(prefix: str) -> bool:
    """A prefix many packages share (a distribution's /usr): removing one Python from it
    removes its files, not the prefix."""
    prefix = os.path.normpath(prefix)
    return prefix in SHARED_PREFIXES or os.path.basename(prefix) in ("usr", "local")


def system_uninstall_event(exe: str, prefix: str, minor: str, *, view: View = REAL) -> Event:
    """A package manager removing python<minor> from a shared prefix: the binary, the
    aliases in its directory that lead to it, and lib/python<minor>."""
    exe = os.path.normpath(exe)
    directory = os.path.dirname(exe)
    changes: list[Change] = [Change("remove", exe)]
    for name in view.listdir(directory):
        p = os.path.join(directory, name)
        if p != exe and view.lnode(p).kind == "link" and view.readlink_chain(p) == exe:
            changes.append(Change("remove", p))
    changes.append(Change("remove", os.path.join(prefix, "lib", f"python{minor}")))
    text = f"uninstalling python{minor} from {prefix} (its binary, aliases and lib/python{minor})"
    return Event("uninstall", text, tuple(changes), exe, "system")


def env_delete_event(env_dir: str) -> Event:
    return Event(
        "env-delete",
        f"deleting the parent environment {env_dir}",
        (Change("remove", env_dir),),
        env_dir,
        "venv",
    )


def remove_path_event(path: str) -> Event:
    return Event("remove", f"removing {path}", (Change("remove", path),), path)


def install_for(path: str, view: View = REAL) -> Install | None:
    """The version-stamped install an install dir or executable belongs to."""
    p = os.path.normpath(os.path.abspath(path))
    inst = find_install(p)
    if inst is None and view.exists(p):
        inst = find_install(view.realpath(p))
    return inst
