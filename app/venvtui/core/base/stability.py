"""Which paths survive an upgrade: version-stamped install dirs versus stable aliases.

`classify_path` reads the path's components lexically (it never touches the disk):

- fragile (removed or renamed by the installer's next patch upgrade or uninstall):
  Homebrew `Cellar/<formula>/<X.Y.Z[_N]>`, pyenv `versions/X.Y.Z`, uv `cpython-X.Y.Z-<plat>`,
  mise/asdf `installs/python/X.Y.Z`, `/nix/store/<hash>-python…`, conda `pkgs/python-X.Y.Z-…`;
- stable: Homebrew `opt/<formula>` and `<prefix>/bin/pythonX.Y`, uv's `cpython-X.Y-<plat>` and
  mise's `installs/python/X.Y` minor links, `/usr/bin`, `/usr/local/bin`, `/bin`, macOS
  `Python.framework/Versions/X.Y` (stable within a minor version);
- drift-risk: an unversioned `python3`/`python` alias outside an install's own tree, which a
  distribution upgrade or a new default formula re-points to the next minor version.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from typing import Any, Literal

from venvtui.core.base.models import exe_minor

Installer = Literal["homebrew", "pyenv", "uv", "mise", "asdf", "nix", "conda", "system"]
StabilityKind = Literal["fragile", "stable", "drift-risk", "neutral"]

# Pattern strings, compiled (by re's cache) on first use: most callers need a few of them.
_VERSION = r"(?P<version>(?P<minor>\d+\.\d+)\.\d+(?:[._-]?(?:a|b|rc)\d+)?t?)"
_BREW_VERSION = rf"^{_VERSION}(?:_\d+)?$"
_PLAIN_VERSION = rf"^{_VERSION}$"
_MINOR = r"^(?P<minor>\d+\.\d+)t?$"
_UV_PATCH = rf"^(?P<impl>cpython|pypy|graalpy)-{_VERSION}(?:\+\w+)?-(?P<plat>.+)$"
_UV_IMPLS = ("cpython-", "pypy-", "graalpy-")  # what _UV_PATCH starts with
_UV_MINOR = r"^(?P<impl>cpython|pypy|graalpy)-(?P<minor>\d+\.\d+)t?-(?P<plat>.+)$"
_NIX = r"^[0-9a-z]{32}-(?P<name>.+)$"
_CONDA_PKG = rf"^python-{_VERSION}-.+$"
_UNVERSIONED = r"^(python|python3|pypy3?)$"

STABLE_SYSTEM_DIRS = ("/usr/bin", "/usr/local/bin", "/bin")


@dataclass(frozen=True, slots=True)
class Install:
    """A version-stamped installation an installer owns.

    `root` is the versioned directory (keg, `versions/X.Y.Z`, `cpython-X.Y.Z-<plat>`, ...);
    `container` the directory the installer keeps its installs in (the Homebrew prefix, the
    pyenv root, the uv python dir, mise's `installs/python`); `name` the formula (Homebrew),
    the platform tag (uv) or the store name (nix).
    """

    installer: Installer
    root: str
    version: str
    minor: str
    container: str
    name: str = ""

    @property
    def label(self) -> str:
        return os.path.basename(self.root)

    def to_json(self) -> dict[str, Any]:
        return {
            "installer": self.installer,
            "root": self.root,
            "version": self.version,
            "minor": self.minor,
            "container": self.container,
            "name": self.name,
        }


@dataclass(frozen=True, slots=True)
class Stability:
    path: str
    kind: StabilityKind
    reason: str
    install: Install | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "stability": self.kind,
            "reason": self.reason,
            "install": self.install.to_json() if self.install else None,
        }


def _parts(path: str) -> list[str]:
    return [p for p in os.path.normpath(os.path.abspath(path)).split(os.sep) if p]


def _join(parts: list[str]) -> str:
    return os.sep + os.sep.join(parts)


def find_install(path: str) -> Install | None:
    """The version-stamped install `path` lies in (or is), read from its components."""
    return _find_install(os.path.abspath(path))


@functools.lru_cache(maxsize=8192)  # lexical: the same answer for the same path, always
def _find_install(path: str) -> Install | None:
    parts = _parts(path)
    for i, comp in enumerate(parts):
        nxt = parts[i + 1] if i + 1 < len(parts) else None
        nxt2 = parts[i + 2] if i + 2 < len(parts) else None
        # Homebrew: <prefix>/Cellar/<formula>/<version>[_<revision>]
        if comp == "Cellar" and nxt and nxt2 and nxt.startswith("python"):
            m = re.match(_BREW_VERSION, nxt2)
            if m:
                return Install(
                    "homebrew",
                    _join(parts[: i + 3]),
                    nxt2,
                    m["minor"],
                    _join(parts[:i]),
                    nxt,
                )
        # pyenv: <root>/versions/X.Y.Z (pyenv-virtualenv envs sit below, in envs/)
        if comp == "versions" and nxt and i > 0 and parts[i - 1] != "Python.framework":
            m = re.match(_PLAIN_VERSION, nxt)
            if m:
                return Install("pyenv", _join(parts[: i + 2]), nxt, m["minor"], _join(parts[:i]))
        # uv: <uv python dir>/cpython-X.Y.Z-<platform>
        m = re.match(_UV_PATCH, comp) if comp.startswith(_UV_IMPLS) else None
        if m:
            return Install(
                "uv", _join(parts[: i + 1]), m["version"], m["minor"], _join(parts[:i]), m["plat"]
            )
        # mise / asdf: installs/python/X.Y.Z
        if comp == "installs" and nxt == "python" and nxt2:
            m = re.match(_PLAIN_VERSION, nxt2)
            if m:
                installer: Installer = "asdf" if ".asdf" in parts[:i] else "mise"
                return Install(
                    installer, _join(parts[: i + 3]), nxt2, m["minor"], _join(parts[: i + 2])
                )
        # nix: /nix/store/<hash>-python3-X.Y.Z
        if comp == "store" and i > 0 and parts[i - 1] == "nix" and nxt:
            m = re.match(_NIX, nxt)
            if m and "python" in m["name"]:
                vm = re.search(_VERSION, m["name"])
                if vm:
                    return Install(
                        "nix",
                        _join(parts[: i + 2]),
                        vm["version"],
                        vm["minor"],
                        _join(parts[: i + 1]),
                        m["name"],
                    )
        # conda package cache: <conda>/pkgs/python-X.Y.Z-<build>
        if comp == "pkgs" and nxt:
            m = re.match(_CONDA_PKG, nxt)
            if m:
                return Install(
                    "conda", _join(parts[: i + 2]), m["version"], m["minor"], _join(parts[: i + 1])
                )
    return None


def classify_path(path: str) -> Stability:
    """Is `path` stable across the installer's next upgrade? (lexical; see module doc)."""
    return _classify(os.path.normpath(os.path.abspath(path)))


@functools.lru_cache(maxsize=8192)
def _classify(path: str) -> Stability:
    inst = find_install(path)
    if inst is not None:
        what = {
            "homebrew": f"Homebrew keg {inst.name} {inst.version}: `brew cleanup` removes it after an upgrade",
            "pyenv": f"pyenv version dir {inst.version}: gone on `pyenv uninstall {inst.version}`",
            "uv": f"uv patch install {inst.label}: gone on `uv python uninstall {inst.version}`",
            "mise": f"mise install {inst.version}: replaced on `mise upgrade python`",
            "asdf": f"asdf install {inst.version}: gone on `asdf uninstall python {inst.version}`",
            "nix": f"nix store path {inst.name}: gone after an upgrade and garbage collection",
            "conda": f"conda package cache entry {inst.label}: gone on `conda clean`",
        }.get(inst.installer, "version-stamped install directory")
        return Stability(path, "fragile", what, inst)
    parts = _parts(path)
    name = parts[-1] if parts else ""
    for i, comp in enumerate(parts):
        nxt = parts[i + 1] if i + 1 < len(parts) else None
        if comp == "opt" and nxt and nxt.startswith("python"):
            return Stability(path, "stable", f"Homebrew opt link {nxt}: re-pointed on upgrade")
        m = re.match(_UV_MINOR, comp)
        if m:
            return Stability(
                path, "stable", f"uv minor-version link {comp}: follows `uv python upgrade`"
            )
        if (
            comp == "installs"
            and nxt == "python"
            and i + 2 < len(parts)
            and re.match(_MINOR, parts[i + 2])
        ):
            return Stability(
                path, "stable", f"mise minor-version link {parts[i + 2]}: follows upgrades"
            )
        if comp == "Versions" and i > 0 and parts[i - 1] == "Python.framework":
            return Stability(path, "stable", "framework Versions/X.Y: patch upgrades are in place")
    if re.match(_UNVERSIONED, name):
        return Stability(
            path,
            "drift-risk",
            f"unversioned `{name}`: re-pointed to the next minor version by a distribution "
            "upgrade or a new default formula",
        )
    directory = os.path.dirname(path)
    if directory in STABLE_SYSTEM_DIRS or path in STABLE_SYSTEM_DIRS:
        return Stability(path, "stable", "system path: patch upgrades are in place")
    if len(parts) >= 2 and parts[-2] == "bin" and exe_minor(name) is not None:
        return Stability(path, "stable", f"versioned alias {name}: re-pointed within the minor")
    return Stability(path, "neutral", "not owned by a known installer")


def version_stamped(path: str, version: str | None = None) -> bool:
    """A component of `path` carries a full X.Y.Z version (`version` itself when given), as
    Homebrew's `Cellar/<f>/X.Y.Z`, pyenv's `versions/X.Y.Z`, uv's `cpython-X.Y.Z-<plat>` and
    mise's `installs/python/X.Y.Z` do: the next patch upgrade (or cleanup) removes it. Lexical
    and broader than `find_install`: a custom prefix named for its patch version counts too."""
    full = re.escape(version) if version else r"\d+\.\d+\.\d+"
    pat = re.compile(rf"(^|[^\d.]){full}([^\d]|$)")
    return any(pat.search(part) for part in path.split(os.sep))


def unversioned_alias(path: str) -> bool:
    return bool(re.match(_UNVERSIONED, os.path.basename(path)))
