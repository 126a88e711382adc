"""Every filesystem read and environment lookup this process makes while `recording()` runs,
and whether each would still get the same answer (`changed`).

While recording, the `os`/`io` functions that look at the disk (stat, lstat, scandir, listdir,
readlink, access, open) and `os.environ` are wrapped: each call is logged with what it
answered, by path and kind. No call site has to remember to note what it read, so an answer
computed while recording depends on nothing but the log, the code that computed it, and the
process's own facts (argv, cwd, uid, interpreter: the caller's key).

What is logged, and how it is checked again (`changed`):

* stat/lstat: the fields of its answer the caller looked at (`_Stat` notes them: type and
  permission bits, device and inode, owner, size, mtime and ctime); `os.path.exists` looks at
  none, so only that the call succeeds is asked again. Indexing or comparing the answer, or a
  field outside those, counts as all of them;
* a directory's listing (scandir, listdir): its names (and each entry's type, for scandir),
  not their order (a directory made again moves in tmpfs's or btrfs's order: a caller that
  picks by position sorts first), and a stat of it taken before it is listed. When that stat
  answers the same, so does the listing (POSIX: adding, removing or renaming an entry updates
  the directory's mtime); when it does not, the directory is listed again and its names
  compared (a scandir is read to its end when it is made, so its names are always known): a file rewritten by a rename beside what was listed (a shell's history in `~`)
  changes nothing that was read. A caller that looks at some entries only says which
  (`narrow`): the scan, in a directory that is not an env, at its directories, links and a
  few names; `doctor`, beside an env, at the leftovers of interrupted writes. Files coming
  and going there (a project's sources) then change nothing either.
  `DirEntry.stat()` and a link entry's `is_dir()`/`is_file()` (which follow it) log a stat;
* readlink: the target text;
* open for reading: the fstat of what was opened, as a stat (an lstat with O_NOFOLLOW);
* access: the answer; an environment variable: its value or absence (iterating the
  environment logs all of it).

A recording is `tainted` (not to be kept) when anything writes (open for writing, mkdir,
rename, unlink, ...), spawns a process, uses a directory descriptor, looks up the user
database, reads a kernel pseudo-file or a file on a network filesystem (`core.base.mounts`),
sees two different answers to one question (in a field it looked at), or relies on the times
of a file changed less than `RACY_NS` before the recording started: a change within the
filesystem's timestamp granularity could leave the same mtime and ctime (the rule git calls
"racily clean"). A listing whose directory changed that recently is asked again by listing it,
never by its stat.

Only one recording at a time, from the main thread of a CLI command: the wrappers are
process-wide while it lasts (the TUI never records).
"""

from __future__ import annotations

import builtins
import errno
import io
import operator
import os
import stat
import time
from collections.abc import Callable, Iterable, Iterator, MutableMapping, Set
from contextlib import contextmanager, suppress
from operator import attrgetter

from venvtui.core.base.safe_io import pseudo_devices

# Not `typing` at run time: the warm path of the CLI imports this module.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TypeGuard

    from venvtui.core.base.mounts import NetworkMounts

    # What a listing logged: scandir's entries (their text is made when the log is written:
    # `_names`), listdir's names.
    Listed = list[os.DirEntry[str]] | list[str]

# A question: (kind, path or variable name). Its answer: a stat signature (tuple of ints), a
# listing (its directory's signature, or None, and what it listed, or None: digested when the
# log is written), a link's target, a variable's value, access()'s answer, an errno when the
# call failed, or None (an absent variable).
Question = tuple[str, str]

# A stat signature: what a caller can learn from one stat answer (st_atime aside: reading
# changes it), and the bit of each field in a set of fields looked at.
_SIG_NAMES = (
    "st_mode",
    "st_dev",
    "st_ino",
    "st_uid",
    "st_gid",
    "st_size",
    "st_mtime_ns",
    "st_ctime_ns",
)
_SIG_LEN = len(_SIG_NAMES)
_FIELDS = {name: 1 << i for i, name in enumerate(_SIG_NAMES)}
_FIELDS |= {"st_mtime": _FIELDS["st_mtime_ns"], "st_ctime": _FIELDS["st_ctime_ns"]}
ALL = (1 << len(_SIG_NAMES)) - 1
_MODE = _FIELDS["st_mode"]
_IDENTITY = _FIELDS["st_dev"] | _FIELDS["st_ino"]
_TIMES = _FIELDS["st_mtime_ns"] | _FIELDS["st_ctime_ns"]
_LISTINGS = ("list", "names")  # scandir: names and entry types; listdir: names

RACY_NS = 2_000_000_000  # 2 s: FAT/HFS+ keep 1-2 s timestamps; Linux's coarse clock ~4 ms

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
# Functions that change the disk: a recording that calls one is not kept.
_MUTATORS = (
    "mkdir",
    "makedirs",
    "rename",
    "renames",
    "replace",
    "remove",
    "unlink",
    "rmdir",
    "removedirs",
    "symlink",
    "link",
    "chmod",
    "lchmod",
    "chown",
    "lchown",
    "utime",
    "truncate",
    "mkfifo",
    "mknod",
    "system",
    "popen",
    "fork",
    "posix_spawn",
    "posix_spawnp",
)


