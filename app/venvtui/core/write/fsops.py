"""Link- and mount-safe file operations for the writer.

Everything below an environment is reached through directory file descriptors opened with
`O_NOFOLLOW | O_DIRECTORY` (openat(2)), so a link swapped in anywhere on the way is refused
instead of followed; every directory entered is checked to be on the environment's own device
(st_dev), so the contents of a bind mount or another filesystem mounted inside are never
removed or written; nothing is ever chmod'ed or written through a link.

The environment directory itself is opened relative to its parent (the parent path is resolved
by the kernel as usual: that is the explicit resolution the user asked for), and compared with
the identity (st_dev, st_ino) captured when the write was planned.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import os
import secrets
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import Literal

from venvtui.core.base.errors import WriteRefused

# openat(2) flags for a directory that must not be a link.
O_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_O_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC

# renameat2(2) flags (Linux 3.15+, glibc 2.28+).
_RENAME_NOREPLACE = 1
_RENAME_EXCHANGE = 2
# renameatx_np(2) flags (macOS 10.12+, <sys/stdio.h>).
_DARWIN_RENAME_SWAP = 0x2
_DARWIN_RENAME_EXCL = 0x4

Kind = Literal["absent", "dir", "link", "other"]


class UnsafePath(WriteRefused):
    """A path the writer must not act on: a link, another device, or changed since planned."""


@dataclass(frozen=True, slots=True)
class FileId:
    """What stands at a path, by identity: kind and (st_dev, st_ino) from lstat."""

    kind: Kind
    dev: int = 0
    ino: int = 0

    @classmethod
    def of(cls, st: os.stat_result | None) -> FileId:
        if st is None:
            return cls("absent")
        if stat.S_ISDIR(st.st_mode):
            kind: Kind = "dir"
        elif stat.S_ISLNK(st.st_mode):
            kind = "link"
        else:
            kind = "other"
        return cls(kind, st.st_dev, st.st_ino)

    def same(self, other: FileId) -> bool:
        return self == other

    def to_json(self) -> list[str | int]:
        return [self.kind, self.dev, self.ino]

    @classmethod
    def from_json(cls, data: object) -> FileId:
        if not isinstance(data, list) or len(data) != 3:
            raise ValueError(f"bad file id {data!r}")
        kind, dev, ino = data
        if kind not in ("absent", "dir", "link", "other"):
            raise ValueError(f"bad file kind {kind!r}")
        return cls(kind, int(dev), int(ino))


def lstat_at(dir_fd: int, name: str) -> os.stat_result | None:
    try:
        return os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return None


def identify(path: str) -> FileId:
    """The identity of what stands at `path` (a link is not followed)."""
    try:
        return FileId.of(os.lstat(path))
    except (FileNotFoundError, NotADirectoryError):
        return FileId("absent")


def identify_at(dir_fd: int, name: str) -> FileId:
    try:
        return FileId.of(lstat_at(dir_fd, name))
    except NotADirectoryError:
        return FileId("absent")


def open_parent(path: str) -> int:
    """A descriptor of the directory holding `path` (its path resolved by the kernel)."""
    parent = os.path.dirname(os.path.abspath(path))
    return os.open(parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)


def open_dir_at(dir_fd: int, name: str, *, shown: str = "") -> int:
    """Open the directory `name` in `dir_fd`, refusing a link or a non-directory."""
    try:
        return os.open(name, O_DIR, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
            what = "a symbolic link" if _is_link_at(dir_fd, name) else "not a directory"
            raise UnsafePath(
                f"{shown or name} is {what}",
                "venvtui does not act through links; pass the real directory",
            ) from None
        raise


def _is_link_at(dir_fd: int, name: str) -> bool:
    try:
        st = lstat_at(dir_fd, name)
    except OSError:
        return False
    return st is not None and stat.S_ISLNK(st.st_mode)


def open_anchored(path: str, expect: FileId) -> int:
    """Open the directory at `path` without following a link, and check it is the one that
    was planned (same st_dev and st_ino); refuse without touching anything otherwise."""
    pfd = open_parent(path)
    try:
        name = os.path.basename(os.path.abspath(path))
        now = identify_at(pfd, name)
        if now.kind == "link":
            raise UnsafePath(
                f"{path} is now a symbolic link (to {os.readlink(name, dir_fd=pfd)})",
                "it changed after the plan was made; nothing was changed",
            )
        if now != expect:
            raise UnsafePath(
                f"{path} changed after the plan was made",
                "plan again; nothing was changed",
            )
        fd = open_dir_at(pfd, name, shown=path)
    finally:
        os.close(pfd)
    if FileId.of(os.fstat(fd)) != expect:  # swapped between lstat and open
        os.close(fd)
        raise UnsafePath(f"{path} changed while being opened", "plan again; nothing was changed")
    return fd


def parts_of(rel: str) -> tuple[str, ...]:
    """The components of a relative path; refuse `..` and absolute paths."""
    parts = PurePath(rel).parts
    if PurePath(rel).is_absolute() or any(p == os.pardir for p in parts):
        raise UnsafePath(f"{rel} leaves the environment", "this is a bug in the plan")
    return tuple(p for p in parts if p != os.curdir)


def walk_to_parent(root_fd: int, rel: str, *, shown_root: str) -> tuple[int, str]:
    """(descriptor of the directory holding `rel`, its last name), reached from `root_fd`
    one real directory at a time: each component must be a directory, not a link, on the
    root's device. The caller closes the descriptor."""
    parts = parts_of(rel)
    if not parts:
        raise UnsafePath(
            f"{shown_root} itself is not a file to act on", "this is a bug in the plan"
        )
    mount = Mount.of_fd(root_fd)
    fd = os.dup(root_fd)
    shown = shown_root
    try:
        for part in parts[:-1]:
            shown = os.path.join(shown, part)
            nxt = open_dir_at(fd, part, shown=shown)
            here = Mount.of_fd(nxt)
            os.close(fd)
            fd = nxt
            if here.dev != mount.dev or (None not in (here.mnt, mount.mnt) and here != mount):
                raise UnsafePath(
                    f"{shown} is another filesystem mounted inside the environment",
                    "unmount it first; venvtui does not write into mounts",
                )
    except BaseException:
        os.close(fd)
        raise
    return fd, parts[-1]


