"""Installer events as filesystem changes: what each installer really does to the paths on an
upgrade or an uninstall, expressed as `overlay.Change`s (never applied to the disk).

- Homebrew `brew upgrade <formula>`: a new keg `Cellar/<formula>/<new>`, `opt/<formula>` and
  the `<prefix>/bin` links re-pointed at it (`Keg#link`, `Formula#opt_prefix`); `brew cleanup`
  (automatic after an upgrade unless HOMEBREW_NO_INSTALL_CLEANUP is set) removes the old keg.
  `brew uninstall`: the keg, `opt/<formula>` and the bin links go.
- pyenv: `pyenv install X.Y.Z'` adds `versions/X.Y.Z'` and touches nothing else;
  `pyenv uninstall X.Y.Z` removes `versions/X.Y.Z`.
- uv: `uv python upgrade X.Y` installs `cpython-X.Y.Z'-<plat>` and re-points the
  `cpython-X.Y-<plat>` minor link (absolute target) and the `~/.local/bin/pythonX.Y` links it
  manages; the old patch install stays until `uv python uninstall X.Y.Z`.
- mise: `mise upgrade python` installs `installs/python/X.Y.Z'`, re-points the `X.Y` runtime
  link (relative) and uninstalls the old version.
- asdf, nix, conda: the versioned dir is removed (`asdf uninstall`, `nix-collect-garbage`
  after an upgrade, `conda clean`).
- An unversioned `python3` alias (Debian `/usr/bin/python3`, Homebrew's default formula) is
  re-pointed at the next minor version by a distribution upgrade / a new default formula.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from venvtui.core.errors import VenvtuiError
from venvtui.core.overlay import REAL, Change, Overlay, View, landmark, search_up
from venvtui.core.stability import Install, exe_minor, find_install

EventKind = Literal["patch-upgrade", "minor-upgrade", "uninstall", "env-delete", "remove"]


@dataclass(frozen=True, slots=True)
class Event:
    kind: EventKind
    text: str  # the command or happening, e.g. "`brew upgrade python@3.12` and `brew cleanup`"
    changes: tuple[Change, ...]
    target: str  # the install root, alias or env the event is about
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


def _minor(version: str) -> str:
    m = _VER.match(version)
    return f"{m[1]}.{m[2]}" if m else ""


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _rebase(path: str, old: str, new: str) -> str:
    return os.path.join(new, os.path.relpath(path, old)) if path != old else new


def _links_into(view: View, directory: str, root: str) -> list[tuple[str, str]]:
    """(link, immediate target path) for the links in `directory` whose target is in `root`."""
    out: list[tuple[str, str]] = []
    for name in view.listdir(directory):
        p = os.path.join(directory, name)
        node = view.lnode(p)
        if node.kind == "link" and node.target is not None:
            tgt = os.path.normpath(
                node.target if os.path.isabs(node.target) else os.path.join(directory, node.target)
            )
            if _inside(tgt, root):
                out.append((p, tgt))
    return out


def _known_links_into(view: View, known: Iterable[str], root: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for p in dict.fromkeys(known):
        if _inside(p, root) or _in_env(view, p):
            continue
        node = view.lnode(p)
        if node.kind == "link" and node.target is not None:
            tgt = os.path.normpath(
                node.target
                if os.path.isabs(node.target)
                else os.path.join(os.path.dirname(p), node.target)
            )
            if _inside(tgt, root):
                out.append((p, tgt))
    return out


def _in_env(view: View, link: str) -> bool:
    """A link inside a virtual environment (installers never touch those)."""
    d = os.path.dirname(link)
    return view.isfile(os.path.join(d, "pyvenv.cfg")) or view.isfile(
        os.path.join(os.path.dirname(d), "pyvenv.cfg")
    )


def _relink(link: str, old_target: str, inst: Install, new_root: str, absolute: bool) -> Change:
    new_target = _rebase(old_target, inst.root, new_root)
    raw = new_target if absolute else os.path.relpath(new_target, os.path.dirname(link))
    return Change("link", link, raw)


def _renamed_root(inst: Install, to: str) -> str:
    label = os.path.basename(inst.root)
    new_label = label.replace(f"-{inst.version}-", f"-{to}-", 1) if inst.installer == "uv" else to
    return os.path.join(os.path.dirname(inst.root), new_label)


def upgrade_event(
    inst: Install,
    to: str | None = None,
    *,
    view: View = REAL,
    remove_old: bool | None = None,
    known_links: Iterable[str] = (),
) -> Event:
    """The installer's patch upgrade of `inst` to `to` (default: the next patch)."""
    to = to or bump_patch(inst.version)
    if not _VER.match(to):
        raise UnknownInstallError(f"not a version: {to!r}", "give the new version as X.Y.Z")
    if _minor(to) != inst.minor:
        raise UnknownInstallError(
            f"{to} is not a patch upgrade of {inst.version}",
            "a patch upgrade keeps X.Y; a minor upgrade is a new install beside the old one",
        )
    new_root = _renamed_root(inst, to)
    if view.exists(new_root):
        raise UnknownInstallError(f"{new_root} already exists", "pick another --to version")
    src = view.realpath(inst.root)
    changes: list[Change] = [Change("copy", new_root, src)]
    if inst.installer == "homebrew":
        remove = True if remove_old is None else remove_old
        opt = os.path.join(inst.container, "opt", inst.name)
        changes.append(Change("link", opt, os.path.relpath(new_root, os.path.dirname(opt))))
        for link, tgt in _links_into(view, os.path.join(inst.container, "bin"), inst.root):
            changes.append(_relink(link, tgt, inst, new_root, absolute=False))
        for link, tgt in _known_links_into(view, known_links, inst.root):
            if _inside(link, inst.container) and not _inside(link, os.path.dirname(inst.root)):
                changes.append(_relink(link, tgt, inst, new_root, absolute=False))
        text = f"`brew upgrade {inst.name}`" + (" and `brew cleanup`" if remove else "")
    elif inst.installer == "uv":
        remove = False if remove_old is None else remove_old
        minor_link = os.path.join(
            inst.container, f"cpython-{inst.minor}-{inst.name}" if inst.name else ""
        )
        if (
            inst.name
            and view.lnode(minor_link).kind == "link"
            and _inside(view.readlink_chain(minor_link), inst.root)
        ):
            changes.append(Change("link", minor_link, new_root))
        for link, tgt in _known_links_into(view, known_links, inst.root):
            if not _inside(link, inst.container):
                changes.append(_relink(link, tgt, inst, new_root, absolute=True))
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
    return Event(
        "patch-upgrade",
        text,
        tuple(dict.fromkeys(changes)),
        inst.root,
        inst.installer,
        new_root,
        remove,
    )


