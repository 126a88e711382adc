"""Read, edit and write `pyvenv.cfg` without losing a byte.

The file is kept as its original lines (text + line ending), so an unchanged file round-trips
byte for byte: key order, unknown keys, comments, blank lines, CRLF, a UTF-8 BOM and even
bytes that are not UTF-8 (decoded with `surrogateescape`, re-encoded the same way).

How CPython reads the file, which this module mirrors:

* Both readers split each line at the first `=`, then `key.strip().lower()` and
  `value.strip()`; a line without `=` is ignored (here it is kept and reported in `.problems`).
  Nothing treats `#` specially: a commented line's key just never matches a real key.
* Duplicate keys: `Modules/getpath.py` (3.11+, the reader that decides `sys._base_executable`
  and, on 3.11+, where the stdlib is searched) takes the FIRST `home` and stops (`break`).
  `Lib/site.py` `venv()` loops over every line, so the LAST `home` (-> `sys._home`) and the
  LAST `include-system-site-packages` win. `get()` follows getpath, `get_last()` follows site.
* A UTF-8 BOM is not skipped by either reader (site opens with `encoding='utf-8'`, getpath
  decodes the raw bytes): the first key is read as "\\ufeffhome" and so is not recognised.
  This module keeps that key exactly as CPython sees it and reports the BOM in `.problems`.
* getpath refuses a file of 32 KiB or more at start-up, and splits lines at "\\n" only
  (site also splits at a bare "\\r"); both are reported in `.problems`.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from venvtui.core.base.errors import CfgError
from venvtui.core.base.models import cfg_get
from venvtui.core.base.safe_io import UnsafeRead, read_bytes

BOM = b"\xef\xbb\xbf"
GETPATH_MAX_BYTES = 32 * 1024  # Modules/getpath.c getpath_readlines: MAX_FILE
# Larger than getpath's limit so an oversized file can still be shown and diagnosed.
CFG_MAX_BYTES = 1 << 20

LineKind = Literal["pair", "comment", "blank", "bad"]

# Pattern strings, compiled (by re's cache) on first use: only for a file with other line
# endings than "\n" or with bytes that are not UTF-8 (most files have neither).
_LINE_SPLIT = r"(\r\n|\r|\n)"
_ESCAPED = "[\udc80-\udcff]"


@dataclass(frozen=True, slots=True)
class CfgLine:
    """One physical line: `text` without its `ending` ("\\n", "\\r\\n", "\\r" or "")."""

    text: str
    ending: str
    kind: LineKind
    key: str = ""  # stripped, original case (as CPython compares it, before lower())
    value: str = ""  # stripped


def _classify_with(text: str, ending: str) -> CfgLine:
    stripped = text.strip()
    if not stripped:
        return CfgLine(text, ending, "blank")
    if stripped.startswith("#"):
        return CfgLine(text, ending, "comment")
    if "=" in text:
        key, _, value = text.partition("=")
        return CfgLine(text, ending, "pair", key.strip(), value.strip())
    return CfgLine(text, ending, "bad")


def _split_lines(text: str) -> list[tuple[str, str]]:
    if "\r" not in text:  # the common case: "\n" endings only, no regex needed
        lines = text.split("\n")
        last = lines.pop()
        out = [(line, "\n") for line in lines]
        if last:
            out.append((last, ""))
        return out
    parts = re.split(_LINE_SPLIT, text)
    out = [(parts[i], parts[i + 1]) for i in range(0, len(parts) - 1, 2)]
    if parts[-1]:
        out.append((parts[-1], ""))
    return out


def _check_key(key: str) -> None:
    if not key or key != key.strip() or any(c in key for c in "=\r\n") or key.startswith("#"):
        raise CfgError(f"invalid pyvenv.cfg key {key!r}", "keys are single words without '='")


def _check_value(key: str, value: str) -> None:
    if "\n" in value or "\r" in value:
        raise CfgError(f"value for {key!r} spans several lines", "pyvenv.cfg values are one line")


@dataclass(frozen=True, slots=True)
class PyvenvCfg:
    """A parsed pyvenv.cfg; see the module doc for how duplicates and odd bytes are handled."""

    lines: tuple[CfgLine, ...] = ()
    bom: bool = False
    problems: tuple[str, ...] = ()

    @classmethod
    def parse(cls, data: bytes) -> PyvenvCfg:
        bom = data.startswith(BOM)
        body = data[len(BOM) :] if bom else data
        text = body.decode("utf-8", "surrogateescape")
        lines: list[CfgLine] = []
        problems: list[str] = []
        first_seen: dict[str, int] = {}
        # then find the lines holding them (lone surrogates are never ASCII)
        escaped = not text.isascii() and re.search(_ESCAPED, text) is not None
        for number, (raw, ending) in enumerate(_split_lines(text), start=1):
            line = _classify_with(raw, ending)
            if number == 1 and bom and line.kind == "pair":
                # Neither getpath nor site skips the BOM: the key is "\ufeff<key>".
                line = CfgLine(line.text, ending, "pair", "\ufeff" + line.key, line.value)
            lines.append(line)
            if escaped and re.search(_ESCAPED, raw):
                problems.append(f"line {number}: bytes that are not UTF-8")
            if line.kind == "bad":
                problems.append(f"line {number}: no '=' in {raw.strip()!r}; Python ignores it")
            elif line.kind == "pair":
                name = line.key.lower()
                if not name:
                    problems.append(f"line {number}: empty key; Python ignores it")
                elif name in first_seen:
                    problems.append(
                        f"line {number}: duplicate key {line.key!r} (first on line "
                        f"{first_seen[name]}); getpath uses the first, site the last"
                    )
                else:
                    first_seen[name] = number
            if ending == "\r":
                problems.append(
                    f"line {number}: ends with a bare CR; getpath reads it as part of one line"
                )
        if bom:
            problems.insert(
                0,
                "starts with a UTF-8 byte-order mark: Python does not recognise the first key",
            )
        if len(data) >= GETPATH_MAX_BYTES:
            problems.insert(0, "32 KiB or larger: CPython 3.11+ refuses to start with it")
        return cls(tuple(lines), bom, tuple(problems))

    def items(self) -> tuple[tuple[str, str], ...]:
        """Every (key, value) pair in file order, duplicates included."""
        return tuple((ln.key, ln.value) for ln in self.lines if ln.kind == "pair" and ln.key)

    def keys(self) -> tuple[str, ...]:
        return tuple(k for k, _ in self.items())

    def get(self, key: str) -> str | None:
        """The FIRST value of `key`, case-insensitive (CPython getpath reads `home` this way)."""
        return cfg_get(self.items(), key)

    def get_last(self, key: str) -> str | None:
        """The LAST value of `key`, case-insensitive (CPython site.venv() reads this way)."""
        wanted = key.lower()
        found: str | None = None
        for name, value in self.items():
            if name.lower() == wanted:
                found = value
        return found

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    @property
    def newline(self) -> str:
        """The file's dominant line ending ("\\n" when there is none)."""
        counts = Counter(ln.ending for ln in self.lines if ln.ending)
        return counts.most_common(1)[0][0] if counts else "\n"

    def with_values(self, updates: Mapping[str, str], remove: Iterable[str] = ()) -> PyvenvCfg:
        """A copy with `updates` applied (every occurrence of a key is rewritten in place, keeping
        the spacing around `=`; keys not present are appended as `key = value`) and every line
        of the keys in `remove` dropped. All other lines are kept byte for byte. A BOM is kept
        unless the edit touches the first line (Python would not see that key behind it)."""
        for key, value in updates.items():
            _check_key(key)
            _check_value(key, value)
        wanted = {k.lower(): v for k, v in updates.items()}
        dropped = {k.lower() for k in remove}
        done: set[str] = set()
        out: list[CfgLine] = []
        first_touched = not self.lines
        for index, line in enumerate(self.lines):
            name = line.key.lower()
            if line.kind == "pair" and index == 0 and self.bom:
                name = name.removeprefix("\ufeff")
            if line.kind == "pair" and name in dropped:
                first_touched = first_touched or index == 0
                continue
            if line.kind == "pair" and name in wanted:
                head, _, tail = line.text.partition("=")
                space = tail[: len(tail) - len(tail.lstrip())]
                if not space and not tail:
                    space = " " if head.endswith(" ") else ""
                out.append(_classify_with(f"{head}={space}{wanted[name]}", line.ending))
                done.add(name)
                first_touched = first_touched or index == 0
                continue
            out.append(line)
        newline = self.newline
        for key, value in updates.items():
            if key.lower() in done or key.lower() in dropped:
                continue
            if out and not out[-1].ending:
                out[-1] = CfgLine(out[-1].text, newline, out[-1].kind, out[-1].key, out[-1].value)
            first_touched = first_touched or not out
            out.append(_classify_with(f"{key} = {value}", newline))
            done.add(key.lower())
        # A BOM hides the first key from Python: keep it only if the first line is untouched.
        bom = self.bom and not first_touched
        return PyvenvCfg.parse(_encode(out, bom))

    def cleaned(self) -> PyvenvCfg:
        """A copy without the byte-order mark (Python sees the first key again) and without the
        lines Python skips for want of '=' (CPython site.py and getpath.py read `key = value`
        lines only)."""
        kept = [ln for ln in self.lines if ln.kind != "bad"]
        if not self.bom and len(kept) == len(self.lines):
            return self
        return PyvenvCfg.parse(_encode(kept, False))

    def to_bytes(self) -> bytes:
        return _encode(self.lines, self.bom)