def tmp_name(tag: str = "tmp") -> str:
    return f".venvtui-{tag}-{secrets.token_hex(6)}"


@contextlib.contextmanager
def _new_file_at(dir_fd: int, name: str) -> Iterator[int]:
    """Create `name` (must not exist; never through a link) and yield its fd; on any failure
    inside the block the half-written file is removed again."""
    fd = os.open(name, _O_NEW, 0o600, dir_fd=dir_fd)
    try:
        yield fd
    except BaseException:
        os.close(fd)
        _unlink_quietly(dir_fd, name)
        raise
    os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def write_new_at(dir_fd: int, name: str, content: bytes, mode: int, *, sync: bool = True) -> None:
    """Create `name` (must not exist; never through a link), write, chmod, fsync (unless the
    caller flushes the whole tree later, as a staging tree is with syncfs before its swap)."""
    with _new_file_at(dir_fd, name) as fd:
        _write_all(fd, content)
        os.fchmod(fd, mode & 0o7777)
        if sync:
            os.fsync(fd)


def copy_new_at(src: str, dir_fd: int, name: str, *, sync: bool = True) -> None:
    """Copy the regular file `src` (an interpreter outside the environment, named explicitly)
    to a new `name`, keeping its mode bits and times."""
    sfd = os.open(src, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK)
    try:
        st = os.fstat(sfd)
        if not stat.S_ISREG(st.st_mode):
            raise UnsafePath(f"{src} is not a regular file", "pass the interpreter itself")
        with _new_file_at(dir_fd, name) as fd:
            while chunk := os.read(sfd, 1 << 20):
                _write_all(fd, chunk)
            os.fchmod(fd, stat.S_IMODE(st.st_mode))
            os.utime(fd, ns=(st.st_atime_ns, st.st_mtime_ns))
            if sync:
                os.fsync(fd)
    finally:
        os.close(sfd)


def copy_entry_at(src_fd: int, src: str, dst_fd: int, dst: str) -> None:
    """Copy the file or link `src` (never followed) to a new `dst`; refuse anything else."""
    st = lstat_at(src_fd, src)
    if st is None:
        raise FileNotFoundError(errno.ENOENT, "no such file", src)
    if stat.S_ISLNK(st.st_mode):
        os.symlink(os.readlink(src, dir_fd=src_fd), dst, dir_fd=dst_fd)
        return
    if not stat.S_ISREG(st.st_mode):
        raise UnsafePath(f"{src} is not a regular file or link", "move it away first")
    fd = os.open(src, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=src_fd)
    try:
        if os.fstat(fd).st_ino != st.st_ino:
            raise UnsafePath(f"{src} changed while being read", "retry")
        data = b""
        while chunk := os.read(fd, 1 << 20):
            data += chunk
    finally:
        os.close(fd)
    write_new_at(dst_fd, dst, data, stat.S_IMODE(st.st_mode))


