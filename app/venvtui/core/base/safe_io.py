"""Bounded reads of files that come from environments or the user's home.

Anything under an environment may be hostile or broken: a FIFO where `pyvenv.cfg` should be
(opening it blocks until a writer appears), a link to a device (`/dev/zero` never ends) or to a
kernel pseudo-file (`/proc/kmsg` blocks, and reading it consumes the kernel log), a 200 GiB
sparse file, a 100 MB single line. Every read here is:

* checked with stat *before* opening: only regular files are opened, so opening never blocks
  and never has a device's side effects;
* opened with O_NONBLOCK (and O_NOFOLLOW when asked), then fstat-ed again so a swap between
  the stat and the open is caught;
* capped: a file larger than `limit` is refused, and at most `limit` bytes are ever read.

JSON from probes and caches goes through `loads_json`, which caps the nesting depth so a hostile
document raises ValueError instead of RecursionError.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
from functools import cache

# `typing` costs as much as the rest of the warm `interpreters --json` path: annotations only
# (mypy treats any TYPE_CHECKING name as true).
TYPE_CHECKING = False
if TYPE_CHECKING:
    pass

# Typical caps for callers (bytes).
SMALL_FILE = 1 << 20  # pyvenv.cfg, .project, environments.txt, METADATA, direct_url.json
JSON_MAX_DEPTH = 64


class UnsafeRead(OSError):
    """A file was refused instead of read: not a regular file, a kernel pseudo-file, or larger
    than the caller's limit. `str()` is one line naming the file and the reason."""

    hint = "the file is not an ordinary file of sane size; inspect or remove it"

    def __init__(self, path: str | os.PathLike[str], reason: str, code: int = errno.EINVAL):
        super().__init__(code, reason, os.fspath(path))
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.filename}: {self.reason}"


_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISLNK, "a symbolic link"),
)


def kind_of(mode: int) -> str:
    """Human name of a file type, e.g. "a FIFO (named pipe)"."""
    if stat.S_ISREG(mode):
        return "a regular file"
    return next((name for test, name in _KINDS if test(mode)), "a special file")


@cache
def pseudo_devices() -> frozenset[int]:
    """Devices of the kernel's pseudo filesystems (procfs, sysfs): their "regular" files report
    size 0, may block (`/proc/kmsg`) or have side effects when read."""
    devs = set()
    for mount in ("/proc", "/sys"):
        with contextlib.suppress(OSError):
            devs.add(os.stat(mount).st_dev)
    with contextlib.suppress(OSError):  # no /proc mount: its directory sits on the root fs
        devs.discard(os.stat(os.sep).st_dev)
    return frozenset(devs)


def _check(path: str | os.PathLike[str], st: os.stat_result, limit: int | None) -> None:
    if not stat.S_ISREG(st.st_mode):
        code = errno.EISDIR if stat.S_ISDIR(st.st_mode) else errno.EINVAL
        raise UnsafeRead(path, f"is {kind_of(st.st_mode)}, not a regular file", code)
    if st.st_dev in pseudo_devices():
        raise UnsafeRead(path, "is a kernel pseudo-file (/proc or /sys), not an ordinary file")
    if limit is not None and st.st_size > limit:
        raise UnsafeRead(
            path, f"is {st.st_size} bytes, more than the {limit}-byte limit", errno.EFBIG
        )


def is_regular_file(path: str | os.PathLike[str], *, follow_symlinks: bool = True) -> bool:
    """True when `path` is a regular file (by stat only: nothing is opened)."""
    try:
        return stat.S_ISREG(os.stat(path, follow_symlinks=follow_symlinks).st_mode)
    except (OSError, ValueError):
        return False