# The user database (`~` without HOME, `~user`) is read by libc, not through `os`: a lookup
# could not be asked again, so it taints.
_USER_DB = ("getpwuid", "getpwnam", "getpwall")


def _user_db() -> Any:
    try:
        import pwd
    except ImportError:  # not POSIX: no user database
        return None
    return pwd


# A stat answer's signature (see `_SIG_NAMES`), taken in C: it is taken for every stat logged.
_sig: Callable[[os.stat_result], tuple[int, ...]] = attrgetter(*_SIG_NAMES)


def network_mounts() -> NetworkMounts:
    """The network filesystems mounted (`core.base.mounts`: imported when a recording starts,
    not by the scan that imports this module for `narrow`)."""
    from venvtui.core.base.mounts import network_mounts as mounted

    return mounted()


def _errno(exc: OSError) -> int:
    return exc.errno if exc.errno is not None else -1


def ask(kind: str, key: str) -> object:
    """The answer to one question now, as it would be logged (`changed` asks stat and lstat
    itself, for the fields logged only; their failures read as here)."""
    try:
        if kind == "lstat":
            return _sig(os.lstat(key))
        if kind == "stat":
            return _sig(os.stat(key))
        if kind == "readlink":
            return os.readlink(key)
        if kind.startswith("access"):
            return os.access(key, int(kind.removeprefix("access")))
        if kind == "env":
            return os.environ.get(key)
        if kind == "environ":
            return repr(sorted(os.environ.items()))
    except OSError as exc:
        return _errno(exc)
    except (ValueError, OverflowError):  # an embedded NUL, a mode out of range: the same again
        return -1
    return ("unknown question", kind)


