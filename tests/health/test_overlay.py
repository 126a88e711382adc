"""The filesystem view and overlay against the real filesystem.

The plain view must answer exactly like the OS (os.lstat/os.path.exists/os.path.realpath) and
like `core.symlinks.walk_chain`; an overlay of changes must answer, before anything is
touched, exactly what the real filesystem answers once the same changes are really made.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from venvtui.core.layout.symlinks import walk_chain
from venvtui.core.layout.view import REAL, Change, Overlay, View, real_node, search_up, snapshot


def build_tree(root: Path) -> None:
    (root / "a" / "r1" / "bin").mkdir(parents=True)
    (root / "a" / "r1" / "lib" / "python3.12").mkdir(parents=True)
    (root / "a" / "r1" / "lib" / "python3.12" / "os.py").write_text("")
    (root / "a" / "r1" / "bin" / "python3.12").write_text("#!/bin/sh\n")
    (root / "a" / "r1" / "bin" / "python3").symlink_to("python3.12")
    (root / "a" / "cur").symlink_to("r1")
    (root / "b" / "bin").mkdir(parents=True)
    (root / "b" / "bin" / "python").symlink_to("../../a/cur/bin/python3")
    (root / "b" / "bin" / "abs").symlink_to(root / "a" / "r1" / "bin" / "python3.12")
    (root / "b" / "bin" / "py").symlink_to("python")
    (root / "c").symlink_to("a")
    (root / "loop1").symlink_to("loop2")
    (root / "loop2").symlink_to("loop1")
    (root / "dangling").symlink_to("nowhere/at/all")
    (root / "file").write_text("x")


def probe_paths(root: Path) -> list[str]:
    rels = [
        "a",
        "a/r1",
        "a/r2",
        "a/cur",
        "a/cur/bin/python3",
        "a/cur/bin/python3.12",
        "a/r2/bin/python3",
        "a/r1/bin/python3",
        "b/bin/python",
        "b/bin/abs",
        "b/bin/py",
        "c/cur/bin/python3",
        "c/r1/lib/python3.12/os.py",
        "c/r2/lib/python3.12/os.py",
        "loop1",
        "loop1/x",
        "dangling",
        "file/below",
        "new/bin/python",
        "missing",
    ]
    return [str(root / r) for r in rels]


def hops(chain: object) -> list[tuple[str, str, str | None]]:
    return [(h.path, h.kind, h.target) for h in chain.hops]  # type: ignore[attr-defined]


def assert_same(view: View, paths: list[str]) -> None:
    for p in paths:
        assert view.lnode(p).kind == real_node(p).kind or (
            # lstat through a broken parent: the OS says ENOENT/ENOTDIR/ELOOP alike
            view.lnode(p).kind == "missing" and real_node(p).kind == "error"
        ), p
        assert view.exists(p) == os.path.exists(p), p
        if os.path.exists(p):
            assert view.realpath(p) == os.path.realpath(p), p
            assert view.isfile(p) == os.path.isfile(p), p
            assert view.isdir(p) == os.path.isdir(p), p
        if os.path.lexists(p) and p == os.path.normpath(p):  # a chain starts where getpath
            assert hops(view.walk_chain(p)) == hops(walk_chain(p)), p  # starts: a normal path


def perform(changes: list[Change]) -> None:
    """Make the changes for real, as an installer would."""
    for ch in changes:
        if ch.op == "remove":
            if os.path.islink(ch.path) or os.path.isfile(ch.path):
                os.unlink(ch.path)
            elif os.path.isdir(ch.path):
                shutil.rmtree(ch.path)
        elif ch.op == "link":
            assert ch.arg is not None
            if os.path.lexists(ch.path):
                os.unlink(ch.path)
            os.symlink(ch.arg, ch.path)
        elif ch.op == "copy":
            assert ch.arg is not None
            shutil.copytree(ch.arg, ch.path, symlinks=True)


def test_plain_view_is_the_os(tmp_path: Path) -> None:
    build_tree(tmp_path)
    assert_same(REAL, probe_paths(tmp_path))


def test_a_snapshot_answers_like_the_os(tmp_path: Path) -> None:
    build_tree(tmp_path)
    with snapshot():
        assert_same(REAL, probe_paths(tmp_path))  # fills the memo
        assert_same(REAL, probe_paths(tmp_path))  # answered from it
        assert_same(REAL, list(reversed(probe_paths(tmp_path))))


def test_a_climb_after_a_linked_name_goes_up_from_its_target(tmp_path: Path) -> None:
    """`python -> sub/../x/python3` with `sub -> elsewhere/inner`: the kernel goes up from
    `elsewhere/inner` (to `elsewhere/x/python3`), while the lexical reading names
    `x/python3` beside the link; getpath's chain keeps the lexical one."""
    (tmp_path / "elsewhere" / "inner").mkdir(parents=True)
    (tmp_path / "elsewhere" / "x").mkdir()
    (tmp_path / "elsewhere" / "x" / "python3").write_text("")
    (tmp_path / "sub").symlink_to(tmp_path / "elsewhere" / "inner")
    (tmp_path / "python").symlink_to("sub/../x/python3")
    link = str(tmp_path / "python")
    assert os.path.exists(link) and not (tmp_path / "x").exists()
    assert_same(REAL, [link, str(tmp_path / "sub"), str(tmp_path / "x" / "python3")])
    assert REAL.realpath(link) == str(tmp_path / "elsewhere" / "x" / "python3")
    with snapshot():
        assert_same(REAL, [link])


