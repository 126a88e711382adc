"""Installer events as the installers act, over small trees on disk (no interpreter runs).

The real-world agreement (real builds, real creators, events applied on disk) is in
tests/realworld/; these pin the rules one by one.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from venvtui.core.base.stability import find_install
from venvtui.core.breaks.events import (
    UnknownInstallError,
    facts_after,
    installer_alias,
    repoint_event,
    repoint_to_event,
    upgrade_event,
    user_links,
    user_repoint_event,
)
from venvtui.core.layout.elfdeps import relocation
from venvtui.core.layout.view import REAL
from venvtui.core.startup.runtime import Runtime


def _install(root: Path, minor: str = "3.12") -> Path:
    (root / "bin").mkdir(parents=True)
    (root / "lib" / f"python{minor}").mkdir(parents=True)
    (root / "lib" / f"python{minor}" / "os.py").write_text("")
    exe = root / "bin" / f"python{minor}"
    exe.write_text("")
    (root / "bin" / "python3").symlink_to(f"python{minor}")
    return exe


def test_relocation_strips_the_common_tail() -> None:
    assert relocation("/b/Cellar/p/3.12.2/bin/python3.12", "/b/Cellar/p/3.12.1/bin/python3.12") == (
        "/b/Cellar/p/3.12.1",
        "/b/Cellar/p/3.12.2",
    )
    assert relocation("/x/bin/python", "/x/bin/python") is None


def test_brew_upgrade_relinks_prefix_lib_and_relocates_prefix(tmp_path: Path) -> None:
    prefix = tmp_path / "hb"
    keg = prefix / "Cellar" / "python@3.12" / "3.12.1"
    _install(keg)
    (keg / "lib" / "libpython3.12.so.1.0").write_text("")
    (prefix / "opt").mkdir(parents=True)
    (prefix / "opt" / "python@3.12").symlink_to("../Cellar/python@3.12/3.12.1")
    (prefix / "lib").mkdir()
    (prefix / "lib" / "libpython3.12.so.1.0").symlink_to(
        "../Cellar/python@3.12/3.12.1/lib/libpython3.12.so.1.0"
    )
    inst = find_install(str(keg))
    assert inst is not None
    ev = upgrade_event(inst, "3.12.2")
    ov = ev.overlay()
    new_lib = prefix / "Cellar" / "python@3.12" / "3.12.2" / "lib" / "libpython3.12.so.1.0"
    assert ov.realpath(str(prefix / "lib" / "libpython3.12.so.1.0")) == str(new_lib)
    assert not ov.exists(str(keg))
    assert str(prefix) in ev.text  # named with its root
    opt_py = str(prefix / "opt" / "python@3.12" / "bin" / "python3.12")
    facts = facts_after(ov, opt_py, Runtime(version=(3, 12, 1), compiled_prefix=str(keg)))
    assert facts is not None and facts.compiled_prefix == str(new_lib.parent.parent)


def test_brew_upgrade_keeps_old_keg_without_install_cleanup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keg = tmp_path / "hb" / "Cellar" / "python@3.12" / "3.12.1"
    _install(keg)
    inst = find_install(str(keg))
    assert inst is not None
    monkeypatch.setenv("HOMEBREW_NO_INSTALL_CLEANUP", "1")
    ev = upgrade_event(inst, "3.12.2")
    assert ev.overlay().exists(str(keg)) and not ev.removes_old


def test_no_installer_repoints_an_alias_inside_a_self_contained_tree(tmp_path: Path) -> None:
    standalone = tmp_path / "opt" / "python-3.12"
    _install(standalone)
    alias = standalone / "bin" / "python3"
    assert installer_alias(str(alias)) is None
    assert repoint_event(str(alias)) is None
    usr = tmp_path / "root" / "usr"
    _install(usr)
    assert installer_alias(str(usr / "bin" / "python3")) == "system"
    assert repoint_event(str(usr / "bin" / "python3")) is not None


def test_user_links_are_found_and_re_pointed_by_hand(tmp_path: Path) -> None:
    versions = tmp_path / "pyenv" / "versions"
    _install(versions / "3.12.1")
    (versions / "3.12").symlink_to("3.12.1")
    local = tmp_path / "local" / "bin"
    local.mkdir(parents=True)
    (local / "python3.12").symlink_to(versions / "3.12.1" / "bin" / "python3.12")
    env = tmp_path / "env"
    paths = [str(versions / "3.12" / "bin" / "python3"), str(local / "python3.12")]
    found = user_links(REAL, paths, str(env))
    # the minor link and the ~/.local/bin link are the user's; bin/python3 -> python3.12 is
    # the install's own alias
    assert found == [str(versions / "3.12"), str(local / "python3.12")]
    ev = user_repoint_event(str(versions / "3.12"))
    assert ev is not None and ev.kind == "repoint"
    ov = ev.overlay()
    assert ov.realpath(str(versions / "3.12")) == str(versions / "3.12.2")
    assert ov.isfile(str(versions / "3.12" / "lib" / "python3.12" / "os.py"))
    assert not ov.exists(str(versions / "3.12.1"))


def test_repoint_to_checks_its_arguments(tmp_path: Path) -> None:
    usr = tmp_path / "root" / "usr"
    _install(usr, "3.11")
    (usr / "bin" / "python3.12").write_text("")
    (usr / "lib" / "python3.12").mkdir()
    (usr / "lib" / "python3.12" / "os.py").write_text("")
    os.replace(usr / "bin" / "python3", usr / "bin" / "python3.tmp")
    (usr / "bin" / "python3").symlink_to("python3.11")
    ev = repoint_to_event(str(usr / "bin" / "python3"), "python3.12", remove_old=True)
    ov = ev.overlay()
    assert ov.realpath(str(usr / "bin" / "python3")) == str(usr / "bin" / "python3.12")
    # a shared prefix: the old minor's files go, not /usr
    assert ov.exists(str(usr)) and not ov.exists(str(usr / "lib" / "python3.11"))
    with pytest.raises(UnknownInstallError):
        repoint_to_event(str(usr / "bin" / "python3"), "python9.9")
    with pytest.raises(UnknownInstallError):
        repoint_to_event(str(usr / "bin" / "python3.12"), "python3.11")


@pytest.mark.realpython
def test_cli_and_tui_share_one_whatif_repoint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from tests.layouts import create_venv, make_install, require_python
    from venvtui.cli.main import main
    from venvtui.core.breaks.whatif import Question, ask, questions_for
    from venvtui.core.installed.envs import load_environment

    rp = require_python("3.12")
    versions = tmp_path / "pyenv" / "versions"
    make_install(rp, versions / rp.version)
    make_install(rp, versions / "3.12.99")
    link = versions / "3.12"
    link.symlink_to(rp.version)
    envs = tmp_path / "envs"
    envs.mkdir()
    env = create_venv(link / "bin" / "python3", envs / "e")
    argv = ["whatif", "repoint", str(link), "--to", "3.12.99", "--remove-old"]
    code = main([*argv, "--env-root", str(envs), "--json"])
    cli = json.loads(capsys.readouterr().out)
    loaded = [load_environment(str(env))]
    mine = ask(Question("repoint", str(link), "3.12.99", True), loaded).to_json()
    assert code == 0 and cli["environments"] == mine["environments"]
    assert [r["status_after"] for r in mine["environments"]] == ["ok"]
    offered = questions_for(str(versions / rp.version / "bin" / "python3.12"), loaded)
    assert Question("repoint", str(link)) in offered
    # a bad target: a one-line error with a hint and a non-zero exit, no traceback
    assert main([*argv[:3], "--to", "nope", "--env-root", str(envs), "--json"]) != 0
    cap = capsys.readouterr()
    said = cap.out + cap.err
    assert "does not exist" in said and "Traceback" not in said


def test_conda_replaces_its_python_in_place(tmp_path: Path) -> None:
    prefix = tmp_path / "miniconda3"
    _install(prefix, "3.12")
    (prefix / "conda-meta").mkdir()
    alias = prefix / "bin" / "python3"
    assert installer_alias(str(alias)) == "conda"
    ev = repoint_event(str(alias))
    assert ev is not None and "conda install python=3.13" in ev.text
    ov = ev.overlay()
    assert ov.realpath(str(alias)) == str(prefix / "bin" / "python3.13")
    assert not ov.exists(str(prefix / "bin" / "python3.12"))
    assert not ov.exists(str(prefix / "lib" / "python3.12"))
