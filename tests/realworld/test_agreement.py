"""Real-world layouts rebuilt from public threads, real creators, real events on disk.

Each test rebuilds one layout from a real CPython build (tests/realworld/builds.py), creates envs
with the real `python -m venv`, virtualenv and uv, asks venvtui (static diagnosis, forecast,
what-if), performs the event on disk as the installer or the user does it, runs every env before
and after, and records each answer against what happened (tests/realworld/harness.py). The
agreement table is printed at the end of the run.

A test fails when a forecast, what-if or impossible-event answer disagrees for an env whose
start-up today the static model gets right.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.health.oracle import cfg_values
from tests.layouts import bump_patch, create_uv, create_venv, create_virtualenv, relink
from tests.realworld import builds
from tests.realworld.builds import PrefixAliases
from tests.realworld.conftest import build
from tests.realworld.harness import Scenario, problems, run
from venvtui.core.breaks import whatif as whatif_mod

pytestmark = [pytest.mark.slow, pytest.mark.realpython]


def _api(name: str) -> Any:
    """A what-if entry point, or None where this venvtui cannot ask the question."""
    return getattr(whatif_mod, name, None)


def _inside(path: str, root: Path) -> bool:
    return os.path.commonpath([path, str(root)]) == str(root)


def _through(env: Path, link: Path) -> bool:
    """Does the env record a path through `link` (its `home`, or a bin/python link hop)?"""
    paths = [cfg_values(env).get("home", "")]
    p = str(env / "bin" / "python")
    for _ in range(10):
        if not os.path.islink(p):
            break
        p = os.path.join(os.path.dirname(p), os.readlink(p))
        paths.append(os.path.normpath(p))
    return any(x and _inside(x, link) for x in paths)


def _each_creator(e: Path, python: Path, tag: str) -> dict[str, Path]:
    """An env from `python` made by each real creator, named venv-TAG, uv-TAG and ve-TAG
    (venv, uv, ve without a tag)."""
    name = {c: f"{c}-{tag}" if tag else c for c in ("venv", "uv", "ve")}
    return {
        name["venv"]: create_venv(python, e / name["venv"]),
        name["uv"]: create_uv(python, e / name["uv"]),
        name["ve"]: create_virtualenv(python, e / name["ve"]),
    }


def _check(sc: Scenario, results: Path) -> None:
    run(sc, results)
    bad = problems(sc)
    assert not bad, "\n".join(bad)


def _user_link_repointed(
    name: str,
    thread: str,
    envs: dict[str, Path],
    link: Path,
    to: str,
    old_root: Path,
    gone: str,
    *,
    impossible: Callable[[Any], bool],
) -> Scenario:
    """A link the user owns re-pointed at `to`, then the install it led to removed: an env
    through the link sees the re-point, any other env sees its install go (`gone` event)."""

    def perform() -> None:
        relink(link, to)
        shutil.rmtree(old_root)

    repoint = _api("whatif_repoint")
    through = {n for n, p in envs.items() if _through(p, link)}
    return Scenario(
        name,
        thread,
        envs,
        perform=perform,
        names_event=lambda f, n: (
            (f.kind == "repoint" and f.target == str(link))
            if n in through
            else (f.kind == gone and f.target == str(old_root))
        ),
        whatif=None
        if repoint is None
        else lambda loaded: repoint(str(link), to, loaded, remove_old=True),
        impossible=impossible,
    )


# --- Homebrew on Linux: brew upgrade + brew link + brew cleanup (uv#1640, class 1) -----------


@pytest.mark.parametrize(
    ("linkage", "minor"),
    [("keg", "3.12"), ("prefix", "3.12"), ("origin", "3.12"), ("keg", "3.11"), ("keg", "3.10")],
)
def test_homebrew_upgrade_and_cleanup(
    linkage: str, minor: str, tmp_path: Path, aliases: PrefixAliases, results: Path
) -> None:
    rp = build(minor)
    hb = builds.make_brew(rp, tmp_path / "hb", aliases, linkage)
    e = tmp_path / "envs"
    e.mkdir()
    envs = {
        "venv-bin": create_venv(hb.bin_versioned, e / "venv-bin"),
        "venv-opt": create_venv(hb.opt_python, e / "venv-opt"),
        "venv-cellar": create_venv(hb.cellar_python, e / "venv-cellar"),
        "venv-copies": create_venv(hb.opt_python, e / "venv-copies", copies=True),
        "ve-bin": create_virtualenv(hb.bin_versioned, e / "ve-bin"),
        "ve-cellar": create_virtualenv(hb.cellar_python, e / "ve-cellar"),
        "uv-bin": create_uv(hb.bin_versioned, e / "uv-bin"),
        "uv-cellar": create_uv(hb.cellar_python, e / "uv-cellar"),
    }
    new = bump_patch(rp.version)
    keg = str(hb.keg)
    upgrade = _api("whatif_upgrade")
    sc = Scenario(
        f"homebrew-{linkage}-{minor}",
        "astral-sh/uv#1640",
        envs,
        perform=lambda: builds.brew_upgrade(rp, hb, new, aliases) and None,
        names_event=lambda f, _n: f.kind == "patch-upgrade" and f.target == keg,
        whatif=lambda loaded: upgrade(keg, new, loaded),
    )
    _check(sc, results)


# --- uv-managed standalone builds (#12173, #16411, pbs#380, #1795/#9723, uv#13312) -------------


@pytest.mark.parametrize("minor", ["3.12", "3.11"])
def test_uv_upgrade_then_uninstall(
    minor: str, tmp_path: Path, results: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rp = build(minor)
    uvp = builds.make_uv(rp, tmp_path / "uv" / "python", tmp_path / "local" / "bin")
    monkeypatch.setenv("UV_PYTHON_BIN_DIR", str(uvp.bin_dir))
    tree = tmp_path / "py"
    tree.symlink_to(uvp.patch_dir, target_is_directory=True)  # uv#1795: a whole tree linked
    e = tmp_path / "envs"
    e.mkdir()
    inst = uvp.install_dir
    envs = {
        "uv-minor": create_uv(uvp.minor_python, e / "uv-minor", uv_install_dir=inst),
        "uv-patch": create_uv(uvp.patch_python, e / "uv-patch", uv_install_dir=inst),
        "uv-tree": create_uv(tree / "bin" / "python3", e / "uv-tree", uv_install_dir=inst),
        "venv-patch": create_venv(uvp.patch_python, e / "venv-patch"),
        "venv-minor": create_venv(uvp.minor_python, e / "venv-minor"),
        "venv-local": create_venv(uvp.local_bin_python, e / "venv-local"),  # uv#12173, #16411
        "venv-tree": create_venv(tree / "bin" / "python3", e / "venv-tree"),
        "ve-local": create_virtualenv(uvp.local_bin_python, e / "ve-local"),
    }
    old_dir = str(uvp.patch_dir)
    new = bump_patch(rp.version)
    upgrade, remove = _api("whatif_upgrade"), _api("whatif_remove")
    _check(
        Scenario(
            f"uv-upgrade-{minor}",
            "astral-sh/uv#13312",
            envs,
            perform=lambda: builds.uv_upgrade(rp, uvp, new) and None,
            names_event=lambda f, _n: f.kind == "patch-upgrade" and f.target == old_dir,
            whatif=lambda loaded: upgrade(old_dir, new, loaded),
        ),
        results,
    )
    _check(
        Scenario(
            f"uv-uninstall-old-{minor}",
            "astral-sh/uv#12173",
            envs,
            perform=lambda: builds.uv_uninstall(uvp),
            names_event=lambda f, _n: f.kind == "uninstall" and f.target == old_dir,
            whatif=lambda loaded: remove(old_dir, loaded),
        ),
        results,
    )


# --- links the user owns (class 8) and aliases inside self-contained trees (class 7) ----------


@pytest.mark.parametrize("minor", ["3.12", "3.10"])
def test_pyenv_minor_link_repointed_by_the_user(
    minor: str, tmp_path: Path, aliases: PrefixAliases, results: Path
) -> None:
    rp = build(minor)
    versions = tmp_path / "pyenv" / "versions"
    old = builds.make_prefix_install(rp, versions / rp.version, aliases, rp.version)
    link = versions / rp.minor
    link.symlink_to(rp.version)
    e = tmp_path / "envs"
    e.mkdir()
    via_link = link / "bin" / "python3"
    envs = {
        **_each_creator(e, via_link, "link"),
        "venv-patch": create_venv(old.exe, e / "venv-patch"),
    }
    new = bump_patch(rp.version)
    builds.make_prefix_install(rp, versions / new, aliases, new)  # `pyenv install <new>`

    sc = _user_link_repointed(
        f"pyenv-user-link-{minor}",
        "astral-sh/uv#1795",
        envs,
        link,
        new,
        old.root,
        "uninstall",  # `pyenv uninstall <old>`
        impossible=lambda f: f.kind == "minor-upgrade" and _inside(f.target, versions),
    )
    _check(sc, results)


@pytest.mark.parametrize("minor", ["3.12", "3.10"])
def test_usr_local_link_to_a_custom_prefix(
    minor: str, tmp_path: Path, aliases: PrefixAliases, results: Path
) -> None:
    """python/cpython#106045: /usr/local/bin/python3 -> /opt/py/X.Y.Z/bin/pythonX.Y."""
    rp = build(minor)
    opt = tmp_path / "opt" / "py"
    old = builds.make_prefix_install(rp, opt / rp.version, aliases, rp.version)
    link = tmp_path / "usr" / "local" / "bin" / "python3"
    link.parent.mkdir(parents=True)
    link.symlink_to(old.exe)
    e = tmp_path / "envs"
    e.mkdir()
    envs = {
        **_each_creator(e, link, "link"),
        "venv-direct": create_venv(old.exe, e / "venv-direct"),
    }
    new = bump_patch(rp.version)
    new_build = builds.make_prefix_install(rp, opt / new, aliases, new)

    sc = _user_link_repointed(
        f"usr-local-link-{minor}",
        "python/cpython#106045",
        envs,
        link,
        str(new_build.exe),
        old.root,
        "remove",
        impossible=lambda f: f.kind == "minor-upgrade" and f.target == str(link),
    )
    _check(sc, results)


