"""Symlink chains, hop by hop.

`walk_chain` follows a path the way CPython's getpath resolves an executable
(`Modules/getpath.c: getpath_realpath`, 3.11+; `resolve_symlinks` in 3.8-3.10): at each hop
only the *final* component is read with readlink(); a relative target is joined to the link's
own directory and normalised lexically; directory components are never resolved. Symlinked
directories met on the way are reported per hop (`Hop.dir_links`), and `Chain.realpath` is the
full OS realpath for comparison.

A bad chain never raises: a dangling hop ends the chain with kind "missing" (naming the missing
path), a cycle or an over-long chain with kind "loop", an unreadable hop with kind "error".
Only a start path that does not exist at all raises NotFoundError.
"""

from __future__ import annotations

import errno
import os
import stat

from venvtui.core.base.errors import NotFoundError
from venvtui.core.base.models import Chain, Hop, HopKind
from venvtui.core.base.observed import note_link, observing
from venvtui.core.base.paths import is_normal_abs, join_name, parent_of

# CPython getpath.c: "40 is the Linux kernel 4.2 limit" (MAXSYMLINKS).
MAX_HOPS = 40

_MISSING_ERRNOS = (errno.ENOENT, errno.ENOTDIR)


def next_hop(link: str, target: str) -> str:
    """Where a link points: absolute targets as-is, relative ones joined to the link's dir;
    normalised lexically (getpath: `_Py_join_relfile` + `_Py_normpath`)."""
    if is_normal_abs(target):
        return target
    if "/" not in target and target not in ("", ".", "..") and is_normal_abs(link):
        # A plain name beside a normal link (`python -> python3.12`): nothing to normalise.
        parent = parent_of(link)
        return (parent if parent != "/" else "") + "/" + target
    if os.path.isabs(target):
        return os.path.normpath(target)
    return os.path.normpath(os.path.join(os.path.dirname(link), target))


class LinkCache:
    """Lookups shared by many `walk_chain` calls during one scan (thousands of env pythons
    share most of their parent directories, and their bases' files): whether each directory is
    a symlink (and its target), directory realpaths, and each hop's lstat and link target.
    Only valid while the tree does not change."""

    __slots__ = ("chains", "links", "looks", "reals", "targets")

    def __init__(self) -> None:
        # directory -> raw link target, "" when not a link, None when it cannot be examined
        self.links: dict[str, str | None] = {}
        self.reals: dict[str, str] = {}
        # directory -> (dir_links of an entry in it, whether the walk up stopped early)
        self.chains: dict[str, tuple[tuple[tuple[str, str], ...], bool]] = {}
        # path -> (st_mode, st_dev, st_ino) of a successful lstat; link -> readlink() text
        self.looks: dict[str, tuple[int, int, int]] = {}
        self.targets: dict[str, str] = {}

    def lstat(self, path: str) -> tuple[int, int, int]:
        """(st_mode, st_dev, st_ino) of `path` itself; raises the lstat's OSError (failures
        are not kept)."""
        look = self.looks.get(path)
        if look is None:
            st = os.lstat(path)
            look = self.looks[path] = (st.st_mode, st.st_dev, st.st_ino)
        return look

    def lexists(self, path: str) -> bool:
        """os.path.lexists, its lstat kept for the chain walked from `path` next."""
        try:
            self.lstat(path)
        except (OSError, ValueError):
            return False
        return True

    def readlink(self, path: str) -> str:
        target = self.targets.get(path)
        if target is None:
            target = self.targets[path] = os.readlink(path)
        return target

    def dir_links_in(self, directory: str) -> tuple[tuple[tuple[str, str], ...], bool]:
        """`dir_links()` of any entry of `directory` (absolute and normal; memoised per
        directory). Up to the nearest directory answered (or the root), then down again: no
        recursion per level (a link may name a very deep path)."""
        result = self.chains.get(directory)
        below: list[str] = []  # `directory` and its ancestors not answered yet, nearest first
        d = directory
        while result is None:
            parent = parent_of(d)
            if parent == d:  # the root itself is never reported
                result = self.chains[d] = ((), False)
                break
            below.append(d)
            d = parent
            result = self.chains.get(d)
        for d in reversed(below):
            above, stopped = result
            if stopped:
                result = (above, True)
            else:
                target = self.link_of(d)
                if target is None:
                    result = (above, True)
                elif target:
                    result = ((*above, (d, target)), False)
                else:
                    result = (above, False)
            self.chains[d] = result
        return result

    def not_a_link(self, directory: str) -> None:
        """The caller saw `directory` listed as a directory, not a symlink (scandir's d_type):
        its lstat is not needed again."""
        self.links.setdefault(directory, "")

    def link_of(self, directory: str) -> str | None:
        try:
            return self.links[directory]
        except KeyError:
            pass
        value: str | None
        note_link(directory)
        try:
            st = os.lstat(directory)
            value = os.readlink(directory) if stat.S_ISLNK(st.st_mode) else ""
        except OSError:
            value = None
        self.links[directory] = value
        return value

    def realpath(self, path: str) -> str:
        """os.path.realpath of a path whose final component is not a symlink."""
        parent, name = os.path.split(path)
        real = self.reals.get(parent)
        if real is None:
            real = self.reals[parent] = os.path.realpath(parent)
        return join_name(real, name)


