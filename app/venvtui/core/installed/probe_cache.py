"""On-disk cache of interpreter probes.

One small JSON file per invoked path under `platformdirs.user_cache_path("venvtui")/probe/`
(so XDG_CACHE_HOME is honoured on Linux). An entry is valid only while everything the probe's
answer depends on is unchanged:

* the invoked path (absolute, unresolved: `sys.executable` and `sys._base_executable` depend
  on it) and its full realpath (a repointed link or directory link changes it);
* the real file's st_mtime_ns and st_size (an upgrade in place rewrites the binary; uv keys on
  the canonical file's timestamp the same way);
* the pyvenv.cfg files beside and above the invoked path (site.venv()/getpath read them:
  editing `home` changes `sys._base_executable`), by mtime_ns and size, or their absence;
* a hash of the probe script (a new script invalidates every entry).

A corrupt, foreign or stale file is ignored and later replaced atomically (temp file +
os.replace). Write failures are silent: the cache is an optimisation, never a requirement.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from venvtui.core.base.safe_io import loads_json, read_bytes

CACHE_SCHEMA = 1
_KIND = "venvtui-probe-cache"
CACHE_MAX_BYTES = 4 << 20  # one entry is a few KiB; anything larger is not ours


def cache_dir() -> Path:
    """Where probe entries live (created on first write)."""
    return _cache_dir(os.environ.get("XDG_CACHE_HOME"), os.environ.get("HOME"))


@functools.lru_cache(maxsize=8)
def _cache_dir(xdg_cache_home: str | None, home: str | None) -> Path:
    # Keyed on the variables platformdirs reads, so a changed environment is honoured;
    # platformdirs costs about a millisecond a call, and every cache lookup needs the dir.
    import platformdirs

    return Path(platformdirs.user_cache_path("venvtui")) / "probe"


def _stamp(path: str) -> list[int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_mtime_ns, st.st_size]


@dataclass(frozen=True, slots=True)
class CacheKey:
    invoked: str  # absolute, unresolved
    realpath: str
    mtime_ns: int
    size: int
    cfg_stamps: tuple[tuple[str, tuple[int, ...] | None], ...]
    script: str  # hash of the probe script

    def to_json(self) -> dict[str, Any]:
        return {
            "invoked": self.invoked,
            "realpath": self.realpath,
            "mtime_ns": self.mtime_ns,
            "size": self.size,
            "cfg_stamps": [[p, list(s) if s is not None else None] for p, s in self.cfg_stamps],
            "script": self.script,
        }

    @property
    def filename(self) -> str:
        digest = hashlib.sha256(self.invoked.encode("utf-8", "surrogateescape")).hexdigest()
        return digest[:40] + ".json"


def cache_key(invoked: str, script_hash: str) -> CacheKey:
    """The key for probing `invoked`; raises OSError when the real file cannot be stat'ed."""
    invoked = os.path.abspath(invoked)
    real = os.path.realpath(invoked)
    st = os.stat(real)
    exe_dir = os.path.dirname(invoked)
    cfgs = (
        os.path.join(exe_dir, "pyvenv.cfg"),
        os.path.join(os.path.dirname(exe_dir), "pyvenv.cfg"),
    )
    stamps = tuple((p, None if (s := _stamp(p)) is None else tuple(s)) for p in cfgs)
    return CacheKey(invoked, real, st.st_mtime_ns, st.st_size, stamps, script_hash)


def load(key: CacheKey) -> dict[str, Any] | None:
    """The cached probe payload for `key`, or None (missing, corrupt, foreign or stale)."""
    path = cache_dir() / key.filename
    try:
        data = loads_json(read_bytes(path, limit=CACHE_MAX_BYTES))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    if data.get("kind") != _KIND or data.get("schema") != CACHE_SCHEMA:
        return None
    if data.get("key") != key.to_json():
        return None
    payload = data.get("payload")
    return payload if isinstance(payload, dict) else None


def store(key: CacheKey, payload: dict[str, Any]) -> bool:
    """Write the entry atomically; False (and no exception) when the cache is not writable."""
    entry = {"kind": _KIND, "schema": CACHE_SCHEMA, "key": key.to_json(), "payload": payload}
    return write_atomic(key.filename, entry)


def write_atomic(name: str, data: dict[str, Any], directory: Path | None = None) -> bool:
    """Write `data` as the JSON file `name` of `directory` (default: the cache dir) with a temp
    file and os.replace; False (and no exception) when it is not writable."""
    try:
        # one C-encoded string: dump() encodes in Python
        text = json.dumps(data).encode("utf-8")
    except (TypeError, ValueError):
        return False
    return write_bytes_atomic(name, text, directory)


def write_bytes_atomic(name: str, data: bytes, directory: Path | None = None) -> bool:
    """Write `data` as the file `name` of `directory` (default: the cache dir) with a temp file
    and os.replace; False (and no exception) when it is not writable."""
    directory = cache_dir() if directory is None else directory
    tmp_name: str | None = None
    try:
        directory.mkdir(parents=True, exist_ok=True)
        import tempfile  # only when writing: keeps the cached (read-only) path lean

        fd, tmp_name = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=directory)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp_name, directory / name)
        tmp_name = None
        return True
    except (OSError, TypeError, ValueError):
        return False
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)


def clear() -> int:
    """Delete every entry; returns how many files were removed."""
    removed = 0
    try:
        entries = list(cache_dir().iterdir())
    except OSError:
        return 0
    for entry in entries:
        if entry.suffix == ".json":
            with contextlib.suppress(OSError):
                entry.unlink()
                removed += 1
    return removed
