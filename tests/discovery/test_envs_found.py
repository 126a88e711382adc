"""Environments that were not found: pre-commit's, `.env`/`env` dirs in projects,
`~/.local/venvs`, anything deeper than the home walk; the walk's limits reported; roots and
exclusions from the config file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.discovery.conftest import FakeMachine, make_exe
from tests.discovery.test_envscan import fake_env
from tests.layouts import create_virtualenv, require_python
from venvtui.cli.main import main
from venvtui.core.base.config import Config
from venvtui.core.installed.envs import DEFAULT_DEPTH, WalkLimit, iter_environments


def _scan(machine: FakeMachine, **kw: object) -> tuple[dict[str, str], list[WalkLimit]]:
    limits: list[WalkLimit] = []
    found = {
        e.path: e.owner
        for e in iter_environments(
            context=machine.context(),
            on_limit=limits.append,
            config=kw.pop("config", Config(path="")),  # type: ignore[arg-type]
            **kw,  # type: ignore[arg-type]
        )
    }
    return found, limits


@pytest.mark.realpython
def test_pre_commit_envs_are_found(machine: FakeMachine) -> None:
    """pre-commit keeps one virtualenv per hook repo and Python version under its cache."""
    rp = require_python("3.12")
    repo = machine.home / ".cache" / "pre-commit" / "repo8zq1x2ab"
    (repo / "src").mkdir(parents=True)
    (repo / ".pre-commit-hooks.yaml").write_text("- id: x\n")
    env = create_virtualenv(rp.exe, repo / "py_env-python3.12", tmp=machine.root)
    found, _ = _scan(machine)
    assert found.get(str(env)) == "pre-commit"
    # PRE_COMMIT_HOME moves it
    moved = machine.root / "pc"
    (moved / "repoabc").mkdir(parents=True)
    env.rename(moved / "repoabc" / "py_env-python3.12")
    machine.environ["PRE_COMMIT_HOME"] = str(moved)
    found, _ = _scan(machine)
    assert found.get(str(moved / "repoabc" / "py_env-python3.12")) == "pre-commit"


def test_project_env_dirs_and_local_venvs(machine: FakeMachine) -> None:
    h = machine.home
    proj = h / "code" / "app"
    dot_env = fake_env(proj / ".env")
    env_dir = fake_env(h / "code" / "other" / "env")
    (h / "code" / "third").mkdir(parents=True)
    (h / "code" / "third" / ".env").write_text("SECRET=1\n")  # a dotenv file: not an env
    (h / "code" / "third" / "env").mkdir()  # no pyvenv.cfg: not an env
    make_exe(h / "code" / "third" / "env" / "bin" / "python")
    local = fake_env(h / ".local" / "venvs" / "tools")
    found, _ = _scan(machine)
    assert found.get(str(dot_env)) == "project"
    assert found.get(str(env_dir)) == "project"
    assert found.get(str(local)) == ""
    assert not any("third" in p for p in found)
    # .env / env beside the cwd (outside the home walk)
    out = fake_env(machine.root / "srv" / "proj" / "env")
    machine.cwd = machine.root / "srv" / "proj" / "pkg"
    machine.cwd.mkdir()
    found, _ = _scan(machine)
    assert found.get(str(out)) == "project"


def test_deeper_than_the_walk_is_reported_not_silent(machine: FakeMachine) -> None:
    h = machine.home
    five_down = fake_env(h / "a" / "b" / "c" / "d" / "proj" / ".venv")  # 5 dirs above it
    too_deep = fake_env(h / "1" / "2" / "3" / "4" / "5" / "6" / "proj" / ".venv")
    found, limits = _scan(machine)
    assert str(five_down) in found
    assert str(too_deep) not in found
    home_limits = [lim for lim in limits if lim.root == str(h)]
    assert len(home_limits) == 1
    lim = home_limits[0]
    assert lim.depth == DEFAULT_DEPTH and lim.not_entered >= 1
    assert f"scanned to depth {DEFAULT_DEPTH}" in lim.message()
    assert "pass ROOT" in lim.message()
    # the same root named with more depth finds it, and says nothing more
    limits = []
    got = [
        e.path
        for e in iter_environments(
            [str(h / "1")], max_depth=10, on_limit=limits.append, config=Config(path="")
        )
    ]
    assert got == [str(too_deep)] and limits == []


def _remove_chain(top: Path, bottom: str) -> None:
    """Remove a one-dir-per-level tree bottom-up (recursive removal hits the recursion limit)."""
    for f in (os.path.join(bottom, "env", "pyvenv.cfg"),):
        if os.path.exists(f):
            os.remove(f)
    for extra in (os.path.join(bottom, "env", "bin"), os.path.join(bottom, "env")):
        if os.path.isdir(extra):
            os.rmdir(extra)
    p = bottom
    while p != str(top) and p.startswith(str(top)):
        if os.path.isdir(p):
            os.rmdir(p)
        p = os.path.dirname(p)


def test_a_1200_deep_tree_is_walked_without_recursion(tmp_path: Path) -> None:
    d = tmp_path / "t"
    d.mkdir()
    bottom = os.path.join(str(d), *["d"] * 1200)
    env = os.path.join(bottom, "env")
    fd = os.open(d, os.O_RDONLY)
    try:
        try:  # one level at a time (pathlib/os.makedirs recurse per level)
            for _ in range(1200):
                os.mkdir("d", dir_fd=fd)
                nfd = os.open("d", os.O_RDONLY, dir_fd=fd)
                os.close(fd)
                fd = nfd
            os.mkdir("env", dir_fd=fd)
            os.mkdir("env/bin", dir_fd=fd)
            cfg = os.open("env/pyvenv.cfg", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
            os.write(cfg, b"home = /usr/bin\nversion = 3.11.2\n")
            os.close(cfg)
        finally:
            os.close(fd)
        limits: list[WalkLimit] = []
        got = list(iter_environments([str(d)], on_limit=limits.append, config=Config(path="")))
        assert got == [] and limits and limits[0].depth == DEFAULT_DEPTH
        got = list(iter_environments([str(d)], max_depth=1300, config=Config(path="")))
        assert [e.path for e in got] == [env]
    finally:
        _remove_chain(d, bottom)


def test_directory_budget_is_reported(tmp_path: Path) -> None:
    for i in range(30):
        (tmp_path / f"x{i:02}").mkdir()
    env = fake_env(tmp_path / "x29" / "env")
    limits: list[WalkLimit] = []
    from venvtui.core.installed.envs import iter_environments as it

    got = list(it([str(tmp_path)], on_limit=limits.append, config=Config(path=""), max_dirs=10))
    assert [lim.max_dirs for lim in limits] == [10]
    assert "stopped after listing 10 directories" in limits[0].message()
    assert str(env) not in [e.path for e in got]


def test_config_roots_and_exclusions(machine: FakeMachine) -> None:
    extra = fake_env(machine.root / "work" / "p" / ".venv")
    skipped = fake_env(machine.home / "data" / "big" / "env")
    kept = fake_env(machine.home / "data" / "small" / "env")
    cfg = Config(
        path="x",
        scan_roots=(str(machine.root / "work"), str(machine.root / "missing")),
        exclude=(str(machine.home / "data" / "big"),),
    )
    errors: list[object] = []
    found = {
        e.path
        for e in iter_environments(context=machine.context(), config=cfg, on_error=errors.append)
    }
    assert str(extra) in found and str(kept) in found and str(skipped) not in found
    assert any("missing" in str(e) for e in errors)  # a configured root that is not there


def test_envs_cli_reports_limits_and_health_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_env(tmp_path / "a" / "b" / "c" / "env")
    ok = fake_env(tmp_path / "ok")
    (ok / "bin" / "python").unlink()
    (ok / "bin" / "python").symlink_to(os.path.realpath("/bin/sh"))
    code = main(["envs", str(tmp_path), "--depth", "2", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [lim["depth"] for lim in data["limits"]] == [2]
    assert data["limits"][0]["root"] == str(tmp_path)
    assert all("status" in row for row in data["environments"])
    main(["envs", str(tmp_path), "--depth", "2"])
    cap = capsys.readouterr()
    assert "STATUS" in cap.out.splitlines()[0] and "PYTHON" not in cap.out.splitlines()[0]
    assert "scanned to depth 2" in cap.err and "pass ROOT" in cap.err


def test_whatif_says_where_its_env_walk_stopped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """whatif counts the envs it found: a walk cut short is said, not silently undercounted."""
    install = tmp_path / "opt" / "py"
    make_exe(install / "bin" / "python3.12")
    roots = tmp_path / "projects"
    fake_env(roots.joinpath(*"abcdefgh") / ".venv", python_target=install / "bin" / "python3.12")
    main(["whatif", "remove", str(install), "--env-root", str(roots), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert [lim["root"] for lim in data["limits"]] == [str(roots)]
    main(["whatif", "remove", str(install), "--env-root", str(roots)])
    assert f"scanned to depth {DEFAULT_DEPTH}" in capsys.readouterr().err