def uninstall_event(inst: Install, *, view: View = REAL, known_links: Iterable[str] = ()) -> Event:
    """The installer removing `inst` (and the links it maintains into it)."""
    changes: list[Change] = [Change("remove", inst.root)]
    if inst.installer == "homebrew":
        opt = os.path.join(inst.container, "opt", inst.name)
        if _inside(view.readlink_chain(opt), inst.root):
            changes.append(Change("remove", opt))
        for link, _ in _links_into(view, os.path.join(inst.container, "bin"), inst.root):
            changes.append(Change("remove", link))
        text = f"`brew uninstall {inst.name}`"
    elif inst.installer == "uv":
        minor_link = os.path.join(inst.container, f"cpython-{inst.minor}-{inst.name}")
        if inst.name and _inside(view.readlink_chain(minor_link), inst.root):
            changes.append(Change("remove", minor_link))
        for link, _ in _known_links_into(view, known_links, inst.root):
            if not _inside(link, inst.container):
                changes.append(Change("remove", link))
        text = f"`uv python uninstall {inst.version}`"
    elif inst.installer == "mise":
        minor_link = os.path.join(inst.container, inst.minor)
        if _inside(view.readlink_chain(minor_link), inst.root):
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
    return Event("uninstall", text, tuple(dict.fromkeys(changes)), inst.root, inst.installer)


def repoint_event(alias: str, *, view: View = REAL) -> Event | None:
    """A distribution upgrade (or a new default formula) re-pointing the unversioned `alias`
    at the next minor version; None when the alias's current minor cannot be told."""
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
    inst = find_install(alias)
    if os.path.basename(os.path.dirname(directory)) == "usr" or directory == "/bin":
        text = f"a distribution upgrade re-points {alias} to python{nxt}"
    elif inst is None and os.path.isdir(os.path.join(os.path.dirname(directory), "Cellar")):
        text = f"`python@{nxt}` becomes Homebrew's default and re-points {alias}"
    else:
        text = f"{alias} is re-pointed to python{nxt}"
    return Event("minor-upgrade", text, tuple(changes), alias, "system")


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
