"""Canary trees: a byte-for-byte record of a directory tree (type, mode, content, link target)
to compare before and after a verb runs. Links are recorded, never followed; FIFOs and other
special files are recorded by type and mode, never opened."""

from __future__ import annotations

import os
import stat
from pathlib import Path

Entry = tuple[str, int, bytes | str]


def record(root: Path) -> dict[str, Entry]:
    """Every entry under `root`, `root` itself included (as ".")."""
    out: dict[str, Entry] = {}
    stack = [root]
    while stack:
        path = stack.pop()
        st = os.lstat(path)
        rel = os.path.relpath(path, root)
        mode = stat.S_IMODE(st.st_mode)
        if stat.S_ISLNK(st.st_mode):
            out[rel] = ("link", mode, os.readlink(path))
        elif stat.S_ISDIR(st.st_mode):
            out[rel] = ("dir", mode, "")
            stack.extend(path / name for name in os.listdir(path))
        elif stat.S_ISREG(st.st_mode):
            out[rel] = ("file", mode, path.read_bytes())
        else:
            out[rel] = (f"special:{stat.S_IFMT(st.st_mode):o}", mode, "")
    return out


def diff(before: dict[str, Entry], after: dict[str, Entry]) -> list[str]:
    """What changed, for an assertion message ([] when identical)."""
    out = [f"gone: {k}" for k in sorted(before.keys() - after.keys())]
    out += [f"new: {k}" for k in sorted(after.keys() - before.keys())]
    out += [f"changed: {k}" for k in sorted(before.keys() & after.keys()) if before[k] != after[k]]
    return out


def make_canary(root: Path) -> Path:
    """A small tree of every kind of entry a user has: files of several modes, a nested
    directory, a relative and an absolute link, a dangling link, a FIFO."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "thesis.txt").write_bytes(b"chapter 1\n")
    (root / "secret.key").write_bytes(b"\x00\x01key")
    os.chmod(root / "secret.key", 0o600)
    (root / "deep" / "er").mkdir(parents=True)
    (root / "deep" / "er" / "notes.md").write_text("keep me\n")
    os.chmod(root / "deep", 0o750)
    os.symlink("thesis.txt", root / "rel-link")
    os.symlink(str(root / "deep"), root / "abs-link")
    os.symlink("missing", root / "dangling")
    os.mkfifo(root / "fifo")
    return root
