"""Where each tool keeps its Pythons (uv's own dir rules, not platformdirs') and shim choice."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.discovery.conftest import FakeMachine, make_exe, make_unix_install
from venvtui.core.base.models import Source
from venvtui.core.installed.interpreters import static_interpreters
from venvtui.core.installed.sources import (
    Candidate,
    Context,
    resolve_shim,
    uv_bin_dir,
    uv_python_dir,
    uv_tool_dir,
)


def ctx(platform: str, **env: str) -> Context:
    return Context(env, "/home/u", "/home/u", platform)


@pytest.mark.parametrize("platform", ["linux", "darwin"])
def test_uv_dirs_follow_xdg_on_linux_and_macos(platform: str) -> None:
    # uv does not use ~/Library/Application Support on macOS (unlike platformdirs).
    assert uv_python_dir(ctx(platform)) == "/home/u/.local/share/uv/python"
    assert uv_tool_dir(ctx(platform)) == "/home/u/.local/share/uv/tools"
    assert uv_python_dir(ctx(platform, XDG_DATA_HOME="/data")) == "/data/uv/python"
    assert uv_python_dir(ctx(platform, XDG_DATA_HOME="relative")) == (
        "/home/u/.local/share/uv/python"
    )
    assert uv_python_dir(ctx(platform, UV_PYTHON_INSTALL_DIR="/opt/py")) == "/opt/py"
    assert uv_tool_dir(ctx(platform, UV_TOOL_DIR="/opt/tools")) == "/opt/tools"
    assert uv_bin_dir(ctx(platform)) == "/home/u/.local/bin"
    assert uv_bin_dir(ctx(platform, UV_PYTHON_BIN_DIR="/b")) == "/b"
    assert uv_bin_dir(ctx(platform, XDG_DATA_HOME="/x/share")) == "/x/bin"


def test_uv_dirs_on_windows() -> None:
    c = Context({"APPDATA": r"C:\Users\u\AppData\Roaming"}, r"C:\Users\u", r"C:\Users\u", "win32")
    assert uv_python_dir(c).replace("\\", "/").endswith("/uv/data/python")
    assert uv_python_dir(c).startswith(r"C:\Users\u\AppData\Roaming")


def test_asdf_shim_follows_tool_versions(machine: FakeMachine) -> None:
    installs = machine.home / ".asdf" / "installs" / "python"
    make_unix_install(installs / "3.11.9", "3.11")
    target = make_unix_install(installs / "3.12.4", "3.12")
    shim = make_exe(machine.home / ".asdf" / "shims" / "python3")
    (machine.home / ".tool-versions").write_text("nodejs 20.1.0\npython 3.12.4 3.11.9\n")
    c = machine.context()
    assert resolve_shim(Candidate(str(shim), Source.PATH, "asdf"), c) == str(
        target.parent / "python3"
    )
    machine.environ["ASDF_PYTHON_VERSION"] = "3.11.9"
    c = machine.context()
    assert resolve_shim(Candidate(str(shim), Source.PATH, "asdf"), c) == str(
        installs / "3.11.9" / "bin" / "python3"
    )


def test_mise_shim_without_a_selection_is_inactive(machine: FakeMachine) -> None:
    installs = machine.home / ".local" / "share" / "mise" / "installs" / "python"
    make_unix_install(installs / "3.13.1", "3.13")
    shim = make_exe(machine.home / ".local" / "share" / "mise" / "shims" / "python3")
    machine.path_dirs = [shim.parent]
    assert resolve_shim(Candidate(str(shim), Source.PATH, "mise"), machine.context()) is None
    found = static_interpreters(context=machine.context())
    assert [i.shims for i in found] == [()]  # listed through its install, not the shim


def test_pyenv_version_env_var_wins(machine: FakeMachine, tmp_path: Path) -> None:
    versions = machine.pyenv / "versions"
    make_unix_install(versions / "3.11.7", "3.11")
    e = make_unix_install(versions / "3.12.1", "3.12")
    shim = make_exe(machine.pyenv / "shims" / "python")
    (machine.pyenv / "version").write_text("3.11.7\n")
    machine.environ["PYENV_VERSION"] = "3.12.1:3.11.7"
    got = resolve_shim(Candidate(str(shim), Source.PATH, "pyenv"), machine.context())
    assert got == str(e.parent / "python")


def test_mise_shim_follows_mise_toml_then_global_config(machine: FakeMachine) -> None:
    """mise: the nearest mise.toml `[tools] python` above the cwd (a "3.12" prefix picks the
    newest 3.12.x installed), else ~/.config/mise/config.toml."""
    installs = machine.home / ".local" / "share" / "mise" / "installs" / "python"
    make_unix_install(installs / "3.11.9", "3.11")
    make_unix_install(installs / "3.12.1", "3.12")
    make_unix_install(installs / "3.12.4", "3.12")
    shim = make_exe(machine.home / ".local" / "share" / "mise" / "shims" / "python3")
    proj = machine.home / "proj"
    (proj / "sub").mkdir(parents=True)
    (proj / "mise.toml").write_text('[tools]\nnode = "20"\npython = "3.12"\n')
    machine.cwd = proj / "sub"
    got = resolve_shim(Candidate(str(shim), Source.PATH, "mise"), machine.context())
    assert got == str(installs / "3.12.4" / "bin" / "python3")
    (machine.home / ".config" / "mise").mkdir(parents=True)
    (machine.home / ".config" / "mise" / "config.toml").write_text(
        '[tools]\npython = ["3.11.9", "3.12"]\n'
    )
    machine.cwd = machine.home
    got = resolve_shim(Candidate(str(shim), Source.PATH, "mise"), machine.context())
    assert got == str(installs / "3.11.9" / "bin" / "python3")
