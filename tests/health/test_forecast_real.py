"""The forecast, the what-if and the diagnosis against what really happens.

For each layout (Homebrew, uv-managed, mise, pyenv-like, Debian-like) built from a real CPython
build, envs are created with the real `python -m venv`, `virtualenv` and `uv venv` (plain,
`--copies`, nested). venvtui's diagnosis and forecast are recorded, and its what-if for the
installer's event; then the event is performed on disk the way the installer does it, and
every env's python is run (tests/health/oracle.py). For every env:

- the diagnosis before agrees with running it before;
- the forecast names the event exactly when the env's state changes, with the right result;
- the what-if lists it (when it depends on the install) with the status it really ends in;
- the diagnosis after agrees with running it after.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.health.oracle import actual_status
from tests.layouts import (
    Debian,
    bump_patch,
    create_uv,
    create_venv,
    create_virtualenv,
    make_homebrew,
    make_install,
    make_mise,
    make_uv_managed,
    require_python,
)
from venvtui.core.breaks.health import Diagnosis, diagnose
from venvtui.core.breaks.status import Forecast
from venvtui.core.breaks.whatif import WhatIf
from venvtui.core.installed.envs import load_environment

MINORS = ("3.8", "3.10", "3.11", "3.12", "3.13")

pytestmark = [pytest.mark.slow, pytest.mark.realpython]


def _make(envs: dict[str, Path], name: str, fn: Callable[[], Path]) -> None:
    """Create one env with a real creator (a creator failing fails the test)."""
    envs[name] = fn()


Match = Callable[[Forecast], bool]


def check(
    envs: dict[str, Path],
    *,
    match: Match,
    perform: Callable[[], None],
    whatif: Callable[[list], WhatIf] | None,
    survives_text: str | None = None,
) -> dict[str, tuple[str, str]]:
    """Record forecast/what-if, perform the event, and compare env by env; returns each
    env's (status before, status after) as observed by running it."""
    loaded = {n: load_environment(str(p)) for n, p in envs.items()}
    before_diag: dict[str, Diagnosis] = {n: diagnose(e) for n, e in loaded.items()}
    before = {n: actual_status(p) for n, p in envs.items()}
    wi = whatif(list(loaded.values())) if whatif else None
    perform()
    after = {n: actual_status(p) for n, p in envs.items()}
    after_diag = {n: diagnose(load_environment(str(p))) for n, p in envs.items()}
    problems: list[str] = []
    for n in envs:
        b, a = before[n].status, after[n].status
        if before_diag[n].status != b:
            problems.append(f"{n}: diagnosis before says {before_diag[n].status}, ran {b}")
        if before_diag[n].static.status != b:
            problems.append(
                f"{n}: static model before says {before_diag[n].static.status}, ran {b}"
            )
        fc = [f for f in before_diag[n].forecast if match(f)]
        if a != b:
            if not fc:
                problems.append(f"{n}: went {b} -> {a} ({after[n].detail}) without a forecast")
            elif fc[0].result != a:
                problems.append(f"{n}: forecast {fc[0].result}, really {a}: {fc[0].why}")
        elif survives_text is not None:
            if not any(survives_text in s.event for s in before_diag[n].survives):
                problems.append(f"{n}: stayed {a} but the forecast does not say it survives")
        elif fc:
            problems.append(f"{n}: forecast {fc[0].event} -> {fc[0].result}, but stayed {a}")
        if wi is not None:
            rows = [r for r in wi.environments if r.path == loaded[n].path]
            if rows:
                if rows[0].status_after != a:
                    problems.append(f"{n}: what-if says {rows[0].status_after}, really {a}")
                if rows[0].status_before != b:
                    problems.append(f"{n}: what-if before {rows[0].status_before}, really {b}")
            elif a != b:
                problems.append(f"{n}: what-if does not list it, but it went {b} -> {a}")
        if after_diag[n].static.status != a:
            problems.append(f"{n}: static model after says {after_diag[n].static.status}, ran {a}")
        if after_diag[n].status != a:
            problems.append(
                f"{n}: diagnosis after says {after_diag[n].status}, ran {a} ({after[n].detail})"
            )
    assert not problems, "\n".join(problems)
    transitions = {n: (before[n].status, after[n].status) for n in envs}
    # the event must really have changed something, or the comparison proves nothing
    assert any(b != a for b, a in transitions.values()), transitions
    return transitions


