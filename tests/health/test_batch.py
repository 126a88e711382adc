"""Diagnosing many environments at once answers exactly as diagnosing each one alone.

`batch.diagnose_many` works each install's chain, landmarks, runtime facts, installer events and
overlays out once for every env on it (one snapshot), and runs the confirming pythons in a
pool. On a real layout (Homebrew, uv-managed and mise installs copied from a real CPython build,
envs made by the real venv, virtualenv and uv, a nested env, an env whose install is gone and a
copied interpreter), every diagnosis must be the one `health.diagnose` gives for that env alone
with nothing memoised.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from tests.layouts import (
    create_uv,
    create_venv,
    create_virtualenv,
    make_homebrew,
    make_install,
    make_mise,
    make_uv_managed,
    require_python,
)
from venvtui.core.base.models import Environment, ProbeResult
from venvtui.core.base.options import DEFAULT_OPTIONS, Options
from venvtui.core.breaks.batch import diagnose_many, examine_each
from venvtui.core.breaks.health import Examined, conclude, diagnose
from venvtui.core.installed import probe as probe_mod
from venvtui.core.installed.envs import load_environment

pytestmark = [pytest.mark.slow, pytest.mark.realpython]


@pytest.fixture(scope="module")
def layout(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    """Envs on three installers' installs (several per install), nested, copied, broken."""
    rp = require_python("3.12")
    tmp = tmp_path_factory.mktemp("batch")
    hb = make_homebrew(rp, tmp / "hb")
    uvm = make_uv_managed(rp, tmp / "uv" / "python", tmp / "uv" / "bin")
    mise = make_mise(rp, tmp / "mise" / "installs" / "python")
    gone = make_install(rp, tmp / "opt" / "python-3.12")
    e = tmp / "envs"
    envs = [
        create_venv(hb.bin_versioned, e / "venv-bin", tmp=tmp),
        create_venv(hb.opt_python, e / "venv-opt", tmp=tmp),
        create_venv(hb.cellar_python, e / "venv-cellar", tmp=tmp),
        create_venv(hb.opt_python, e / "venv-copies", copies=True, tmp=tmp),
        create_virtualenv(hb.bin_versioned, e / "ve-bin", tmp=tmp),
        create_uv(hb.cellar_python, e / "uv-cellar", tmp=tmp),
        create_venv(uvm.patch_python, e / "venv-uv-patch", tmp=tmp),
        create_uv(uvm.minor_python, e / "uv-uv-minor", tmp=tmp),
        create_virtualenv(uvm.local_bin_python, e / "ve-uv-bin", tmp=tmp),
        create_venv(mise.patch_python, e / "venv-mise", tmp=tmp),
        create_uv(mise.minor_python, e / "uv-mise", tmp=tmp),
        create_venv(gone / "bin" / "python3.12", e / "venv-gone", tmp=tmp),
    ]
    envs.append(create_venv(e / "venv-cellar" / "bin" / "python", e / "nested", tmp=tmp))
    shutil.rmtree(gone)
    return tmp, envs


def _loaded(envs: list[Path]) -> list[Environment]:
    return [load_environment(str(p)) for p in envs]


