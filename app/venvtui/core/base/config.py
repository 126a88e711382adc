"""The user's config file: extra scan roots, excluded paths, the default home policy.

TOML at `platformdirs.user_config_dir("venvtui")/config.toml` (`VENVTUI_CONFIG` names another
file). A missing file means the defaults. Example:

    [scan]
    roots = ["~/work", "/srv/projects"]   # walked besides the usual places
    exclude = ["~/work/huge-data"]        # never walked, never listed
    depth = 7                             # walk depth of the home and roots (default 6)

    [create]
    home-policy = "stable"                # or "venv", or a path

A bad file is one error naming the file and the line (`ConfigError`), never a traceback.
TOML is read with `tomllib` (3.11+) or its backport `tomli` (same code; a dependency only on
3.10). `add_scan_root` is the one writer: it adds an entry to `[scan] roots` by inserting text
where the list is (the user's comments, order and layout stay as they are), checks that the
result parses to the old settings plus that root, and replaces the file atomically.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import sys
from dataclasses import dataclass
from typing import Any

from venvtui.core.base.errors import NotFoundError, VenvtuiError, missing_hint
from venvtui.core.base.safe_io import read_text

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
    import platformdirs  # start-up: only when no explicit config path is set

    return os.path.join(platformdirs.user_config_dir("venvtui", appauthor=False), FILE_NAME)


def loads_toml(text: str) -> dict[str, Any]:
    """Parse TOML; raises ValueError (tomllib.TOMLDecodeError) on bad syntax."""
    if sys.version_info >= (3, 11):  # start-up: a TOML parser only when a file is read
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

    path = path or config_path()
    text = _read(path)
    return Config(path=path) if text is None else parse_config(text, path)


def _read(path: str) -> str | None:
    """The config file's text; None when there is none."""

    try:
        return read_text(path, limit=_MAX_BYTES, errors="strict")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror or exc}") from None


# --- writing [scan] roots --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RootAdded:
    """`root` is now a scan root in the config file `path` (`added`: False when it already was)."""

    path: str
    root: str
    added: bool


def add_scan_root(folder: str, path: str | None = None) -> RootAdded:
    """Add the directory `folder` to `[scan] roots` of the config file at `path` (default:
    `config_path()`), creating the file or the table when missing. Only the list changes:
    comments, order and every other setting stay byte for byte. A folder under the home
    directory is written as `~/...`.

    Raises NotFoundError / VenvtuiError for a folder that is missing or not a directory,
    ConfigError when the file is invalid (it is left alone) or cannot be written."""
    given = folder.strip()
    if not given:
        raise VenvtuiError("no folder given", "type the path of a folder to scan")
    root = os.path.normpath(os.path.abspath(os.path.expanduser(given)))
    try:
        st = os.stat(root)
    except FileNotFoundError:
        raise NotFoundError(f"{root} does not exist", missing_hint(root)) from None
    except OSError as exc:
        raise VenvtuiError(f"{root}: {exc.strerror or exc}") from None
    if not stat.S_ISDIR(st.st_mode):
        raise VenvtuiError(
            f"{root} is not a directory", "type the folder that holds the environments"
        )
    path = path or config_path()
    text = _read(path) or ""
    before = parse_config(text, path)  # a broken file is refused, not rewritten
    if root in before.scan_roots:
        return RootAdded(path, root, added=False)
    entry = _toml_string(_home_relative(root))
    new = _insert_root(text, entry)
    if new is None or not _only_root_added(text, new, path, before, root):
        raise ConfigError(
            f"{path}: the roots list is written in a form this editor does not change",
            f"add it by hand under [scan]: roots = [..., {entry}]",
        )
    _write_atomic(os.path.realpath(path), new)  # a linked config is written where it points
    return RootAdded(path, root, added=True)


def _home_relative(path: str) -> str:
    home = os.path.normpath(os.path.expanduser("~"))
    if home != os.sep and (path == home or path.startswith(home + os.sep)):
        return "~" + path[len(home) :]
    return path