def _unlink_quietly(dir_fd: int, name: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(name, dir_fd=dir_fd)


def fsync_dir(dir_fd: int) -> None:
    with contextlib.suppress(OSError):  # some filesystems refuse fsync on directories
        os.fsync(dir_fd)


# --- renames ------------------------------------------------------------------------------------


@functools.cache
def _libc() -> ctypes.CDLL | None:
    # dlopen(NULL): the symbols of the running program and what it links, libc included (Linux,
    # macOS). Not ctypes.util.find_library("c"): it runs `ldconfig -p` (or gcc) to find a name.
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


def _rename_flags(src_fd: int, src: str, dst_fd: int, dst: str, flags: int) -> bool:
    """renameat2 (Linux) / renameatx_np (macOS) with `flags`; False when not available here
    (old libc or kernel, or a filesystem that does not support the flag)."""
    libc = _libc()
    if libc is None:
        return False
    if sys.platform == "darwin":
        fn = getattr(libc, "renameatx_np", None)
        flags = {
            _RENAME_EXCHANGE: _DARWIN_RENAME_SWAP,
            _RENAME_NOREPLACE: _DARWIN_RENAME_EXCL,
        }[flags]
    else:
        fn = getattr(libc, "renameat2", None)
    if fn is None:
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    if fn(src_fd, os.fsencode(src), dst_fd, os.fsencode(dst), flags) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), dst)


def exchange(dir_fd: int, a: str, b: str) -> bool:
    """Atomically swap the entries `a` and `b` of `dir_fd`; False when this system cannot."""
    return _rename_flags(dir_fd, a, dir_fd, b, _RENAME_EXCHANGE)


def rename_noreplace(src_fd: int, src: str, dst_fd: int, dst: str) -> None:
    """Rename that never replaces what stands at `dst` (raises FileExistsError instead)."""
    if _rename_flags(src_fd, src, dst_fd, dst, _RENAME_NOREPLACE):
        return
    if lstat_at(dst_fd, dst) is not None:  # fallback: a check, then a plain rename
        raise FileExistsError(errno.EEXIST, "already exists", dst)
    os.rename(src, dst, src_dir_fd=src_fd, dst_dir_fd=dst_fd)


# --- removal ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Removal:
    """What remove_tree could not remove, one line each (mounts are never entered)."""

    leftovers: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.leftovers


def remove_tree(parent_fd: int, name: str, *, shown: str, expect: FileId | None = None) -> Removal:
    """Remove the directory `name` of `parent_fd` and everything below it, without following
    a link and without entering another device (a bind mount or mounted filesystem inside is
    left in place and reported). Directories lacking u+rwx get it (through their own
    descriptor, never through a link). Iterative: depth costs no recursion and two descriptors.
    """
    leftovers: list[str] = []
    st = lstat_at(parent_fd, name)
    if st is None:
        return Removal()
    if expect is not None and FileId.of(st) != expect:
        raise UnsafePath(f"{shown} is not the directory that was planned", "nothing was removed")
    if not stat.S_ISDIR(st.st_mode):
        os.unlink(name, dir_fd=parent_fd)
        return Removal()
    dev = st.st_dev
    mount = Mount(dev, mount_id(parent_fd, name))
    cur = _enter(parent_fd, name, st)
    # One frame per directory from the root down: its name, inode, shown path, and the
    # subdirectories still to remove (files are unlinked when the directory is entered).
    stack: list[tuple[str, int, str, list[tuple[str, os.stat_result]]]] = []
    try:
        stack.append((name, st.st_ino, shown, _clear_files(cur, shown, mount, leftovers)))
        while stack:
            dname, _ino, where, pending = stack[-1]
            if pending:
                sub, sst = pending.pop()
                try:
                    child = _enter(cur, sub, sst)
                except OSError as exc:
                    leftovers.append(f"{os.path.join(where, sub)}: {exc.strerror or exc}")
                    continue
                os.close(cur)
                cur = child
                sub_shown = os.path.join(where, sub)
                stack.append(
                    (sub, sst.st_ino, sub_shown, _clear_files(cur, sub_shown, mount, leftovers))
                )
                continue
            stack.pop()
            if not stack:
                break
            up = os.open(os.pardir, O_DIR, dir_fd=cur)
            ust = os.fstat(up)
            if (ust.st_dev, ust.st_ino) != (dev, stack[-1][1]):
                os.close(up)
                raise UnsafePath(
                    f"{where} was moved while being removed", f"what is left is in {shown}"
                )
            os.close(cur)
            cur = up
            try:
                os.rmdir(dname, dir_fd=cur)
            except FileNotFoundError:
                pass
            except OSError as exc:
                if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):  # else reported below it
                    leftovers.append(f"{where}: {exc.strerror}")
    finally:
        os.close(cur)
    try:
        os.rmdir(name, dir_fd=parent_fd)
    except FileNotFoundError:
        pass
    except OSError as exc:
        if not leftovers:
            leftovers.append(f"{shown}: {exc.strerror or exc}")
    return Removal(tuple(leftovers))


