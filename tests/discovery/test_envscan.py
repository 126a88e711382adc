"""Environment discovery: real envs from venv/virtualenv/uv, tool locations, bad trees."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.discovery.conftest import FakeMachine, link, make_exe
from tests.layouts import create_uv, create_venv, create_virtualenv, require_python
from venvtui.core.base.errors import NotAnEnvironmentError, NotFoundError, VenvtuiError
from venvtui.core.base.models import Environment, Source
from venvtui.core.installed.envs import (
    creator_of,
    env_size,
    iter_environments,
    load_environment,
)
from venvtui.core.layout.pyvenv_cfg import read_cfg


def fake_env(path: Path, cfg: str | None = None, python_target: Path | str | None = None) -> Path:
    """A static venv: pyvenv.cfg and bin/python (a link to `python_target`, or a file)."""
    (path / "bin").mkdir(parents=True, exist_ok=True)
    (path / "pyvenv.cfg").write_text(
        cfg
        if cfg is not None
        else "home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.2\n"
    )
    if python_target is None:
        make_exe(path / "bin" / "python")
    else:
        link(path / "bin" / "python", python_target)
    return path


def scan(*roots: Path, **kw: object) -> dict[str, Environment]:
    found = list(iter_environments([str(r) for r in roots], **kw))  # type: ignore[arg-type]
    paths = [e.path for e in found]
    assert len(paths) == len(set(paths)), f"an environment was listed twice: {paths}"
    return {e.path: e for e in found}


@pytest.fixture(scope="module")
def real_envs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One env from each real creator, built from a real CPython."""
    py = require_python("3.12")
    tmp = tmp_path_factory.mktemp("real-envs")
    return {
        "venv": create_venv(py.exe, tmp / "by-venv", tmp=tmp),
        "virtualenv": create_virtualenv(py.exe, tmp / "by-virtualenv", tmp=tmp),
        "uv": create_uv(py.exe, tmp / "by-uv", tmp=tmp),
    }


@pytest.mark.realpython
def test_creator_from_real_tools(real_envs: dict[str, Path]) -> None:
    root = next(iter(real_envs.values())).parent
    found = scan(root)
    assert {e.path: e.creator for e in found.values()} == {
        str(p): creator for creator, p in real_envs.items()
    }
    for creator, p in real_envs.items():
        env = found[str(p)]
        assert env.kind == "venv"
        assert env.chain is not None and env.chain.ok, creator
        assert env.python == str(p / "bin" / "python")
        assert env.cfg == read_cfg(p / "pyvenv.cfg").items()
        assert env.cfg_version is not None and env.cfg_version.startswith("3.12")
        assert env.mtime is not None
        assert env.sources == (Source.VENV_SCAN,)


def test_creator_rules() -> None:
    assert creator_of((("home", "/x"), ("uv", "0.13.9"))) == "uv"
    assert creator_of((("home", "/x"), ("gourgeist", "0.0.4"))) == "uv"
    assert creator_of((("virtualenv", "21.1"), ("home", "/x"))) == "virtualenv"
    assert creator_of((("home", "/x"), ("venvtui", "0.1.0"))) == "venvtui"
    cmd = "/usr/bin/python3.12 -m venv --without-pip /tmp/x"
    assert creator_of((("home", "/x"), ("command", cmd))) == "venv"
    shape = (("home", "/x"), ("include-system-site-packages", "false"), ("version", "3.10.1"))
    assert creator_of(shape) == "venv"
    assert creator_of((("home", "/x"),)) == "unknown"
    assert creator_of(()) == "unknown"


def test_walk_prunes_depth_and_never_enters_envs(tmp_path: Path) -> None:
    outer = fake_env(tmp_path / "a" / "outer")
    fake_env(tmp_path / "a" / "outer" / "lib" / "nested")  # inside an env: not walked
    fake_env(tmp_path / "node_modules" / "pkg" / "venv")  # pruned
    fake_env(tmp_path / ".git" / "x")  # pruned
    deep = fake_env(tmp_path / "1" / "2" / "3" / "4" / "env")
    assert set(scan(tmp_path)) == {str(outer), str(deep)}
    assert set(scan(tmp_path, max_depth=4)) == {str(outer)}
    assert set(scan(tmp_path, max_depth=0)) == set()
    # A root that is itself an env.
    assert set(scan(outer, max_depth=0)) == {str(outer)}


