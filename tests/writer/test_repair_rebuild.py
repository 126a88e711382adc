"""Repair in place after a Homebrew upgrade removed the keg an environment was tied to (real
venv and real virtualenv), and rebuild on another minor version with its packages."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.layouts import (
    create_venv,
    create_virtualenv,
    make_homebrew,
    require_python,
    runs,
)
from tests.writer.conftest import make_wheel, snapshot, uv_install
from venvtui.core.base.errors import WriteRefused
from venvtui.core.write.plan import apply
from venvtui.core.write.repair import installed_dists, plan_rebuild, plan_repair

pytestmark = pytest.mark.realpython


def cfg_lines(env: Path) -> list[str]:
    return (env / "pyvenv.cfg").read_text().splitlines()


@pytest.mark.parametrize("creator", ["venv", "venv-copies", "virtualenv"])
def test_repair_after_brew_cleanup(creator: str, tmp_path: Path, wheelhouse: Path) -> None:
    real = require_python("3.12")
    hb = make_homebrew(real, tmp_path / "brew")
    if creator.startswith("venv"):  # created from the Cellar path: links and home into the keg
        env = create_venv(hb.cellar_python, tmp_path / "env", copies=creator == "venv-copies")
    else:  # virtualenv resolves bin/python3.12 to the keg itself (P4)
        env = create_virtualenv(hb.bin_versioned, tmp_path / "env")
    uv_install(env / "bin" / "python", wheelhouse, tmp_path)
    site = env / "lib" / "python3.12" / "site-packages"
    site_before = snapshot(site)
    cfg_before = cfg_lines(env)

    new = hb.upgrade()  # the 3.12.1 keg is removed
    # Broken (dangling link, B1) or, for the copy, mis-bound to the compiled PREFIX (B2').
    try:
        out = runs(env / "bin" / "python", "import sys; print(sys.base_prefix)")
        healthy = out.returncode == 0 and os.path.realpath(out.stdout.strip()) == os.path.realpath(
            new.keg
        )
    except FileNotFoundError:  # bin/python dangles: exec itself fails
        healthy = False
    assert not healthy

    from venvtui.core.breaks.health import diagnose
    from venvtui.core.installed.envs import load_environment

    assert diagnose(load_environment(str(env))).status != "ok"
    plan = plan_repair(str(env))  # no --python: the base is found (opt/python@3.12)
    assert plan.details["executable"] == str(hb.opt_python), plan.render()
    if creator == "venv-copies":  # copies byte-identical to the new base are kept as they are
        assert not any(op.kind in ("copy", "remove") for op in plan.ops), plan.render()
        assert any(op.path.endswith("pyvenv.cfg") for op in plan.ops)
    else:
        assert any(op.kind == "remove" and op.note == "dangling" for op in plan.ops)
    result = apply(plan)
    assert snapshot(site) == site_before  # site-packages untouched

    out = runs(
        env / "bin" / "python",
        "import sys, json, tinypkg; print(json.dumps([sys.prefix, sys.base_prefix]))",
    )
    assert out.returncode == 0, out.stderr
    prefix, base = json.loads(out.stdout)
    assert prefix == str(env)
    assert os.path.realpath(base) == os.path.realpath(new.keg)
    # Every key that names the base follows the stable home (opt/, not the removed keg);
    # every other cfg line is kept verbatim.
    changed = ("home", "version", "version_info", "executable", "base-executable")
    changed += ("base-prefix", "base-exec-prefix", "command")
    after = cfg_lines(env)
    kept = [ln for ln in cfg_before if ln.split("=")[0].strip() not in changed]
    assert [ln for ln in after if ln.split("=")[0].strip() not in changed] == kept
    assert f"home = {hb.opt / 'bin'}" in after
    assert f"executable = {hb.opt_python}" in after
    values = dict(ln.split(" = ", 1) for ln in after if " = " in ln)
    assert str(hb.keg) not in "\n".join(after), after
    if creator == "virtualenv":
        assert values["base-prefix"] == values["base-exec-prefix"] == str(hb.opt)
        assert values["base-executable"] == str(hb.opt_python)
    else:
        assert values["command"].startswith(f"{hb.opt_python} -m venv "), values
    assert diagnose(load_environment(str(env))).status == "ok"
    # The backup holds the links and cfg as they were.
    assert result.backup is not None
    backup = Path(result.backup)
    assert (backup / "env" / "pyvenv.cfg.orig").read_text().splitlines() == cfg_before
    if creator != "venv-copies":  # (identical copies were left as they were)
        assert any(p.is_symlink() or p.is_file() for p in (backup / "bin").iterdir())


def test_repair_refuses_another_minor(tmp_path: Path) -> None:
    real = require_python("3.12")
    other = require_python("3.11")
    env = create_venv(real.exe, tmp_path / "env")
    with pytest.raises(WriteRefused, match=r"built for Python 3\.12") as info:
        plan_repair(str(env), str(other.exe))
    assert "venvtui rebuild" in info.value.hint


@pytest.mark.slow
def test_rebuild_on_a_new_minor_keeps_packages(
    tmp_path: Path, wheelhouse: Path, tool_environ: Path
) -> None:
    old = require_python("3.11")
    new = require_python("3.12")
    house = tmp_path / "house"
    make_wheel(house, "tinypkg", "1.0")
    make_wheel(house, "otherpkg", "2.5")
    env = create_venv(old.exe, tmp_path / "env")
    uv_install(env / "bin" / "python", house, tmp_path, "tinypkg", "otherpkg")
    assert [d.requirement for d in installed_dists(str(env), "3.11")] == [
        "otherpkg==2.5",
        "tinypkg==1.0",
    ]
    plan = plan_rebuild(str(env), str(new.exe), find_links=[str(house)], no_index=True)
    assert plan.details["distributions"] == ["otherpkg==2.5", "tinypkg==1.0"]
    assert plan.replaces
    apply(plan)
    out = runs(
        env / "bin" / "python",
        "import sys, tinypkg, otherpkg; print(sys.version_info[:2], otherpkg.VERSION)",
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["(3,", "12)", "2.5"]
    assert not (env / "lib" / "python3.11").exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".env")) == []


def test_failed_rebuild_keeps_the_old_env(
    tmp_path: Path, wheelhouse: Path, tool_environ: Path
) -> None:
    old = require_python("3.11")
    new = require_python("3.12")
    env = create_venv(old.exe, tmp_path / "env")
    uv_install(env / "bin" / "python", wheelhouse, tmp_path)
    before = snapshot(env)
    empty = tmp_path / "empty-index"
    empty.mkdir()
    # tinypkg cannot be found offline in an empty index: the reinstall fails after the swap.
    plan = plan_rebuild(str(env), str(new.exe), find_links=[str(empty)], no_index=True)
    with pytest.raises(Exception, match="exited with"):
        apply(plan)
    assert snapshot(env) == before
    assert runs(env / "bin" / "python", "import tinypkg").returncode == 0


@pytest.mark.slow
def test_rebuild_with_pip_from_find_links(
    tmp_path: Path, wheelhouse: Path, tool_environ: Path
) -> None:
    """Without uv, the new environment is seeded with pip, which reinstalls offline."""
    old = require_python("3.12")
    new = require_python("3.13")
    env = create_venv(old.exe, tmp_path / "env")
    uv_install(env / "bin" / "python", wheelhouse, tmp_path)
    plan = plan_rebuild(
        str(env), str(new.exe), find_links=[str(wheelhouse)], no_index=True, installer="pip"
    )
    assert plan.details["installer"] == "pip"
    assert any(op.kind == "run" and "ensurepip" in op.argv for op in plan.ops)
    apply(plan)
    out = runs(env / "bin" / "python", "import sys, tinypkg, pip; print(sys.version_info[:2])")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "(3, 13)"


def test_repair_minor_drift(tmp_path: Path, wheelhouse: Path) -> None:
    """B3: the env was made through an unversioned `python3` that a distribution upgrade moved
    to the next minor; its packages vanish. Repair re-points it at the versioned python3.11."""
    from tests.layouts import Debian

    old, new = require_python("3.11"), require_python("3.12")
    deb = Debian(tmp_path / "root")
    deb.add(old)
    deb.add(new)
    deb.point_python3("3.11")
    env = create_venv(deb.python3, tmp_path / "env")
    uv_install(env / "bin" / "python", wheelhouse, tmp_path)
    deb.point_python3("3.12")  # dist-upgrade
    assert runs(env / "bin" / "python", "import tinypkg").returncode != 0  # packages vanished

    plan = plan_repair(str(env))
    assert plan.details["executable"] == str(deb.bin / "python3.11"), plan.render()
    apply(plan)
    out = runs(env / "bin" / "python", "import sys, tinypkg; print(sys.version_info[:2])")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "(3, 11)"


@pytest.mark.parametrize("kind", ["uv", "mise"])
def test_repair_relocates_to_the_minor_link(kind: str, tmp_path: Path, wheelhouse: Path) -> None:
    """An env tied to a patch install dir (uv venv -p <patch path>; venv from mise's X.Y.Z)
    dangles after the upgrade removes that dir; repair finds the install's minor link."""
    from tests.layouts import create_uv, make_mise, make_uv_managed

    real = require_python("3.12")
    if kind == "uv":
        inst = make_uv_managed(real, tmp_path / "uvpy", tmp_path / "local-bin")
        env = create_uv(inst.patch_python, tmp_path / "env", uv_install_dir=tmp_path / "uvpy")
    else:
        inst = make_mise(real, tmp_path / "mise" / "installs" / "python")  # type: ignore[assignment]
        env = create_venv(inst.patch_python, tmp_path / "env")
    uv_install(env / "bin" / "python", wheelhouse, tmp_path)
    new = inst.upgrade()
    plan = plan_repair(str(env))
    if kind == "uv":  # uv 0.8+ itself records the minor link: the env survived, nothing to do
        assert plan.details.get("nothing_to_do") and not plan.ops, plan.render()
    else:
        assert plan.details["executable"].startswith(str(inst.minor_link)), plan.render()
        apply(plan)
    out = runs(env / "bin" / "python", "import sys, tinypkg; print(sys.base_prefix)")
    assert out.returncode == 0, out.stderr
    assert os.path.realpath(out.stdout.strip()) == os.path.realpath(new.patch_dir)


def test_rebuild_reinstalls_from_the_local_archive(
    tmp_path: Path, wheelhouse: Path, tool_environ: Path
) -> None:
    """A distribution installed from a local wheel file (PEP 610 direct_url.json) is
    reinstalled from that file: no index and no --find-links needed."""
    old, new = require_python("3.11"), require_python("3.12")
    env = create_venv(old.exe, tmp_path / "env")
    (tmp_path / "downloads").mkdir()
    whl = tmp_path / "downloads" / "tinypkg-1.0-py3-none-any.whl"
    shutil.copy(next(wheelhouse.glob("tinypkg-*.whl")), whl)
    (tmp_path / "empty").mkdir()
    uv_install(env / "bin" / "python", tmp_path / "empty", tmp_path, str(whl))
    (dist,) = installed_dists(str(env), "3.11")
    assert dist.local == str(whl) and dist.requirement_line() == f"tinypkg @ file://{whl}"
    plan = plan_rebuild(str(env), str(new.exe), no_index=True)
    apply(plan)
    out = runs(env / "bin" / "python", "import sys, tinypkg; print(sys.version_info[:2])")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "(3, 12)"
