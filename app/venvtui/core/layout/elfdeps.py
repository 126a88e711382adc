"""Shared-library needs of an ELF executable, read in pure Python (no process spawned).

Reads the dynamic section (DT_NEEDED, DT_RPATH, DT_RUNPATH) the way `readelf -d` shows it, and
looks each needed library up the way ld.so does for a program (ld.so(8)): DT_RPATH when there
is no DT_RUNPATH, then DT_RUNPATH, then the system directories (ld.so.conf and the defaults).
`$ORIGIN` is the directory of the executable's real path (the kernel's view of the binary).
LD_LIBRARY_PATH is ignored on purpose: a venv must start without it.

Paths are checked through a `View`, so a forecast can ask "is libpython still there after the
keg is removed?".
"""

from __future__ import annotations

import functools
import glob
import os
import struct
from dataclasses import dataclass, field

from venvtui.core.base.safe_io import SMALL_FILE, read_bytes, read_head, read_text
from venvtui.core.layout.view import REAL, View

_DT_NULL, _DT_NEEDED, _DT_STRTAB, _DT_RPATH, _DT_RUNPATH = 0, 1, 5, 15, 29
_PT_LOAD, _PT_DYNAMIC = 1, 2
_MAX_READ = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ElfDeps:
    needed: tuple[str, ...]
    rpath: tuple[str, ...] = ()
    runpath: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LibCheck:
    """Where each needed library was found, and which were not."""

    found: dict[str, str] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
    searched: tuple[str, ...] = ()