@pytest.mark.parametrize("minor", MINORS)
def test_homebrew_upgrade_and_cleanup(minor: str, tmp_path: Path) -> None:
    from venvtui.core.breaks.whatif import whatif_upgrade

    rp = require_python(minor)
    hb = make_homebrew(rp, tmp_path / "hb")
    e = tmp_path / "envs"
    envs: dict[str, Path] = {}
    _make(envs, "venv-bin", lambda: create_venv(hb.bin_versioned, e / "venv-bin", tmp=tmp_path))
    _make(envs, "venv-opt", lambda: create_venv(hb.opt_python, e / "venv-opt", tmp=tmp_path))
    _make(envs, "venv-cellar", lambda: create_venv(hb.cellar_python, e / "vc", tmp=tmp_path))
    _make(
        envs,
        "venv-copies",
        lambda: create_venv(hb.opt_python, e / "venv-copies", copies=True, tmp=tmp_path),
    )
    _make(envs, "ve-bin", lambda: create_virtualenv(hb.bin_versioned, e / "ve-bin", tmp=tmp_path))
    _make(envs, "uv-bin", lambda: create_uv(hb.bin_versioned, e / "uv-bin", tmp=tmp_path))
    _make(envs, "uv-opt", lambda: create_uv(hb.opt_python, e / "uv-opt", tmp=tmp_path))
    _make(
        envs,
        "nested-cellar",
        lambda: create_venv(envs["venv-cellar"] / "bin" / "python", e / "nc", tmp=tmp_path),
    )
    new = bump_patch(hb.version)
    check(
        envs,
        match=lambda f: f.kind == "patch-upgrade" and f.target == str(hb.keg),
        perform=lambda: hb.upgrade(to=new) and None,
        whatif=lambda loaded: whatif_upgrade(str(hb.keg), new, loaded),
    )