def test_tool_cache_version_removed(tmp_path: Path, aliases: PrefixAliases, results: Path) -> None:
    """A CI tool cache (hostedtoolcache/Python/X.Y.Z/x64): no installer re-points its python3;
    a runner image drops the version dir."""
    rp = build("3.12")
    root = tmp_path / "hostedtoolcache" / "Python" / rp.version / "x64"
    b = builds.make_prefix_install(rp, root, aliases, rp.version)
    e = tmp_path / "envs"
    e.mkdir()
    py3 = root / "bin" / "python3"
    envs = _each_creator(e, py3, "")
    remove = _api("whatif_remove")
    sc = Scenario(
        "tool-cache-removed",
        "actions/setup-python tool cache",
        envs,
        perform=lambda: shutil.rmtree(b.root),
        names_event=lambda f, _n: f.kind in ("remove", "uninstall") and f.target == str(root),
        whatif=lambda loaded: remove(str(root), loaded),
        impossible=lambda f: f.kind == "minor-upgrade" and _inside(f.target, tmp_path),
    )
    _check(sc, results)


# --- a distribution re-points python3 to the next minor (class 8, minor re-point) -------------


def test_distribution_repoints_python3(
    tmp_path: Path, aliases: PrefixAliases, results: Path
) -> None:
    r311, r312 = build("3.11"), build("3.12")
    usr = tmp_path / "root" / "usr"
    builds.make_usr(r311, usr, aliases)
    builds.make_usr(r312, usr, aliases)
    py3 = usr / "bin" / "python3"
    py3.symlink_to("python3.11")
    e = tmp_path / "envs"
    e.mkdir()
    envs = {
        **_each_creator(e, py3, "python3"),
        "venv-pinned": create_venv(usr / "bin" / "python3.11", e / "venv-pinned"),
    }
    repoint = _api("whatif_repoint")
    sc = Scenario(
        "distribution-python3-3.11-to-3.12",
        "Debian dist-upgrade",
        envs,
        perform=lambda: relink(py3, "python3.12"),
        names_event=lambda f, _n: f.kind == "minor-upgrade" and f.target == str(py3),
        whatif=None if repoint is None else lambda loaded: repoint(str(py3), "python3.12", loaded),
    )
    _check(sc, results)


