"""Plain-text and JSON output helpers for the CLI (no rich, no textual)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import sys
from collections.abc import Iterator, Sequence

# Not `typing` at run time: it costs as much as the rest of the warm `interpreters --json`
# path (mypy treats any TYPE_CHECKING name as true).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TextIO

# C0 controls but tab and newline, DEL, C1 controls, and the lone surrogates that stand for
# undecodable bytes (os.fsdecode / surrogateescape): shown as escapes, never sent raw. A
# pattern string, compiled (by re's cache) on first use: ASCII text, which every JSON document
# is, never needs it, and compiling it costs the warm `interpreters --json` path a millisecond.
_UNSAFE = "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]"
# The ASCII characters `_UNSAFE` lets through: tab, newline and the printable ones.
_SAFE_ASCII = bytes([0x09, 0x0A, *range(0x20, 0x7F)])


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the original byte
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def escape_text(text: str) -> str:
    """`text` with control characters and undecodable bytes shown as `\\xNN` escapes: a
    `prompt` holding terminal escape sequences cannot drive the terminal."""
    # ASCII with nothing to escape (every JSON document: it is written with ensure_ascii) is
    # told in C, without the regex's scan of megabytes of output.
    if text.isascii() and not text.encode("ascii").translate(None, _SAFE_ASCII):
        return text
    return re.sub(_UNSAFE, _escape, text)


class SafeStream(io.TextIOBase):
    """A text stream that escapes what `escape_text` escapes, and after a broken pipe drops
    further output instead of failing (the command finishes and keeps its exit status)."""

    def __init__(self, inner: TextIO | None) -> None:
        super().__init__()
        # A stream closed before start-up (`venvtui envs >&-`) is None: what is written to it is
        # dropped, as print() drops it.
        self.inner = inner if inner is not None else open(os.devnull, "w")  # noqa: SIM115
        self.broken = False

    def write(self, text: str) -> int:
        if not self.broken:
            safe = escape_text(text)
            try:
                try:
                    self.inner.write(safe)
                except UnicodeEncodeError:  # e.g. "…" on an ASCII-only terminal
                    enc = self.encoding
                    self.inner.write(safe.encode(enc, "backslashreplace").decode(enc))
            except BrokenPipeError:
                self._drop()
        return len(text)

    def flush(self) -> None:
        if not self.broken:
            try:
                self.inner.flush()
            except BrokenPipeError:
                self._drop()

    def _drop(self) -> None:
        """Point the file descriptor at /dev/null so the interpreter's own flush at exit
        does not report the broken pipe either."""
        self.broken = True
        with contextlib.suppress(AttributeError, OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self.inner.fileno())
            os.close(devnull)

    def isatty(self) -> bool:
        return self.inner.isatty()

    def fileno(self) -> int:
        return self.inner.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.inner, "encoding", "utf-8")


@contextlib.contextmanager
def safe_streams() -> Iterator[None]:
    """Route sys.stdout and sys.stderr through SafeStream for the duration."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = SafeStream(saved[0]), SafeStream(saved[1])
    try:
        yield
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        sys.stdout, sys.stderr = saved


def emit_json(payload: dict[str, Any], *, indent: int | None = 2) -> None:
    """Print `payload` as JSON with `schema_version` first (`indent=None`: one compact line,
    which json encodes in C: much faster for thousands of entries)."""
    from venvtui.core.base.models import SCHEMA_VERSION  # not at import: errors and help skip it

    write_json({"schema_version": SCHEMA_VERSION, **payload}, indent=indent)


def write_json(data: dict[str, Any], *, indent: int | None = 2) -> None:
    """Print `data` (a whole document, `schema_version` included) as `emit_json` does: in one
    write (the stream escapes what it is given; a write per JSON token cost more than the
    encoding)."""
    # Documents are trees built by to_json(): no cycle to check for.
    text = json.dumps(data, indent=indent, sort_keys=False, default=str, check_circular=False)
    sys.stdout.write(text + "\n")


def list_indent() -> int | None:
    """Output over many environments (lists, doctor, whatif): indented on a terminal, one
    compact line when piped (encoded in C, which matters for thousands of environments)."""
    return 2 if sys.stdout.isatty() else None


# compiled on first use (text output only)
_VERSION_INFO = r"(\d+\.\d+(?:\.\d+)?)\.(alpha|beta|candidate|final)\.(\d+)$"
_LEVEL = {"alpha": "a", "beta": "b", "candidate": "rc", "final": ""}


def short_version(text: str) -> str:
    """`version_info` as people write it: 3.12.1.final.0 -> 3.12.1, 3.13.0.candidate.2 ->
    3.13.0rc2 (virtualenv and uv record sys.version_info joined with dots)."""
    m = re.match(_VERSION_INFO, text.strip())
    if m is None:
        return text
    level = _LEVEL[m.group(2)]
    return m.group(1) + (f"{level}{m.group(3)}" if level else "")


def home_short(path: str | None) -> str:
    """Show a path with the home directory as ~ (display only)."""
    if not path:
        return "-"
    home = os.path.expanduser("~")
    if home not in ("", os.sep) and (path == home or path.startswith(home + os.sep)):
        return "~" + path[len(home) :]
    return path


def term_width(default: int = 80) -> int:
    # os.get_terminal_size, not shutil's wrapper: shutil costs milliseconds to import.
    try:
        return int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        pass
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
    except (AttributeError, OSError, ValueError):
        return default


def ellipsize_left(text: str, width: int) -> str:
    if len(text) <= width:
        return text
    return "…" + text[len(text) - width + 1 :]


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    width: int | None = None,
    flex: int = -1,
) -> str:
    """Aligned columns; on a terminal they fit its width (`COLUMNS` first), elsewhere (a pipe,
    a file) they size to their content so nothing is cut.

    On a terminal the `flex` column (default: last) absorbs the squeeze; it is ellipsized on
    the left so the informative end of a path stays visible.
    """
    if width is None:
        width = term_width() if sys.stdout.isatty() else 1 << 30
    cols = len(headers)
    flex = flex % cols
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(cols)]
    gap = 2
    fixed = sum(w for i, w in enumerate(widths) if i != flex) + gap * (cols - 1)
    widths[flex] = max(12, min(widths[flex], width - fixed))
    lines = []
    for r in [headers, *rows]:
        cells = []
        for i, cell in enumerate(r):
            text = str(cell)
            if i == flex:
                text = ellipsize_left(text, widths[i])
            cells.append(text.ljust(widths[i]) if i < cols - 1 else text)
        lines.append((" " * gap).join(cells).rstrip())
    return "\n".join(lines)
