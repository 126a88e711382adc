"""What an interpreter inventory's answer depends on, noted while it is computed.

The locators and the collector call `note(path)` before they look at a path (list a
directory, test for a file, read a version file), `note_link(path)` before they lstat a path
of a symlink chain (or one of its parent directories), and `note_cwd()` when the answer
depends on the working directory. Outside `recording()` these are no-ops. Inside, a path's
signature is taken at its first note, before the path is used, so a change made while the
inventory is computed leaves a stale signature, never a stale answer that looks valid.

A context variable, not a global: the TUI computes inventories in worker threads.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# What stat() reaches: (mode, dev, ino, size, mtime_ns, ctime_ns), None when it fails. A
# directory's mtime changes when an entry is added, removed or renamed (a re-pointed link is
# a new entry); a file's mtime/size/mode when it is rewritten or chmod-ed.
Signature = tuple[int, int, int, int, int, int] | None
# What lstat() says: a link's target text, or (mode, dev, ino) of anything else; None when
# it fails. Only identity matters for a chain's directories, not their mtime.
LinkSignature = str | tuple[int, int, int] | None


def signature(path: str) -> Signature:
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_mode, st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def link_signature(path: str) -> LinkSignature:
    try:
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode):
            return os.readlink(path)
    except (OSError, ValueError):
        return None
    return (st.st_mode, st.st_dev, st.st_ino)


class Notes:
    """The paths looked at, with their signatures, and whether the cwd mattered."""

    __slots__ = ("cwd", "links", "paths")

    def __init__(self) -> None:
        self.paths: dict[str, Signature] = {}
        self.links: dict[str, LinkSignature] = {}
        self.cwd = False


_NOTES: ContextVar[Notes | None] = ContextVar("venvtui_observed", default=None)


def note(path: str) -> None:
    notes = _NOTES.get()
    if notes is not None and path not in notes.paths:
        notes.paths[path] = signature(path)


def observing() -> bool:
    """Whether notes are being taken (`recording`) in this context."""
    return _NOTES.get() is not None


def note_link(path: str) -> None:
    notes = _NOTES.get()
    if notes is not None and path not in notes.links:
        notes.links[path] = link_signature(path)


def note_cwd() -> None:
    notes = _NOTES.get()
    if notes is not None:
        notes.cwd = True


@contextmanager
def recording() -> Iterator[Notes]:
    """Collect the notes made in this thread (and context) for the duration."""
    notes = Notes()
    token = _NOTES.set(notes)
    try:
        yield notes
    finally:
        _NOTES.reset(token)
