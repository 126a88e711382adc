"""Interpreter discovery without probing: sources, dedupe by inode, aliases, shims."""

from __future__ import annotations

import os
from pathlib import Path

from tests.discovery.conftest import FakeMachine, link, make_exe, make_unix_install
from venvtui.core.base.models import Interpreter, Source
from venvtui.core.installed.interpreters import static_interpreters
from venvtui.core.installed.sources import is_interpreter_name


def by_real(found: list[Interpreter]) -> dict[str, Interpreter]:
    reals = [i.real_path for i in found]
    assert len(reals) == len(set(reals)), f"an interpreter was listed twice: {reals}"
    return {i.real_path: i for i in found}


def alias_paths(interp: Interpreter) -> set[str]:
    return {a.path for a in interp.aliases}


def test_interpreter_names() -> None:
    for name in ("python", "python3", "python3.12", "python3.13t", "python3.6m", "python2.7"):
        assert is_interpreter_name(name), name
    for name in ("pypy", "pypy3", "pypy3.10", "python.exe", "python3.12.exe"):
        assert is_interpreter_name(name), name
    for name in (
        "python3.12-config",
        "python3.12-gdb.py",
        "python-argcomplete-check-easy-install-script",
        "pythonw-foo",
        "ipython",
        "pip3",
        "python3.12.bak",
    ):
        assert not is_interpreter_name(name), name


def test_pyenv_every_version_once_with_aliases(machine: FakeMachine) -> None:
    versions = machine.pyenv / "versions"
    exes = {v: make_unix_install(versions / v, v.rsplit(".", 1)[0]) for v in ("3.12.1", "3.8.18")}
    found = by_real(static_interpreters(context=machine.context()))
    assert set(found) == {str(e) for e in exes.values()}
    i312 = found[str(exes["3.12.1"])]
    bindir = versions / "3.12.1" / "bin"
    assert alias_paths(i312) == {str(bindir / n) for n in ("python", "python3", "python3.12")}
    assert i312.path == str(bindir / "python3.12")  # the versioned name in its own bin
    assert i312.sources == (Source.PYENV,)
    assert i312.install_dir == str(versions / "3.12.1")
    assert i312.probe is None and i312.error is None
    # Each alias carries its own chain ending at the real file.
    for alias in i312.aliases:
        assert alias.chain.ok and alias.chain.final == str(exes["3.12.1"])


def test_dir_symlink_gives_one_interpreter_with_aliases_from_both(machine: FakeMachine) -> None:
    """/bin -> usr/bin (Debian merged /usr): one interpreter, aliases under both dirs."""
    usr_bin = machine.fs / "usr" / "bin"
    exe = make_exe(usr_bin / "python3.11")
    link(usr_bin / "python3", "python3.11")
    link(machine.fs / "bin", "usr/bin")
    machine.path_dirs = [usr_bin, machine.fs / "bin"]
    found = by_real(static_interpreters(context=machine.context()))
    assert list(found) == [str(exe)]
    interp = found[str(exe)]
    assert alias_paths(interp) == {
        str(usr_bin / "python3.11"),
        str(usr_bin / "python3"),
        str(machine.fs / "bin" / "python3.11"),
        str(machine.fs / "bin" / "python3"),
    }
    assert interp.path == str(usr_bin / "python3.11")
    assert set(interp.sources) == {Source.PATH, Source.SYSTEM}
    bin_alias = next(a for a in interp.aliases if a.path == str(machine.fs / "bin" / "python3"))
    assert (str(machine.fs / "bin"), "usr/bin") in bin_alias.chain.hops[0].dir_links


def test_hard_links_are_one_interpreter(machine: FakeMachine) -> None:
    """pyenv's 3.6/3.7 builds hard-link python3.6 and python3.6m."""
    bindir = machine.pyenv / "versions" / "3.6.15" / "bin"
    exe = make_exe(bindir / "python3.6")
    os.link(exe, bindir / "python3.6m")
    found = static_interpreters(context=machine.context())
    assert len(found) == 1
    assert alias_paths(found[0]) == {str(bindir / "python3.6"), str(bindir / "python3.6m")}
    assert found[0].path == str(bindir / "python3.6")


