"""Fixtures for discovery tests: a fake machine (home, fs root, PATH) in tmp_path."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from venvtui.core.installed.sources import Context


def make_exe(path: Path, body: str = "#!/bin/sh\nexit 0\n") -> Path:
    """A small executable file standing in for an interpreter (static tests never run it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def link(path: Path, target: str | Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)
    return path


def make_unix_install(prefix: Path, minor: str) -> Path:
    """bin/pythonX.Y (a file), bin/python3 -> pythonX.Y, bin/python -> python3,
    plus the files a real install has that are not interpreters."""
    exe = make_exe(prefix / "bin" / f"python{minor}")
    link(prefix / "bin" / "python3", f"python{minor}")
    link(prefix / "bin" / "python", "python3")
    make_exe(prefix / "bin" / f"python{minor}-config")
    make_exe(prefix / "bin" / f"python{minor}-gdb.py")
    make_exe(prefix / "bin" / "pip3")
    return exe


@dataclass
class FakeMachine:
    """A machine rooted at `root`: `home`, `fs` (stands in for /), and PATH entries."""

    root: Path
    path_dirs: list[Path] = field(default_factory=list)
    environ: dict[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    platform: str = "linux"

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def fs(self) -> Path:
        return self.root / "fs"

    @property
    def pyenv(self) -> Path:
        return self.home / ".pyenv"

    def context(self) -> Context:
        env = {"PATH": os.pathsep.join(str(p) for p in self.path_dirs), **self.environ}
        return Context(env, str(self.home), str(self.cwd or self.home), self.platform, str(self.fs))


@pytest.fixture
def machine(tmp_path: Path) -> FakeMachine:
    m = FakeMachine(tmp_path)
    m.home.mkdir()
    m.fs.mkdir()
    return m