class Log:
    """The questions asked while recording, each with its first answer, and the fields of each
    stat answer that were looked at."""

    __slots__ = (
        "answers",
        "pseudo",
        "readers",
        "real",
        "remote",
        "started_ns",
        "taint",
        "unsafe",
        "used",
        "varied",
    )

    def __init__(self, real: dict[str, Callable[..., Any]] | None = None) -> None:
        self.real = real or {}  # the functions wrapped while recording
        self.answers: dict[Question, object] = {}
        self.used: dict[Question, int] = {}  # per stat question: the `_FIELDS` looked at
        self.varied: dict[Question, int] = {}  # per stat question: fields that answered twice
        self.readers: dict[Question, list[_Entries]] = {}  # per scandir question: what it gave
        self.taint: str | None = None  # why this recording may not be kept
        self.started_ns = time.time_ns()
        self.pseudo = pseudo_devices()  # before any wrapper is in place
        self.remote = network_mounts()
        self.unsafe = self.pseudo | self.remote.devices  # the devices `device` spoils for

    def spoil(self, why: str) -> None:
        if self.taint is None:
            self.taint = why

    def add(self, kind: str, key: str, answer: object, fields: int = ALL) -> None:
        """Log `answer`; for a stat signature, `fields` are those the caller looks at (more may
        be added while its `_Stat` is read)."""
        q = (kind, key)
        if fields:
            self.used[q] = self.used.get(q, 0) | fields
        first = self.answers.setdefault(q, answer)
        if first is answer:  # the first answer (or that very object again: the same)
            if isinstance(answer, tuple) and answer[1] in self.unsafe:
                self.device(key, answer[1])
            return
        if first == answer:
            return
        if _is_sig(first) and _is_sig(answer):
            self.varied[q] = self.varied.get(q, 0) | _differing(first, answer)
        else:
            self.spoil(f"{kind} {key} changed while it was read")

    def listed(
        self,
        kind: str,
        key: str,
        sig: tuple[int, ...],
        names: Listed,
        reader: _Entries | None = None,
    ) -> None:
        """Log a listing of directory `key`: its stat `sig` taken before it was listed, and
        what it listed (scandir's entries, listdir's names: `_names` gives the text logged);
        `reader`: what scandir gave its caller."""
        q = (kind, key)
        if sig[1] in self.unsafe:
            self.device(key, sig[1])
        if reader is not None:
            self.readers.setdefault(q, []).append(reader)
        pair = (sig, names)
        first = self.answers.setdefault(q, pair)
        if first is pair:
            return
        first_sig: object
        first_names: Listed
        first_sig, first_names = first  # type: ignore[misc]
        if sorted(_names(kind, names)) != sorted(_names(kind, first_names)):
            self.spoil(f"listing {key} changed while it was read")
        elif first_sig != sig:  # two stats of one listing: only its names can tell
            self.answers[q] = (None, first_names)

    def stat(self, path: str, follow: bool) -> Any:
        """stat (lstat unless `follow`) of `path`, logged; a `_Stat` (as `os.stat_result`)
        notes the fields read."""
        q = ("stat" if follow else "lstat", path)
        try:
            st = self.real["stat"](path, follow_symlinks=follow)
        except OSError as exc:
            self.add(q[0], path, _errno(exc))
            raise
        sig = _sig(st)
        first = self.answers.setdefault(q, sig)
        if first is not sig or sig[1] in self.unsafe:  # `add`'s rare cases
            self.add(q[0], path, sig, 0)
        return _Stat(st, self.used, q)

    def narrowed(self) -> dict[Question, str]:
        """The listings each of whose callers narrowed what it listed (`narrow`), with what
        any of them selects; a directory another caller listed whole is asked whole."""
        out: dict[Question, str] = {}
        for q, readers in self.readers.items():
            selections = [r.only for r in readers]
            if all(selections):
                out[q] = selections[0] if len(selections) == 1 else _union(*selections)
        return out

    def device(self, key: str, dev: int) -> None:
        """Spoil the recording when `key` is on a device whose stat cannot be asked again: a
        kernel pseudo filesystem (its files change with no new times), or a network one (its
        client may answer from a cache that a change elsewhere has not reached yet). Called
        for the devices in `unsafe` only."""
        if dev in self.pseudo:
            self.spoil(f"{key} is a kernel pseudo-file")
        elif dev in self.remote.devices:
            self.spoil(f"{key} is on a network filesystem")

    def finish(self) -> None:
        """At the end of the recording: a field looked at that answered twice differently, a
        file read (or a signature compared whole) that changed moments before, or any question
        about a path below a network mount (a failed lookup, a link's target: no device tells),
        spoils it. A listing whose directory changed moments before is asked again by listing
        it (its stat is dropped)."""
        remote = self.remote.holds if self.remote.points else None
        answers, used, varied = self.answers, self.used, self.varied
        since = self.started_ns - RACY_NS  # `recent`, for each answer below
        for q, answer in answers.items():
            kind = q[0]
            if (
                remote is not None
                and kind not in ("env", "environ")
                and remote(os.path.abspath(q[1]))
            ):
                self.spoil(f"{q[1]} is on a network filesystem")  # a failed lookup there too
            if kind in _LISTINGS and isinstance(answer, tuple):
                sig, names = answer
                if sig is not None and max(sig[6], sig[7]) >= since:
                    answers[q] = (None, names)
                continue
            if not (isinstance(answer, tuple) and len(answer) == _SIG_LEN):  # `_is_sig`, inline
                continue  # no fields, and never racy
            fields = used.get(q, 0)
            if varied and varied.get(q, 0) & fields:
                self.spoil(f"{kind} {q[1]} changed while it was read")
            elif fields == ALL and max(answer[6], answer[7]) >= since:
                self.spoil(f"{q[1]} changed moments ago")

    def recent(self, answer: object) -> bool:
        """Whether `answer` is a signature whose mtime or ctime is less than `RACY_NS` before
        the recording began, or later."""
        return _is_sig(answer) and max(answer[6], answer[7]) >= self.started_ns - RACY_NS

    def questions(self, *, merge: bool = True) -> dict[str, list[str]]:
        """The log as JSON-ready text: per kind, a flat list [key, answer, key, answer, ...]
        in the order asked (flat lists of strings load and check fast). A stat question whose
        caller looked at some fields only is of kind "stat/<fields>" and its answer lists
        those. `merge`: with `_fewer`'s merges."""
        used = self.used
        narrowed = self.narrowed()  # asked as narrowed
        merged = (
            _fewer(self.answers, used, self.started_ns - RACY_NS, narrowed.keys()) if merge else {}
        )
        out: dict[str, list[str]] = {}
        texts: dict[int, Callable[..., str]] = {}  # per set of fields: `_fields_text`'s format
        for q, answer in self.answers.items():
            if q in merged:
                found = merged[q]
                if found is None:
                    continue
                answer, fields = found
            else:
                fields = -1  # not yet looked up: only a signature has fields
            kind, key = q
            if kind in _LISTINGS:
                sig, listed = _listing_of(answer)
                if listed is None:  # its stat answers for its names (`_fewer`)
                    digest = ""
                else:
                    names = _names(kind, listed)
                    selection = narrowed.get(q)
                    if selection is not None:
                        kind = f"{kind}/{selection}"
                        names = _selected(names, selection)
                    digest = _digest(names)
                # "signature|digest", either part empty when it is not known
                text = f"{'' if sig is None else _SIG_TEXT(*sig)}|{digest}"
            elif isinstance(answer, tuple) and len(answer) == _SIG_LEN:  # `_is_sig`, inline
                if fields < 0:
                    fields = used.get(q, 0)
                if fields != ALL:
                    kind = f"{kind}/{fields}"
                fill = texts.get(fields)
                if fill is None:
                    fill = texts[fields] = _fields_text(fields)
                text = fill(*answer)
            else:
                text = as_text(answer)
            out.setdefault(kind, []).extend((key, text))
        return out


def _is_sig(answer: object) -> TypeGuard[tuple[int, ...]]:
    return isinstance(answer, tuple) and len(answer) == _SIG_LEN


