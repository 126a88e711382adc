"""The user's config file: extra scan roots, excluded paths, the default home policy.

TOML at `platformdirs.user_config_dir("venvtui")/config.toml` (`VENVTUI_CONFIG` names another
file). A missing file means the defaults. Example:

    [scan]
    roots = ["~/work", "/srv/projects"]   # walked besides the usual places
    exclude = ["~/work/huge-data"]        # never walked, never listed
    depth = 7                             # home walk depth (default 5)

    [create]
    home-policy = "stable"                # or "venv", or a path

A bad file is one error naming the file and the line (`ConfigError`), never a traceback.
TOML is read with `tomllib` (3.11+) or its backport `tomli` (same code; a dependency only on
3.10).
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from typing import Any

from venvtui.core.base.errors import VenvtuiError

ENV_VAR = "VENVTUI_CONFIG"
FILE_NAME = "config.toml"
_MAX_BYTES = 1 << 20


class ConfigError(VenvtuiError):
    hint = "fix the file, or move it aside to use the defaults (`venvtui config path` shows it)"


@dataclass(frozen=True, slots=True)
class Config:
    path: str  # the file read (or that would be read)
    scan_roots: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    scan_depth: int | None = None
    home_policy: str = "stable"


def config_path(environ: dict[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    explicit = env.get(ENV_VAR)
    if explicit:
        return os.path.abspath(os.path.expanduser(explicit))
    import platformdirs

    return os.path.join(platformdirs.user_config_dir("venvtui", appauthor=False), FILE_NAME)


def loads_toml(text: str) -> dict[str, Any]:
    """Parse TOML; raises ValueError (tomllib.TOMLDecodeError) on bad syntax."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    return tomllib.loads(text)


def _line_of_error(exc: ValueError, text: str) -> int | None:
    line = getattr(exc, "lineno", None)  # tomllib 3.14+
    if isinstance(line, int):
        return line
    m = re.search(r"line (\d+)", str(exc))
    if m:
        return int(m.group(1))
    if "end of document" in str(exc):
        return max(1, len(text.splitlines()))
    return None


def _line_of_key(text: str, key: str) -> int | None:
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    for n, line in enumerate(text.splitlines(), 1):
        if pattern.match(line):
            return n
    return None


def _where(path: str, line: int | None) -> str:
    return f"{path}:{line}" if line else path


def _paths(value: object, path: str, text: str, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(
            f"{_where(path, _line_of_key(text, key))}: `{key}` must be a list of paths "
            f'(e.g. {key} = ["~/work"])'
        )
    return tuple(os.path.normpath(os.path.abspath(os.path.expanduser(v))) for v in value)


_KNOWN = {"scan": {"roots", "exclude", "depth"}, "create": {"home-policy"}}


def parse_config(text: str, path: str) -> Config:
    try:
        data = loads_toml(text)
    except ValueError as exc:
        reason = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(exc))
        raise ConfigError(f"{_where(path, _line_of_error(exc, text))}: {reason}") from None
    for table, value in data.items():
        known = _KNOWN.get(table)
        if known is None or not isinstance(value, dict):
            line = _line_of_key(text, table) or _table_line(text, table)
            raise ConfigError(
                f"{_where(path, line)}: unknown setting `{table}` "
                "(known tables: [scan] roots/exclude/depth, [create] home-policy)"
            )
        for key in value:
            if key not in known:
                raise ConfigError(
                    f"{_where(path, _line_of_key(text, key))}: unknown setting `{table}.{key}`"
                    f" (known: {', '.join(sorted(known))})"
                )
    scan = data.get("scan", {})
    create = data.get("create", {})
    depth = scan.get("depth")
    if depth is not None and (not isinstance(depth, int) or isinstance(depth, bool) or depth < 0):
        raise ConfigError(
            f"{_where(path, _line_of_key(text, 'depth'))}: `depth` must be a whole number >= 0"
        )
    policy = create.get("home-policy", "stable")
    if not isinstance(policy, str) or not policy:
        raise ConfigError(
            f"{_where(path, _line_of_key(text, 'home-policy'))}: `home-policy` must be "
            '"stable", "venv" or a path'
        )
    return Config(
        path=path,
        scan_roots=_paths(scan.get("roots", []), path, text, "roots"),
        exclude=_paths(scan.get("exclude", []), path, text, "exclude"),
        scan_depth=depth,
        home_policy=policy if policy in ("stable", "venv") else os.path.expanduser(policy),
    )


def _table_line(text: str, table: str) -> int | None:
    pattern = re.compile(rf"^\s*\[\s*{re.escape(table)}\s*\]")
    for n, line in enumerate(text.splitlines(), 1):
        if pattern.match(line):
            return n
    return None


def load_config(path: str | None = None) -> Config:
    """The config at `path` (default: `config_path()`); the defaults when there is none.
    Raises ConfigError for an unreadable or invalid file."""
    from venvtui.core.base.safe_io import read_text

    path = path or config_path()
    try:
        text = read_text(path, limit=_MAX_BYTES, errors="strict")
    except FileNotFoundError:
        return Config(path=path)
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    return parse_config(text, path)
