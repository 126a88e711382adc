"""Realistic interpreter layouts built in a temporary directory from the real CPython builds
under ~/.pyenv/versions, for tests that use real tools as oracles.

Each layout makes a runnable install by copying the real `pythonX.Y` binary (the pyenv builds
are shared-library builds whose RUNPATH points at the original `lib/`, so a copy still finds
libpython) and linking `lib/pythonX.Y` to the real stdlib, so that CPython's landmark search
(`lib/pythonX.Y/os.py`) succeeds from the copy's location. Around that install each builder
lays out the links a real installer makes (Homebrew Cellar/opt/bin, uv's minor-version link,
mise's minor link, a loose symlink in an otherwise empty directory, a Debian-style alias).

Upgrades are simulated as the installers perform them: a new versioned directory, links
re-pointed, the old directory removed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

PYENV_VERSIONS = Path(os.environ.get("VENVTUI_TEST_PYENV", "~/.pyenv/versions")).expanduser()
VENV_BIN = Path(sys.executable).parent  # the project venv: holds the real uv and virtualenv
PLATFORM_TAG = "linux-x86_64-gnu"


@dataclass(frozen=True)
class RealPython:
    """A real CPython build on this machine."""

    version: str  # "3.12.1"
    prefix: Path  # ~/.pyenv/versions/3.12.1

    @property
    def minor(self) -> str:
        return ".".join(self.version.split(".")[:2])

    @property
    def exe(self) -> Path:
        return self.prefix / "bin" / f"python{self.minor}"

    @property
    def stdlib(self) -> Path:
        return self.prefix / "lib" / f"python{self.minor}"


def real_pythons() -> list[RealPython]:
    """Every pyenv CPython build present (sorted by version)."""
    found = []
    if PYENV_VERSIONS.is_dir():
        for d in PYENV_VERSIONS.iterdir():
            if re.fullmatch(r"\d+\.\d+\.\d+", d.name) and not d.is_symlink():
                rp = RealPython(d.name, d)
                if rp.exe.is_file() and (rp.stdlib / "os.py").is_file():
                    found.append(rp)
    return sorted(found, key=lambda r: tuple(int(p) for p in r.version.split(".")))


def real_python(minor: str) -> RealPython | None:
    """The newest pyenv build of `minor` ("3.12"), or None."""
    matches = [r for r in real_pythons() if r.minor == minor]
    return matches[-1] if matches else None


def require_python(minor: str) -> RealPython:
    import pytest

    rp = real_python(minor)
    if rp is None:
        pytest.skip(f"no CPython {minor} under {PYENV_VERSIONS}")
    return rp


def bump_patch(version: str, to: str | None = None) -> str:
    if to:
        return to
    major, minor, patch = version.split(".")
    return f"{major}.{minor}.{int(patch) + 1}"


def make_install(real: RealPython, root: Path, *, version_dir_name: str | None = None) -> Path:
    """Lay out a runnable install at `root` (created): bin/pythonX.Y (a copy of the real binary),
    bin/python3 -> pythonX.Y, bin/python -> python3, lib/pythonX.Y/* -> the real stdlib's
    entries (os.py copied)."""
    bindir = root / "bin"
    libdir = root / "lib"
    bindir.mkdir(parents=True)
    libdir.mkdir()
    exe = bindir / f"python{real.minor}"
    shutil.copy2(real.exe, exe)
    (bindir / "python3").symlink_to(f"python{real.minor}")
    (bindir / "python").symlink_to("python3")
    # The stdlib's entries are linked, but os.py (getpath's landmark) is a copy: the install has
    # its own stdlib identity, as a separate build would (a whole-directory link would make it
    # the same stdlib as the real install's, like a Nix profile).
    stdlib = libdir / f"python{real.minor}"
    stdlib.mkdir()
    for entry in os.scandir(real.stdlib):
        if entry.name == "os.py":
            shutil.copy2(entry.path, stdlib / entry.name)
        else:
            (stdlib / entry.name).symlink_to(entry.path)
    return root


def relink(link: Path, target: str | Path) -> None:
    """Atomically re-point `link` (as installers do: new link, rename over)."""
    tmp = link.with_name(link.name + ".tmp-relink")
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(target)
    os.replace(tmp, link)


@dataclass(frozen=True)
class BrewPaths:
    """Where a Linuxbrew-style prefix puts a keg: Cellar/<formula>/<version>, opt/<formula>,
    bin/ links (Homebrew's `Keg#link`, `Formula#opt_prefix`)."""

    prefix: Path
    formula: str
    version: str
    minor: str

    @property
    def rack(self) -> Path:
        return self.prefix / "Cellar" / self.formula

    @property
    def keg(self) -> Path:
        return self.rack / self.version

    @property
    def opt(self) -> Path:
        return self.prefix / "opt" / self.formula

    @property
    def bin_versioned(
        self,
    ) -> Path:  # HOMEBREW_PREFIX/bin/python3.12 -> ../Cellar/.../bin/python3.12
        return self.prefix / "bin" / f"python{self.minor}"

    @property
    def bin_generic(self) -> Path:  # HOMEBREW_PREFIX/bin/python3 -> ../Cellar/.../bin/python3
        return self.prefix / "bin" / "python3"

    @property
    def opt_python(self) -> Path:
        return self.opt / "bin" / f"python{self.minor}"

    @property
    def cellar_python(self) -> Path:
        return self.keg / "bin" / f"python{self.minor}"


@dataclass(frozen=True)
class Homebrew(BrewPaths):
    """A keg copied from a real build: `brew upgrade` installs a new keg, re-links bin/* and
    opt/<formula>; `brew cleanup` removes the old keg."""

    def upgrade(
        self, real: RealPython | None = None, to: str | None = None, cleanup: bool = True
    ) -> Homebrew:
        """`brew upgrade <formula>` (+ `brew cleanup`): returns the upgraded layout."""
        new = Homebrew(self.prefix, self.formula, bump_patch(self.version, to), self.minor)
        if real is not None and real.minor != self.minor:
            raise ValueError("a patch upgrade keeps the minor version")
        shutil.copytree(self.keg, new.keg, symlinks=True)
        _link_brew(new)
        if cleanup:
            shutil.rmtree(self.keg)
        return new


def _link_brew(hb: Homebrew) -> None:
    rel_keg = os.path.relpath(hb.keg, hb.opt.parent)
    hb.opt.parent.mkdir(parents=True, exist_ok=True)
    (hb.prefix / "bin").mkdir(parents=True, exist_ok=True)
    relink(hb.opt, rel_keg)
    for name in (f"python{hb.minor}", "python3"):
        relink(hb.prefix / "bin" / name, os.path.relpath(hb.keg / "bin" / name, hb.prefix / "bin"))


def make_homebrew(real: RealPython, prefix: Path, *, version: str | None = None) -> Homebrew:
    hb = Homebrew(prefix, f"python@{real.minor}", version or real.version, real.minor)
    make_install(real, hb.keg)
    _link_brew(hb)
    return hb


@dataclass(frozen=True)
class UvManaged:
    """A uv-managed install dir: cpython-X.Y.Z-<plat>/ plus the cpython-X.Y-<plat> minor link
    (uv 0.10+ `PythonMinorVersionLink`), and a ~/.local/bin/pythonX.Y executable link."""

    install_dir: Path  # $UV_PYTHON_INSTALL_DIR
    bin_dir: Path  # ~/.local/bin equivalent
    version: str
    minor: str

    @property
    def patch_dir(self) -> Path:
        return self.install_dir / f"cpython-{self.version}-{PLATFORM_TAG}"

    @property
    def minor_link(self) -> Path:
        return self.install_dir / f"cpython-{self.minor}-{PLATFORM_TAG}"

    @property
    def patch_python(self) -> Path:
        return self.patch_dir / "bin" / f"python{self.minor}"

    @property
    def minor_python(self) -> Path:
        return self.minor_link / "bin" / f"python{self.minor}"

    @property
    def local_bin_python(self) -> Path:
        return self.bin_dir / f"python{self.minor}"

    def upgrade(self, to: str | None = None) -> UvManaged:
        """`uv python upgrade`: new patch dir, minor link and ~/.local/bin link re-pointed,
        the old patch dir removed (as `uv python uninstall` of it would)."""
        new = UvManaged(self.install_dir, self.bin_dir, bump_patch(self.version, to), self.minor)
        shutil.copytree(self.patch_dir, new.patch_dir, symlinks=True)
        relink(new.minor_link, new.patch_dir)
        relink(new.local_bin_python, new.patch_python)
        shutil.rmtree(self.patch_dir)
        return new


def make_uv_managed(real: RealPython, install_dir: Path, bin_dir: Path) -> UvManaged:
    uvm = UvManaged(install_dir, bin_dir, real.version, real.minor)
    make_install(real, uvm.patch_dir)
    # uv creates the minor link with an absolute target and only honours it when
    # read_link(minor link) == the patch dir (PythonMinorVersionLink::exists).
    relink(uvm.minor_link, uvm.patch_dir)
    bin_dir.mkdir(parents=True, exist_ok=True)
    relink(uvm.local_bin_python, uvm.patch_python)
    return uvm


@dataclass(frozen=True)
class Mise:
    """mise installs: installs/python/X.Y.Z plus the X.Y -> X.Y.Z minor link mise maintains."""

    root: Path  # <MISE_DATA_DIR>/installs/python
    version: str
    minor: str

    @property
    def patch_dir(self) -> Path:
        return self.root / self.version

    @property
    def minor_link(self) -> Path:
        return self.root / self.minor

    @property
    def patch_python(self) -> Path:
        return self.patch_dir / "bin" / f"python{self.minor}"

    @property
    def minor_python(self) -> Path:
        return self.minor_link / "bin" / f"python{self.minor}"

    def upgrade(self, to: str | None = None, remove_old: bool = True) -> Mise:
        new = Mise(self.root, bump_patch(self.version, to), self.minor)
        shutil.copytree(self.patch_dir, new.patch_dir, symlinks=True)
        relink(new.minor_link, new.version)
        if remove_old:
            shutil.rmtree(self.patch_dir)
        return new


def make_mise(real: RealPython, root: Path) -> Mise:
    m = Mise(root, real.version, real.minor)
    make_install(real, m.patch_dir)
    relink(m.minor_link, m.version)
    return m


def make_loose_link(target: Path, directory: Path, name: str | None = None) -> Path:
    """A symlink to `target` in an otherwise empty ("barren") directory, like /usr/local/bin."""
    directory.mkdir(parents=True, exist_ok=True)
    link = directory / (name or target.name)
    link.symlink_to(target)
    return link


def make_tree_link(install_root: Path, link: Path) -> Path:
    """A whole install tree symlinked elsewhere (`~/py -> .../cpython-3.12.1-...`)."""
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(install_root, target_is_directory=True)
    return link


@dataclass(frozen=True)
class Debian:
    """A Debian-like root: usr/bin/pythonX.Y real, usr/bin/python3 -> pythonX.Y, usr/lib/pythonX.Y."""

    root: Path

    @property
    def bin(self) -> Path:
        return self.root / "usr" / "bin"

    @property
    def python3(self) -> Path:
        return self.bin / "python3"

    def add(self, real: RealPython) -> Path:
        self.bin.mkdir(parents=True, exist_ok=True)
        (self.root / "usr" / "lib").mkdir(parents=True, exist_ok=True)
        exe = self.bin / f"python{real.minor}"
        shutil.copy2(real.exe, exe)
        (self.root / "usr" / "lib" / f"python{real.minor}").symlink_to(
            real.stdlib, target_is_directory=True
        )
        return exe

    def point_python3(self, minor: str) -> None:
        """What a distribution upgrade does to the unversioned alias."""
        relink(self.python3, f"python{minor}")


# --- creating environments with the real tools -------------------------------------------------


def tool_env(tmp: Path) -> dict[str, str]:
    """Environment for running the real creators without touching the user's caches."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTHON", "VIRTUAL_ENV", "UV_", "VIRTUALENV_"))
    }
    env.update(
        UV_CACHE_DIR=str(tmp / "uv-cache"),
        UV_PYTHON_DOWNLOADS="never",
        UV_NO_CONFIG="1",
        VIRTUALENV_OVERRIDE_APP_DATA=str(tmp / "ve-appdata"),
    )
    return env


def run_tool(
    argv: list[str], tmp: Path, *, extra_env: dict[str, str] | None = None, timeout: float = 120
) -> None:
    env = tool_env(tmp)
    if extra_env:
        env.update(extra_env)
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=timeout, cwd=tmp)
    if proc.returncode != 0:
        raise AssertionError(f"{argv!r} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")


def create_venv(
    python: Path | str, dest: Path, *, copies: bool = False, tmp: Path | None = None
) -> Path:
    """`<python> -m venv --without-pip DEST` (the real stdlib venv)."""
    args = [str(python), "-m", "venv", "--without-pip"]
    if copies:
        args.append("--copies")
    run_tool([*args, str(dest)], tmp or dest.parent)
    return dest


def create_virtualenv(python: Path | str, dest: Path, *, tmp: Path | None = None) -> Path:
    """The real virtualenv from the project venv, without seeding."""
    run_tool(
        [str(VENV_BIN / "virtualenv"), "--no-seed", "--no-download", "-p", str(python), str(dest)],
        tmp or dest.parent,
    )
    return dest


def create_uv(
    python: Path | str,
    dest: Path,
    *,
    tmp: Path | None = None,
    uv_install_dir: Path | None = None,
) -> Path:
    """The real `uv venv` from the project venv (offline, no downloads, no config)."""
    t = tmp or dest.parent
    extra = {"UV_PYTHON_INSTALL_DIR": str(uv_install_dir)} if uv_install_dir else {}
    run_tool(
        [
            str(VENV_BIN / "uv"),
            "venv",
            "--no-config",
            "--offline",
            "-q",
            "-p",
            str(python),
            str(dest),
        ],
        t,
        extra_env=extra,
    )
    return dest


def env_python(env: Path) -> Path:
    return env / "bin" / "python"


def runs(
    python: Path | str, code: str = "import sys; print(sys.base_prefix)"
) -> subprocess.CompletedProcess[str]:
    """Run `python -c code` (not isolated from the env: we want what a user gets)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    return subprocess.run(
        [str(python), "-c", code], capture_output=True, text=True, env=env, timeout=30
    )
