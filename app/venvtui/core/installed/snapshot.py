"""The last interpreter inventory, kept in one file and revalidated with stat calls only.

`find_interpreters()` computes the inventory the usual way (locators, collection, probes
through the probe cache) while `observed` records what the answer depended on, then keeps
it in one file, `inventory.json`, beside the probe entries. An inventory holds:

* the stat signature of every path looked at: each directory listed, each candidate
  executable, each `pyvenv.cfg` tested, each version file read, and the lstat signature of
  every hop of every symlink chain and of its parent directories;
* the environment variables the locators read (value or absence), the home directory, the
  platform, and the working directory when the answer depended on it (shim selection);
* the stat signatures of the core's own modules (a new venvtui computes a new answer);
* the interpreters as `Interpreter.to_json()` gives them, in output order.

When the answer depended on the working directory (a shim's selection reads the nearest
`.python-version`), the file keeps the inventories of the last MAX_ENTRIES directories.

`load()` answers only when every one of those is unchanged; anything else (a missing or
corrupt file, a new interpreter, a touched binary, another PATH) returns None and the caller
takes the usual path, which re-probes only what the probe cache cannot answer. An inventory
with a probe error, or with an interpreter whose probe is not cacheable (it does not report
itself, like a shim), is never kept. Importing this module costs little: it is the warm path
of `venvtui interpreters --json`.

The file's directory is the probe cache's (`probe_cache.cache_dir()`); the fast path finds it
by the XDG rule platformdirs applies on Linux, and the file is only written where both agree
(elsewhere there is no snapshot, only the usual path).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping

from venvtui.core.base.observed import Notes, link_signature, note_link, recording, signature
from venvtui.core.base.safe_io import loads_json, read_bytes

# Not `typing` at run time: see safe_io.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from venvtui.core.base.models import Interpreter
    from venvtui.core.base.options import Options
    from venvtui.core.installed.sources import Context

SNAPSHOT_SCHEMA = 1
_KIND = "venvtui-inventory"
FILE_NAME = "inventory.json"
MAX_BYTES = 32 << 20  # a few KiB per interpreter; far more is not ours
MAX_ENTRIES = 4  # inventories kept for as many working directories (shim selection)
# The modules the answer is computed by (relative to the package).
_CODE_DIRS = ("core/base", "core/layout", "core/installed")
_PACKAGE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _cache_home(environ: Mapping[str, str], home: str) -> str:
    # platformdirs' user cache dir: an absolute XDG_CACHE_HOME, else ~/.cache (Linux and
    # other Unixes) or ~/Library/Caches (macOS). Checked against platformdirs itself before
    # every write (see `_store`): where the two differ, no snapshot is kept.
    xdg = environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(xdg):
        return xdg
    if sys.platform == "darwin":
        return os.path.join(home, "Library", "Caches")
    return os.path.join(home, ".cache")


def cache_root() -> str:
    """venvtui's cache directory by the XDG rule, without platformdirs (a fast path's import
    budget); a writer checks it against `probe_cache.cache_dir()` first."""
    return os.path.join(_cache_home(os.environ, os.path.expanduser("~")), "venvtui")


def snapshot_path() -> str:
    return os.path.join(cache_root(), "probe", FILE_NAME)


def _code_stamps() -> dict[str, Any]:
    stamps: dict[str, Any] = {}
    for sub in _CODE_DIRS:
        directory = os.path.join(_PACKAGE, sub)
        stamps[sub] = signature(directory)
        try:
            names = sorted(n for n in os.listdir(directory) if n.endswith(".py"))
        except OSError:
            continue
        for name in names:
            stamps[f"{sub}/{name}"] = signature(os.path.join(directory, name))
    return stamps


def _same(stored: object, now: tuple[Any, ...] | str | None) -> bool:
    if now is None or isinstance(now, str):
        return stored == now
    return isinstance(stored, list) and tuple(stored) == now


class _ReadEnv(Mapping[str, str]):
    """A copy of the environment that remembers which variables were looked up."""

    __slots__ = ("_env", "read")

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._env = dict(environ)
        self.read: set[str] = set()

    def __getitem__(self, key: str) -> str:
        self.read.add(key)
        return self._env[key]

    def __iter__(self) -> Iterator[str]:
        self.read.update(self._env)  # every variable may matter now
        return iter(self._env)

    def __len__(self) -> int:
        return len(self._env)


def load(context: Context | None = None) -> dict[str, Any] | None:
    """The kept inventory when nothing it depended on changed, else None. `context` (tests)
    replaces the process's environment, home, cwd and platform."""
    if context is None:
        environ: Mapping[str, str] = os.environ
        home = os.path.expanduser("~")
        platform, fs_root = sys.platform, os.sep
    else:
        environ, home = context.environ, context.home
        platform, fs_root = context.platform, context.fs_root
    code: list[dict[str, Any]] = []  # the modules' stamps, taken once
    for entry in _entries():
        if _valid(entry, environ, home, platform, fs_root, context, code):
            return entry
    return None