def test_upgrade_overlay_matches_doing_it(tmp_path: Path) -> None:
    """A Homebrew-like patch upgrade: copy r1 to r2, re-point `cur`, remove r1."""
    build_tree(tmp_path)
    a = tmp_path / "a"
    changes = [
        Change("copy", str(a / "r2"), str(a / "r1")),
        Change("link", str(a / "cur"), "r2"),
        Change("remove", str(a / "r1")),
    ]
    view = Overlay(changes)
    paths = probe_paths(tmp_path)
    answers = {
        p: (view.lnode(p).kind, view.exists(p), view.realpath(p), hops_or_none(view, p))
        for p in paths
    }
    perform(changes)
    for p in paths:
        real_hops = hops(walk_chain(p)) if os.path.lexists(p) else None
        assert answers[p][1] == os.path.exists(p), p
        if os.path.exists(p):
            assert answers[p][2] == os.path.realpath(p), p
        assert answers[p][3] == real_hops, p
    assert search_up(view, str(tmp_path / "b" / "bin"), "3.12") is None


def hops_or_none(view: View, p: str) -> list[tuple[str, str, str | None]] | None:
    return hops(view.walk_chain(p)) if view.lnode(p).kind not in ("missing", "error") else None


Answer = tuple[bool, str, list[tuple[str, str, str | None]] | None]


def answers_of(view: View, paths: list[str]) -> dict[str, Answer]:
    """What `view` says of each path: exists, realpath, its chain (None when not there)."""
    return {p: (view.exists(p), view.realpath(p), hops_or_none(view, p)) for p in paths}


def assert_as_on_disk(answers: dict[str, Answer]) -> None:
    """Each answer is what the disk says now (the changes made)."""
    for p, (exists, real, chain) in answers.items():
        assert exists == os.path.exists(p), p
        assert chain == (hops(walk_chain(p)) if os.path.lexists(p) else None), p
        if exists:
            assert real == os.path.realpath(p), p


