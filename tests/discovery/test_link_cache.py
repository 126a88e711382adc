"""A shared LinkCache must not change what walk_chain reports (the uncached walk is the oracle)."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from venvtui.core.base.config import Config
from venvtui.core.breaks.batch import diagnose_many
from venvtui.core.installed.envs import iter_environments
from venvtui.core.layout.symlinks import LinkCache, walk_chain
from venvtui.core.layout.view import REAL, Snapshot, real_node, snapshot


def build_farm(root: Path, seed: int) -> list[Path]:
    """Random dirs, files, dir links, file links (relative/absolute, chained, dangling,
    looping); returns every path in it plus paths reached through directory links."""
    rng = random.Random(seed)
    dirs = [root]
    for i in range(8):
        d = rng.choice(dirs) / f"d{i}"
        d.mkdir()
        dirs.append(d)
    files = []
    for i in range(6):
        f = rng.choice(dirs) / f"python3.{i}"
        f.write_text("x")
        files.append(f)
    entries: list[Path] = [*files]
    for i in range(10):
        where = rng.choice(dirs) / f"l{i}"
        kind = rng.random()
        if kind < 0.3:
            target: str | Path = rng.choice(dirs)  # a directory link (absolute)
        elif kind < 0.6:
            target = os.path.relpath(rng.choice(files), where.parent)
        elif kind < 0.8:
            target = rng.choice(entries) if entries else root / "gone"
        elif kind < 0.9:
            target = where  # a self loop
        else:
            target = root / "missing" / "python"
        where.symlink_to(target)
        entries.append(where)
    paths = [*entries, *dirs]
    for d in dirs:  # paths through directory links
        for link in d.iterdir():
            if link.is_symlink() and link.is_dir():
                paths += [link / p.name for p in Path(os.path.realpath(link)).iterdir()][:5]
    return paths


@pytest.mark.parametrize("seed", range(12))
def test_cached_walk_equals_uncached(tmp_path: Path, seed: int) -> None:
    paths = build_farm(tmp_path, seed)
    cache = LinkCache()
    for _ in range(2):  # the second pass is answered from the cache
        for p in paths:
            try:
                expected = walk_chain(str(p))
            except Exception as exc:  # NotFoundError for paths that do not exist
                with pytest.raises(type(exc)):
                    walk_chain(str(p), cache=cache)
                continue
            assert walk_chain(str(p), cache=cache) == expected, p


def test_dir_links_through_a_linked_directory(tmp_path: Path) -> None:
    (tmp_path / "usr" / "bin").mkdir(parents=True)
    (tmp_path / "usr" / "bin" / "python3.11").write_text("x")
    (tmp_path / "usr" / "bin" / "python3").symlink_to("python3.11")
    (tmp_path / "bin").symlink_to("usr/bin")
    cache = LinkCache()
    for name in ("python3", "python3.11"):
        p = str(tmp_path / "bin" / name)
        assert walk_chain(p, cache=cache) == walk_chain(p)
        assert walk_chain(p, cache=cache).hops[0].dir_links == ((str(tmp_path / "bin"), "usr/bin"),)


@pytest.mark.parametrize("seed", range(6))
def test_scan_shares_only_what_the_disk_says(tmp_path: Path, seed: int) -> None:
    """What the scan adds to a snapshot's lstat answers is what lstat says of each path, for
    real paths only; the statuses worked out in that snapshot are those worked out alone."""
    farm = tmp_path / "farm"
    farm.mkdir()
    targets = build_farm(farm, seed)
    root = tmp_path / "envs"
    for i, target in enumerate(targets):
        env = root / f"p{i}" / ".venv"
        (env / "bin").mkdir(parents=True)
        (env / "pyvenv.cfg").write_text("home = /usr/bin\nversion = 3.11.2\n")
        (env / "bin" / "python").symlink_to(
            target if i % 2 else os.path.relpath(target, env / "bin")
        )
    (root / "p0" / ".venv").rename(tmp_path / "moved")
    (root / "p0" / ".venv").symlink_to(tmp_path / "moved")  # an env reached through a link
    # a conda base whose envs/ is a link: the scan walks it as if it were the base
    (root / "conda" / "conda-meta").mkdir(parents=True)
    (root / "conda" / "condabin").mkdir()
    (tmp_path / "elsewhere" / "e1" / "conda-meta").mkdir(parents=True)
    (tmp_path / "elsewhere" / "e1" / "bin").mkdir()
    (tmp_path / "elsewhere" / "e1" / "bin" / "python").symlink_to(targets[0])
    (root / "conda" / "envs").symlink_to(tmp_path / "elsewhere")

    memo = Snapshot()
    with snapshot(memo):
        envs = sorted(
            iter_environments([str(root)], config=Config(path=""), nodes=memo.nodes),
            key=lambda e: e.path,
        )
        shared = dict(memo.nodes)
        chains = {k[1]: v for k, v in memo.answers.items() if k[0] == "walk_chain"}
        statuses = [d.status for d in diagnose_many(envs, confirm=False, forecast=False)]
    assert len(envs) == len(targets) + 1
    assert shared
    for path, node in shared.items():
        assert os.path.realpath(os.path.dirname(path)) == os.path.dirname(path), path
        assert real_node(path) == node, path
    # the chains the scan handed on are those the real view walks itself
    assert chains
    for start, chain in chains.items():
        with snapshot():
            assert REAL.walk_chain(start) == chain, start
    # so are the answers seeded from them for each hop, and the directories they lie in
    seeded = [k for k in memo.answers if k[0] in ("resolve", "realpath", "lnode")]
    assert seeded
    for what, path in seeded:
        with snapshot():
            assert getattr(REAL, what)(path) == memo.answers[(what, path)], (what, path)
    for path, (found, used, cut) in memo.canon.items():
        if used == 0 and not cut and found is not None and found[1].kind == "dir":
            assert os.path.realpath(path) == path == found[0] and os.path.isdir(path), path
    # getpath's resolution taken from a seeded chain is the one it makes link by link
    for start in chains:
        for version in ((3, 10, 0), (3, 12, 0)):
            with snapshot(memo):
                from_chain = REAL.getpath_realpath(start, version)
            assert REAL.getpath_realpath(start, version) == from_chain, (start, version)
    assert statuses == [d.status for d in diagnose_many(envs, confirm=False, forecast=False)]


def test_below_a_conda_envs_link_nothing_is_said_of_a_lexical_path(tmp_path: Path) -> None:
    """A conda base whose envs/ is a link (`sub/../store`, through a symlinked directory): the
    scan hands the statuses nothing about the env's lexical path below the link (it is not
    its real path), and they are those worked out without the scan's answers."""
    base, store = tmp_path / "base", tmp_path / "deep" / "store"
    (base / "conda-meta").mkdir(parents=True)
    (base / "condabin").mkdir()
    (tmp_path / "deep" / "x").mkdir(parents=True)
    env = store / "e1"
    (env / "bin").mkdir(parents=True)
    (env / "pyvenv.cfg").write_text("home = /usr/bin\nversion = 3.11.2\n")
    (env / "bin" / "python").symlink_to("/usr/bin/python3")
    (base / "sub").symlink_to(tmp_path / "deep" / "x")
    (base / "envs").symlink_to("sub/../store")  # the kernel: deep/x/.. = deep
    (base / "store" / "e1" / "bin").mkdir(parents=True)  # what a lexical `..` would find
    memo = Snapshot()
    with snapshot(memo):
        found = list(iter_environments([str(base)], config=Config(path=""), nodes=memo.nodes))
        statuses = [d.status for d in diagnose_many(found, confirm=False, forecast=False)]
    assert [e.path for e in found] == [str(base / "envs" / "e1")]
    for path in memo.nodes:
        assert os.path.realpath(os.path.dirname(path)) == os.path.dirname(path), path
    assert not [k for k in memo.answers if k[0] == "listed file"]
    assert statuses == [d.status for d in diagnose_many(found, confirm=False, forecast=False)]


def test_a_linked_pyvenv_cfg_is_found_as_the_kernel_finds_it(tmp_path: Path) -> None:
    """pyvenv.cfg a link `sub/../cfg` with `sub` a symlinked directory: the kernel follows `sub`
    before `..`; the listing's status says the cfg is there, as doctor does."""
    env = tmp_path / "e"
    (env / "bin").mkdir(parents=True)
    (env / "bin" / "python").symlink_to("/usr/bin/python3")
    (tmp_path / "other" / "x").mkdir(parents=True)
    (tmp_path / "other" / "cfg").write_text("home = /usr/bin\nversion = 3.11.2\n")
    (env / "sub").symlink_to(tmp_path / "other" / "x")
    (env / "pyvenv.cfg").symlink_to("sub/../cfg")
    assert os.path.isfile(env / "pyvenv.cfg")
    with snapshot():
        envs = list(iter_environments([str(tmp_path)], config=Config(path="")))
        listed = diagnose_many(envs, confirm=False, forecast=False)
    alone = diagnose_many(envs, confirm=False)
    assert [d.path for d in listed] == [str(env)]
    assert "cfg-missing" not in [v.code for v in listed[0].verdicts]
    assert listed[0].status == alone[0].status