# --- Nix profile upgrade and garbage collection (class 4's layout) ---------------------------


@pytest.mark.parametrize("minor", ["3.12", "3.10"])
def test_nix_profile_upgrade_and_gc(
    minor: str, tmp_path: Path, aliases: PrefixAliases, results: Path
) -> None:
    rp = build(minor)
    nx = builds.make_nix(rp, tmp_path, aliases)
    e = tmp_path / "envs"
    e.mkdir()
    py3 = nx.home_profile / "bin" / "python3"
    envs = {
        **_each_creator(e, py3, "profile"),
        "venv-store": create_venv(nx.python / "bin" / "python3", e / "venv-store"),
    }
    new = bump_patch(rp.version)
    store_py = str(nx.python)
    upgrade = _api("whatif_upgrade")
    sc = Scenario(
        f"nix-profile-upgrade-gc-{minor}",
        "Nix profiles + nix-collect-garbage",
        envs,
        perform=lambda: builds.nix_upgrade_and_gc(rp, nx, new, aliases) and None,
        names_event=lambda f, _n: f.target == store_py and f.kind in ("patch-upgrade", "uninstall"),
        whatif=lambda loaded: upgrade(store_py, new, loaded),
    )
    _check(sc, results)


# --- conda replaces the prefix's python with the next minor ----------------------------------


def test_conda_installs_the_next_minor(
    tmp_path: Path, aliases: PrefixAliases, results: Path
) -> None:
    r312, r313 = build("3.12"), build("3.13")
    prefix = builds.make_conda(r312, tmp_path / "miniconda3", aliases)
    e = tmp_path / "envs"
    e.mkdir()
    py3 = prefix / "bin" / "python3"
    envs = {
        **_each_creator(e, py3, "python3"),
        "venv-pinned": create_venv(prefix / "bin" / "python3.12", e / "venv-pinned"),
    }
    upgrade = _api("whatif_upgrade")
    sc = Scenario(
        "conda-python-3.12-to-3.13",
        "conda install python=3.13",
        envs,
        perform=lambda: builds.conda_install_minor(r313, r312, prefix, aliases),
        names_event=lambda f, _n: f.kind == "minor-upgrade" and f.target == str(py3),
        whatif=lambda loaded: upgrade(str(prefix), "3.13", loaded),
    )
    _check(sc, results)