def test_removal_and_new_links_match_doing_it(tmp_path: Path) -> None:
    build_tree(tmp_path)
    changes = [
        Change("remove", str(tmp_path / "a" / "r1" / "bin" / "python3.12")),
        Change("link", str(tmp_path / "b" / "bin" / "python"), "abs"),
        Change("link", str(tmp_path / "dangling"), "file"),
        Change("remove", str(tmp_path / "c")),
    ]
    before = answers_of(Overlay(changes), probe_paths(tmp_path))
    perform(changes)
    assert_as_on_disk(before)


def test_copy_listing_and_sources(tmp_path: Path) -> None:
    build_tree(tmp_path)
    a = tmp_path / "a"
    view = Overlay([Change("copy", str(a / "r2"), str(a / "r1")), Change("remove", str(a / "r1"))])
    assert view.listdir(str(a / "r2" / "bin")) == sorted(os.listdir(a / "r1" / "bin"))
    assert "r1" not in view.listdir(str(a)) and "r2" in view.listdir(str(a))
    # the bytes of a copied file are read from where they really are
    assert view.source_of(str(a / "r2" / "bin" / "python3.12")) == str(
        a / "r1" / "bin" / "python3.12"
    )


NAMES = ["n0", "n1", "n2", "n3", "d0/n4", "d0/n5", "d1"]


def _graphs(targets: list[str]) -> st.SearchStrategy[list[tuple[str, tuple[str, str]]]]:
    """Up to 8 entries among NAMES: files, directories and links to `targets`."""
    kinds = st.one_of(
        st.just(("file", "")),
        st.just(("dir", "")),
        st.tuples(st.just("link"), st.sampled_from(targets)),
    )
    return st.lists(st.tuples(st.sampled_from(NAMES), kinds), min_size=1, max_size=8)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
# `d1/../n0`, `d0/n4/../n1`: a `..` after a name goes up from where the name led (the kernel's
# rule), not lexically, when the name is a link
@given(
    _graphs(
        [
            "n0",
            "../n1",
            "d0",
            "d0/n4",
            "../d1/x",
            "/nonexistent",
            "n2",
            "..",
            ".",
            "d1/../n0",
            "d0/n4/../n1",
            "n0/",
            "d0/.",
            "d1/../n0/.",
        ]
    )
)
def test_random_link_graphs_view_equals_os(tmp_path_factory: object, spec: list) -> None:
    root = Path(tmp_path_factory.mktemp("g"))  # type: ignore[attr-defined]
    _build_graph(root, spec)
    paths = [str(root / n) for n in NAMES] + [str(root / n / "x") for n in NAMES]
    # paths as asked, not normalised: the kernel's `..` and trailing `/` (getpath 3.8-3.10
    # asks `dir/../lib/...`)
    paths += [f"{root / n}/../n0" for n in NAMES] + [f"{root / n}/" for n in NAMES]
    assert_same(REAL, paths)
    with snapshot():  # the shared component-by-component resolution, loops counted alike
        assert_same(REAL, paths)
        assert_same(REAL, paths[::-1])


def test_changes_through_a_directory_link_land_where_the_os_puts_them(tmp_path: Path) -> None:
    """`c -> a`: re-pointing c/cur re-points a/cur, as the kernel would."""
    build_tree(tmp_path)
    a = tmp_path / "a"
    changes = [
        Change("copy", str(a / "r2"), str(a / "r1")),
        Change("link", str(tmp_path / "c" / "cur"), "r2"),
        Change("remove", str(tmp_path / "c" / "r1")),
    ]
    view = Overlay(changes)
    paths = probe_paths(tmp_path)
    before = {p: (view.exists(p), hops_or_none(view, p)) for p in paths}
    perform(changes)
    for p in paths:
        assert before[p][0] == os.path.exists(p), p
        assert before[p][1] == (hops(walk_chain(p)) if os.path.lexists(p) else None), p