def _entries() -> list[dict[str, Any]]:
    """The kept inventories, newest first (one per working directory the answer depended on,
    at most MAX_ENTRIES; [] when the file is missing, corrupt or foreign)."""
    try:
        data = loads_json(read_bytes(snapshot_path(), limit=MAX_BYTES))
    except (OSError, ValueError):
        return []
    if not isinstance(data, dict) or (data.get("kind"), data.get("schema")) != (
        _KIND,
        SNAPSHOT_SCHEMA,
    ):
        return []
    entries = data.get("entries")
    if not isinstance(entries, list):
        return []
    return [e for e in entries[:MAX_ENTRIES] if isinstance(e, dict)]


def _valid(
    data: dict[str, Any],
    environ: Mapping[str, str],
    home: str,
    platform: str,
    fs_root: str,
    context: Context | None,
    code: list[dict[str, Any]],
) -> bool:
    try:
        if (data["platform"], data["fs_root"], data["home"]) != (platform, fs_root, home):
            return False
        if data["cwd"] is not None:
            try:
                cwd = context.cwd if context is not None else os.getcwd()
            except OSError:
                return False
            if cwd != data["cwd"]:
                return False
        if any(environ.get(k) != v for k, v in data["env"].items()):
            return False
        if not code:
            code.append(_code_stamps_as_json())
        if data["code"] != code[0]:
            return False
        for path, sig in data["paths"]:
            if not _same(sig, signature(path)):
                return False
        for path, sig in data["links"]:
            if not _same(sig, link_signature(path)):
                return False
        return isinstance(data["interpreters"], list)
    except (KeyError, TypeError, ValueError, AttributeError):
        return False


def _code_stamps_as_json() -> dict[str, Any]:
    return {k: None if v is None else list(v) for k, v in _code_stamps().items()}


def find_interpreters(
    *, options: Options | None = None, context: Context | None = None
) -> list[Interpreter]:
    """`interpreters.find_interpreters()` (probed), keeping the answer as the snapshot when the
    cache is in use."""
    from dataclasses import replace

    from venvtui.core.base.options import DEFAULT_OPTIONS
    from venvtui.core.installed import interpreters as inventory
    from venvtui.core.installed.sources import Context

    options = DEFAULT_OPTIONS if options is None else options
    if not options.use_cache:
        return inventory.find_interpreters(options=options, context=context)
    base = context if context is not None else Context.current()
    env = _ReadEnv(base.environ)
    ctx = replace(base, environ=env)
    with recording() as notes:
        found = inventory.find_interpreters(options=options, context=ctx)
        for interp in found:
            # What realpath() resolved besides the chain's own hops: every parent of the
            # real files (a re-pointed directory link there changes `real_path`).
            for real in {interp.real_path, *(a.chain.realpath for a in interp.aliases)}:
                _note_parents(real)
    _store(found, ctx, env, notes)
    return found


def _note_parents(path: str) -> None:
    parent = os.path.dirname(path)
    while True:
        note_link(parent)
        up = os.path.dirname(parent)
        if up == parent:
            return
        parent = up


def _keepable(found: list[Interpreter]) -> bool:
    for interp in found:
        if interp.error is not None or interp.probe is None:
            return False
        try:
            # probe_through_cache only caches an interpreter that reports itself (not a shim).
            if not os.path.samefile(interp.path, interp.probe.sys_executable):
                return False
        except OSError:
            return False
    return True


def _store(found: list[Interpreter], ctx: Context, env: _ReadEnv, notes: Notes) -> None:
    from venvtui.core.base.models import SCHEMA_VERSION
    from venvtui.core.installed import probe_cache

    target = snapshot_path()
    if os.path.dirname(target) != os.fspath(probe_cache.cache_dir()) or not _keepable(found):
        return
    entry = {
        "platform": ctx.platform,
        "fs_root": ctx.fs_root,
        "home": ctx.home,
        "cwd": ctx.cwd if notes.cwd else None,
        "env": {k: env._env.get(k) for k in sorted(env.read)},
        "code": _code_stamps_as_json(),
        "paths": [[p, None if s is None else list(s)] for p, s in notes.paths.items()],
        "links": [
            [p, s if s is None or isinstance(s, str) else list(s)] for p, s in notes.links.items()
        ],
        "schema_version": SCHEMA_VERSION,
        "interpreters": [i.to_json() for i in found],
        "dev_ino": [list(i.dev_ino) for i in found],
    }
    # The others kept: those of other working directories, made by this code for this home.
    same = ("platform", "fs_root", "home", "code")
    others = [
        e
        for e in _entries()
        if entry["cwd"] is not None
        and e.get("cwd") not in (None, entry["cwd"])
        and all(e.get(k) == entry[k] for k in same)
    ]
    entries = [entry, *others][:MAX_ENTRIES]
    probe_cache.write_atomic(
        FILE_NAME, {"kind": _KIND, "schema": SNAPSHOT_SCHEMA, "entries": entries}
    )