def _differing(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    """The `_FIELDS` bits where signatures `a` and `b` differ."""
    return sum(1 << i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y)


Merged = dict[Question, "tuple[object, int] | None"]


def _fewer(
    answers: dict[Question, object],
    used: dict[Question, int],
    since: int,
    narrowed: Set[Question] = frozenset(),
) -> Merged:
    """The questions `answers` (with the `used` fields) asks with fewer questions, where one
    answers for another, as {question: its new (answer, fields), or None when it goes}
    (`since`: the time after which a change is recent, see `Log.recent`):

    - a path whose lstat says it is not a link: stat reaches the same inode, so the lstat
      answers for it (with the fields of both, and the type, which tells a link);
    - a link: its lstat's inode and ctime answer for readlink (a link's target is never changed
      in place, and a new link is a new inode or, reusing the number, has a new ctime, unless
      it changed moments before: see `RACY_NS`);
    - a listed directory whose stat is asked too: its whole signature answers for both (its
      names are then not listed again: any change of it is a change), unless the listing is
      `narrowed` (a file coming or going there would then be a change).
    """
    merged: Merged = {}  # a question in it as None is gone; only stat and readlink go
    for q, answer in answers.items():
        kind = q[0]
        if kind == "lstat" and isinstance(answer, tuple) and len(answer) == _SIG_LEN:  # `_is_sig`
            fields = used.get(q, 0)
            if stat.S_ISLNK(answer[0]):
                link = ("readlink", q[1])
                if link in answers and max(answer[6], answer[7]) < since:  # not `recent`
                    merged[link] = None
                    merged[q] = (answer, fields | _MODE | _IDENTITY | _TIMES)
                continue
            other = ("stat", q[1])
            if other not in merged and answers.get(other) == answer:
                merged[other] = None
                merged[q] = (answer, fields | used.get(other, 0) | _MODE)
        elif kind in _LISTINGS and type(answer) is tuple and answer[0] is not None:
            if q in narrowed:
                continue
            other = ("stat", q[1])
            if other not in merged and answers.get(other) == answer[0]:
                merged[other] = None
                merged[q] = ((answer[0], None), ALL)
    return merged


def as_text(answer: object) -> str:
    """One answer as text: "1,2,3" a signature, "!2" an errno, "=..." a string, "T"/"F" a
    yes/no, "-" an absent variable."""
    if isinstance(answer, tuple):
        return ",".join(map(str, answer))
    if isinstance(answer, bool):
        return "T" if answer else "F"
    if isinstance(answer, int):
        return f"!{answer}"
    if isinstance(answer, str):
        return f"={answer}"
    return "-"


def _positions(fields: int) -> tuple[int, ...]:
    return tuple(i for i in range(len(_SIG_NAMES)) if fields >> i & 1)


def _fields_text(fields: int) -> Callable[..., str]:
    """What makes the text of the `fields` of a signature, called with its items: "1,2,3" as
    `as_text` ("" when none: it exists). One `str.format` call (an empty format spec is
    `str()`), not a `str` per field."""
    return ",".join(f"{{{i}}}" for i in _positions(fields)).format


_SIG_TEXT = _fields_text(ALL)  # a whole signature, as `as_text` writes it


def _listing_of(answer: object) -> tuple[tuple[int, ...] | None, Listed | None]:
    """A logged listing's (stat signature or None, what it listed or None)."""
    pair: tuple[tuple[int, ...] | None, Listed | None] = answer  # type: ignore[assignment]
    return pair


def _names(kind: str, listed: Listed) -> list[str]:
    """A listing's text: listdir's names ("names") as they are, scandir's entries ("list") as
    `_listing` writes them. Made when the log is written, for the listings whose directory's
    stat does not answer for them (`_fewer`): most do. An entry's type is the one its caller
    was told (a DirEntry keeps it); an entry it asked nothing about told it nothing."""
    if kind == "list":
        return _listing(listed)  # type: ignore[arg-type]
    return listed  # type: ignore[return-value]


def _listing(entries: Iterable[os.DirEntry[str]]) -> list[str]:
    """The entries as a listing logs them: each one's name and what the listing says it is
    (its d_type; a stat where the filesystem gives none), as "name/type"."""
    listed = []
    for entry in entries:  # a loop, not a call per entry: a listing is logged for every scandir
        try:
            if entry.is_dir(follow_symlinks=False):
                kind = "d"
            elif entry.is_file(follow_symlinks=False):
                kind = "f"
            else:
                kind = "l" if entry.is_symlink() else "o"
        except OSError:
            kind = "?"
        listed.append(f"{entry.name}/{kind}")
    return listed


def _digest(names: list[str]) -> str:
    import hashlib  # only when a listing is logged or asked again

    text = "\0".join(sorted(names)).encode("utf-8", "surrogateescape")
    return hashlib.blake2b(text, digest_size=16).hexdigest()


def _selected(listed: list[str], only: str) -> list[str]:
    """The entries of `listed` (`_listing`'s "name/type") that `only` selects: "TYPES:NAMES",
    e.g. "dl:.venv,pyvenv.cfg" keeps every directory and link, and the entries so named; a
    name "*TEXT" keeps the entries whose name holds TEXT (":*.venvtui-": a write's leftovers)."""
    types, named = _selection(only)
    marks = [n[1:] for n in named if n.startswith("*")]
    out = []
    for item in listed:
        name, _, kind = item.rpartition("/")
        if kind in types or name in named or (marks and any(m in name for m in marks)):
            out.append(item)
    return out


def _selection(only: str) -> tuple[str, set[str]]:
    """A selection "TYPES:NAMES" (`_selected`) as its types and its set of names."""
    types, _, names = only.partition(":")
    return types, {n for n in names.split(",") if n}


def _union(*selections: str) -> str:
    """What any of `selections` selects, as one selection."""
    types: set[str] = set()
    names: set[str] = set()
    for selection in selections:
        kinds, named = _selection(selection)
        types.update(kinds)
        names |= named
    return "".join(sorted(types)) + ":" + ",".join(sorted(names))


def narrow(listing: object, only: str) -> None:
    """Tell the recording running (if one is) that the caller that read `listing` (what
    os.scandir gave it) to its end looks at no entry but those `only` selects (`_selected`):
    what else comes and goes there then asks nothing again. The caller's promise: a test of
    it adds entries `only` leaves out and finds its answer unchanged. The promise is about
    that listing alone: another caller's listing of the directory is asked whole unless its
    caller promises too."""
    if _ACTIVE and isinstance(listing, _Entries) and listing.read_all():
        listing.only = _union(listing.only, only) if listing.only else only


def _listing_now(kind: str, path: str, only: str = "") -> str | None:
    """The digest of directory `path`'s listing now (as `kind` logs it, with the entries
    `only` selects when given), or None."""
    try:
        if kind == "names":
            return _digest(os.listdir(path))
        with os.scandir(path) as it:
            listed = _listing(it)
    except OSError:
        return None
    return _digest(_selected(listed, only) if only else listed)


def changed(questions: dict[str, list[str]]) -> str | None:
    """The first question (as `Log.questions()` lists them) whose answer is not the one logged,
    as "kind key"; None when every one answers the same."""
    stats: dict[str, os.stat_result | str] = {}  # one stat per path: listings and stat share it

    def stat_of(key: str) -> os.stat_result | str:
        found = stats.get(key)
        if found is None:
            try:
                found = os.stat(key)
            except OSError as exc:
                found = f"!{_errno(exc)}"
            except (ValueError, OverflowError):
                found = "!-1"
            stats[key] = found
        return found

    def teller(base: str, fields: str) -> Callable[[str], str]:
        """The answer to a question of kind `base` now, as text (`as_text`, or the fields)."""
        if base not in ("stat", "lstat"):
            return lambda key: as_text(ask(base, key))
        names = [_SIG_NAMES[i] for i in _positions(int(fields))] if fields else [*_SIG_NAMES]
        get = attrgetter(*names) if names else None

        def tell(key: str) -> str:
            if base == "stat":
                st = stat_of(key)
            else:
                try:
                    st = os.lstat(key)
                except OSError as exc:
                    return f"!{_errno(exc)}"
                except (ValueError, OverflowError):
                    return "!-1"
            if isinstance(st, str):
                return st
            if get is None:
                return ""
            value = get(st)
            return ",".join(map(str, value)) if len(names) > 1 else str(value)

        return tell

    full = teller("stat", "")
    for kind, pairs in questions.items():
        keys, texts = pairs[0::2], pairs[1::2]
        base, _, fields = kind.partition("/")
        if base in _LISTINGS:
            for key, text in zip(keys, texts, strict=False):
                sig, _, digest = text.partition("|")
                if sig and full(key) == sig:
                    continue  # POSIX: a change of its entries updates the directory's mtime
                if not digest or _listing_now(base, key, fields) != digest:
                    return f"{kind} {key}"
            continue
        if fields and not fields.isdigit():
            return kind  # not a kind `Log.questions()` writes
        tell = teller(base, fields)
        for key, text in zip(keys, texts, strict=False):
            if tell(key) != text:
                return f"{kind} {key}"
    return None


def _path(p: Any) -> str | None:
    """The path a call names, or None for a descriptor (logged where it was opened)."""
    if type(p) is str:
        return p
    if isinstance(p, int):
        return None
    return os.fsdecode(os.fspath(p))


class _Entry:
    """A `os.DirEntry` that logs what its listing does not answer: a stat, and whether the
    target of a link is a directory or a file."""

    __slots__ = ("_e", "_log", "name", "path")

    def __init__(self, entry: os.DirEntry[str], log: Log) -> None:
        self._e, self._log, self.name, self.path = entry, log, entry.name, entry.path

    def __fspath__(self) -> str:
        return self.path

    def inode(self) -> int:
        self._log.spoil("a listed inode number")  # not part of what a listing logs
        return self._e.inode()

    def is_symlink(self) -> bool:
        return self._e.is_symlink()

    def is_junction(self) -> bool:
        return False

    def _followed(self) -> None:
        """Log the stat a link entry's is_dir()/is_file() make (its type is what they tell; a
        dangling link answers False, not an error)."""
        with suppress(OSError):
            self._log.stat(self.path, True).st_mode  # noqa: B018

    def is_dir(self, *, follow_symlinks: bool = True) -> bool:
        if follow_symlinks and self._e.is_symlink():
            self._followed()
        return self._e.is_dir(follow_symlinks=follow_symlinks)

    def is_file(self, *, follow_symlinks: bool = True) -> bool:
        if follow_symlinks and self._e.is_symlink():
            self._followed()
        return self._e.is_file(follow_symlinks=follow_symlinks)

    def stat(self, *, follow_symlinks: bool = True) -> Any:
        return self._log.stat(self.path, follow_symlinks)

    def __repr__(self) -> str:
        return f"<DirEntry {self.name!r}>"


_WRAPPED = ("stat", "lstat", "scandir", "listdir", "readlink", "access", "open")


class _Stat:
    """A stat answer that notes which of its fields the caller looks at (see `_FIELDS`); any
    other use of it (indexing, comparing, another field) counts as all of them."""

    __slots__ = ("_fields", "_q", "_st")

    def __init__(self, st: os.stat_result, fields: dict[Question, int], q: Question) -> None:
        self._st, self._fields, self._q = st, fields, q

    def _use(self, bits: int) -> None:
        self._fields[self._q] = self._fields.get(self._q, 0) | bits

    # Each attribute of a stat answer is a property (below): not `__getattr__`, which would
    # slow down every attribute of the class (no specialised lookup), its own included.

    def whole(self) -> os.stat_result:
        self._use(ALL)
        return self._st

    def __getitem__(self, index: Any) -> Any:
        return self.whole()[index]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.whole())

    def __len__(self) -> int:
        return len(self.whole())

    def __eq__(self, other: object) -> bool:
        return self.whole() == (other.whole() if isinstance(other, _Stat) else other)

    def __hash__(self) -> int:
        return hash(self.whole())

    def __reduce__(self) -> Any:
        return self.whole().__reduce__()

    def __repr__(self) -> str:
        return repr(self.whole())