def test_link_limit_counts_alike_whatever_was_asked_first(tmp_path: Path) -> None:
    """Chains of file links and of directory links around the kernel's limit (40): within a
    snapshot, answers remembered from one budget serve another, so every order of asking
    must still count the links exactly as the OS does."""
    (tmp_path / "f").write_text("")
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "f").write_text("")
    for i in range(45):
        (tmp_path / f"l{i}").symlink_to(f"l{i + 1}" if i < 44 else "f")
        (tmp_path / f"k{i}").symlink_to(f"k{i + 1}" if i < 44 else "d")
    paths = [str(tmp_path / f"l{i}") for i in range(45)]
    paths += [str(tmp_path / f"k{i}" / "f") for i in range(45)]
    paths += [str(tmp_path / f"k{i}" / "f" / "x") for i in range(45)]
    for p in paths:  # outside a snapshot: each path resolved on its own
        assert REAL.exists(p) == os.path.exists(p), p
    for order in (paths, paths[::-1], paths[::2] + paths[1::2]):
        with snapshot():
            for p in order:
                assert REAL.exists(p) == os.path.exists(p), p
                assert REAL.lnode(p).kind in (
                    (real_node(p).kind,) if real_node(p).kind != "error" else ("missing", "error")
                ), p
                if os.path.exists(p):
                    assert REAL.realpath(p) == os.path.realpath(p), p


def test_overlays_in_a_snapshot_match_doing_it(tmp_path: Path) -> None:
    """Within a snapshot an overlay takes the real view's answers where no change can reach
    them: after the real view has answered every path, the overlay's answers are still what
    the disk shows once the changes are made."""
    build_tree(tmp_path)
    a = tmp_path / "a"
    changes = [
        Change("copy", str(a / "r2"), str(a / "r1")),
        Change("link", str(a / "cur"), "r2"),
        Change("remove", str(a / "r1")),
        Change("link", str(tmp_path / "dangling"), "file"),
    ]
    paths = probe_paths(tmp_path)
    paths += [str(Path(p) / "x") for p in paths]
    with snapshot():
        assert_as_on_disk(answers_of(REAL, paths))  # the real view has answered every path
        after = answers_of(Overlay(changes), paths)
    perform(changes)
    assert_as_on_disk(after)


def _build_graph(root: Path, spec: list) -> None:  # type: ignore[type-arg]
    (root / "d0").mkdir()
    for name, (kind, target) in spec:
        p = root / name
        if os.path.lexists(p) or not p.parent.is_dir() or p.parent.is_symlink():
            continue
        if kind == "file":
            p.write_text("")
        elif kind == "dir":
            p.mkdir()
        else:
            p.symlink_to(target)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    _graphs(["n0", "../n1", "d0", "d0/n4", "..", "d1/../n0", "d0/n4/../n1"]),
    st.lists(
        st.tuples(
            st.sampled_from(NAMES),
            st.sampled_from(["remove", "n1", "d0", "../d1", "n3", "missing"]),
        ),
        min_size=1,
        max_size=3,
    ),
)
def test_random_overlays_in_a_snapshot_equal_doing_it(
    tmp_path_factory: object,
    spec: list,  # type: ignore[type-arg]
    edits: list,  # type: ignore[type-arg]
) -> None:
    """Random link graphs and random removals and re-pointings: within a snapshot where the
    real view has already answered every path, the overlay answers what the disk shows once
    the same changes are made."""
    root = Path(tmp_path_factory.mktemp("o"))  # type: ignore[attr-defined]
    _build_graph(root, spec)
    changes = []
    for name, what in edits:
        p = root / name
        if not p.parent.is_dir():
            continue  # the change could not be made for real either
        if what == "remove":
            if os.path.lexists(p):
                changes.append(Change("remove", str(p)))
        elif not os.path.isdir(p) or os.path.islink(p):
            changes.append(Change("link", str(p), what))
    paths = [str(root / n) for n in NAMES] + [str(root / n / "x") for n in NAMES]
    with snapshot():
        answers_of(REAL, paths)
        after = answers_of(Overlay(changes), paths)
    perform(changes)
    assert_as_on_disk(after)