@pytest.mark.parametrize("forecast", [True, False])
def test_memoised_batch_answers_as_each_env_alone(
    layout: tuple[Path, list[Path]], forecast: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    tmp, paths = layout
    monkeypatch.setenv("UV_PYTHON_BIN_DIR", str(tmp / "uv" / "bin"))
    envs = _loaded(paths)
    alone = [diagnose(env, confirm=False, forecast=forecast).to_json() for env in envs]
    batch = [d.to_json() for d in diagnose_many(envs, confirm=False, forecast=forecast)]
    assert [d["path"] for d in batch] == [env.path for env in envs]
    for a, b in zip(alone, batch, strict=True):
        assert a == b, a["path"]
    # not a vacuous comparison: forecasts were made, a broken env was seen
    statuses = {d["path"].rsplit("/", 1)[-1]: d["status"] for d in batch}
    assert statuses["venv-gone"] == "broken"
    if forecast:
        assert sum(1 for d in batch if d["forecast"]) >= 5
    # the same one at a time, a fresh snapshot every 4 (as the TUI streams them)
    each = [ex for _, ex in examine_each(envs, forecast=forecast, per_snapshot=4)]
    assert all(isinstance(ex, Examined) for ex in each)
    assert [conclude(ex, None).to_json() for ex in each if isinstance(ex, Examined)] == batch


def test_the_status_alone_is_the_full_diagnosis_status(
    layout: tuple[Path, list[Path]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`forecast=False` (the listing) leaves out what never changes a status (the forecast,
    path stabilities, the note of a parent env) and gives every env the same status."""
    tmp, paths = layout
    monkeypatch.setenv("UV_PYTHON_BIN_DIR", str(tmp / "uv" / "bin"))
    # 3.8-3.10 venv made from a venv runs through it (B7): one whose parent is there, one
    # whose parent is gone
    py310 = require_python("3.10")
    own = tmp_path / "envs"
    create_venv(py310.exe, own / "parent", tmp=tmp_path)
    create_venv(own / "parent" / "bin" / "python", own / "child", tmp=tmp_path)
    create_venv(py310.exe, own / "project" / ".venv", tmp=tmp_path)
    create_venv(own / "project" / ".venv" / "bin" / "python", own / "orphan", tmp=tmp_path)
    shutil.rmtree(own / "project" / ".venv")
    envs = _loaded([*paths, own / "parent", own / "child", own / "orphan"])
    full = diagnose_many(envs, confirm=False)
    alone = diagnose_many(envs, confirm=False, forecast=False)
    assert [d.status for d in alone] == [d.status for d in full]
    by_name = {d.path.rsplit("/", 1)[-1]: d for d in full}
    assert "nested-env" in [v.code for v in by_name["child"].verdicts]
    assert "parent-env-gone" in [v.code for v in by_name["orphan"].verdicts]
    # the nested env's note is left out, and only that
    for a, f in zip(alone, full, strict=True):
        assert [v for v in f.verdicts if v.code != "nested-env"] == list(a.verdicts), a.path
        assert a.static == f.static and not a.forecast and not a.paths


def test_confirming_in_a_pool_answers_as_one_by_one(
    layout: tuple[Path, list[Path]], monkeypatch: pytest.MonkeyPatch
) -> None:
    tmp, paths = layout
    monkeypatch.setenv("UV_PYTHON_BIN_DIR", str(tmp / "uv" / "bin"))
    envs = _loaded(paths)
    alone = [diagnose(env, confirm=True).to_json() for env in envs]
    pooled = [d.to_json() for d in diagnose_many(envs, confirm=True, workers=3)]
    assert [d["path"] for d in pooled] == [env.path for env in envs]  # the order given
    for a, b in zip(alone, pooled, strict=True):
        assert a == b, a["path"]
    ran = [d["path"].rsplit("/", 1)[-1] for d in pooled if d["observed"] is not None]
    assert len(ran) == len(pooled) - 1 and "venv-gone" not in ran  # its python is gone


def test_cold_bases_are_probed_together_before_the_static_pass(
    layout: tuple[Path, list[Path]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With an empty probe cache (each test has its own), the first two base probes must be
    in flight at the same time: each waits at a barrier for the other, which a one-after-
    another static pass never reaches. The answers are those of each env alone."""
    tmp, paths = layout
    monkeypatch.setenv("UV_PYTHON_BIN_DIR", str(tmp / "uv" / "bin"))
    envs = _loaded(paths)
    real_probe = probe_mod.probe_through_cache
    met = threading.Barrier(2, timeout=120)
    lock = threading.Lock()
    waited: list[str] = []

    def probe_together(exe: str, options: Options = DEFAULT_OPTIONS) -> ProbeResult:
        with lock:
            wait = len(waited) < 2
            if wait:
                waited.append(exe)
        if wait:
            met.wait()
        return real_probe(exe, options)

    monkeypatch.setattr(probe_mod, "probe_through_cache", probe_together)
    warmed = [d.to_json() for d in diagnose_many(envs, confirm=True, workers=3)]
    assert len(set(waited)) == 2 and not met.broken
    monkeypatch.setattr(probe_mod, "probe_through_cache", real_probe)
    alone = [diagnose(env, confirm=True).to_json() for env in envs]
    assert warmed == alone
