"""The reverse index (interpreter -> environments) against really removing each install, and
the diagnosis against `predict_env` and running the env on the real disk."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.health.oracle import actual_status
from tests.layouts import (
    create_uv,
    create_venv,
    create_virtualenv,
    make_homebrew,
    make_install,
    make_uv_managed,
    require_python,
)
from venvtui.core.breaks.health import diagnose
from venvtui.core.breaks.whatif import dependents
from venvtui.core.installed.envs import load_environment
from venvtui.core.installed.interpreters import interpreter_for

pytestmark = [pytest.mark.realpython, pytest.mark.slow]


def test_reverse_index_matches_real_removal(tmp_path: Path) -> None:
    r12, r11, r10 = require_python("3.12"), require_python("3.11"), require_python("3.10")
    hb = make_homebrew(r12, tmp_path / "hb")
    uvm = make_uv_managed(r11, tmp_path / "uvpy", tmp_path / "localbin")
    pyenv = make_install(r10, tmp_path / "pyenv" / "versions" / r10.version)
    e = tmp_path / "envs"
    envs = {
        "hb-opt": create_venv(hb.opt_python, e / "hb-opt", tmp=tmp_path),
        "hb-cellar": create_uv(hb.cellar_python, e / "hb-cellar", tmp=tmp_path),
        "py10": create_virtualenv(pyenv / "bin" / "python3.10", e / "py10", tmp=tmp_path),
        "hb-nested": create_venv(e / "hb-opt" / "bin" / "python", e / "nested", tmp=tmp_path),
    }
    loaded = [load_environment(str(p)) for p in envs.values()]
    interps = [
        interpreter_for(str(hb.cellar_python)),
        interpreter_for(str(uvm.patch_python)),
        interpreter_for(str(pyenv / "bin" / "python3.10")),
    ]
    index = {d.install_dir: d for d in dependents(interps, loaded)}
    assert set(index) == {str(hb.keg), str(uvm.patch_dir), str(pyenv)}
    before = {n: actual_status(p).status for n, p in envs.items()}
    by_path = {str(p): n for n, p in envs.items()}
    # remove each install for real (cheapest first) and see which envs change
    for root in (uvm.patch_dir, pyenv, hb.keg):
        claimed = {by_path[p] for p in index[str(root)].environments}
        assert index[str(root)].safe_to_remove == (not claimed)
        shutil.rmtree(root)
        now = {n: actual_status(p).status for n, p in envs.items()}
        changed = {n for n in envs if now[n] != before[n]}
        assert changed == claimed, (root, changed, claimed)
        before = now
    assert index[str(uvm.patch_dir)].safe_to_remove


@pytest.mark.parametrize("minor", ("3.8", "3.12"))
def test_start_model_agrees_with_resolver(minor: str, tmp_path: Path) -> None:
    """On the real disk, the diagnosis (the start-up model over the real view, base probed by
    health) and `predict_env` (base probed by itself) say the same, and both what running it
    says."""
    from tests.predict import predict_env

    rp = require_python(minor)
    hb = make_homebrew(rp, tmp_path / "hb")
    e = tmp_path / "envs"
    envs = [
        create_venv(hb.bin_versioned, e / "bin", tmp=tmp_path),
        create_venv(hb.opt_python, e / "opt", tmp=tmp_path),
        create_venv(hb.opt_python, e / "copies", copies=True, tmp=tmp_path),
        create_uv(hb.bin_versioned, e / "uv-bin", tmp=tmp_path),
    ]
    loose = tmp_path / "pub" / "bin"
    loose.mkdir(parents=True)
    (loose / f"python{minor}").symlink_to(hb.opt_python)
    envs.append(create_venv(loose / f"python{minor}", e / "loose", tmp=tmp_path))
    for env in envs:
        d = diagnose(load_environment(str(env)))
        theirs = predict_env(str(env))
        assert d.static.status == theirs.status, (env, theirs.why)
        assert (d.static.prefix, d.static.expected_prefix) == (
            theirs.prefix,
            theirs.expected_prefix,
        )
        assert d.status == actual_status(env).status, env