def _clear_files(
    fd: int, shown: str, mount: Mount, leftovers: list[str]
) -> list[tuple[str, os.stat_result]]:
    """Unlink every non-directory in `fd`; return its subdirectories on the same device (those
    on another device are mount points: reported, never entered)."""
    subdirs: list[tuple[str, os.stat_result]] = []
    for entry in os.listdir(fd):
        est = lstat_at(fd, entry)
        if est is None:
            continue
        if stat.S_ISDIR(est.st_mode):
            if not mount.holds(fd, entry, est):
                leftovers.append(
                    f"{os.path.join(shown, entry)}: another filesystem is mounted here (not entered)"
                )
            else:
                subdirs.append((entry, est))
            continue
        try:
            os.unlink(entry, dir_fd=fd)
        except FileNotFoundError:
            pass
        except OSError as exc:
            leftovers.append(f"{os.path.join(shown, entry)}: {exc.strerror or exc}")
    return subdirs


def _enter(parent_fd: int, name: str, st: os.stat_result) -> int:
    """Open the directory `name` (lstat'ed as `st`) for removal: not a link, the same inode,
    and writable by us (u+rwx added through its own descriptor when missing)."""
    try:
        fd = os.open(name, O_DIR, dir_fd=parent_fd)
    except PermissionError:
        # An unreadable directory: open it path-only (O_PATH never follows with O_NOFOLLOW)
        # and fix its mode through /proc (Linux), i.e. through the inode we checked.
        o_path = getattr(os, "O_PATH", 0)
        if not o_path or not os.path.isdir("/proc/self/fd"):
            raise
        pfd = os.open(
            name, o_path | os.O_NOFOLLOW | os.O_DIRECTORY | os.O_CLOEXEC, dir_fd=parent_fd
        )
        try:
            pst = os.fstat(pfd)
            if (pst.st_dev, pst.st_ino) != (st.st_dev, st.st_ino):
                raise UnsafePath(f"{name} changed while being removed", "retry") from None
            os.chmod(f"/proc/self/fd/{pfd}", stat.S_IMODE(pst.st_mode) | stat.S_IRWXU)
        finally:
            os.close(pfd)
        fd = os.open(name, O_DIR, dir_fd=parent_fd)
    fst = os.fstat(fd)
    if (fst.st_dev, fst.st_ino) != (st.st_dev, st.st_ino):
        os.close(fd)
        raise UnsafePath(f"{name} changed while being removed", "retry")
    if stat.S_IMODE(fst.st_mode) & stat.S_IRWXU != stat.S_IRWXU:
        os.fchmod(fd, stat.S_IMODE(fst.st_mode) | stat.S_IRWXU)
    return fd


# statx(2) (Linux 4.11+; the mount id 5.8+): a bind mount of a directory of the same filesystem
# has the same st_dev, so only the mount id tells it apart. include/uapi/linux/stat.h.
_STATX_MNT_ID = 0x1000
_AT_EMPTY_PATH = 0x1000
_AT_SYMLINK_NOFOLLOW = 0x100
_STX_MNT_ID_OFFSET = 144  # struct statx: __u64 stx_mnt_id after the dev_major/minor fields
_STATX_SIZE = 256


def mount_id(dir_fd: int, name: str = "") -> int | None:
    """The id of the mount holding `name` in `dir_fd` (the link itself, never followed), or
    of `dir_fd` itself when `name` is empty; None where statx cannot tell (old kernel, macOS)."""
    fn = getattr(_libc(), "statx", None)
    if fn is None:
        return None
    buf = ctypes.create_string_buffer(_STATX_SIZE)
    flags = _AT_SYMLINK_NOFOLLOW | (_AT_EMPTY_PATH if not name else 0)
    if fn(dir_fd, os.fsencode(name), flags, _STATX_MNT_ID, buf) != 0:
        return None
    mask = int.from_bytes(buf.raw[0:4], sys.byteorder)
    if not mask & _STATX_MNT_ID:
        return None
    return int.from_bytes(buf.raw[_STX_MNT_ID_OFFSET : _STX_MNT_ID_OFFSET + 8], sys.byteorder)


@dataclass(frozen=True, slots=True)
class Mount:
    """The filesystem and mount a tree lives on; another one below it is never entered."""

    dev: int
    mnt: int | None

    @classmethod
    def of_fd(cls, fd: int) -> Mount:
        return cls(os.fstat(fd).st_dev, mount_id(fd))

    def holds(self, dir_fd: int, name: str, st: os.stat_result) -> bool:
        if st.st_dev != self.dev:
            return False
        return self.mnt is None or mount_id(dir_fd, name) in (None, self.mnt)


def syncfs(fd: int) -> None:
    """Flush the filesystem holding `fd` (Linux syncfs(2)); else a global sync."""
    fn = getattr(_libc(), "syncfs", None)
    if fn is not None and fn(fd) == 0:
        return
    os.sync()