def _field(name: str, bit: int) -> property:
    def get(self: _Stat) -> Any:
        used, q = self._fields, self._q  # `_use`, without its frame: fields are read often
        used[q] = used.get(q, 0) | bit
        return getattr(self._st, name)

    return property(get)


for _name in dir(os.stat_result):  # a field outside `_FIELDS` (st_nlink, ...) counts as all
    if not _name.startswith("__"):
        setattr(_Stat, _name, _field(_name, _FIELDS.get(_name, ALL)))


# Failures of a read that the path's stat accounts for (its type, mode, owner; an ACL's change
# moves its ctime). Any other (out of descriptors or memory, an I/O error) is the state of the
# process or the device at the time, which a later run need not share.
_FILE_ERRNOS = frozenset(
    (errno.EACCES, errno.EPERM, errno.EISDIR, errno.ENOTDIR, errno.ELOOP, errno.ENXIO)
)


def _explains(answer: object, exc: OSError) -> bool:
    """Whether `answer` (the path's stat signature, or the errno stat failed with) accounts
    for the read's failure `exc`."""
    return answer == _errno(exc) or (isinstance(answer, tuple) and exc.errno in _FILE_ERRNOS)


def _open_failed(log: Log, kind: str, path: str, exc: OSError) -> None:
    """An open for reading failed: log what stat says of the path when that explains the
    failure (`_explains`): the same file (type, owner, mode, or its absence) fails the same
    way. (An open that succeeds logs the fstat of what was opened, as a stat.)"""
    try:
        answer: object = _sig(log.real["stat"](path, follow_symlinks=kind == "stat"))
    except OSError as again:
        answer = _errno(again)
    if _explains(answer, exc):
        log.add(kind, path, answer)
    else:
        log.spoil(f"open {path} failed, but not as stat says it would")