@pytest.mark.parametrize("minor", ("3.8", "3.13"))
def test_uv_python_upgrade_then_uninstall(
    minor: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from venvtui.core.breaks.whatif import whatif_upgrade

    rp = require_python(minor)
    uvm = make_uv_managed(rp, tmp_path / "uvpy", tmp_path / "localbin")
    # uv re-points only the executables in its own bin dir
    monkeypatch.setenv("UV_PYTHON_BIN_DIR", str(tmp_path / "localbin"))
    e = tmp_path / "envs"
    envs: dict[str, Path] = {}
    _make(envs, "venv-patch", lambda: create_venv(uvm.patch_python, e / "vp", tmp=tmp_path))
    _make(envs, "venv-minor", lambda: create_venv(uvm.minor_python, e / "vm", tmp=tmp_path))
    _make(envs, "venv-local", lambda: create_venv(uvm.local_bin_python, e / "vl", tmp=tmp_path))
    _make(envs, "uv-minor", lambda: create_uv(uvm.minor_python, e / "um", tmp=tmp_path))
    _make(envs, "uv-patch", lambda: create_uv(uvm.patch_python, e / "up", tmp=tmp_path))
    _make(
        envs, "ve-local", lambda: create_virtualenv(uvm.local_bin_python, e / "vel", tmp=tmp_path)
    )
    new = bump_patch(uvm.version)
    # UvManaged.upgrade() is `uv python upgrade` followed by removing the old patch install:
    # what breaks is what `uv python uninstall <old>` breaks; the rest survives the upgrade.
    old_dir = str(uvm.patch_dir)
    check(
        envs,
        match=lambda f: f.target == old_dir and f.kind == "uninstall",
        perform=lambda: uvm.upgrade(to=new) and None,
        whatif=lambda loaded: whatif_upgrade(old_dir, new, loaded, remove_old=True),
        survives_text=f"uv python upgrade {uvm.minor}",
    )


@pytest.mark.parametrize("minor", ("3.10", "3.12"))
def test_mise_upgrade(minor: str, tmp_path: Path) -> None:
    from venvtui.core.breaks.whatif import whatif_upgrade

    rp = require_python(minor)
    m = make_mise(rp, tmp_path / "mise" / "installs" / "python")
    e = tmp_path / "envs"
    envs: dict[str, Path] = {}
    _make(envs, "venv-patch", lambda: create_venv(m.patch_python, e / "vp", tmp=tmp_path))
    _make(envs, "venv-minor", lambda: create_venv(m.minor_python, e / "vm", tmp=tmp_path))
    _make(envs, "uv-minor", lambda: create_uv(m.minor_python, e / "um", tmp=tmp_path))
    new = bump_patch(m.version)
    check(
        envs,
        match=lambda f: f.kind == "patch-upgrade" and f.target == str(m.patch_dir),
        perform=lambda: m.upgrade(to=new) and None,
        whatif=lambda loaded: whatif_upgrade(str(m.patch_dir), new, loaded),
    )


@pytest.mark.parametrize("minor", ("3.8", "3.10", "3.12"))
def test_pyenv_install_new_and_uninstall_old(minor: str, tmp_path: Path) -> None:
    from venvtui.core.breaks.whatif import whatif_upgrade

    rp = require_python(minor)
    root = make_install(rp, tmp_path / "pyenv" / "versions" / rp.version)
    exe = root / "bin" / f"python{rp.minor}"
    e = tmp_path / "envs"
    envs: dict[str, Path] = {}
    _make(envs, "venv", lambda: create_venv(exe, e / "v", tmp=tmp_path))
    _make(
        envs, "venv-python3", lambda: create_venv(root / "bin" / "python3", e / "v3", tmp=tmp_path)
    )
    _make(envs, "ve", lambda: create_virtualenv(exe, e / "ve", tmp=tmp_path))
    _make(envs, "uv", lambda: create_uv(exe, e / "uv", tmp=tmp_path))
    _make(
        envs, "nested", lambda: create_venv(envs["venv"] / "bin" / "python", e / "n", tmp=tmp_path)
    )
    new = bump_patch(rp.version)
    check(
        envs,
        match=lambda f: f.kind == "uninstall" and f.target == str(root),
        # `pyenv install <new>` then `pyenv uninstall <old>`: the versions dir is replaced
        perform=lambda: os.rename(root, root.with_name(new)),
        whatif=lambda loaded: whatif_upgrade(str(root), new, loaded),
    )


NEXT = {"3.8": "3.9", "3.10": "3.11", "3.11": "3.12", "3.12": "3.13"}


@pytest.mark.parametrize("minor", ("3.8", "3.10", "3.12"))
def test_debian_python3_repointed_to_next_minor(minor: str, tmp_path: Path) -> None:
    rp = require_python(minor)
    rn = require_python(NEXT[minor])
    deb = Debian(tmp_path / "root")
    deb.add(rp)
    deb.point_python3(minor)  # the next minor is not installed yet: the upgrade brings it
    e = tmp_path / "envs"
    envs: dict[str, Path] = {}
    py3 = deb.python3
    pinned = deb.bin / f"python{minor}"
    _make(envs, "venv-python3", lambda: create_venv(py3, e / "v3", tmp=tmp_path))
    _make(envs, "venv-pinned", lambda: create_venv(pinned, e / "vp", tmp=tmp_path))
    _make(envs, "ve-python3", lambda: create_virtualenv(py3, e / "ve3", tmp=tmp_path))
    _make(envs, "uv-python3", lambda: create_uv(py3, e / "uv3", tmp=tmp_path))

    def dist_upgrade() -> None:
        deb.add(rn)
        deb.point_python3(NEXT[minor])

    check(
        envs,
        match=lambda f: f.kind == "minor-upgrade" and f.target == str(py3),
        perform=dist_upgrade,
        whatif=None,
    )


@pytest.mark.parametrize("minor", ("3.8", "3.10"))
def test_nested_env_parent_deleted(minor: str, tmp_path: Path) -> None:
    """3.8-3.10: a venv made from a venv links into the parent's bin (B7)."""
    import shutil

    from venvtui.core.breaks.whatif import whatif_remove

    rp = require_python(minor)
    e = tmp_path / "envs"
    parent = create_venv(rp.exe, e / "proj" / ".venv", tmp=tmp_path)
    envs = {"child": create_venv(parent / "bin" / "python", e / "child", tmp=tmp_path)}
    check(
        envs,
        match=lambda f: f.kind == "env-delete" and f.target == str(parent),
        perform=lambda: shutil.rmtree(parent),
        whatif=lambda loaded: whatif_remove(str(parent), loaded),
    )
    d = diagnose(load_environment(str(envs["child"])))
    assert "parent-env-gone" in [v.code for v in d.verdicts]


@pytest.mark.parametrize("minor", ("3.11",))
def test_debian_old_minor_uninstalled(minor: str, tmp_path: Path) -> None:
    """A package manager removes pythonX.Y from /usr: binary, the python3 alias, stdlib."""
    from venvtui.core.breaks.whatif import whatif_remove

    rp = require_python(minor)
    rn = require_python(NEXT[minor])
    deb = Debian(tmp_path / "root")
    exe = deb.add(rp)
    deb.add(rn)
    deb.point_python3(minor)
    e = tmp_path / "envs"
    envs: dict[str, Path] = {}
    _make(envs, "venv-python3", lambda: create_venv(deb.python3, e / "v3", tmp=tmp_path))
    _make(envs, "venv-pinned", lambda: create_venv(exe, e / "vp", tmp=tmp_path))
    _make(
        envs,
        "venv-next",
        lambda: create_venv(deb.bin / f"python{rn.minor}", e / "vn", tmp=tmp_path),
    )
    _make(envs, "uv-python3", lambda: create_uv(deb.python3, e / "uv3", tmp=tmp_path))

    def uninstall() -> None:
        exe.unlink()
        deb.python3.unlink()
        (deb.root / "usr" / "lib" / f"python{minor}").unlink()

    check(
        envs,
        match=lambda f: f.kind == "uninstall" and f.target == str(exe),
        perform=uninstall,
        whatif=lambda loaded: whatif_remove(str(exe), loaded),
    )
