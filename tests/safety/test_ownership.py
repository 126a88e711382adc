"""One ownership rule for every verb that writes: each reproduction of a directory that holds a
`pyvenv.cfg` but is not an environment is refused by delete, rebuild, create --clear and repair
(and their dry runs) with one line naming the foreign entries, and the whole tree around it is
byte-identical afterwards. Real environments from venv, virtualenv and uv are accepted."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.layouts import (
    VENV_BIN,
    create_uv,
    create_venv,
    create_virtualenv,
    real_python,
    require_python,
    run_tool,
)
from tests.safety.canary import diff, make_canary, record
from tests.safety.hang_guard import no_hang  # noqa: F401 (fixture)
from venvtui.cli.main import main
from venvtui.core.base.errors import NotAnEnvironmentError, VenvtuiError, WriteRefused
from venvtui.core.layout import env_top
from venvtui.core.write import ownership

pytestmark = pytest.mark.usefixtures("no_hang")

CFG = b"home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.12.1\n"


def _python() -> str:
    real = real_python("3.12")
    return str(real.exe) if real else sys.executable


def fake_env_parts(root: Path) -> Path:
    """What a venv puts at its top (no interpreter run): enough to look like one."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyvenv.cfg").write_bytes(CFG)
    (root / "bin").mkdir(exist_ok=True)
    os.symlink("/usr/bin/python3", root / "bin" / "python")
    (root / "lib" / "python3.12" / "site-packages").mkdir(parents=True, exist_ok=True)
    (root / "include").mkdir(exist_ok=True)
    return root


# --- the reproductions: directories holding pyvenv.cfg that are not environments -----------------