def _wrappers(log: Log) -> dict[str, Callable[..., Any]]:
    real = log.real

    def w_stat(path: Any, *, dir_fd: int | None = None, follow_symlinks: bool = True) -> Any:
        if type(path) is str and dir_fd is None:  # the common case first
            return log.stat(path, follow_symlinks)
        p = _path(path)
        if dir_fd is not None:
            log.spoil("a directory descriptor")
        if p is None or dir_fd is not None:
            return real["stat"](path, dir_fd=dir_fd, follow_symlinks=follow_symlinks)
        return log.stat(p, follow_symlinks)

    def w_lstat(path: Any, *, dir_fd: int | None = None) -> Any:
        if type(path) is str and dir_fd is None:
            return log.stat(path, False)
        return w_stat(path, dir_fd=dir_fd, follow_symlinks=False)

    def listing(call: Callable[[Any], Any], path: Any) -> tuple[Any, str | None, Any]:
        """`call(path)` (scandir or listdir), the directory it lists and that directory's stat
        signature, taken before it is listed; no directory when the listing is not to be
        logged (it spoils the recording)."""
        p = path if type(path) is str else _path(path)
        if p is None or isinstance(os.fspath(path), bytes):
            log.spoil("a listing by descriptor or bytes path")
            return call(path), None, None
        try:
            sig: object = _sig(real["stat"](p))
        except OSError as exc:
            sig = _errno(exc)
        try:
            found = call(path)
        except OSError as exc:
            log.add("stat", p, sig)  # the failure, as the directory's stat explains it
            if not _explains(sig, exc):
                log.spoil(f"listing {p} failed, but not as stat says it would")
            raise
        if not isinstance(sig, tuple):
            log.spoil(f"{p} was listed, but stat could not see it")
            return found, None, None
        return found, p, sig

    def w_scandir(path: Any = ".") -> Any:
        it, p, sig = listing(real["scandir"], path)
        if p is None:
            return it
        # read to its end at once (every caller while recording reads it all): the caller
        # then iterates a list, not a logging iterator, entry by entry
        try:
            with it:
                found = list(it)
        except OSError:
            log.spoil(f"listing {p} failed while it was read")
            raise
        entries = _Entries([_Entry(e, log) for e in found])
        log.listed("list", p, sig, found, entries)
        return entries

    def w_listdir(path: Any = ".") -> Any:
        names, p, sig = listing(real["listdir"], path)
        if p is not None:
            log.listed("names", p, sig, list(names))  # the caller may change its list
        return names

    # readlink, access and open log their answer (no fields: only a stat's answer has them)

    def w_readlink(path: Any, *, dir_fd: int | None = None) -> Any:
        p = path if type(path) is str else _path(path)
        if p is None or dir_fd is not None:
            log.spoil("a directory descriptor")
            return real["readlink"](path, dir_fd=dir_fd)
        try:
            target = real["readlink"](path)
        except OSError as exc:
            log.add("readlink", p, _errno(exc), 0)
            raise
        log.add("readlink", p, target if type(target) is str else os.fsdecode(target), 0)
        return target

    def w_access(path: Any, mode: int, **kw: Any) -> Any:
        p = path if type(path) is str else _path(path)
        if p is None or kw:
            log.spoil("access() with options")
            return real["access"](path, mode, **kw)
        kind = f"access{mode}"
        try:
            allowed = real["access"](path, mode)
        except OSError as exc:
            log.add(kind, p, _errno(exc), 0)
            raise
        log.add(kind, p, bool(allowed), 0)
        return allowed

    def w_os_open(path: Any, flags: int, mode: int = 0o777, *, dir_fd: int | None = None) -> int:
        p = path if type(path) is str else _path(path)
        if flags & _WRITE_FLAGS or dir_fd is not None or p is None:
            log.spoil("a write or a descriptor-relative open")
            return int(real["open"](path, flags, mode, dir_fd=dir_fd))
        kind = "lstat" if flags & _NOFOLLOW else "stat"
        try:
            fd = int(real["open"](path, flags, mode))
        except OSError as exc:
            _open_failed(log, kind, p, exc)
            raise
        log.add(kind, p, _sig(os.fstat(fd)))
        return fd

    def w_open(file: Any, mode: str = "r", *args: Any, **kw: Any) -> Any:
        p = _path(file)
        if p is None:
            return real["<open>"](file, mode, *args, **kw)
        if any(c in mode for c in "wax+") or kw.get("opener") is not None:
            log.spoil("a write")
            return real["<open>"](file, mode, *args, **kw)
        try:
            opened = real["<open>"](file, mode, *args, **kw)
        except OSError as exc:
            _open_failed(log, "stat", p, exc)
            raise
        log.add("stat", p, _sig(os.fstat(opened.fileno())))
        return opened

    def spoiler(name: str) -> Callable[..., Any]:
        original = real[name]

        def wrapper(*args: Any, **kw: Any) -> Any:
            log.spoil(f"os.{name}")
            return original(*args, **kw)

        return wrapper

    wrapped: dict[str, Callable[..., Any]] = {
        "stat": w_stat,
        "lstat": w_lstat,
        "scandir": w_scandir,
        "listdir": w_listdir,
        "readlink": w_readlink,
        "access": w_access,
        "open": w_os_open,
    }
    for name in _MUTATORS:
        if hasattr(os, name):
            wrapped[name] = spoiler(name)
    wrapped["<open>"] = w_open
    return wrapped


