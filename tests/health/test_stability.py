"""Path stability on the paths real layouts produce: what an installer's next upgrade removes
(fragile) and what it re-points (stable), checked against performing that upgrade."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.layouts import Debian, make_homebrew, make_mise, make_uv_managed, require_python
from venvtui.core.base.stability import classify_path, find_install
from venvtui.core.breaks.events import install_for

pytestmark = pytest.mark.realpython


def survives(path: Path) -> bool:
    return os.path.exists(path)


def test_fragile_paths_vanish_and_stable_paths_survive(tmp_path: Path) -> None:
    rp = require_python("3.12")
    hb = make_homebrew(rp, tmp_path / "hb")
    uvm = make_uv_managed(rp, tmp_path / "uv", tmp_path / "bin")
    mise = make_mise(rp, tmp_path / "mise" / "installs" / "python")
    paths = {
        hb.cellar_python: "fragile",
        hb.keg: "fragile",
        hb.opt_python: "stable",
        hb.bin_versioned: "stable",
        uvm.patch_python: "fragile",
        uvm.minor_python: "stable",
        mise.patch_python: "fragile",
        mise.minor_python: "stable",
    }
    for p, kind in paths.items():
        assert classify_path(str(p)).kind == kind, p
    hb.upgrade()
    uvm.upgrade()
    mise.upgrade()
    for p, kind in paths.items():
        assert survives(p) == (kind == "stable"), p


def test_install_for_executable_and_dir(tmp_path: Path) -> None:
    rp = require_python("3.12")
    hb = make_homebrew(rp, tmp_path / "hb")
    by_exe = install_for(str(hb.bin_versioned))  # a public link resolves into the keg
    by_dir = find_install(str(hb.keg))
    assert by_exe == by_dir
    assert by_dir is not None and by_dir.root == str(hb.keg)
    assert by_dir.installer == "homebrew" and by_dir.name == "python@3.12"


def test_unversioned_alias_is_a_drift_risk(tmp_path: Path) -> None:
    deb = Debian(tmp_path / "root")
    deb.add(require_python("3.12"))
    deb.point_python3("3.12")
    assert classify_path(str(deb.python3)).kind == "drift-risk"
    assert classify_path(str(deb.bin / "python3.12")).kind != "fragile"


@pytest.mark.parametrize(
    "path",
    [
        "/nix/store/0123456789abcdefghijklmnopqrstuv-python3-3.12.1/bin/python3.12",
        "/home/u/.pyenv/versions/3.12.1/bin/python3.12",
        "/home/u/.asdf/installs/python/3.12.1/bin/python3.12",
        "/opt/conda/pkgs/python-3.12.1-h123_0/bin/python3.12",
    ],
)
def test_other_version_stamped_installs(path: str) -> None:
    st = classify_path(path)
    assert st.kind == "fragile" and st.install is not None
    assert st.install.version == "3.12.1" and path.startswith(st.install.root)
