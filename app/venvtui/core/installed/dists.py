"""What an environment has installed, read from its files without running it: distributions
(`*.dist-info`), what each one put at the top of site-packages, and what belongs to none.

Everything read here comes from an environment that may be broken or hostile: files are read
through `safe_io` (regular files only, capped), and a distribution's name and version become an
installer argument only once they are valid by the packaging specifications (PEP 508 names,
PEP 440 versions; `packaging` decides). A dist-info named `--prefix=/elsewhere` is skipped with a
warning, never passed to pip or uv.
"""

from __future__ import annotations

import glob
import os
import re
import urllib.parse
from dataclasses import dataclass

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from venvtui.core.base import safe_io
from venvtui.core.base.paths import safe_name

METADATA_LIMIT = 1 << 20
RECORD_LIMIT = 16 << 20
# PEP 508 "names": letters/digits, with . _ - inside; never an option.
_NAME = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)
# Written by creators, not by any distribution: not "loose" content.
CREATOR_FILES = frozenset({"_virtualenv.py", "_virtualenv.pth", "__pycache__", "README.txt"})
SEED_PACKAGES = frozenset({"pip", "setuptools", "wheel"})  # what ensurepip / virtualenv seed


@dataclass(frozen=True, slots=True)
class Dist:
    """An installed distribution, read from its `.dist-info` directory."""

    name: str
    version: str
    editable: str | None = None  # the source directory of an editable install (PEP 610)
    local: str | None = None  # the local archive or directory it was installed from (PEP 610)
    installer: str | None = None  # the tool that installed it (the INSTALLER file, PEP 376)

    @property
    def requirement(self) -> str:
        return f"{self.name}=={self.version}"

    @property
    def is_seed(self) -> bool:
        return canonicalize_name(self.name) in SEED_PACKAGES

    def requirement_line(self, *, pin: bool = True) -> str:
        """One line of a requirements file: editable from its source, from the local archive
        or directory it came from when that still exists, else name==version (or the bare name
        when not pinned). Paths are written as file: URLs, so no line is ever an option."""
        if self.editable:
            return f"-e {_file_url(self.editable)}"
        if self.local and os.path.exists(self.local):
            return f"{self.name} @ {_file_url(self.local)}"
        return self.requirement if pin else self.name


@dataclass(frozen=True, slots=True)
class DistScan:
    """The distributions of one site-packages, what was skipped and why, and the entries that
    belong to no distribution (loose modules, .pth files, legacy egg installs)."""

    dists: tuple[Dist, ...]
    skipped: tuple[str, ...] = ()
    loose: tuple[str, ...] = ()


def _file_url(path: str) -> str:
    return "file://" + urllib.parse.quote(os.path.abspath(path))


def valid_name(name: str) -> bool:
    return bool(_NAME.match(name))


def valid_version(version: str) -> bool:
    try:
        Version(version)
    except InvalidVersion:
        return False
    return True


def site_packages(env_dir: str, minor: str) -> str:
    return os.path.join(env_dir, "lib", f"python{minor}", "site-packages")


def _read(path: str, limit: int) -> str | None:
    try:
        return safe_io.read_text(path, limit=limit, follow_symlinks=False)
    except (OSError, ValueError):
        return None


def _headers(text: str) -> tuple[str | None, str | None]:
    """Name and Version from the METADATA headers (RFC 822 style, up to the first blank)."""
    name = version = None
    for line in text.splitlines():
        if not line.strip():
            break
        key, _, value = line.partition(":")
        if key.lower() == "name" and name is None:
            name = value.strip()
        elif key.lower() == "version" and version is None:
            version = value.strip()
    return name, version


def _direct(info: str) -> tuple[str | None, str | None]:
    """PEP 610 direct_url.json: (editable source, local archive or directory) for file: URLs."""
    text = _read(os.path.join(info, "direct_url.json"), METADATA_LIMIT)
    if text is None:
        return None, None
    try:
        data = safe_io.loads_json(text)
    except ValueError:
        return None, None
    if not isinstance(data, dict) or "vcs_info" in data:
        return None, None
    url = data.get("url")
    if not isinstance(url, str) or not url.startswith("file://"):
        return None, None
    path = urllib.parse.unquote(urllib.parse.urlsplit(url).path)
    if not os.path.isabs(path) or any(not c.isprintable() for c in path):
        return None, None
    dir_info = data.get("dir_info")
    if isinstance(dir_info, dict) and dir_info.get("editable"):
        return path, None
    return None, path