class _Entries:
    """scandir()'s iterator over entries that log what their listing does not answer, read
    to its end beforehand (`w_scandir`)."""

    __slots__ = ("_it", "only")

    def __init__(self, entries: list[_Entry]) -> None:
        self._it = iter(entries)
        self.only = ""  # what its caller looks at (`narrow`); "" for every entry

    def __iter__(self) -> Iterator[_Entry]:
        return self._it  # a list's own iterator: no Python frame per entry

    def __next__(self) -> _Entry:
        return next(self._it)

    def read_all(self) -> bool:
        """Whether its caller has taken every entry."""
        return operator.length_hint(self._it) == 0

    def __enter__(self) -> _Entries:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def close(self) -> None:
        pass


class _Environ(MutableMapping[str, str]):
    """`os.environ` that logs each variable looked up (and all of them when iterated); a
    change spoils the recording."""

    def __init__(self, real: MutableMapping[str, str], log: Log) -> None:
        self._real, self._log = real, log

    def __getitem__(self, key: str) -> str:
        value = self._real.get(key)
        self._log.add("env", key, value)
        if value is None:
            raise KeyError(key)
        return value

    def __iter__(self) -> Iterator[str]:
        self._log.add("environ", "", repr(sorted(self._real.items())))
        return iter(self._real)

    def __len__(self) -> int:
        self._log.add("environ", "", repr(sorted(self._real.items())))
        return len(self._real)

    def __setitem__(self, key: str, value: str) -> None:
        self._log.spoil("the environment was changed")
        self._real[key] = value

    def __delitem__(self, key: str) -> None:
        self._log.spoil("the environment was changed")
        del self._real[key]

    def copy(self) -> dict[str, str]:
        return _EnvironCopy(self._real, self._log)