def test_owner_and_project_rules(tmp_path: Path) -> None:
    proj = tmp_path / "proj"
    dotvenv = fake_env(proj / ".venv")
    tox = fake_env(proj / ".tox" / "py312")
    nox = fake_env(proj / ".nox" / "tests")
    tool = fake_env(tmp_path / "tools" / "ruff")
    (tool / "uv-receipt.toml").write_text("[tool]\n")
    pipx = fake_env(tmp_path / "pipxvenvs" / "black")
    (pipx / "pipx_metadata.json").write_text("{}")
    wrapper = fake_env(tmp_path / "envs" / "work")
    (wrapper / ".project").write_text(str(proj) + "\n")
    plain = fake_env(tmp_path / "misc" / "sandbox")
    found = scan(tmp_path)
    assert (found[str(dotvenv)].owner, found[str(dotvenv)].project) == ("project", str(proj))
    assert (found[str(tox)].owner, found[str(tox)].project) == ("tox", str(proj))
    assert (found[str(nox)].owner, found[str(nox)].project) == ("nox", str(proj))
    assert found[str(tool)].owner == "uv-tool"
    assert found[str(pipx)].owner == "pipx"
    assert (found[str(wrapper)].owner, found[str(wrapper)].project) == (
        "virtualenvwrapper",
        str(proj),
    )
    assert (found[str(plain)].owner, found[str(plain)].project) == ("", None)


def test_broken_and_junk_envs_are_listed_not_fatal(tmp_path: Path) -> None:
    dangling = fake_env(tmp_path / "dangling", python_target=tmp_path / "gone" / "python3.12")
    loop = fake_env(tmp_path / "loop", python_target="python3")
    link(loop / "bin" / "python3", "python")
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "pyvenv.cfg").write_bytes(b"\xff\xfe garbage \x00 no equals\nhome\n= x\n")
    nobin = tmp_path / "nobin"
    nobin.mkdir()
    (nobin / "pyvenv.cfg").write_text("home = /nowhere\n")
    found = scan(tmp_path)
    assert set(found) == {str(dangling), str(loop), str(junk), str(nobin)}
    d = found[str(dangling)]
    assert d.chain is not None and not d.chain.ok
    assert d.chain.broken_hop is not None and d.chain.broken_hop.kind == "missing"
    assert d.chain.broken_hop.path == str(tmp_path / "gone" / "python3.12")
    lp = found[str(loop)]
    assert lp.chain is not None and lp.chain.broken_hop is not None
    assert lp.chain.broken_hop.kind == "loop"
    assert found[str(junk)].cfg_problems  # malformed lines recorded
    assert found[str(junk)].python is None and found[str(junk)].chain is None
    assert found[str(nobin)].python is None and found[str(nobin)].home == "/nowhere"


def test_symlinked_dirs_dedupe_and_do_not_loop(tmp_path: Path) -> None:
    env = fake_env(tmp_path / "real" / "env")
    link(tmp_path / "alias-env", tmp_path / "real" / "env")  # an env reached via a link
    link(tmp_path / "real" / "up", tmp_path)  # a directory loop
    found = scan(tmp_path)
    assert list(found) == [str(env)]  # once, at its real location (walked before the alias)
    # Scanning only through the link still finds it.
    assert list(scan(tmp_path / "alias-env")) == [str(tmp_path / "alias-env")]


def test_conda_envs_and_base(tmp_path: Path) -> None:
    base = tmp_path / "miniconda3"
    (base / "conda-meta").mkdir(parents=True)
    (base / "condabin").mkdir()
    make_exe(base / "bin" / "python3.11")
    env = base / "envs" / "data"
    (env / "conda-meta").mkdir(parents=True)
    make_exe(env / "bin" / "python")
    pixi = tmp_path / "proj" / ".pixi" / "envs" / "default"
    (pixi / "conda-meta").mkdir(parents=True)
    (pixi / "conda-meta" / "pixi").write_text("")
    found = scan(tmp_path)
    assert str(base) not in found  # a base install is an interpreter, not an env
    assert found[str(env)].kind == "conda" and found[str(env)].owner == "conda"
    assert found[str(env)].creator == "conda" and found[str(env)].sources == (Source.CONDA,)
    assert found[str(pixi)].owner == "pixi"