def dir_links(path: str, cache: LinkCache | None = None) -> tuple[tuple[str, str], ...]:
    """Symlinked directories among the parents of `path`, outermost first, as
    (directory, raw readlink text) pairs, e.g. (("/bin", "usr/bin"),).

    Each parent is checked as written (lexically), so a link inside a symlinked directory is
    reported at its lexical path. Stops at the first parent that cannot be examined.
    """
    path = os.path.abspath(path)
    if cache is not None:
        return cache.dir_links_in(os.path.dirname(path))[0]
    parents: list[str] = []
    parent = os.path.dirname(path)
    while True:
        up = os.path.dirname(parent)
        if up == parent:  # reached the root
            break
        parents.append(parent)
        parent = up
    found: list[tuple[str, str]] = []
    for directory in reversed(parents):
        note_link(directory)
        try:
            st = os.lstat(directory)
        except OSError:
            break
        if stat.S_ISLNK(st.st_mode):
            try:
                found.append((directory, os.readlink(directory)))
            except OSError:
                break
    return tuple(found)


def _describe(exc: OSError) -> str:
    return exc.strerror or str(exc)


def walk_chain(path: str, *, max_hops: int = MAX_HOPS, cache: LinkCache | None = None) -> Chain:
    """The getpath-style chain of `path` (see module doc); `Chain.realpath` is os.path.realpath.

    Raises NotFoundError only when `path` itself does not exist (and is not a dangling link).
    `cache` shares directory lookups across calls (for scans of many paths).
    """
    start = path if is_normal_abs(path) else os.path.abspath(path)
    hops: list[Hop] = []
    seen_paths: set[str] = set()
    seen_inodes: set[tuple[int, int]] = set()
    noting = observing()
    current = start
    while True:
        # `current` is absolute and normalised here: the cache can be asked directly (its
        # memos first: thousands of chains share their directories and their bases' hops).
        if cache is not None:
            parent = parent_of(current)
            links = (cache.chains.get(parent) or cache.dir_links_in(parent))[0]
        else:
            links = dir_links(current)
        if noting:
            note_link(current)
        try:
            if cache is not None:
                mode, dev, ino = cache.looks.get(current) or cache.lstat(current)
            else:
                st = os.lstat(current)
                mode, dev, ino = st.st_mode, st.st_dev, st.st_ino
        except OSError as exc:
            if exc.errno in _MISSING_ERRNOS:
                if not hops:
                    raise NotFoundError(f"{start} does not exist") from None
                hops.append(
                    Hop(current, "missing", dir_links=links, error=f"{current} does not exist")
                )
            else:
                hops.append(Hop(current, "error", dir_links=links, error=_describe(exc)))
            break
        if not stat.S_ISLNK(mode):
            end: HopKind = "dir" if stat.S_ISDIR(mode) else "file"
            hops.append(Hop(current, end, dir_links=links))
            break
        inode = (dev, ino)
        if current in seen_paths or inode in seen_inodes:
            hops.append(
                Hop(current, "loop", dir_links=links, error=f"{current} links back into the chain")
            )
            break
        if len(hops) >= max_hops:
            hops.append(
                Hop(current, "loop", dir_links=links, error=f"more than {max_hops} symlink hops")
            )
            break
        seen_paths.add(current)
        seen_inodes.add(inode)
        try:
            if cache is not None:
                target = cache.targets.get(current) or cache.readlink(current)
            else:
                target = os.readlink(current)
        except OSError as exc:
            hops.append(Hop(current, "error", dir_links=links, error=_describe(exc)))
            break
        nxt = next_hop(current, target)
        hops.append(Hop(current, "link", target, nxt, links))
        current = nxt
    if cache is not None and hops[-1].kind in ("file", "dir"):
        # The chain ends on a real entry: realpath(start) == realpath(dir of it)/its name.
        real = cache.realpath(hops[-1].path)
    else:
        real = os.path.realpath(start)
    return Chain(start, tuple(hops), real)


def readlink_chain(path: str, *, max_hops: int = MAX_HOPS) -> str:
    """CPython getpath's `realpath()` (POSIX with readlink): follow the file link only, joining
    relative targets to the link's directory and normalising lexically. Returns the final path
    reached, even when it does not exist; after `max_hops` links, the path reached so far."""
    current = os.path.abspath(path)
    for _ in range(max_hops):
        try:
            target = os.readlink(current)
        except OSError:  # not a link, missing, or unreadable: getpath stops here too
            return current
        current = next_hop(current, target)
    return current