def test_skips_non_interpreters_dangling_links_and_venvs(machine: FakeMachine) -> None:
    bindir = machine.root / "bin"
    real = make_exe(machine.root / "opt" / "py" / "bin" / "python3.12")
    link(bindir / "python3.12", real)
    link(bindir / "python3", machine.root / "gone" / "python3")  # dangling
    (bindir / "python2").write_text("not executable")
    (bindir / "python3.11").mkdir()  # a directory with an interpreter's name
    make_exe(bindir / "python3.12-config")
    venv = machine.root / "proj" / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text(f"home = {real.parent}\n")
    link(venv / "bin" / "python", real)
    make_exe(venv / "bin" / "python3")  # a --copies venv: its own file, still not listed
    machine.path_dirs = [venv / "bin", bindir]
    found = by_real(static_interpreters(context=machine.context()))
    assert list(found) == [str(real)]
    paths = alias_paths(found[str(real)])
    assert paths == {str(bindir / "python3.12")}  # the venv's link is not an alias


def test_pyenv_shims_resolve_to_the_active_version_and_are_never_aliases(
    machine: FakeMachine,
) -> None:
    versions = machine.pyenv / "versions"
    e311 = make_unix_install(versions / "3.11.7", "3.11")
    e312 = make_unix_install(versions / "3.12.1", "3.12")
    shims = machine.pyenv / "shims"
    for name in ("python", "python3", "python3.11", "python3.12"):
        make_exe(shims / name, '#!/usr/bin/env bash\nexec pyenv exec "$0" "$@"\n')
    (machine.pyenv / "version").write_text("3.11.7\n")
    machine.path_dirs = [shims]
    found = by_real(static_interpreters(context=machine.context()))
    assert set(found) == {str(e311), str(e312)}
    i311, i312 = found[str(e311)], found[str(e312)]
    assert set(i311.shims) == {str(shims / n) for n in ("python", "python3", "python3.11")}
    assert i312.shims == ()  # python3.12 is not selected: an inactive shim is dropped
    assert Source.PATH in i311.sources and Source.PATH not in i312.sources
    for interp in found.values():
        assert not any(a.path.startswith(str(shims)) for a in interp.aliases)


def test_pyenv_shim_follows_local_version_file_and_prefix(machine: FakeMachine) -> None:
    versions = machine.pyenv / "versions"
    make_unix_install(versions / "3.12.1", "3.12")
    e = make_unix_install(versions / "3.12.10", "3.12")
    make_exe(machine.pyenv / "shims" / "python3")
    (machine.pyenv / "version").write_text("system\n")
    project = machine.home / "proj" / "sub"
    project.mkdir(parents=True)
    (machine.home / "proj" / ".python-version").write_text("3.12\n")
    machine.cwd = project
    machine.path_dirs = [machine.pyenv / "shims"]
    found = by_real(static_interpreters(context=machine.context()))
    # "3.12" resolves to the newest 3.12.x installed (numeric order: 3.12.10 > 3.12.1).
    assert found[str(e)].shims == (str(machine.pyenv / "shims" / "python3"),)


def test_pyenv_system_shim_resolves_past_the_shims(machine: FakeMachine) -> None:
    sysbin = machine.fs / "usr" / "bin"
    e = make_exe(sysbin / "python3.11")
    link(sysbin / "python3", "python3.11")
    make_exe(machine.pyenv / "shims" / "python3")
    (machine.pyenv / "version").write_text("system\n")
    machine.path_dirs = [machine.pyenv / "shims", sysbin]
    found = by_real(static_interpreters(context=machine.context()))
    assert found[str(e)].shims == (str(machine.pyenv / "shims" / "python3"),)


def test_uv_managed_minor_link_and_bin_link_are_aliases(machine: FakeMachine) -> None:
    uvdir = machine.home / ".local" / "share" / "uv" / "python"
    patch = uvdir / "cpython-3.12.11-linux-x86_64-gnu"
    exe = make_unix_install(patch, "3.12")
    link(uvdir / "cpython-3.12-linux-x86_64-gnu", patch)
    (uvdir / ".lock").write_text("")
    local_bin = link(machine.home / ".local" / "bin" / "python3.12", patch / "bin" / "python3.12")
    make_exe(machine.home / ".local" / "bin" / "python3")  # not uv's: not a uv alias
    ctx = machine.context()
    ctx = type(ctx)({**ctx.environ, "XDG_DATA_HOME": ""}, ctx.home, ctx.cwd, "linux", ctx.fs_root)
    found = by_real(static_interpreters(context=ctx))
    interp = found[str(exe)]
    minor = uvdir / "cpython-3.12-linux-x86_64-gnu" / "bin" / "python3.12"
    assert {str(minor), str(local_bin)} <= alias_paths(interp)
    assert interp.path == str(patch / "bin" / "python3.12")
    assert interp.sources == (Source.UV,)
    assert len(found) == 1


