"""The recommended home must locate the stdlib by CPython's own search, never through the
compiled-PREFIX fallback.

A link in a barren directory (`/usr/local/bin/python3.12 -> <install>/bin/python3.12`) makes
`python -m venv` record the barren directory as `home`. On 3.11+ such an env starts only
because getpath falls back to the compiled-in PREFIX: right when PREFIX is the linked install,
silently bound to another install when it is not. The oracles are real: envs created by the
real `python -m venv` and by venvtui's writer, run to see which `sys.base_prefix` they get. The
layouts copy the pyenv binaries, so their compiled PREFIX is the pyenv directory, never the
layout's install: an env that leans on the fallback shows up as bound to the wrong install.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.layouts import (
    RealPython,
    create_venv,
    make_install,
    make_loose_link,
    require_python,
    runs,
)
from tests.predict import predict_env
from tests.resolver.worlds import build_world, create_many
from venvtui.core.layout import landmarks
from venvtui.core.startup.model import same_dir
from venvtui.core.startup.resolver import resolve
from venvtui.core.write.create import CreateRequest, plan_create
from venvtui.core.write.plan import apply

pytestmark = [pytest.mark.realpython]

PREFIX_RULE = "venvtui recommendation: relies on the PREFIX fallback"


def _base_prefix(python: Path) -> str | None:
    """sys.base_prefix of a real run, or None when it does not start."""
    try:
        proc = runs(python, "import sys, json; print(json.dumps(sys.base_prefix))")
    except FileNotFoundError:
        return None
    if proc.returncode != 0:
        return None
    return str(json.loads(proc.stdout.strip().splitlines()[-1]))


def _target(real: RealPython, kind: str, root: Path) -> tuple[Path, Path]:
    """(binary the loose link points at, the install it belongs to)."""
    if kind == "pyenv":
        return real.exe, real.prefix
    # A relocated copy of the build (like an unpacked standalone tree under /opt): its
    # compiled PREFIX is the pyenv directory, another install.
    install = make_install(real, root / "opt" / f"cpython-{real.version}")
    return install / "bin" / f"python{real.minor}", install


@pytest.mark.parametrize("kind", ["pyenv", "relocated"])
@pytest.mark.parametrize("minor", ["3.10", "3.11", "3.12", "3.13"])
def test_loose_link_recommends_a_self_locating_home(
    minor: str, kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """3.11+ search from `home` for every env; 3.8-3.10 only for a copied binary (pyvenv.cfg
    beside it), so there the envs are made with --copies to put `home` to the test."""
    for var in ("HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME"):
        monkeypatch.setenv(var, str(tmp_path / var.lower()))
    real = require_python(minor)
    target, install_dir = _target(real, kind, tmp_path)
    install = str(install_dir)
    link = make_loose_link(target, tmp_path / "usr-local" / "bin")
    res = resolve(str(link))

    copies = minor == "3.10"
    # What `python -m venv` records from the link leans on the PREFIX fallback, and the
    # prediction says so; running it shows where that lands (the oracle).
    venv_plan = res.creators["venv"]
    assert venv_plan.home == str(link.parent)
    # 3.8-3.10: a symlinked env searches from the resolved binary, no fallback.
    assert venv_plan.startup.via_prefix_fallback is not copies, venv_plan.startup.why
    assert venv_plan.to_json()["via_prefix_fallback"] is not copies
    theirs = create_venv(link, tmp_path / "theirs", copies=copies)
    st = predict_env(str(theirs))
    assert st.via_prefix_fallback, st.why
    ran = _base_prefix(theirs / "bin" / "python")
    assert ran is not None and same_dir(ran, str(real.prefix))  # PREFIX, whatever the link reaches
    if not copies:
        # (A 3.10 copy records no source binary, so which install it was meant for is
        # unknown on disk; only the fallback itself can be told.)
        assert (st.status == "ok") == same_dir(ran, install)
        assert venv_plan.starts == st.status
        if kind == "relocated":
            assert st.status == "misbound" and st.code == "B2'", st.why

    # The recommendation is not the barren directory, says why, and its home finds the
    # linked install by CPython's own search.
    rec = res.recommended
    assert rec.home != str(link.parent)
    assert rec.home == os.path.dirname(rec.executable)
    assert rec.self_locating and not rec.via_prefix_fallback
    rejected = dict(rec.rejected)
    assert rejected[str(link)].rule == PREFIX_RULE
    assert any(r.rule == PREFIX_RULE and str(link) in r.text for r in rec.why)
    found = landmarks.search_up(rec.home, f"python{minor}")
    assert found is not None and same_dir(found, install)

    # An env the writer makes with the default (stable) policy starts on the linked install,
    # and its start-up involves no fallback.
    plan = plan_create(
        CreateRequest(
            python=str(link), dest=str(tmp_path / "ours"), home_policy="stable", copies=copies
        )
    )
    assert plan.details["home"] == rec.home
    assert plan.details["executable"] == rec.executable
    ours = Path(apply(plan).env)
    ran = _base_prefix(ours / "bin" / "python")
    assert ran is not None and same_dir(ran, install), ran
    st = predict_env(str(ours))
    assert st.status == "ok" and not st.via_prefix_fallback, st.why
    assert same_dir(st.prefix, install)


# The same worlds (and versions) as the recommendation/upgrade tests, plus 3.13.
@pytest.mark.slow
@pytest.mark.parametrize("minor", ["3.10", "3.12", "3.13"])
def test_no_recommendation_relies_on_the_prefix_fallback(
    minor: str, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every entry point of every layout: the recommended home self-locates its install. The
    oracle is a real `python -m venv --copies` from the recommended executable: a copied
    binary reads `home` on every version (3.8-3.10 too, pyvenv.cfg being beside it), and the
    layouts' compiled PREFIX is another install, so only a home that finds the install by
    itself binds the env to it."""
    world = build_world(minor, tmp_path_factory.mktemp(f"selfloc-{minor}"))
    monkeypatch.setenv("UV_PYTHON_INSTALL_DIR", str(world.uv.install_dir))
    envs = tmp_path_factory.mktemp(f"selfloc-envs-{minor}")
    bad: list[str] = []
    jobs: list[tuple[str, Path | str, Path]] = []
    for entry in world.entries:
        res = resolve(str(entry.path))
        rec = res.recommended
        if not rec.self_locating or rec.via_prefix_fallback or rec.startup is None:
            bad.append(f"{entry.name}: recommendation {rec.executable} is not self-locating")
        elif rec.startup.status != "ok":
            bad.append(f"{entry.name}: recommendation predicted {rec.startup.status}")
        found = landmarks.search_up(rec.home, f"python{minor}")
        if found is None or not same_dir(found, entry.install):
            bad.append(f"{entry.name}: search up from {rec.home} finds {found}")
        for name, plan in res.creators.items():
            # The flag is exactly "the prefix came from PREFIX": never set when the search
            # from the plan's home (3.11+) finds the install.
            own = landmarks.search_up(plan.home, f"python{minor}")
            if minor != "3.10" and plan.startup.via_prefix_fallback != (own is None):
                bad.append(f"{entry.name}/{name}: via_prefix_fallback disagrees with {own}")
        jobs.append(("venv-copies", rec.executable, envs / f"{entry.name}-copies"))
        jobs.append(("venv", rec.executable, envs / f"{entry.name}-linked"))
    create_many(jobs, world)
    for entry in world.entries:
        for kind in ("copies", "linked"):
            env = envs / f"{entry.name}-{kind}"
            ran = _base_prefix(env / "bin" / "python")
            if ran is None or not same_dir(ran, entry.install):
                bad.append(f"{entry.name}-{kind}: runs with base_prefix {ran}, not {entry.install}")
            st = predict_env(str(env))
            if st.via_prefix_fallback or st.status != "ok":
                bad.append(f"{entry.name}-{kind}: predicted {st.status}, {st.via_prefix_fallback}")
    assert not bad, "\n".join(bad)