def test_pep832_redirect_file(tmp_path: Path) -> None:
    real = fake_env(tmp_path / "central" / "proj-abc")
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / ".venv").write_text("../central/proj-abc\n")
    assert set(scan(proj)) == {str(real)}
    assert load_environment(str(proj / ".venv")).path == str(real)


def test_root_errors_are_reported_and_others_still_scanned(tmp_path: Path) -> None:
    env = fake_env(tmp_path / "ok" / "env")
    afile = tmp_path / "file.txt"
    afile.write_text("x")
    errors: list[VenvtuiError] = []
    found = scan(tmp_path / "missing", afile, tmp_path / "ok", on_error=errors.append)
    assert list(found) == [str(env)]
    assert [type(e) for e in errors] == [NotFoundError, NotAnEnvironmentError]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every directory")
def test_unreadable_dir_is_reported(tmp_path: Path) -> None:
    env = fake_env(tmp_path / "ok")
    locked = tmp_path / "locked"
    fake_env(locked / "hidden-env")
    locked.chmod(0)
    try:
        errors: list[VenvtuiError] = []
        assert list(scan(tmp_path, on_error=errors.append)) == [str(env)]
        assert errors and "permission denied" in str(errors[0])
    finally:
        locked.chmod(0o755)


def test_central_locations(machine: FakeMachine) -> None:
    h = machine.home
    xdg = h / ".local" / "share"
    expected = {
        fake_env(h / ".virtualenvs" / "work"): "virtualenvwrapper",
        fake_env(xdg / "virtualenvs" / "app-AbCd1234"): "pipenv",
        fake_env(h / ".cache" / "pypoetry" / "virtualenvs" / "app-x-py3.12"): "poetry",
        fake_env(xdg / "pdm" / "venvs" / "app-1234-3.12"): "pdm",
        fake_env(xdg / "hatch" / "env" / "virtual" / "app" / "Ab12Cd34" / "default"): "hatch",
        fake_env(xdg / "pipx" / "venvs" / "black"): "pipx",
        fake_env(xdg / "pipx" / "shared"): "pipx",
        fake_env(h / ".local" / "pipx" / "venvs" / "legacy"): "pipx",
        fake_env(xdg / "uv" / "tools" / "ruff"): "uv-tool",
        fake_env(machine.pyenv / "versions" / "3.12.1" / "envs" / "pv"): "pyenv-virtualenv",
        fake_env(h / ".conda" / "envs" / "old"): "conda",
    }
    make_exe(machine.pyenv / "versions" / "3.12.1" / "bin" / "python3.12")
    link(machine.pyenv / "versions" / "pv", machine.pyenv / "versions" / "3.12.1" / "envs" / "pv")
    listed = fake_env(machine.root / "elsewhere" / "listed")
    (h / ".conda").mkdir(exist_ok=True)
    (h / ".conda" / "environments.txt").write_text(f"{listed}\n{machine.root / 'zombie'}\n")
    project = h / "code" / "app"
    dotvenv = fake_env(project / ".venv")
    hidden = fake_env(h / ".secret" / "env")  # hidden dirs are not walked from home
    machine.cwd = project / "src"
    machine.cwd.mkdir()
    found = {e.path: e for e in iter_environments(context=machine.context())}
    for path, owner in expected.items():
        assert found[str(path)].owner == owner, path
    assert found[str(listed)].owner == "conda"
    assert found[str(dotvenv)].owner == "project"
    assert str(hidden) not in found
    assert str(machine.pyenv / "versions" / "pv") not in found  # the alias dedupes
    assert found[str(machine.pyenv / "versions" / "3.12.1" / "envs" / "pv")].sources == (
        Source.PYENV,
    )
    assert len(found) == len(expected) + 2


def test_cancel_stops_the_walk(tmp_path: Path) -> None:
    for i in range(5):
        fake_env(tmp_path / f"e{i}")
    calls = 0

    def cancel() -> bool:
        nonlocal calls
        calls += 1
        return calls > 2

    assert len(list(iter_environments([str(tmp_path)], cancel=cancel))) < 5


