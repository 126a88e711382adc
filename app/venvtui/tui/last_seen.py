"""The last scan's rows, kept so the next launch paints them at once.

When a scan completes, its interpreter and environment rows (what the tables show, without
the core models behind them) are written to `last-seen.json` beside the probe cache. At
launch the main screen reads them back in a worker and shows them dimmed, as last seen, while
its own scan runs; each row is replaced when the scan finds it again, and the rows it does
not find go when it ends. A missing, corrupt or foreign file is ignored.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from typing import Any

from venvtui.tui.rows import EnvRow, InterpreterRow

FILE_NAME = "last-seen.json"
SCHEMA = 1
_KIND = "venvtui-last-seen"
MAX_BYTES = 64 << 20  # about 1 KiB per row


def _path() -> str:
    from venvtui.core.installed import probe_cache

    return os.path.join(os.fspath(probe_cache.cache_dir()), FILE_NAME)


def save(interpreters: Iterable[InterpreterRow], environments: Iterable[EnvRow]) -> bool:
    from venvtui.core.installed import probe_cache

    doc = {
        "kind": _KIND,
        "schema": SCHEMA,
        "saved": time.time(),
        "interpreters": [
            {
                "key": r.key,
                "version": r.version,
                "implementation": r.implementation,
                "path": r.path,
                "sources": list(r.sources),
                "stability": r.stability,
                "install_dir": r.install_dir,
                "error": r.error,
                "dependents": r.dependents,
            }
            for r in interpreters
        ],
        "environments": [
            {
                "key": r.key,
                "path": r.path,
                "creator": r.creator,
                "owner": r.owner,
                "version": r.version,
                "home": r.home,
                "health": r.health,
                "next_break": r.next_break.to_json() if r.next_break else None,
                "mtime": r.mtime,
                "size": r.size,
                "confirmed": r.confirmed,
            }
            for r in environments
        ],
    }
    return probe_cache.write_atomic(FILE_NAME, doc)


def load() -> tuple[list[InterpreterRow], list[EnvRow], float] | None:
    """(interpreter rows, environment rows, when they were saved), or None."""
    from venvtui.core.base.safe_io import loads_json, read_bytes

    try:
        data = loads_json(read_bytes(_path(), limit=MAX_BYTES))
        if not isinstance(data, dict) or (data.get("kind"), data.get("schema")) != (
            _KIND,
            SCHEMA,
        ):
            return None
        interps = [_interpreter_row(d) for d in data["interpreters"]]
        envs = [_env_row(d) for d in data["environments"]]
        return interps, envs, float(data["saved"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("not a string")
    return value


def _opt(value: Any, kind: type | tuple[type, ...]) -> Any:
    if value is not None and not isinstance(value, kind):
        raise TypeError(f"not {kind!r}")
    return value


def _interpreter_row(d: dict[str, Any]) -> InterpreterRow:
    return InterpreterRow(
        key=_str(d["key"]),
        version=_str(d["version"]),
        implementation=_str(d["implementation"]),
        path=_str(d["path"]),
        sources=tuple(_str(s) for s in d["sources"]),
        stability=_str(d["stability"]),
        install_dir=_str(d["install_dir"]),
        error=_opt(d["error"], str),
        dependents=_opt(d["dependents"], int),
    )


def _env_row(d: dict[str, Any]) -> EnvRow:
    # light: the status's rules and the forecast's record, not the engines behind them
    from venvtui.core.breaks.status import HEALTH_RANK, Forecast

    health = _str(d["health"])
    if health not in HEALTH_RANK:
        raise ValueError(f"unknown status {health!r}")
    brk = _opt(d["next_break"], dict)
    next_break = None
    if brk is not None:
        result = _str(brk["result"])
        if result not in HEALTH_RANK:  # a start-up status is one of these too
            raise ValueError(f"unknown status {result!r}")
        next_break = Forecast(
            event=_str(brk["event"]),
            kind=_str(brk["kind"]),
            result=result,  # type: ignore[arg-type]  # checked against the statuses above
            why=_str(brk["why"]),
            fix=_str(brk.get("fix", "")),
            target=_str(brk.get("target", "")),
        )
    mtime = _opt(d["mtime"], (int, float))
    return EnvRow(
        key=_str(d["key"]),
        path=_str(d["path"]),
        creator=_str(d["creator"]),
        owner=_str(d["owner"]),
        version=_str(d["version"]),
        home=_str(d["home"]),
        health=health,  # type: ignore[arg-type]  # checked against the statuses above
        next_break=next_break,
        mtime=None if mtime is None else float(mtime),
        size=_opt(d["size"], int),
        confirmed=bool(d["confirmed"]),
    )