def _open_fd(
    path: str | os.PathLike[str], max_size: int | None, follow_symlinks: bool
) -> tuple[int, os.stat_result]:
    """A descriptor on the regular file at `path` and its fstat: stat first (a FIFO or device
    is refused before any open), then O_NONBLOCK, then fstat again (a swap in between is
    refused)."""
    st = os.stat(path, follow_symlinks=follow_symlinks)
    if stat.S_ISLNK(st.st_mode):
        raise UnsafeRead(path, "is a symbolic link; links are not followed here", errno.ELOOP)
    _check(path, st, max_size)
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags)
    try:
        fst = os.fstat(fd)
        _check(path, fst, max_size)
        if (fst.st_dev, fst.st_ino) != (st.st_dev, st.st_ino):
            raise UnsafeRead(path, "was replaced while being opened", errno.EAGAIN)
    except BaseException:
        os.close(fd)
        raise
    return fd, fst


def read_head(path: str | os.PathLike[str], size: int, *, follow_symlinks: bool = True) -> bytes:
    """The first `size` bytes (or fewer) of the regular file at `path`, whatever its length:
    for sniffing a `#!` line or a binary header without ever opening a FIFO or device."""
    fd, st = _open_fd(path, None, follow_symlinks)
    try:
        return _read_upto(fd, path, size, st.st_size)
    finally:
        os.close(fd)


def _read_upto(fd: int, path: str | os.PathLike[str], size: int, expect: int) -> bytes:
    """At most `size` bytes from `fd`; `expect` (the fstat size) sizes the first read, so a
    small file is read with one call: a regular file's read comes back short only at its end
    (POSIX read()), and one that ends where fstat said needs no further call to see it."""
    chunks: list[bytes] = []
    left = size
    step = max(min(expect + 1, left), 1 << 12)
    while left > 0:
        want = min(left, step)
        try:
            chunk = os.read(fd, want)
        except BlockingIOError:
            raise UnsafeRead(path, "would block on read", errno.EAGAIN) from None
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
        if len(chunk) < want and size - left == expect:
            break
        step = 1 << 16
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def read_bytes(path: str | os.PathLike[str], *, limit: int, follow_symlinks: bool = True) -> bytes:
    """The content of the regular file at `path`, at most `limit` bytes.

    Raises UnsafeRead (an OSError) for anything else, and the usual OSError subclasses
    (FileNotFoundError, PermissionError, ...) when the file cannot be opened. With
    `follow_symlinks=False` a link at `path` itself is refused.
    """
    fd, st = _open_fd(path, limit, follow_symlinks)
    try:
        # One byte more than allowed tells a file that grew past the limit after the fstat.
        data = _read_upto(fd, path, limit + 1, st.st_size)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise UnsafeRead(path, f"grew past the {limit}-byte limit while read", errno.EFBIG)
    return data


def read_text(
    path: str | os.PathLike[str],
    *,
    limit: int,
    errors: str = "surrogateescape",
    follow_symlinks: bool = True,
) -> str:
    """`read_bytes` decoded as UTF-8 (`errors="surrogateescape"` keeps undecodable bytes
    round-trippable, as os.fsdecode does for paths)."""
    return read_bytes(path, limit=limit, follow_symlinks=follow_symlinks).decode("utf-8", errors)


def json_depth_ok(value: object, max_depth: int) -> bool:
    """True when `value` nests lists/dicts at most `max_depth` deep (checked iteratively, one
    level at a time; only containers are kept, so a large flat document is checked fast)."""
    level: list[dict[object, object] | list[object]] = (
        [value] if isinstance(value, (dict, list)) else []
    )
    depth = 1
    while level:
        if depth > max_depth:
            return False
        below: list[dict[object, object] | list[object]] = []
        for item in level:
            children = item.values() if isinstance(item, dict) else item
            below += [c for c in children if isinstance(c, (dict, list))]
        level = below
        depth += 1
    return True


def loads_json(text: str | bytes, *, max_depth: int = JSON_MAX_DEPTH) -> object:
    """json.loads with a nesting cap: raises ValueError (never RecursionError) when the
    document nests deeper than `max_depth` or is not JSON."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise ValueError(f"JSON nested more than {max_depth} levels deep") from None
    if not json_depth_ok(value, max_depth):
        raise ValueError(f"JSON nested more than {max_depth} levels deep")
    return value