def test_uv_install_dir_variable_wins(machine: FakeMachine) -> None:
    custom = machine.root / "uvpy"
    exe = make_unix_install(custom / "cpython-3.13.1-linux-x86_64-gnu", "3.13")
    make_unix_install(
        machine.home / ".local" / "share" / "uv" / "python" / "cpython-3.10.1-linux-x86_64-gnu",
        "3.10",
    )
    machine.environ["UV_PYTHON_INSTALL_DIR"] = str(custom)
    found = by_real(static_interpreters(context=machine.context()))
    assert list(found) == [str(exe)]


def test_mise_asdf_homebrew_conda_sources(machine: FakeMachine) -> None:
    mise = machine.home / ".local" / "share" / "mise" / "installs" / "python"
    e_mise = make_unix_install(mise / "3.13.1", "3.13")
    link(mise / "3.13", "3.13.1")
    e_asdf = make_unix_install(machine.home / ".asdf" / "installs" / "python" / "3.10.4", "3.10")
    brew = machine.fs / "home" / "linuxbrew" / ".linuxbrew"
    e_brew = make_unix_install(brew / "Cellar" / "python@3.12" / "3.12.7", "3.12")
    link(brew / "opt" / "python@3.12", "../Cellar/python@3.12/3.12.7")
    link(brew / "bin" / "python3.12", "../Cellar/python@3.12/3.12.7/bin/python3.12")
    conda = machine.home / "miniconda3"
    (conda / "conda-meta").mkdir(parents=True)
    (conda / "condabin").mkdir()
    e_conda = make_unix_install(conda, "3.11")
    found = by_real(static_interpreters(context=machine.context()))
    assert set(found) == {str(e_mise), str(e_asdf), str(e_brew), str(e_conda)}
    assert found[str(e_mise)].sources == (Source.MISE,)
    assert str(mise / "3.13" / "bin" / "python3.13") in alias_paths(found[str(e_mise)])
    assert found[str(e_asdf)].sources == (Source.ASDF,)
    assert found[str(e_brew)].sources == (Source.HOMEBREW,)
    assert {
        str(brew / "opt" / "python@3.12" / "bin" / "python3.12"),
        str(brew / "bin" / "python3.12"),
    } <= alias_paths(found[str(e_brew)])
    assert found[str(e_conda)].sources == (Source.CONDA,)


def test_usr_local_is_homebrew_only_with_a_cellar(machine: FakeMachine) -> None:
    local = machine.fs / "usr" / "local"
    exe = make_exe(local / "bin" / "python3.12")
    found = by_real(static_interpreters(context=machine.context()))
    assert found[str(exe)].sources == (Source.SYSTEM,)
    (local / "Cellar").mkdir()
    found = by_real(static_interpreters(context=machine.context()))
    assert found[str(exe)].sources == (Source.HOMEBREW, Source.SYSTEM)


def test_pyenv_virtualenv_alias_is_not_an_interpreter(machine: FakeMachine) -> None:
    versions = machine.pyenv / "versions"
    exe = make_unix_install(versions / "3.12.1", "3.12")
    env = versions / "3.12.1" / "envs" / "myenv"
    (env / "bin").mkdir(parents=True)
    (env / "pyvenv.cfg").write_text(f"home = {exe.parent}\n")
    link(env / "bin" / "python", exe)
    link(versions / "myenv", env)
    found = by_real(static_interpreters(context=machine.context()))
    assert list(found) == [str(exe)]
    assert not any("myenv" in p for p in alias_paths(found[str(exe)]))


def test_cancel_stops_collection(machine: FakeMachine) -> None:
    make_unix_install(machine.pyenv / "versions" / "3.12.1", "3.12")
    assert static_interpreters(cancel=lambda: True, context=machine.context()) == []


def test_empty_machine(machine: FakeMachine, tmp_path: Path) -> None:
    assert static_interpreters(context=machine.context()) == []


def test_link_to_a_copies_venv_binary_is_not_an_interpreter(machine: FakeMachine) -> None:
    venv = machine.root / "venvs" / "copied"
    exe = make_exe(venv / "bin" / "python3.12")
    (venv / "pyvenv.cfg").write_text("home = /somewhere/bin\n")
    link(machine.root / "bin" / "python3.12", exe)
    machine.path_dirs = [machine.root / "bin"]
    assert static_interpreters(context=machine.context()) == []