def read_elf_deps(path: str) -> ElfDeps | None:
    """DT_NEEDED/RPATH/RUNPATH of the ELF file at `path`; None when it is not a readable ELF
    (a script, a Mach-O, a truncated file) — never raises. Cached by (path, mtime, size)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return _read_cached(path, st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=256)
def _read_cached(path: str, _mtime_ns: int, _size: int) -> ElfDeps | None:
    try:
        if read_head(path, 4) != b"\x7fELF":
            return None
        data = read_bytes(path, limit=_MAX_READ)
    except OSError:
        return None
    try:
        return _parse(data)
    except (struct.error, IndexError, ValueError, OverflowError):
        return None


def _parse(data: bytes) -> ElfDeps | None:
    is64 = data[4] == 2
    end = "<" if data[5] == 1 else ">"
    if is64:
        (e_phoff,) = struct.unpack_from(end + "Q", data, 0x20)
        e_phentsize, e_phnum = struct.unpack_from(end + "HH", data, 0x36)
    else:
        (e_phoff,) = struct.unpack_from(end + "I", data, 0x1C)
        e_phentsize, e_phnum = struct.unpack_from(end + "HH", data, 0x2A)
    if e_phoff >= len(data) or e_phnum * e_phentsize > len(data):
        return None  # junk or truncated
    loads: list[tuple[int, int, int]] = []  # (vaddr, offset, filesz)
    dyn: tuple[int, int] | None = None
    for i in range(e_phnum):
        off = e_phoff + i * e_phentsize
        if is64:
            p_type, _flags, p_offset, p_vaddr, _paddr, p_filesz = struct.unpack_from(
                end + "IIQQQQ", data, off
            )
        else:
            p_type, p_offset, p_vaddr, _paddr, p_filesz = struct.unpack_from(
                end + "IIIII", data, off
            )
        if p_type == _PT_LOAD:
            loads.append((p_vaddr, p_offset, p_filesz))
        elif p_type == _PT_DYNAMIC:
            dyn = (p_offset, p_filesz)
    if dyn is None:
        return ElfDeps(needed=())  # statically linked
    entries: list[tuple[int, int]] = []
    fmt, step = (end + "qQ", 16) if is64 else (end + "iI", 8)
    for off in range(dyn[0], min(dyn[0] + dyn[1], len(data)), step):
        tag, val = struct.unpack_from(fmt, data, off)
        if tag == _DT_NULL:
            break
        entries.append((tag, val))
    strtab_addr = next((v for t, v in entries if t == _DT_STRTAB), None)
    if strtab_addr is None:
        return None
    strtab = None
    for vaddr, offset, filesz in loads:
        if vaddr <= strtab_addr < vaddr + filesz:
            strtab = offset + (strtab_addr - vaddr)
            break
    if strtab is None:
        return None

    def string(at: int) -> str:
        start = strtab + at
        stop = data.index(b"\0", start)
        return data[start:stop].decode("utf-8", "replace")

    needed = tuple(string(v) for t, v in entries if t == _DT_NEEDED)
    rpath = tuple(p for t, v in entries if t == _DT_RPATH for p in string(v).split(":") if p)
    runpath = tuple(p for t, v in entries if t == _DT_RUNPATH for p in string(v).split(":") if p)
    return ElfDeps(needed, rpath, runpath)


def _ld_so_conf(path: str = "/etc/ld.so.conf", depth: int = 0) -> list[str]:
    dirs: list[str] = []
    if depth > 4:
        return dirs
    try:
        lines = read_text(path, limit=SMALL_FILE, errors="replace").splitlines()
    except OSError:
        return dirs
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("include "):
            pattern = line.split(None, 1)[1]
            if not os.path.isabs(pattern):
                pattern = os.path.join(os.path.dirname(path), pattern)
            for inc in sorted(glob.glob(pattern)):
                dirs.extend(_ld_so_conf(inc, depth + 1))
        else:
            dirs.append(line)
    return dirs


_SYSTEM_DIRS: tuple[str, ...] | None = None


def system_lib_dirs() -> tuple[str, ...]:
    global _SYSTEM_DIRS
    if _SYSTEM_DIRS is None:
        defaults = ["/lib64", "/usr/lib64", "/lib", "/usr/lib"]
        _SYSTEM_DIRS = tuple(dict.fromkeys([*_ld_so_conf(), *defaults]))
    return _SYSTEM_DIRS


def relocation(path: str, source: str) -> tuple[str, str] | None:
    """(old root, new root) when the file at `path` is an installer's copy of `source` (a
    new keg or version dir laid down beside the old one): the roots are what remains once
    the common tail is stripped. An installer relocates such a copy: Homebrew's
    `Keg#relocate_dynamic_linkage` (patchelf) rewrites RUNPATH entries under the old prefix to
    the new one; a build configured for its own prefix (pyenv, mise) has them already."""
    if path == source:
        return None
    a, b = path.split(os.sep), source.split(os.sep)
    while len(a) > 1 and len(b) > 1 and a[-1] == b[-1]:
        a.pop()
        b.pop()
    return (os.sep.join(b) or os.sep, os.sep.join(a) or os.sep)


def check_libs(exe: str, *, view: View = REAL, deps: ElfDeps | None = None) -> LibCheck | None:
    """Look up each needed library of `exe` (a path in `view`); None when not an ELF."""
    if deps is not None:
        return _check_libs(exe, view, deps)
    return view.memoised(("check_libs", exe), lambda: _check_libs(exe, view, None))


def _check_libs(exe: str, view: View, deps: ElfDeps | None) -> LibCheck | None:
    moved: tuple[str, str] | None = None
    if deps is None:
        deps = view.elf_deps(exe)
        if deps is None:
            return None
        source = view.source_of(exe)
        if source is not None:
            moved = relocation(view.realpath(exe), source)
    origin = os.path.dirname(view.realpath(exe))

    def expand(d: str) -> str:
        d = os.path.normpath(d.replace("${ORIGIN}", origin).replace("$ORIGIN", origin))
        if moved is not None and (d == moved[0] or d.startswith(moved[0] + os.sep)):
            d = os.path.join(moved[1], os.path.relpath(d, moved[0]))
        return d

    dirs: list[str] = []
    if not deps.runpath:
        dirs.extend(expand(d) for d in deps.rpath)
    dirs.extend(expand(d) for d in deps.runpath)
    dirs.extend(system_lib_dirs())
    found: dict[str, str] = {}
    missing: list[str] = []
    for lib in deps.needed:
        if os.sep in lib:
            if view.isfile(lib):
                found[lib] = lib
            else:
                missing.append(lib)
            continue
        for d in dirs:
            cand = os.path.join(d, lib)
            if view.isfile(cand):
                found[lib] = cand
                break
        else:
            missing.append(lib)
    return LibCheck(found=found, missing=tuple(missing), searched=tuple(dirs))