def project_git(tmp: Path) -> Path:
    p = fake_env_parts(tmp / "project")
    (p / ".git").mkdir()
    (p / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (p / "main.py").write_text("print('work')\n")
    return p


def project_pyproject_src(tmp: Path) -> Path:
    p = fake_env_parts(tmp / "project")
    (p / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (p / "src" / "x").mkdir(parents=True)
    (p / "src" / "x" / "__init__.py").write_text("")
    return p


def project_hg(tmp: Path) -> Path:
    p = fake_env_parts(tmp / "project")
    (p / ".hg").mkdir()
    (p / ".hg" / "requires").write_text("store\n")
    return p


def stray_cfg(tmp: Path) -> Path:
    p = tmp / "stuff"
    p.mkdir()
    (p / "pyvenv.cfg").write_bytes(CFG)
    make_canary(p / "Documents")
    return p


def bare_cfg_with_lone_file(tmp: Path) -> Path:
    p = fake_env_parts(tmp / "almost")
    (p / "notes.txt").write_text("not the creator's\n")
    return p


def project_gitignore(tmp: Path) -> Path:
    # A project's own .gitignore is not the creators' `*`.
    p = fake_env_parts(tmp / "project")
    (p / ".gitignore").write_text("*.pyc\n__pycache__/\n")
    return p


REPRODUCTIONS: dict[str, Callable[[Path], Path]] = {
    "project-git-main": project_git,
    "project-pyproject-src": project_pyproject_src,
    "project-hg": project_hg,
    "stray-cfg-documents": stray_cfg,
    "lone-foreign-file": bare_cfg_with_lone_file,
    "project-gitignore": project_gitignore,
}

VERBS: dict[str, Callable[[str], list[str]]] = {
    "delete": lambda t: ["delete", t, "--yes"],
    "delete-dry-run": lambda t: ["delete", t, "--dry-run"],
    "rebuild": lambda t: ["rebuild", t, "--python", _python()],
    "rebuild-dry-run": lambda t: ["rebuild", t, "--python", _python(), "--dry-run"],
    "create-clear": lambda t: ["create", t, "--python", _python(), "--clear"],
    "repair": lambda t: ["repair", t, "--python", _python()],
    "repair-json": lambda t: ["repair", t, "--json"],
}


def run_cli(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def assert_refused(code: int, out: str, err: str, *names: str) -> None:
    assert code == 2, (out, err)
    text = err.strip() or out.strip()
    assert "Traceback" not in text
    if err.strip():
        lines = err.strip().splitlines()
        assert lines[0].startswith("venvtui: error: ") and len(lines) <= 2, err
        for name in names:
            assert name in lines[0], (name, lines[0])


@pytest.mark.parametrize("verb", sorted(VERBS))
@pytest.mark.parametrize("case", sorted(REPRODUCTIONS))
def test_not_an_environment_is_refused_by_every_verb(
    case: str, verb: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = tmp_path / "world"
    world.mkdir()
    target = REPRODUCTIONS[case](world)
    make_canary(world / "outside")
    before = record(world)
    code, out, err = run_cli(capsys, VERBS[verb](str(target)))
    assert_refused(code, out, err)
    assert diff(before, record(world)) == []


def test_refusal_names_foreign_entries_and_counts_the_rest(tmp_path: Path) -> None:
    p = fake_env_parts(tmp_path / "p")
    for i in range(7):
        (p / f"junk{i}").write_text("x")
    (p / ".git").mkdir()
    with pytest.raises(WriteRefused) as exc:
        ownership.check_env(str(p), verb="delete")
    msg = str(exc.value)
    assert "\n" not in msg and msg.startswith(f"refusing to delete {p}: it holds .git/, junk0")
    assert "(+4 more)" in msg and "project" in exc.value.hint


# --- homes, system directories ---------------------------------------------------------------------


@pytest.fixture
def fake_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = fake_env_parts(tmp_path / "home" / "user")
    make_canary(home / "Documents")
    (home / ".bashrc").write_text("export X=1\n")
    monkeypatch.setenv("HOME", str(home))
    return home


@pytest.mark.parametrize("verb", sorted(VERBS))
@pytest.mark.parametrize("spelling", ["~", "home", "home-parent", "home-via-link"])
def test_home_with_pyvenv_cfg_is_never_touched(
    spelling: str, verb: str, fake_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Documents/ and .bashrc are foreign anyway; the home rule must hold even for a home that
    # holds only what an environment holds.
    if spelling == "~":
        target = "~"
    elif spelling == "home":
        target = str(fake_home)
    elif spelling == "home-parent":
        target = str(fake_home.parent)
    else:
        os.symlink(fake_home.parent, tmp_path / "link")
        target = str(tmp_path / "link" / "user" / "Documents" / os.pardir)
    before = record(tmp_path)
    code, out, err = run_cli(capsys, VERBS[verb](target))
    assert_refused(code, out, err)
    assert diff(before, record(tmp_path)) == []


def test_a_home_holding_only_env_entries_is_refused(fake_home: Path) -> None:
    import shutil

    shutil.rmtree(fake_home / "Documents")
    (fake_home / ".bashrc").unlink()
    with pytest.raises(WriteRefused, match="home directory"):
        ownership.check_env(str(fake_home), verb="delete")


@pytest.mark.parametrize("path", ["/", "/usr", "/usr/local", "/etc", "/tmp", "/home", "/opt"])
def test_system_directories_are_refused(path: str) -> None:
    with pytest.raises(VenvtuiError):
        ownership.check_env(path, verb="delete")
    with pytest.raises(WriteRefused):
        ownership.check_dest(path, clear=True)


# --- `..` and links, resolved by the filesystem -----------------------------------------------------


def test_dotdot_from_project_src_is_the_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project = project_pyproject_src(tmp_path)
    monkeypatch.chdir(project / "src")
    before = record(tmp_path)
    for argv in (["delete", "..", "--yes"], ["rebuild", "..", "-p", _python()], ["repair", ".."]):
        code, out, err = run_cli(capsys, argv)
        assert_refused(code, out, err, "pyproject.toml")
    assert diff(before, record(tmp_path)) == []


def test_dotdot_through_a_linked_directory_is_resolved_physically(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a/linkdir -> b/inner: `a/linkdir/../victim` is b/victim, not a/victim as spelled.
    py = require_python("3.12")
    (tmp_path / "b" / "inner").mkdir(parents=True)
    (tmp_path / "a").mkdir()
    os.symlink(tmp_path / "b" / "inner", tmp_path / "a" / "linkdir")
    spelled = create_venv(py.exe, tmp_path / "a" / "victim")
    physical = create_venv(py.exe, tmp_path / "b" / "victim")
    keep = record(spelled)
    arg = str(tmp_path / "a" / "linkdir" / os.pardir / "victim")
    code, out, _ = run_cli(capsys, ["delete", arg, "--dry-run"])
    assert code == 0 and f"delete {physical}" in out and "resolved by the filesystem" in out
    code, out, _ = run_cli(capsys, ["delete", arg, "--yes"])
    assert code == 0 and not physical.exists()
    assert diff(keep, record(spelled)) == []


@pytest.mark.parametrize("verb", ["delete", "rebuild", "create-clear", "repair", "delete-dry-run"])
def test_a_target_that_is_a_link_is_refused(
    verb: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = fake_env_parts(tmp_path / "real-env")
    link = tmp_path / "env-link"
    os.symlink(env, link)
    before = record(tmp_path)
    code, out, err = run_cli(capsys, VERBS[verb](str(link)))
    assert_refused(code, out, err, "symbolic link")
    assert diff(before, record(tmp_path)) == []
    assert not any(n.startswith(".env-link.") for n in os.listdir(tmp_path))


def test_create_on_a_dangling_link_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    os.symlink(tmp_path / "nowhere", tmp_path / "dest")
    before = record(tmp_path)
    code, out, err = run_cli(capsys, ["create", str(tmp_path / "dest"), "-p", _python()])
    assert_refused(code, out, err, "symbolic link")
    assert diff(before, record(tmp_path)) == []


# --- empty arguments -----------------------------------------------------------------------------


@pytest.mark.parametrize("arg", ["", " ", "\t\n"])
@pytest.mark.parametrize("verb", ["delete", "rebuild", "create-clear", "repair", "delete-dry-run"])
def test_empty_arguments_never_mean_the_current_directory(
    arg: str,
    verb: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cwd = fake_env_parts(tmp_path / "cwd-env")  # what the old code would have acted on
    monkeypatch.chdir(cwd)
    before = record(tmp_path)
    code, out, err = run_cli(capsys, VERBS[verb](arg))
    assert_refused(code, out, err, "empty path")
    assert diff(before, record(tmp_path)) == []


# --- conda ----------------------------------------------------------------------------------------


def _conda_env(root: Path, files: list[str]) -> Path:
    (root / "conda-meta").mkdir(parents=True)
    (root / "conda-meta" / "history").write_text("==> 2024-01-01 <==\n")
    (root / "conda-meta" / "python-3.12.1-h1.json").write_text(
        '{"name": "python", "files": ' + str(files).replace("'", '"') + "}"
    )
    for f in files:
        (root / f).parent.mkdir(parents=True, exist_ok=True)
        (root / f).write_text("x")
    return root


def test_conda_base_is_refused_and_its_envs_are_not(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _conda_env(tmp_path / "miniconda3", ["bin/python3.12", "ssl/cert.pem"])
    (base / "condabin").mkdir()
    (base / "condabin" / "conda").write_text("#!/bin/sh\n")
    env = _conda_env(base / "envs" / "work", ["bin/python3.12", "x86_64-conda-linux-gnu/x"])
    make_canary(tmp_path / "outside")
    before = record(tmp_path)
    for argv in (["delete", str(base), "--yes"], ["delete", str(base), "-n"]):
        code, out, err = run_cli(capsys, argv)
        assert_refused(code, out, err, "conda installation")
    assert diff(before, record(tmp_path)) == []
    # envs/ with environments inside, without condabin: still the base.
    (base / "condabin" / "conda").unlink()
    (base / "condabin").rmdir()
    with pytest.raises(WriteRefused, match="conda installation"):
        ownership.check_env(str(base), verb="delete")
    before = record(tmp_path)
    code, _, _ = run_cli(capsys, ["delete", str(env), "--yes"])
    assert code == 0 and not env.exists()
    after = record(tmp_path)
    assert diff({k: v for k, v in before.items() if "envs/work" not in k}, after) == []


def test_conda_env_entry_not_in_any_package_is_foreign(tmp_path: Path) -> None:
    env = _conda_env(tmp_path / "env", ["bin/python3.12"])
    (env / "my-notebooks").mkdir()
    with pytest.raises(WriteRefused, match="my-notebooks"):
        ownership.check_env(str(env), verb="delete")


# --- real environments are accepted -----------------------------------------------------------------


@pytest.fixture(scope="session")
def real_envs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One environment from each real creator and option that changes the top level."""
    py = require_python("3.12")
    root = tmp_path_factory.mktemp("real-envs")
    envs = {
        "venv": create_venv(py.exe, root / "venv"),
        "venv-copies": create_venv(py.exe, root / "venv-copies", copies=True),
        "virtualenv": create_virtualenv(py.exe, root / "virtualenv"),
        "uv": create_uv(py.exe, root / "uv"),
    }
    run_tool(
        [
            *(str(VENV_BIN / "virtualenv"), "--no-download", "--copies", "-p", str(py.exe)),
            str(root / "virtualenv-seeded-copies"),
        ],
        root,
    )
    envs["virtualenv-seeded-copies"] = root / "virtualenv-seeded-copies"
    run_tool(
        [
            *(str(VENV_BIN / "uv"), "venv", "--no-config", "--offline", "-q", "--seed"),
            *("--no-index", "--find-links", str(py.stdlib / "ensurepip" / "_bundled")),
            *("-p", str(py.exe), str(root / "uv-seed")),
        ],
        root,
    )
    envs["uv-seed"] = root / "uv-seed"
    run_tool(
        [
            *(str(VENV_BIN / "uv"), "venv", "--no-config", "--offline", "-q", "--relocatable"),
            *("-p", str(py.exe), str(root / "uv-relocatable")),
        ],
        root,
    )
    envs["uv-relocatable"] = root / "uv-relocatable"
    py313 = real_python("3.13")
    if py313 is not None:  # 3.13's venv writes .gitignore
        envs["venv-3.13"] = create_venv(py313.exe, root / "venv-3.13")
    py38 = real_python("3.8")
    if py38 is not None:
        envs["venv-3.8"] = create_venv(py38.exe, root / "venv-3.8")
    return envs


REAL_KINDS = [
    "venv",
    "venv-copies",
    "virtualenv",
    "virtualenv-seeded-copies",
    "uv",
    "uv-seed",
    "uv-relocatable",
    "venv-3.13",
    "venv-3.8",
]


@pytest.mark.realpython
@pytest.mark.parametrize("kind", REAL_KINDS)
def test_real_creators_output_is_accepted(kind: str, real_envs: dict[str, Path]) -> None:
    if kind not in real_envs:
        pytest.skip(f"{kind}: interpreter not present")
    env = real_envs[kind]
    own = ownership.check_env(str(env), verb="delete")
    assert own.kind == "venv" and own.path == str(env)
    if kind.startswith(("virtualenv", "uv")) or kind == "venv-3.13":
        assert (env / ".gitignore").is_file()  # the creators' own `*`, accepted


@pytest.mark.realpython
def test_tool_metadata_and_lock_are_accepted(tmp_path: Path) -> None:
    py = require_python("3.12")
    env = create_uv(py.exe, tmp_path / "tool")
    (env / ".lock").write_bytes(b"")  # uv pip install / uv sync take it
    (env / "uv-receipt.toml").write_text('[tool]\nrequirements = [{ name = "x" }]\n')
    assert ownership.check_env(str(env)).tools == ("uv tool",)
    (env / "uv-receipt.toml").unlink()
    (env / "pipx_metadata.json").write_text("{}")
    assert ownership.check_env(str(env)).tools == ("pipx",)


@pytest.mark.realpython
def test_delete_of_a_real_env_removes_only_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    py = require_python("3.12")
    env = create_virtualenv(py.exe, tmp_path / "env")
    make_canary(tmp_path / "outside")
    before = record(tmp_path)
    code, _, _ = run_cli(capsys, ["delete", str(env), "--yes"])
    assert code == 0 and not env.exists()
    assert (
        diff({k: v for k, v in before.items() if not k.startswith("env")}, record(tmp_path)) == []
    )


def test_data_files_recorded_by_pip_are_owned(tmp_path: Path) -> None:
    env = fake_env_parts(tmp_path / "env")
    info = env / "lib" / "python3.12" / "site-packages" / "jupyter_core-5.0.dist-info"
    info.mkdir()
    (info / "RECORD").write_text("../../../etc/jupyter/x.json,,\n../../../data/thing.txt,,\n")
    (env / "data").mkdir()
    (env / "data" / "thing.txt").write_text("x")
    assert ownership.check_env(str(env)).kind == "venv"
    (env / "mine").mkdir()
    with pytest.raises(WriteRefused, match="mine/"):
        ownership.check_env(str(env))


def test_apply_time_recheck_sees_a_swapped_directory(tmp_path: Path) -> None:
    env = fake_env_parts(tmp_path / "env")
    own = ownership.check_env(str(env))
    os.rename(env, tmp_path / "moved")
    fake_env_parts(env)
    with pytest.raises(WriteRefused, match="replaced since the plan"):
        ownership.recheck(str(env), own.identity)
    (env / ".git").mkdir()
    with pytest.raises(WriteRefused, match=r"\.git"):
        ownership.recheck(str(env), None)


def test_not_an_environment_without_cfg(tmp_path: Path) -> None:
    (tmp_path / "p" / ".git").mkdir(parents=True)
    with pytest.raises(NotAnEnvironmentError, match="project directory"):
        ownership.check_env(str(tmp_path / "p"))


# --- junk trees (Hypothesis) ----------------------------------------------------------------------

_OWNED = (
    env_top.TOP_ENTRIES
    | {m for m, _, _ in env_top.TOOL_MARKERS}
    | {e for _, _, extra in env_top.TOOL_MARKERS for e in extra}
    | env_top.CONDA_ENTRIES
)
_names = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="/\0"),
    min_size=1,
    max_size=40,
).filter(lambda n: n not in (".", "..") and n not in _OWNED and len(n.encode()) < 200)


def _lay(root: Path, name: str, kind: str) -> None:
    path = root / name
    if kind == "file":
        path.write_bytes(b"user data")
    elif kind == "dir":
        path.mkdir()
        (path / "inside").write_text("x")
    elif kind == "link":
        os.symlink("/etc", path)
    else:
        os.mkfifo(path)


def _env_top(root: Path, owned: set[str]) -> Path:
    """A directory holding pyvenv.cfg and the creator-owned directories `owned`."""
    root.mkdir()
    (root / "pyvenv.cfg").write_bytes(CFG)
    for name in owned:
        (root / name).mkdir()
    return root


@settings(max_examples=150, deadline=None)
@given(
    owned=st.sets(st.sampled_from(sorted(env_top.TOP_ENTRIES - {".gitignore", "pyvenv.cfg"}))),
    foreign=st.dictionaries(_names, st.sampled_from(["file", "dir", "link", "fifo"]), min_size=1),
    gitignore=st.one_of(st.none(), st.text(max_size=40)),
)
def test_no_directory_with_a_foreign_entry_is_ever_accepted(
    owned: set[str], foreign: dict[str, str], gitignore: str | None
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = _env_top(Path(tmp) / "env", owned)
        if gitignore is not None:
            (root / ".gitignore").write_text(gitignore)
        for name, kind in foreign.items():
            _lay(root, name, kind)
        before = record(root)
        with pytest.raises(VenvtuiError):
            ownership.check_env(str(root), verb="delete")
        assert diff(before, record(root)) == []


@settings(max_examples=60, deadline=None)
@given(
    owned=st.sets(st.sampled_from(sorted(env_top.TOP_ENTRIES - {".gitignore", "pyvenv.cfg"}))),
    comment=st.text(
        # what a text file can hold: no lone surrogates (Cs), no line breaks
        st.characters(
            blacklist_categories=("Cs",),
            blacklist_characters="\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029",
        ),
        max_size=30,
    ),
)
def test_creator_layouts_are_accepted(owned: set[str], comment: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = _env_top(Path(tmp) / "env", owned)
        (root / ".gitignore").write_text(f"# {comment}\n*\n")
        assert ownership.check_env(str(root), verb="delete").kind == "venv"


@pytest.mark.realpython
def test_apply_rechecks_ownership(tmp_path: Path) -> None:
    """Foreign entries that appear between plan and apply stop the write; nothing changes."""
    from venvtui.core.write.plan import apply
    from venvtui.core.write.repair import plan_delete

    py = require_python("3.12")
    env = create_venv(py.exe, tmp_path / "env")
    plan = plan_delete(str(env))
    make_canary(env / "Documents")  # the user moved work in after the plan was shown
    before = record(tmp_path)
    with pytest.raises(VenvtuiError, match="Documents"):
        apply(plan)
    assert diff(before, record(tmp_path)) == []


@pytest.mark.realpython
@pytest.mark.parametrize("verb", ["create-clear", "repair", "rebuild", "delete"])
def test_accepted_verbs_touch_nothing_outside_the_env(
    verb: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    py = require_python("3.12")
    work = tmp_path / "work"
    work.mkdir()
    env = create_virtualenv(py.prefix / "bin" / "python3", work / "env", tmp=tmp_path)
    make_canary(work / "outside")
    os.symlink(work / "outside", env / "lib" / "python3.12" / "site-packages" / "out-link")
    before = record(work / "outside")
    argv = {
        "create-clear": ["create", str(env), "-p", str(py.exe), "--clear"],
        "repair": ["repair", str(env), "-p", str(py.exe)],
        "rebuild": ["rebuild", str(env), "-p", str(py.exe), "--no-index"],
        "delete": ["delete", str(env), "--yes"],
    }[verb]
    code, out, err = run_cli(capsys, argv)
    assert code == 0, (out, err)
    assert diff(before, record(work / "outside")) == []
    assert sorted(os.listdir(work)) == sorted(["outside"] + ([] if verb == "delete" else ["env"]))