def _record_tops(info: str) -> set[str]:
    """First path components (relative to site-packages) listed in RECORD."""
    text = _read(os.path.join(info, "RECORD"), RECORD_LIMIT)
    tops: set[str] = set()
    for line in (text or "").splitlines():
        rel = line.split(",", 1)[0].strip().strip('"')
        if rel and not rel.startswith(("..", "/")):
            tops.add(rel.replace("\\", "/").split("/", 1)[0])
    return tops


def _dist_at(info: str) -> Dist | str:
    """The distribution a `.dist-info` directory records, or why it is skipped."""
    base = os.path.basename(info)
    text = _read(os.path.join(info, "METADATA"), METADATA_LIMIT)
    name, version = _headers(text) if text is not None else (None, None)
    if not name or not version:  # the directory name: name-version.dist-info
        stem = base[: -len(".dist-info")]
        name, _, version = stem.partition("-")
    shown = safe_name(base)
    if not valid_name(name):
        return f"{shown}: {safe_name(name)!r} is not a valid distribution name"
    if not valid_version(version):
        return f"{shown}: {safe_name(version)!r} is not a valid version"
    editable, local = _direct(info)
    return Dist(name, version, editable, local, _installer(info))


def _installer(info: str) -> str | None:
    """The INSTALLER file's first line (PEP 376: the tool's name), when it is a plain word."""
    text = _read(os.path.join(info, "INSTALLER"), 256)
    word = (text or "").strip().split("\n", 1)[0].strip()
    return word if word and word.isprintable() and len(word) <= 64 else None


def find(env_dir: str, minor: str | None, name: str) -> Dist | None:
    """The distribution `name` (any spelling: names compare canonicalized, PEP 503) installed
    in the environment, read from its dist-info without running anything; None when absent.
    Looks in `lib/python<minor>/site-packages`, or in every `lib/python*/site-packages` when
    the minor is unknown or has none."""
    want = canonicalize_name(name)
    for site in _sites(env_dir, minor):
        try:
            entries = sorted(os.listdir(site))
        except OSError:
            continue
        for entry in entries:
            if not entry.endswith(".dist-info"):
                continue
            stem = entry[: -len(".dist-info")]
            # name-version; wheels escape "-" in the name, older installers may not
            if want not in (
                canonicalize_name(stem.partition("-")[0]),
                canonicalize_name(stem.rpartition("-")[0]),
            ):
                continue
            dist = _dist_at(os.path.join(site, entry))
            if isinstance(dist, Dist) and canonicalize_name(dist.name) == want:
                return dist
    return None


def _sites(env_dir: str, minor: str | None) -> list[str]:
    if minor:
        site = site_packages(env_dir, minor)
        if os.path.isdir(site):
            return [site]
    pattern = os.path.join(glob.escape(env_dir), "lib", "python*", "site-packages")
    return sorted(glob.glob(pattern))


def scan(env_dir: str, minor: str) -> DistScan:
    """Read site-packages of `minor` in `env_dir` (nothing is run)."""
    site = site_packages(env_dir, minor)
    dists: list[Dist] = []
    skipped: list[str] = []
    owned: set[str] = set()
    for info in sorted(glob.glob(os.path.join(glob.escape(site), "*.dist-info"))):
        owned.add(os.path.basename(info))
        dist = _dist_at(info)
        if isinstance(dist, str):
            skipped.append(dist)
            continue
        owned |= _record_tops(info)
        dists.append(dist)
    try:
        entries = sorted(os.listdir(site))
    except OSError:
        entries = []
    loose = [
        e
        for e in entries
        if e not in owned and e not in CREATOR_FILES and not e.endswith(".dist-info")
    ]
    return DistScan(tuple(dists), tuple(skipped), tuple(loose))


def installed_dists(env_dir: str, minor: str) -> list[Dist]:
    """The valid distributions of the environment (see `scan` for the rest)."""
    return list(scan(env_dir, minor).dists)