def test_load_environment_errors(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        load_environment(str(tmp_path / "missing"))
    f = tmp_path / "f"
    f.write_text("")
    with pytest.raises(NotAnEnvironmentError):
        load_environment(str(f))
    with pytest.raises(NotAnEnvironmentError):
        load_environment(str(tmp_path))
    env = fake_env(tmp_path / "e")
    loaded = load_environment(str(env))
    assert loaded.path == str(env) and loaded.sources == (Source.EXPLICIT,)


def test_env_size_counts_files_once(tmp_path: Path) -> None:
    env = fake_env(tmp_path / "e")
    (env / "lib").mkdir()
    (env / "lib" / "a.bin").write_bytes(b"x" * 1000)
    os.link(env / "lib" / "a.bin", env / "lib" / "b.bin")  # hard link: counted once
    link(env / "lib" / "c.bin", "/usr/bin/env")  # symlink: not followed
    expected = (
        sum(
            os.lstat(p).st_size
            for p in (env / "pyvenv.cfg", env / "bin" / "python", env / "lib" / "a.bin")
        )
        + os.lstat(env / "lib" / "c.bin").st_size
    )
    assert env_size(str(env)) == expected


def test_listing_spawns_no_process(
    tmp_path: Path, machine: FakeMachine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Listing environments (and the static interpreter pass) never starts a process."""
    import subprocess

    from venvtui.core.installed.interpreters import static_interpreters

    for i in range(3):
        fake_env(tmp_path / "tree" / f"p{i}" / ".venv", python_target=tmp_path / "gone")
    make_exe(machine.pyenv / "versions" / "3.12.1" / "bin" / "python3.12")

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a process was started")

    monkeypatch.setattr(subprocess.Popen, "__init__", refuse)
    for name in ("fork", "posix_spawn", "posix_spawnp", "system", "execv", "execve"):
        if hasattr(os, name):
            monkeypatch.setattr(os, name, refuse)
    assert len(scan(tmp_path / "tree")) == 3
    assert len(list(iter_environments(context=machine.context()))) == 0
    assert len(static_interpreters(context=machine.context())) == 1


def test_an_env_reached_twice_is_not_walked_into(tmp_path: Path) -> None:
    outer = fake_env(tmp_path / "p" / "outer")
    fake_env(outer / "lib" / "nested")
    assert set(scan(tmp_path / "p", tmp_path / "p", outer)) == {str(outer)}


# Files a project holds that the walk passes over (`envs._WALKED`): markers of other tools
# included, so that a walk starting to read one of them fails here first.
_PASSED_OVER = (
    "main.py",
    "pyproject.toml",
    "setup.py",
    "requirements.txt",
    "uv.lock",
    "Pipfile",
    "environment.yml",
    ".python-version",
    ".git",
    ".project",
    "node_modules",
    "uv-receipt.toml",
    "pipx_metadata.json",
)


def _answer(root: Path) -> list[dict[str, object]]:
    return [e.to_json() for e in sorted(scan(root).values(), key=lambda e: e.path)]


def test_the_walk_passes_over_what_it_narrows_to(tmp_path: Path) -> None:
    """The walk's promise to kept answers (`readlog.narrow`): in a directory that is not an
    env, it looks at nothing but directories, links and the entries `_WALKED` names. Every
    such directory of a tree of projects gains files of every other kind and name (a FIFO
    too), and the answer stays the same."""
    root = tmp_path / "root"
    fake_env(root / "app" / ".venv")
    fake_env(root / "lib" / "venv")
    fake_env(root / "deep" / "a" / "b" / "env")
    (root / "app" / "src" / "pkg").mkdir(parents=True)
    fake_env(root / "central" / "proj-abc")
    (root / "redirected").mkdir()
    (root / "redirected" / ".venv").write_text("../central/proj-abc\n")
    (root / "stray").mkdir()
    (root / "stray" / "pyvenv.cfg").write_text("home = /usr/bin\n")  # not an env: no python
    (root / "stray" / "pyproject.toml").write_text("")
    link(root / "linked", root / "deep" / "a")
    (root / ".hidden" / "x").mkdir(parents=True)
    (root / "conda" / "conda-meta").mkdir(parents=True)
    make_exe(root / "conda" / "bin" / "python")
    before = _answer(root)
    assert len(before) == 5
    for top, dirs, _files in os.walk(root):
        if "pyvenv.cfg" in os.listdir(top) or "conda-meta" in os.listdir(top):
            dirs[:] = []  # an env's own listing is read whole
            continue
        for name in _PASSED_OVER:
            if not os.path.lexists(os.path.join(top, name)):
                Path(top, name).write_text("x")
        os.mkfifo(os.path.join(top, "fifo"))
    assert _answer(root) == before