def _encode(lines: Iterable[CfgLine], bom: bool) -> bytes:
    body = "".join(ln.text + ln.ending for ln in lines).encode("utf-8", "surrogateescape")
    return (BOM + body) if bom else body


def render_cfg(pairs: Iterable[tuple[str, str]]) -> bytes:
    """A new pyvenv.cfg: one `key = value` line per pair, "\\n" endings, UTF-8."""
    lines: list[str] = []
    for key, value in pairs:
        _check_key(key)
        _check_value(key, value)
        lines.append(f"{key} = {value}\n")
    return "".join(lines).encode("utf-8", "surrogateescape")


# Envs made from one base by one tool often hold the same bytes (uv and virtualenv write no
# env path): a parse (immutable) is shared by content. Only small files are kept.
_SHARED_MAX_BYTES = 4096


@lru_cache(maxsize=256)
def _parse_shared(data: bytes) -> PyvenvCfg:
    return PyvenvCfg.parse(data)


def read_cfg(path: str | os.PathLike[str]) -> PyvenvCfg:
    """Parse the pyvenv.cfg at `path` (the file itself); raises CfgError when unreadable."""
    try:
        data = read_bytes(path, limit=CFG_MAX_BYTES)
    except UnsafeRead as exc:
        raise CfgError(f"cannot read {exc}", exc.hint) from None
    except OSError as exc:
        raise CfgError(f"cannot read {os.fspath(path)}: {exc.strerror or exc}") from None
    return _parse_shared(data) if len(data) <= _SHARED_MAX_BYTES else PyvenvCfg.parse(data)
