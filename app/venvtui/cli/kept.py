"""Kept answers: `envs` and `doctor` print again what they printed last time when nothing they
read has changed since.

A command runs inside `readlog.recording()`, which logs every filesystem read and environment
lookup it makes. Its output (stdout and stderr, in order) and exit status are kept, with that
log, in one file per question under `<cache>/venvtui/answers/`: a line of JSON (the question,
the log, the status, each output chunk's stream and length), then the output's bytes as printed
(not a JSON string: thousands of environments' JSON would be escaped and unescaped again). The question is the command line,
the working directory, the user and group ids, the interpreter (its filesystem encoding, its
module path), venvtui's version and the output streams (terminal or not, encoding, width). The
next time the same question is asked, every read is asked again (stat, lstat, readlink, access;
a directory whose stat moved is listed again; nothing is opened or run), and so is the stat of
every module the command ran; only when all answer as before is the kept output printed.
Anything else runs the command again.

Never kept: a run that wrote anything, started a process, read a file changed in the two seconds
before it began or a file on a network filesystem, or failed (see `readlog`). `--no-cache`
neither reads nor keeps an answer.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from collections.abc import Callable

from venvtui.core.base.readlog import Log, as_text, ask, changed, recording

# Not `typing` at run time: this is the fast path of `envs` and `doctor`.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TextIO

SCHEMA = 2
_KIND = "venvtui-kept-answer"
MAX_BYTES = 256 << 20  # a few KiB per environment; far more is not ours
MAX_QUESTIONS = 1_000_000  # a run that read more than this is not kept
MAX_FILES = 8  # answers kept, most recently written first


def _streams_key() -> list[object]:
    key: list[object] = []
    for stream in (sys.stdout, sys.stderr):
        tty = stream.isatty()
        width = None
        if tty:
            with contextlib.suppress(OSError, ValueError):
                width = os.get_terminal_size(stream.fileno()).columns
        key += [tty, getattr(stream, "encoding", None), width]
    return key


def question(argv: list[str]) -> dict[str, object]:
    """What the kept answer must have been asked with."""
    from venvtui import __version__

    return {
        "argv": argv,
        "cwd": os.getcwd(),
        "ids": [os.getuid(), os.geteuid(), os.getgid(), os.getegid(), sorted(os.getgroups())],
        # the filesystem encoding is the locale's (or PYTHONUTF8's) at start-up, which no
        # environment lookup logs: it decodes every name read
        "python": [
            sys.executable,
            sys.version,
            sys.platform,
            sys.getfilesystemencoding(),
            sys.getfilesystemencodeerrors(),
        ],
        # where the modules the run imports as it goes are found (PYTHONPATH, .pth files)
        "path": sys.path,
        "venvtui": __version__,
        "streams": _streams_key(),
    }


def _directory() -> str:
    from venvtui.core.installed.snapshot import cache_root

    return os.path.join(cache_root(), "answers")


def _file_name(asked: dict[str, object]) -> str:
    digest = hashlib.sha256(json.dumps(asked, sort_keys=True).encode()).hexdigest()
    return f"{digest[:32]}.json"


def load(asked: dict[str, object]) -> dict[str, Any] | None:
    """The kept answer to `asked` when every read it made answers the same now, else None."""
    from venvtui.core.base.safe_io import loads_json, read_bytes

    try:
        raw = read_bytes(os.path.join(_directory(), _file_name(asked)), limit=MAX_BYTES)
        head, _, body = raw.partition(b"\n")
        data = loads_json(head)
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or (data.get("kind"), data.get("schema")) != (_KIND, SCHEMA):
        return None
    try:
        if data["question"] != json.loads(json.dumps(asked)):
            return None
        reads = data["reads"]
        if not isinstance(reads, dict) or not all(
            isinstance(v, list) and all(isinstance(x, str) for x in v) for v in reads.values()
        ):
            return None
        output = _chunks(data["output"], body)
        status = data["status"]
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    if type(status) is not int or not 0 <= status <= 255:  # an exit status (POSIX: 0-255)
        return None
    if not _module_files() <= set(reads.get("stat", [])[::2]):
        return None  # other code runs now (another copy of venvtui, or of a dependency)
    if changed(reads) is not None:
        return None
    return {"output": output, "status": status}


# Printed text may hold lone surrogates (undecodable file names): kept byte for byte.
_ERRORS = "surrogatepass"


def _chunks(spec: object, body: bytes) -> list[tuple[int, str]]:
    """The output chunks `spec` ([[stream, length in bytes], ...]) cut from `body`, which they
    must cover exactly; ValueError (or TypeError) otherwise."""
    if not isinstance(spec, list):
        raise TypeError("output")
    out: list[tuple[int, str]] = []
    at = 0
    for stream, size in spec:
        if type(stream) is not int or stream not in (0, 1) or type(size) is not int or size < 0:
            raise ValueError("output")
        out.append((stream, body[at : at + size].decode("utf-8", _ERRORS)))
        at += size
    if at != len(body):
        raise ValueError("output")
    return out


class _Tee:
    """A text stream that keeps what is written to it and passes it on."""

    def __init__(self, inner: TextIO, number: int, kept: list[tuple[int, str]]) -> None:
        self._inner, self._number, self._kept = inner, number, kept

    def write(self, text: str) -> int:
        self._kept.append((self._number, text))
        return self._inner.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def answer(argv: list[str], run: Callable[[], int]) -> int:
    """`run()`'s exit status, printing what it prints: from the kept answer when nothing it read
    has changed, else by running it (and keeping what it printed when that may be kept)."""
    try:
        asked = question(argv)
    except OSError:  # no working directory (removed): a relative read could not be asked again
        return run()
    kept = load(asked)
    if kept is not None:
        streams = (sys.stdout, sys.stderr)
        for number, text in kept["output"]:
            streams[number].write(text)
        return int(kept["status"])
    output: list[tuple[int, str]] = []
    saved = sys.stdout, sys.stderr
    sys.stdout = _Tee(saved[0], 0, output)
    sys.stderr = _Tee(saved[1], 1, output)
    try:
        with recording() as log:
            status = run()
    finally:
        sys.stdout, sys.stderr = saved
    _keep(asked, log, output, status)
    return status


def _keep(asked: dict[str, object], log: Log, output: list[tuple[int, str]], status: int) -> None:
    from pathlib import Path

    from venvtui.core.installed import probe_cache

    directory = _directory()
    if log.taint is not None or len(log.answers) > MAX_QUESTIONS:
        return
    if os.path.dirname(directory) != os.fspath(probe_cache.cache_dir().parent):
        return  # the fast path's guess at the cache dir is not platformdirs' answer
    modules = _module_reads(log)
    if modules is None:
        return
    reads = log.questions()
    reads["stat"] = modules + reads.get("stat", [])
    chunks = [text.encode("utf-8", _ERRORS) for _stream, text in output]
    data = {
        "kind": _KIND,
        "schema": SCHEMA,
        "question": asked,
        "reads": reads,
        "output": [[stream, len(b)] for (stream, _text), b in zip(output, chunks, strict=True)],
        "status": status,
    }
    try:
        head = json.dumps(data).encode("ascii")  # no raw newline: the body starts after one
    except (TypeError, ValueError):
        return
    name = _file_name(asked)
    if probe_cache.write_bytes_atomic(name, b"".join([head, b"\n", *chunks]), Path(directory)):
        _prune(directory, name)


def _module_files() -> set[str]:
    return {
        f for m in list(sys.modules.values()) if isinstance(f := getattr(m, "__file__", None), str)
    }


def _module_reads(log: Log) -> list[str] | None:
    """A stat question for every module file loaded, in `Log.questions()`'s form: a new venvtui
    (or a new dependency) computes a new answer. None when one changed moments before the run
    or during it (`Log.recent`): the code on disk may not be the code that ran."""
    reads: list[str] = []
    for f in sorted(_module_files()):
        answer = ask("stat", f)
        if log.recent(answer):
            return None
        reads += (f, as_text(answer))
    return reads


def _is_answer(name: str) -> bool:
    """A name `_file_name` gives: nothing else is pruned (the directory may be a link to one
    that holds other files, or hold another writer's temporary file)."""
    stem, _, ext = name.partition(".")
    return ext == "json" and len(stem) == 32 and all(c in "0123456789abcdef" for c in stem)


def _prune(directory: str, newest: str) -> None:
    """Keep the MAX_FILES most recently written answers."""
    try:
        with os.scandir(directory) as it:
            found = [
                (e.stat().st_mtime_ns, e.name)
                for e in it
                if _is_answer(e.name) and e.name != newest and e.is_file()
            ]
    except OSError:
        return
    for _mtime, name in sorted(found, reverse=True)[MAX_FILES - 1 :]:
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(directory, name))
