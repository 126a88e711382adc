"""A small machine built with the real tools, for the TUI's snapshots, pilot tests and
screenshots: real CPython builds laid out as Homebrew, uv and pyenv installs, and environments
made by `python -m venv`, `uv venv` and `virtualenv`, one of them broken by a real `brew
upgrade` + `brew cleanup`.

It lives at a fixed path (`ROOT`, one per layout version), so the paths on screen are the same
on every run; ages are fixed by setting each environment's mtime relative to `NOW`, the clock
the app is given.
The layout is built once (under a lock: test workers share it) and only read afterwards; tests
that write copy what they need elsewhere.

    legacy   python -m venv from Cellar/python@3.12/3.12.0, then brew upgrade + cleanup: broken
    webapp   python -m venv from bin/python3.12 after the upgrade (home = the versioned keg)
    api      uv venv from ~/.local/bin/python3.13 (uv-managed 3.13)
    tool     virtualenv from pyenv's 3.11
"""

from __future__ import annotations

import fcntl
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from venvtui.core.installed.sources import Context
from venvtui.tui.core_service import CoreService

# Bump when the layout changes (tests.layouts, below): a checkout with another layout then
# builds its own root instead of rebuilding one a concurrent run is reading.
VERSION = 2  # 2: installs keep their own stdlib identity (tests.layouts.make_install)
ROOT = Path(f"/tmp/venvtui-m{VERSION}")  # short and fixed: it shows in the paths on screen
HOME = ROOT / "home"
NOW = 1_767_225_600.0  # 2026-01-01T00:00:00Z
DAY = 86_400.0
VERSIONS = {"3.11": "3.11.7", "3.12": "3.12.1", "3.13": "3.13.0"}
AGES = {"legacy": 400 * DAY, "webapp": 3 * DAY, "api": 5 * 3600.0, "tool": 40 * DAY}
_STAMP = "built"  # written last: a root without it is a build that did not finish


@dataclass(frozen=True)
class Machine:
    root: Path
    home: Path
    envs: dict[str, Path]

    def environ(self) -> dict[str, str]:
        keep = ("LANG", "LC_ALL", "TERM", "TZ")
        env = {k: v for k, v in os.environ.items() if k in keep}
        env.update(
            HOME=str(self.home),
            PATH=os.pathsep.join(
                [
                    str(self.home / ".linuxbrew" / "bin"),
                    str(self.home / ".local" / "bin"),
                    str(self.root / "system" / "bin"),
                ]
            ),
            XDG_CACHE_HOME=str(self.home / ".cache"),
        )
        return env

    def context(self) -> Context:
        """Discovery sees this machine only: its PATH, its HOME, an empty system root."""
        return Context(
            self.environ(), str(self.home), str(self.home), fs_root=str(self.root / "system")
        )


class MachineService(CoreService):
    """The real core on the machine, with the machine's clock (fixed ages)."""

    def now(self) -> float:
        return NOW


def _missing() -> list[str]:
    from tests.layouts import real_python

    out = []
    for minor, version in VERSIONS.items():
        rp = real_python(minor)
        if rp is None or rp.version != version:
            out.append(version)
    return out


def build(root: Path = ROOT) -> Machine:
    """Build the machine at `root` (once; later calls reuse it)."""
    home = root / "home"
    names = {n: home / "src" / n / ".venv" for n in AGES}
    root.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{root}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / _STAMP).is_file():
            if root.exists():
                shutil.rmtree(root)
            home.mkdir(parents=True)
            _lay_out(home, names)
            (root / "system").mkdir()
            (root / _STAMP).write_text("")
    for name, age in AGES.items():
        when = NOW - age
        for p in (names[name], names[name] / "bin"):
            os.utime(p, (when, when), follow_symlinks=False)
    return Machine(root, home, names)


def _lay_out(home: Path, envs: dict[str, Path]) -> None:
    from tests.layouts import (
        create_uv,
        create_venv,
        create_virtualenv,
        make_homebrew,
        make_install,
        make_uv_managed,
        real_python,
    )

    py311, py312, py313 = (real_python(m) for m in ("3.11", "3.12", "3.13"))
    assert py311 and py312 and py313
    tmp = home.parent / "tool-tmp"
    tmp.mkdir()
    # Homebrew: an env made from the Cellar path before `brew upgrade python@3.12` +
    # `brew cleanup` (now dangling), and one made from bin/python3.12 after it.
    brew = make_homebrew(py312, home / ".linuxbrew", version="3.12.0")
    create_venv(brew.cellar_python, envs["legacy"], tmp=tmp)
    brew = brew.upgrade(to=py312.version)
    create_venv(brew.bin_versioned, envs["webapp"], tmp=tmp)
    # uv-managed 3.13 (minor link + ~/.local/bin/python3.13) and a `uv venv` from it.
    uvm = make_uv_managed(
        py313, home / ".local" / "share" / "uv" / "python", home / ".local" / "bin"
    )
    create_uv(uvm.local_bin_python, envs["api"], tmp=tmp, uv_install_dir=uvm.install_dir)
    # pyenv 3.11 and a virtualenv from it.
    pyenv311 = make_install(py311, home / ".pyenv" / "versions" / py311.version)
    create_virtualenv(pyenv311 / "bin" / f"python{py311.minor}", envs["tool"], tmp=tmp)
    shutil.rmtree(tmp)


def machine_or_skip() -> Machine:
    missing = _missing()
    if missing:
        pytest.skip(f"the TUI machine needs CPython {', '.join(missing)} under ~/.pyenv/versions")
    return build()
