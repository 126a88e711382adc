"""One directory holding every realistic layout for one CPython minor version, with the entry
points a user may pick and, for each, the install directory it really runs (the oracle)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tests.layouts import (
    PLATFORM_TAG,
    VENV_BIN,
    Debian,
    Homebrew,
    Mise,
    RealPython,
    UvManaged,
    make_homebrew,
    make_install,
    make_loose_link,
    make_mise,
    make_tree_link,
    make_uv_managed,
    require_python,
    run_tool,
)

MINORS = ("3.8", "3.10", "3.11", "3.12", "3.13")


@dataclass(frozen=True)
class Entry:
    name: str
    path: Path  # what the user picks
    install: str  # the install directory this entry really runs


@dataclass(frozen=True)
class World:
    real: RealPython
    root: Path
    hb: Homebrew | None
    uv: UvManaged
    mise: Mise | None
    entries: tuple[Entry, ...]


def build_world(minor: str, root: Path, *, only_uv: bool = False) -> World:
    real = require_python(minor)
    uvm = make_uv_managed(real, root / "uv" / "python", root / "local" / "bin")
    if only_uv:
        return World(real, root, None, uvm, None, ())
    hb = make_homebrew(real, root / "brew")
    mise = make_mise(real, root / "mise" / "installs" / "python")
    tree_root = make_install(real, root / "standalone" / f"cpython-{real.version}-{PLATFORM_TAG}")
    tree = make_tree_link(tree_root, root / "home" / "py")
    loose = make_loose_link(hb.cellar_python, root / "usr-local" / "bin")
    deb = Debian(root / "debian")
    deb.add(real)
    deb.point_python3(real.minor)
    entries = (
        Entry("brew-bin", hb.bin_versioned, str(hb.keg)),
        Entry("brew-bin-python3", hb.bin_generic, str(hb.keg)),
        Entry("brew-opt", hb.opt_python, str(hb.keg)),
        Entry("brew-cellar", hb.cellar_python, str(hb.keg)),
        Entry("uv-patch", uvm.patch_python, str(uvm.patch_dir)),
        Entry("uv-local-bin", uvm.local_bin_python, str(uvm.patch_dir)),
        Entry("mise-minor", mise.minor_python, str(mise.patch_dir)),
        Entry("mise-patch", mise.patch_python, str(mise.patch_dir)),
        Entry("tree-link", tree / "bin" / "python3", str(tree_root)),
        Entry("loose-link", loose, str(hb.keg)),
        Entry("debian-python3", deb.python3, str(deb.root / "usr")),
    )
    return World(real, root, hb, uvm, mise, entries)


def create_with(creator: str, python: Path | str, dest: Path, world: World) -> Path:
    """Create `dest` with the real creator, with its own HOME, XDG dirs and tool caches (safe to
    call from several threads: nothing touches this process's environment)."""
    tmp = dest.parent / f".{dest.name}-tool"
    tmp.mkdir()
    extra = {
        "UV_PYTHON_INSTALL_DIR": str(world.uv.install_dir),
        # virtualenv's interpreter-info cache, shared within one world (it locks its files).
        "VIRTUALENV_OVERRIDE_APP_DATA": str(world.root / "virtualenv-app-data"),
    }
    for var in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        d = tmp / var.lower()
        d.mkdir()
        extra[var] = str(d)
    if creator in ("venv", "venv-copies"):
        argv = [str(python), "-m", "venv", "--without-pip"]
        if creator == "venv-copies":
            argv.append("--copies")
    elif creator == "virtualenv":
        argv = [str(VENV_BIN / "virtualenv"), "--no-seed", "--no-download", "-p", str(python)]
    elif creator == "uv":
        argv = [str(VENV_BIN / "uv"), "venv", "--no-config", "--offline", "-q", "-p", str(python)]
    else:
        raise ValueError(creator)
    run_tool([*argv, str(dest)], tmp, extra_env=extra)
    return dest


def create_many(jobs: list[tuple[str, Path | str, Path]], world: World) -> None:
    """Run several creations concurrently (they mostly wait on child processes)."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        for fut in [pool.submit(create_with, c, p, d, world) for c, p, d in jobs]:
            fut.result()


def read_cfg_pairs(path: Path) -> list[tuple[str, str]]:
    """pyvenv.cfg as written: (key, value) pairs in order (keys as spelled)."""
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        key, eq, value = line.partition("=")
        if eq:
            pairs.append((key.strip(), value.strip()))
    return pairs