class _EnvironCopy(dict[str, str]):
    """`os.environ.copy()` while recording: a dict that logs the variables looked up in it
    (and all of them when it is iterated)."""

    def __init__(self, real: MutableMapping[str, str], log: Log) -> None:
        super().__init__(real)
        self._log = log

    def _all(self) -> None:
        self._log.add("environ", "", repr(sorted(super().items())))

    def __getitem__(self, key: str) -> str:
        self._log.add("env", key, super().get(key))
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self._log.add("env", key, super().get(key))
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self._log.add("env", key, super().get(key))
        return super().__contains__(key)

    def __iter__(self) -> Iterator[str]:
        self._all()
        return super().__iter__()

    def keys(self) -> Any:
        self._all()
        return super().keys()

    def items(self) -> Any:
        self._all()
        return super().items()

    def values(self) -> Any:
        self._all()
        return super().values()

    def __len__(self) -> int:
        self._all()
        return super().__len__()

    def copy(self) -> dict[str, str]:
        self._all()
        return dict(super().items())

    # dict's own methods that read without the ones above
    def pop(self, key: str, *default: Any) -> Any:
        self._log.add("env", key, super().get(key))
        return super().pop(key, *default)

    def setdefault(self, key: str, default: Any = None) -> Any:
        self._log.add("env", key, super().get(key))
        return super().setdefault(key, default)

    def popitem(self) -> tuple[str, str]:
        self._all()
        return super().popitem()

    def __eq__(self, other: object) -> bool:
        self._all()
        return super().__eq__(other)

    def __ne__(self, other: object) -> bool:
        self._all()
        return super().__ne__(other)

    def __repr__(self) -> str:
        self._all()
        return super().__repr__()

    def __reversed__(self) -> Iterator[str]:
        self._all()
        return super().__reversed__()


_ACTIVE: list[Log] = []


@contextmanager
def recording() -> Iterator[Log]:
    """Log every read for the duration (see the module's docstring)."""
    if _ACTIVE:
        raise RuntimeError("a recording is already running")
    # What is in place now (a test's fault injection included) is what the wrappers call.
    real = {name: getattr(os, name) for name in (*_WRAPPED, *_MUTATORS) if hasattr(os, name)}
    real["<open>"] = builtins.open
    saved_io_open = io.open
    log = Log(real)
    wrapped = _wrappers(log)
    saved_environ = os.environ
    import subprocess  # here: the scan imports this module for `narrow`

    saved_child = subprocess.Popen._execute_child  # type: ignore[attr-defined]

    def spawn(*args: Any, **kw: Any) -> Any:
        log.spoil("a process was started")
        return saved_child(*args, **kw)

    user_db = _user_db()
    saved_user_db = {name: getattr(user_db, name) for name in _USER_DB if hasattr(user_db, name)}

    def user_lookup(original: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any) -> Any:
            log.spoil("a user database lookup")
            return original(*args)

        return wrapper

    _ACTIVE.append(log)
    try:
        for name, fn in saved_user_db.items():
            setattr(user_db, name, user_lookup(fn))
        for name, fn in wrapped.items():
            if name == "<open>":
                builtins.open = io.open = fn
            else:
                setattr(os, name, fn)
        os.environ = _Environ(saved_environ, log)  # type: ignore[assignment]  # noqa: B003
        subprocess.Popen._execute_child = spawn  # type: ignore[attr-defined]
        yield log
    finally:
        log.finish()
        for name, fn in real.items():
            if name == "<open>":
                builtins.open = fn
            else:
                setattr(os, name, fn)
        io.open = saved_io_open
        os.environ = saved_environ  # noqa: B003
        subprocess.Popen._execute_child = saved_child  # type: ignore[attr-defined]
        for name, fn in saved_user_db.items():
            setattr(user_db, name, fn)
        _ACTIVE.clear()