def _toml_string(value: str) -> str:
    """A TOML basic string: quote, backslash and control characters (DEL too) escaped."""
    if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
        raise VenvtuiError(
            f"{value.encode('utf-8', 'surrogateescape')!r}: the path is not UTF-8",
            "a TOML file holds UTF-8 text only; rename the folder or add it by hand",
        )
    out = []
    for c in value:
        if c in '"\\':
            out.append("\\" + c)
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append(f"\\u{ord(c):04X}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def _only_root_added(old: str, new: str, path: str, before: Config, root: str) -> bool:
    """`new` parses to exactly `old`'s data with `root` appended to scan.roots."""
    try:
        after = parse_config(new, path)
        old_data, new_data = loads_toml(old), loads_toml(new)
    except (ValueError, ConfigError):
        return False
    if after.scan_roots != (*before.scan_roots, root):
        return False
    old_scan = dict(old_data.get("scan", {}))
    new_scan = dict(new_data.get("scan", {}))
    old_scan.pop("roots", None)
    new_scan.pop("roots", None)
    old_data.pop("scan", None)
    new_data.pop("scan", None)
    return old_data == new_data and old_scan == new_scan


# TOML statements at the top level (outside strings, arrays and inline tables): a table header
# or a `key = value` (toml.io v1.0.0: keys may be dotted and quoted; comments run to the line end).
# (A pattern string, compiled by re's cache when the file is written, never when it is read.)
_KEY_PART = r"""\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)\s*"""


def _key_path(text: str) -> tuple[str, ...] | None:
    """`a."b c".d` as ("a", "b c", "d"); None when it is not a key."""
    parts: list[str] = []
    for raw in text.split("."):  # a quoted part holding "." is not handled: None then
        m = re.fullmatch(_KEY_PART, raw)
        if m is None:
            return None
        part = m.group(1)
        parts.append(part[1:-1] if part[0] in "\"'" else part)
    return tuple(parts)


def _skip_string(text: str, i: int) -> int:
    """Index after the string starting at text[i] (basic, literal, or their multi-line forms)."""
    q = text[i]
    if text.startswith(q * 3, i):
        j = i + 3
        while True:
            k = text.find(q * 3, j)
            if k < 0:
                return len(text)
            if q == '"' and _escaped(text, k):
                j = k + 1
                continue
            k += 3
            for _ in range(2):  # a string may end with up to two of its quote characters
                if k < len(text) and text[k] == q:
                    k += 1
            return k
    j = i + 1
    while j < len(text) and text[j] != "\n":
        if q == '"' and text[j] == "\\":
            j += 2
            continue
        if text[j] == q:
            return j + 1
        j += 1
    return j


def _escaped(text: str, k: int) -> bool:
    n = 0
    while k - n - 1 >= 0 and text[k - n - 1] == "\\":
        n += 1
    return n % 2 == 1


def _skip_value(text: str, i: int) -> tuple[int, int]:
    """(end, last): the index after the value starting at text[i], and for an array the index
    of its last significant character before the closing bracket (the `[` when empty)."""
    if text[i] in "\"'":
        return _skip_string(text, i), -1
    if text[i] not in "[{":
        j = i
        while j < len(text) and text[j] not in "\n#":
            j += 1
        return j, -1
    depth = 0
    last = i
    j = i
    while j < len(text):
        c = text[j]
        if c in "\"'":
            j = _skip_string(text, j)
            last = j - 1
            continue
        if c == "#":
            while j < len(text) and text[j] != "\n":
                j += 1
            continue
        if c in "[{":
            depth += 1
        elif c in "]}":
            depth -= 1
            if depth == 0:
                return j + 1, last
        if not c.isspace():
            last = j
        j += 1
    return len(text), last


def _line_end(text: str, i: int) -> int:
    """Index after the newline ending the line of text[i] (len(text) on the last line)."""
    k = text.find("\n", i)
    return len(text) if k < 0 else k + 1


def _insert_root(text: str, entry: str) -> str | None:
    """`text` with the TOML string `entry` appended to scan.roots; None when its place cannot
    be found (the caller then asks for a hand edit)."""
    table: tuple[str, ...] = ()
    scan_header = -1  # index after the [scan] header line
    last_scan_key = -1  # index after the last top-level `scan.x = ...` line
    i = 0
    while i < len(text):
        while i < len(text) and text[i] in " \t\r\n":
            i += 1
        if i >= len(text):
            break
        if text[i] == "#":
            i = _line_end(text, i)
            continue
        if text[i] == "[":
            array = text.startswith("[[", i)
            close = text.find("]]" if array else "]", i)
            if close < 0:
                return None
            name = _key_path(text[i + (2 if array else 1) : close])
            table = () if name is None or array else name
            i = _line_end(text, close)
            if table == ("scan",):
                scan_header = i
            continue
        eq = text.find("=", i)
        if eq < 0:
            return None
        key = _key_path(text[i:eq])
        if key is None:
            return None
        start = eq + 1
        while start < len(text) and text[start] in " \t":
            start += 1
        if start >= len(text):
            return None
        end, last = _skip_value(text, start)
        full = table + key
        if full == ("scan", "roots"):
            if text[start] != "[":
                return None
            return _append_item(text, start, end - 1, last, entry)
        if not table and key[0] == "scan":
            last_scan_key = _line_end(text, end)
        i = _line_end(text, end)
    if scan_header >= 0:
        head = text[:scan_header] + ("" if text[:scan_header].endswith("\n") else "\n")
        return head + f"roots = [{entry}]\n" + text[scan_header:]
    if last_scan_key >= 0:
        head = text[:last_scan_key] + ("" if text[:last_scan_key].endswith("\n") else "\n")
        return head + f"scan.roots = [{entry}]\n" + text[last_scan_key:]
    body = text if not text or text.endswith("\n") else text + "\n"
    return body + ("\n" if body.strip() else "") + f"[scan]\nroots = [{entry}]\n"


def _append_item(text: str, open_at: int, close_at: int, last: int, entry: str) -> str:
    """Insert `entry` as the last item of the array text[open_at..close_at], in its layout."""
    if last == open_at:  # empty
        return text[: open_at + 1] + entry + text[open_at + 1 :]
    multiline = "\n" in text[last:close_at]
    if not multiline:
        sep = " " if text[last] == "," else ", "
        return text[: last + 1] + sep + entry + text[last + 1 :]
    line_start = text.rfind("\n", 0, last) + 1
    line = text[line_start:last]
    indent = line[: len(line) - len(line.lstrip(" \t"))]
    after = _line_end(text, last)
    if text[last] == ",":  # the user ends items with commas: so does the new one
        return text[:after] + f"{indent}{entry},\n" + text[after:]
    return text[: last + 1] + "," + text[last + 1 : after] + f"{indent}{entry}\n" + text[after:]


def _write_atomic(path: str, text: str) -> None:
    """Replace `path` with `text`: a temporary file beside it, flushed, then renamed over it
    (keeping the old file's mode), so a crash leaves the old file or the new one."""
    directory = os.path.dirname(path)
    try:
        os.makedirs(directory, exist_ok=True)
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
        except FileNotFoundError:
            mode = 0o644
        import tempfile  # start-up: only when writing the config

        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", dir=directory)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(text.encode("utf-8"))
                f.flush()
                os.fchmod(f.fileno(), mode)
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError as exc:
        raise ConfigError(
            f"{path}: cannot be written: {exc.strerror or exc}",
            "check the permissions of the file and its directory",
        ) from None
