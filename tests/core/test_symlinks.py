"""walk_chain / readlink_chain / dir_links on real symlink farms."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from venvtui.core.base.errors import NotFoundError
from venvtui.core.layout.symlinks import dir_links, readlink_chain, walk_chain


def _file(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x")
    return path


def test_plain_file_is_a_one_hop_chain(tmp_path: Path) -> None:
    f = _file(tmp_path / "python3.12")
    chain = walk_chain(str(f))
    assert chain.ok
    assert chain.paths == (str(f),)
    assert chain.hops[0].kind == "file"
    assert chain.realpath == os.path.realpath(f)
    assert readlink_chain(str(f)) == str(f)


def test_relative_and_absolute_hops(tmp_path: Path) -> None:
    real = _file(tmp_path / "cellar" / "3.12.7" / "bin" / "python3.12")
    (tmp_path / "opt").mkdir()
    # absolute target, then a relative one with '..'
    mid = tmp_path / "opt" / "python3.12"
    mid.symlink_to("../cellar/3.12.7/bin/python3.12")
    (tmp_path / "bin").mkdir()
    top = tmp_path / "bin" / "python3"
    top.symlink_to(mid)
    chain = walk_chain(str(top))
    assert [h.kind for h in chain.hops] == ["link", "link", "file"]
    assert chain.hops[0].target == str(mid)
    assert chain.hops[1].target == "../cellar/3.12.7/bin/python3.12"
    assert chain.hops[1].next == str(real)
    assert chain.final == str(real)
    assert chain.ok and chain.broken_hop is None
    assert readlink_chain(str(top)) == str(real)
    assert chain.realpath == os.path.realpath(top)


def test_relative_target_is_normalised_lexically_not_through_dir_links(tmp_path: Path) -> None:
    # real/bin/python -> ../lib/python ; "bin" reached through a dir link "pub" -> real/bin
    # getpath joins '..' lexically to the *link's* path: pub/../lib/python = <tmp>/lib/python,
    # which differs from the OS resolution real/lib/python.
    _file(tmp_path / "real" / "lib" / "python")
    (tmp_path / "real" / "bin").mkdir()
    (tmp_path / "real" / "bin" / "python").symlink_to("../lib/python")
    (tmp_path / "pub").symlink_to(tmp_path / "real" / "bin")
    chain = walk_chain(str(tmp_path / "pub" / "python"))
    assert chain.hops[0].dir_links == ((str(tmp_path / "pub"), str(tmp_path / "real" / "bin")),)
    assert chain.hops[1].path == str(tmp_path / "lib" / "python")
    assert chain.hops[1].kind == "missing"
    assert chain.realpath == str(tmp_path / "real" / "lib" / "python")
    assert readlink_chain(str(tmp_path / "pub" / "python")) == str(tmp_path / "lib" / "python")


def test_dangling_chain_names_the_missing_hop(tmp_path: Path) -> None:
    (tmp_path / "opt").mkdir()
    (tmp_path / "opt" / "python3.12").symlink_to(tmp_path / "Cellar" / "3.12.7" / "python3.12")
    (tmp_path / "python").symlink_to("opt/python3.12")
    chain = walk_chain(str(tmp_path / "python"))
    assert not chain.ok
    broken = chain.broken_hop
    assert broken is not None and broken.kind == "missing"
    assert broken.path == str(tmp_path / "Cellar" / "3.12.7" / "python3.12")
    assert broken.error and "does not exist" in broken.error
    assert len(chain.hops) == 3
    assert readlink_chain(str(tmp_path / "python")) == broken.path


def test_cycle_reports_the_looping_hop(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    a.symlink_to("b")
    b.symlink_to("c")
    c.symlink_to("b")
    chain = walk_chain(str(a))
    assert [h.kind for h in chain.hops] == ["link", "link", "link", "loop"]
    assert chain.broken_hop is not None and chain.broken_hop.path == str(b)
    assert not chain.ok


def test_self_loop(tmp_path: Path) -> None:
    a = tmp_path / "a"
    a.symlink_to("a")
    chain = walk_chain(str(a))
    assert [h.kind for h in chain.hops] == ["link", "loop"]


def test_loop_through_directory_link_is_caught_by_inode(tmp_path: Path) -> None:
    # d -> . makes "x" and "d/x" the same link under different lexical paths; x -> d/x.
    (tmp_path / "d").symlink_to(".")
    (tmp_path / "x").symlink_to("d/x")
    chain = walk_chain(str(tmp_path / "x"))
    assert chain.hops[-1].kind == "loop"
    assert len(chain.hops) <= 4


def test_max_hops_bound(tmp_path: Path) -> None:
    _file(tmp_path / "l0")
    for i in range(1, 12):
        (tmp_path / f"l{i}").symlink_to(f"l{i - 1}")
    assert walk_chain(str(tmp_path / "l11")).ok
    chain = walk_chain(str(tmp_path / "l11"), max_hops=5)
    assert chain.hops[-1].kind == "loop"
    assert chain.hops[-1].error and "5" in chain.hops[-1].error
    assert len(chain.hops) == 6
    assert readlink_chain(str(tmp_path / "l11"), max_hops=3) == str(tmp_path / "l8")


def test_missing_start_raises_but_dangling_start_does_not(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        walk_chain(str(tmp_path / "nope"))
    (tmp_path / "dangling").symlink_to("nowhere")
    chain = walk_chain(str(tmp_path / "dangling"))
    assert chain.hops[-1].kind == "missing"
    assert chain.hops[-1].path == str(tmp_path / "nowhere")


def test_directory_end_and_dir_links(tmp_path: Path) -> None:
    (tmp_path / "usr" / "bin").mkdir(parents=True)
    _file(tmp_path / "usr" / "bin" / "python3.11")
    (tmp_path / "bin").symlink_to("usr/bin")
    (tmp_path / "usr" / "bin" / "python3").symlink_to("python3.11")
    p = tmp_path / "bin" / "python3"
    assert dir_links(str(p)) == ((str(tmp_path / "bin"), "usr/bin"),)
    assert dir_links(str(tmp_path / "usr" / "bin" / "python3")) == ()
    chain = walk_chain(str(p))
    # the directory link is reported, never resolved: the chain stays under <tmp>/bin
    assert chain.final == str(tmp_path / "bin" / "python3.11")
    assert all(h.dir_links == ((str(tmp_path / "bin"), "usr/bin"),) for h in chain.hops)
    assert chain.realpath == str(tmp_path / "usr" / "bin" / "python3.11")
    d = walk_chain(str(tmp_path / "bin"))
    assert [h.kind for h in d.hops] == ["link", "dir"]


def test_start_is_made_absolute_lexically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _file(tmp_path / "a" / "python")
    monkeypatch.chdir(tmp_path / "a")
    chain = walk_chain("../a/./python")
    assert chain.start == str(tmp_path / "a" / "python")


def _walk_as_nobody(path: Path) -> dict[str, object]:
    """Run walk_chain as the unprivileged user `nobody` (the tests run as root here)."""
    import json
    import pwd
    import subprocess
    import sys

    import venvtui

    try:
        pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("no 'nobody' user")
    python = next(
        (p for p in ("/usr/bin/python3", sys.executable) if os.access(p, os.X_OK)), sys.executable
    )
    code = (
        "import json, sys; from venvtui.core.layout.symlinks import walk_chain; "
        "print(json.dumps(walk_chain(sys.argv[1]).to_json()))"
    )
    app = str(Path(venvtui.__file__).parent.parent)
    env = {"PYTHONPATH": app, "PYTHONDONTWRITEBYTECODE": "1", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [python, "-c", code, str(path)],
        user="nobody",
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot run the walker as nobody: {done.stderr.strip()[-200:]}")
    result: dict[str, object] = json.loads(done.stdout)
    return result


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to switch to the nobody user")
def test_permission_error_is_an_error_hop_as_nobody() -> None:
    import shutil
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="venvtui-perm-"))
    try:
        base.chmod(0o755)
        locked = base / "locked"
        _file(locked / "python")
        (base / "link").symlink_to(locked / "python")
        locked.chmod(0)
        chain = _walk_as_nobody(base / "link")
        hops = chain["hops"]
        assert isinstance(hops, list)
        assert [h["kind"] for h in hops] == ["link", "error"]
        assert hops[-1]["path"] == str(locked / "python")
        assert hops[-1]["error"]
    finally:
        (base / "locked").chmod(0o755)
        shutil.rmtree(base)


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_permission_error_is_an_error_hop(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    _file(locked / "python")
    (tmp_path / "link").symlink_to(locked / "python")
    locked.chmod(0)
    try:
        chain = walk_chain(str(tmp_path / "link"))
    finally:
        locked.chmod(0o755)
    assert chain.hops[-1].kind == "error"
    assert chain.hops[-1].error


def test_chain_json_is_stable(tmp_path: Path) -> None:
    _file(tmp_path / "real")
    (tmp_path / "link").symlink_to("real")
    data = walk_chain(str(tmp_path / "link")).to_json()
    assert data["ok"] is True
    assert [h["kind"] for h in data["hops"]] == ["link", "file"]
    assert data["hops"][0]["target"] == "real"


def test_unresolvable_parent_is_an_error_hop(tmp_path: Path) -> None:
    # a directory link loop makes lstat fail with ELOOP (not "missing")
    (tmp_path / "loopdir").symlink_to("loopdir")
    (tmp_path / "python").symlink_to("loopdir/python3")
    chain = walk_chain(str(tmp_path / "python"))
    assert [h.kind for h in chain.hops] == ["link", "error"]
    assert chain.hops[-1].path == str(tmp_path / "loopdir" / "python3")
    assert chain.hops[-1].error


def test_shared_link_cache_gives_identical_chains(tmp_path: Path) -> None:
    from venvtui.core.layout.symlinks import LinkCache

    # one farm with every shape: dir links, relative/absolute hops, dangling, loops, plain
    (tmp_path / "usr" / "bin").mkdir(parents=True)
    _file(tmp_path / "usr" / "bin" / "python3.11")
    (tmp_path / "usr" / "bin" / "python3").symlink_to("python3.11")
    (tmp_path / "bin").symlink_to("usr/bin")
    _file(tmp_path / "cellar" / "3.12.7" / "bin" / "python3.12")
    (tmp_path / "opt").symlink_to("cellar/3.12.7")
    (tmp_path / "envs" / "a" / "bin").mkdir(parents=True)
    (tmp_path / "envs" / "a" / "bin" / "python").symlink_to(tmp_path / "opt/bin/python3.12")
    (tmp_path / "envs" / "b" / "bin").mkdir(parents=True)
    (tmp_path / "envs" / "b" / "bin" / "python").symlink_to(tmp_path / "gone" / "python3.9")
    (tmp_path / "envs" / "c" / "bin").mkdir(parents=True)
    (tmp_path / "envs" / "c" / "bin" / "python").symlink_to("python")
    (tmp_path / "envs" / "d").symlink_to("a")
    paths = [
        tmp_path / "bin" / "python3",
        tmp_path / "usr" / "bin" / "python3",
        tmp_path / "opt" / "bin" / "python3.12",
        *(tmp_path / "envs" / e / "bin" / "python" for e in "abcd"),
        tmp_path / "envs",
    ]
    cache = LinkCache()
    for _ in range(2):  # second round is served from the cache
        for p in paths:
            assert walk_chain(str(p), cache=cache) == walk_chain(str(p)), p


def test_merged_usr_system_python() -> None:
    if not (os.path.islink("/bin") and os.path.islink("/usr/bin/python3")):
        pytest.skip("no merged-/usr system python3 link")
    chain = walk_chain("/bin/python3")
    assert chain.hops[0].dir_links == (("/bin", os.readlink("/bin")),)
    assert chain.hops[0].target == os.readlink("/usr/bin/python3")
    assert chain.ok
    assert chain.final.startswith("/bin/")  # the directory link is reported, not followed
    assert chain.realpath == os.path.realpath("/bin/python3")
    assert chain.realpath.startswith("/usr/")
