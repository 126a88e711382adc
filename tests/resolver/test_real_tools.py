"""The resolver against the real creators, on realistic layouts built from real CPython builds.

For every layout entry point (Homebrew via bin/pythonX.Y, bin/python3, opt and Cellar; uv-managed
via its patch dir and a ~/.local/bin link; mise via its minor link and its patch dir; a whole tree
symlinked elsewhere; a loose symlink in an empty dir; a Debian-like python3 alias), environments
are created with the real `python -m venv`, the real virtualenv and the real `uv venv`, plain and
nested (from a created env's python). Each env is checked against what `resolve()` predicted
before it existed: the `home` written, the bin/python link target, the pyvenv.cfg keys, and how
the env starts (running it: exit status and sys.base_prefix). The install each layout really is
(the oracle for "misbound") comes from the layout builder, not from the resolver.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.layouts import runs
from tests.predict import predict_env
from tests.resolver.worlds import (
    MINORS,
    build_world,
    create_many,
    create_with,
    read_cfg_pairs,
)
from venvtui.core.startup.model import same_dir
from venvtui.core.startup.resolver import CREATORS, ENV_PLACEHOLDER, CreatorPlan, resolve

pytestmark = [pytest.mark.slow, pytest.mark.realpython]

# Keys whose value depends on the destination or on the creator's own interpreter.
_LOOSE_VALUES = {"command"}


def check_env(plan: CreatorPlan, env: Path, install: str, label: str) -> list[str]:
    """Every disagreement between `plan` and the real env at `env`, as readable lines."""
    bad: list[str] = []
    pairs = read_cfg_pairs(env / "pyvenv.cfg")
    cfg = dict(pairs)
    if cfg.get("home") != plan.home:
        bad.append(f"{label}: home {cfg.get('home')!r} != predicted {plan.home!r}")
    link = env / "bin" / plan.bin_name
    try:
        target = os.readlink(link)
    except OSError as exc:
        bad.append(f"{label}: bin/{plan.bin_name} is not a symlink ({exc})")
    else:
        if target != plan.executable:
            bad.append(
                f"{label}: bin/{plan.bin_name} -> {target!r} != predicted {plan.executable!r}"
            )
    if [k for k, _ in pairs] != [k for k, _ in plan.cfg]:
        bad.append(
            f"{label}: cfg keys {[k for k, _ in pairs]} != predicted {[k for k, _ in plan.cfg]}"
        )
    for key, value in plan.cfg:
        if key in _LOOSE_VALUES:
            head = value.split(ENV_PLACEHOLDER)[0].split(" -m ")[0]
            if "<" not in head and not cfg.get(key, "").startswith(head):
                bad.append(f"{label}: cfg {key} {cfg.get(key)!r} does not start with {head!r}")
        elif cfg.get(key) != value:
            bad.append(f"{label}: cfg {key} {cfg.get(key)!r} != predicted {value!r}")
    # Start-up: run the env's python the way a user would.
    proc = runs(env / "bin" / "python", "import sys; print(sys.base_prefix)")
    st = plan.startup
    if proc.returncode != 0:
        actual = "broken"
    else:
        base_prefix = proc.stdout.strip().splitlines()[-1]
        actual = "ok" if same_dir(base_prefix, install) else "misbound"
        if st.prefix != base_prefix:
            bad.append(f"{label}: sys.base_prefix {base_prefix!r} != predicted {st.prefix!r}")
    if st.status != actual:
        bad.append(f"{label}: starts {actual!r} != predicted {st.status!r} ({proc.stderr[-300:]})")
    # The static prediction from the env as it now is on disk agrees too.
    now = predict_env(str(env))
    if (now.status, now.prefix) != (st.status, st.prefix):
        bad.append(
            f"{label}: predict_env(env) = {now.status}/{now.prefix} != plan {st.status}/{st.prefix}"
        )
    return bad


# Nested envs: every creator from the venv-made env's python; venv from the others' envs.
NESTED = (
    ("venv", "venv"),
    ("venv", "virtualenv"),
    ("venv", "uv"),
    ("virtualenv", "venv"),
    ("uv", "venv"),
)


@pytest.mark.parametrize("minor", MINORS)
def test_creators_match_prediction(
    minor: str, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = build_world(minor, tmp_path_factory.mktemp(f"world-{minor}"))
    monkeypatch.setenv("UV_PYTHON_INSTALL_DIR", str(world.uv.install_dir))
    envs = tmp_path_factory.mktemp(f"envs-{minor}")
    bad: list[str] = []
    # Predict everything first, from the interpreters as they are before any env exists.
    plans = {e.name: resolve(str(e.path)) for e in world.entries}
    for entry in world.entries:
        if plans[entry.name].chain.start != os.path.abspath(entry.path):
            bad.append(f"{entry.name}: chain starts at {plans[entry.name].chain.start}")
    create_many(
        [(c, e.path, envs / f"{e.name}-{c}") for e in world.entries for c in CREATORS], world
    )
    for entry in world.entries:
        for c in CREATORS:
            plan = plans[entry.name].creators[c]
            bad += check_env(plan, envs / f"{entry.name}-{c}", entry.install, f"{entry.name}/{c}")
    nested = {}
    for entry in world.entries:
        for parent, _ in NESTED:
            python = envs / f"{entry.name}-{parent}" / "bin" / "python"
            if (entry.name, parent) not in nested:
                nested[(entry.name, parent)] = res = resolve(str(python))
                if not res.probe.in_venv:
                    bad.append(f"{entry.name}: the probe of {python} does not see a venv")
    create_many(
        [
            (c, envs / f"{e.name}-{p}" / "bin" / "python", envs / f"{e.name}-{p}-{c}")
            for e in world.entries
            for p, c in NESTED
        ],
        world,
    )
    for entry in world.entries:
        for p, c in NESTED:
            plan = nested[(entry.name, p)].creators[c]
            bad += check_env(
                plan, envs / f"{entry.name}-{p}-{c}", entry.install, f"{entry.name}/{p}>{c}"
            )
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("minor", MINORS)
def test_uv_version_requests(
    minor: str, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`uv venv -p X.Y` finds the managed install and records its minor link; `-p X.Y.Z` keeps
    the patch directory (the resolver's `patch_requested`)."""
    world = build_world(minor, tmp_path_factory.mktemp(f"uvworld-{minor}"), only_uv=True)
    monkeypatch.setenv("UV_PYTHON_INSTALL_DIR", str(world.uv.install_dir))
    envs = tmp_path_factory.mktemp(f"uvreq-{minor}")
    bad: list[str] = []
    for request, python, patch in (
        (world.real.minor, world.uv.minor_python, False),
        (world.real.version, world.uv.patch_python, True),
    ):
        plan = resolve(str(python), patch_requested=patch).creators["uv"]
        dest = envs / f"uv-{request}"
        create_with("uv", request, dest, world)
        bad += check_env(plan, dest, str(world.uv.patch_dir), f"uv -p {request}")
    minor_home = str(world.uv.minor_link / "bin")
    plan = resolve(str(world.uv.patch_python)).creators["uv"]
    assert plan.home == minor_home, plan.why
    assert not bad, "\n".join(bad)


def test_uv_relative_minor_link_is_ignored(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """uv honours its minor-version link only when the link's target equals the install path
    (uv makes it absolute); a relative link makes it keep the patch directory."""
    world = build_world("3.12", tmp_path_factory.mktemp("uvrel"), only_uv=True)
    monkeypatch.setenv("UV_PYTHON_INSTALL_DIR", str(world.uv.install_dir))
    link = world.uv.minor_link
    link.unlink()
    link.symlink_to(world.uv.patch_dir.name)
    plan = resolve(str(world.uv.patch_python)).creators["uv"]
    assert plan.home == str(world.uv.patch_dir / "bin")
    dest = tmp_path_factory.mktemp("uvrel-envs") / "env"
    create_with("uv", world.uv.patch_python, dest, world)
    bad = check_env(plan, dest, str(world.uv.patch_dir), "uv relative minor link")
    assert not bad, "\n".join(bad)
