"""The recommended base, and start-up predictions across real upgrades.

For each layout entry point the recommendation must be the installer's stable alias (the
layout builder says which path that is), an env created by the real `python -m venv` from the
recommended executable must start on the right install, and it must still start after the
installers' patch upgrades (Homebrew upgrade + cleanup, `uv python upgrade`, mise upgrade).
Envs created from the raw entry points are upgraded alongside: `predict_env` on each, after
the upgrade, must agree with running it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.layouts import runs
from tests.predict import predict_env
from tests.resolver.worlds import build_world, create_many
from venvtui.core.startup.model import same_dir
from venvtui.core.startup.resolver import resolve

pytestmark = [pytest.mark.slow, pytest.mark.realpython]


def _actual(env: Path, install: str) -> tuple[str, str | None]:
    try:
        proc = runs(env / "bin" / "python", "import sys; print(sys.base_prefix)")
    except FileNotFoundError:  # a dangling bin/python: the kernel cannot exec it
        return "broken", None
    if proc.returncode != 0:
        return "broken", None
    base_prefix = proc.stdout.strip().splitlines()[-1]
    return ("ok" if same_dir(base_prefix, install) else "misbound"), base_prefix


# One version of each start-up family (getpath.c <=3.10, getpath.py 3.11+); the creators
# matrix covers every version.
@pytest.mark.parametrize("minor", ["3.10", "3.12"])
def test_recommendation_survives_upgrades(
    minor: str, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = build_world(minor, tmp_path_factory.mktemp(f"rec-{minor}"))
    monkeypatch.setenv("UV_PYTHON_INSTALL_DIR", str(world.uv.install_dir))
    assert world.hb is not None and world.mise is not None
    xy = world.real.minor
    tree = next(e for e in world.entries if e.name == "tree-link")
    deb = next(e for e in world.entries if e.name == "debian-python3")
    want = {
        "brew-bin": world.hb.opt_python,
        "brew-bin-python3": world.hb.opt_python,
        "brew-opt": world.hb.opt_python,
        "brew-cellar": world.hb.opt_python,
        "loose-link": world.hb.opt_python,
        "uv-patch": world.uv.minor_python,
        "uv-local-bin": world.uv.minor_python,
        "mise-minor": world.mise.minor_python,
        "mise-patch": world.mise.minor_python,
        "tree-link": tree.path.parent / f"python{xy}",
        "debian-python3": deb.path.parent / f"python{xy}",
    }
    bad: list[str] = []
    recs = {}
    for entry in world.entries:
        rec = resolve(str(entry.path)).recommended
        recs[entry.name] = rec
        if rec.executable != str(want[entry.name]):
            bad.append(f"{entry.name}: recommended {rec.executable} != {want[entry.name]}")
        if rec.home != os.path.dirname(rec.executable):
            bad.append(f"{entry.name}: home {rec.home} is not the executable's dir")
        if entry.name not in ("tree-link", "debian-python3") and not rec.stable:
            bad.append(f"{entry.name}: recommendation not marked stable")
    envs = tmp_path_factory.mktemp(f"rec-envs-{minor}")
    jobs: list[tuple[str, Path | str, Path]] = []
    for entry in world.entries:
        jobs.append(("venv", recs[entry.name].executable, envs / f"{entry.name}-rec"))
        jobs.append(("venv", entry.path, envs / f"{entry.name}-raw"))
        jobs.append(("uv", entry.path, envs / f"{entry.name}-uv"))
        jobs.append(("virtualenv", entry.path, envs / f"{entry.name}-ve"))
        jobs.append(("venv-copies", entry.path, envs / f"{entry.name}-copies"))
    create_many(jobs, world)
    for entry in world.entries:
        status, prefix = _actual(envs / f"{entry.name}-rec", entry.install)
        if status != "ok":
            bad.append(f"{entry.name}: env from the recommendation {status} before upgrade")

    # The installers' patch upgrades.
    hb2 = world.hb.upgrade()
    uv2 = world.uv.upgrade()
    mise2 = world.mise.upgrade()
    new_install = {
        "brew": str(hb2.keg),
        "loose": str(hb2.keg),
        "uv": str(uv2.patch_dir),
        "mise": str(mise2.patch_dir),
    }
    for entry in world.entries:
        install = next(
            (v for k, v in new_install.items() if entry.name.startswith(k)), entry.install
        )
        status, _ = _actual(envs / f"{entry.name}-rec", install)
        if status != "ok":
            bad.append(f"{entry.name}: env from the recommendation {status} after the upgrade")
        for kind in ("raw", "uv", "ve", "copies"):
            env = envs / f"{entry.name}-{kind}"
            status, prefix = _actual(env, install)
            st = predict_env(str(env))
            if kind == "copies":
                # A copy has no link back to "its" install: compare where it binds, and
                # whether it starts, not which install it is meant to be.
                predicted = "broken" if st.status == "broken" else "starts"
                if predicted != ("broken" if status == "broken" else "starts"):
                    bad.append(f"{entry.name}-copies: predicted {st.status} but it {status}")
                elif prefix != st.prefix:
                    bad.append(f"{entry.name}-copies: prefix {prefix} != predicted {st.prefix}")
                continue
            if st.status != status:
                bad.append(
                    f"{entry.name}-{kind}: after upgrade predicted {st.status} but it {status} "
                    f"({[r.text for r in st.why]})"
                )
            elif status != "broken" and st.prefix != prefix:
                bad.append(f"{entry.name}-{kind}: prefix {prefix} != predicted {st.prefix}")
    assert not bad, "\n".join(bad)


def test_debian_minor_upgrade_drifts(tmp_path: Path) -> None:
    """Scenario 7: envs made through /usr/bin/python3 follow it to the next minor version
    after a distribution upgrade (B3); the recommended pythonX.Y keeps its version."""
    from tests.layouts import Debian, require_python
    from tests.resolver.worlds import create_with

    old, new = require_python("3.11"), require_python("3.12")
    deb = Debian(tmp_path / "debian")
    deb.add(old)
    deb.add(new)
    deb.point_python3("3.11")
    res = resolve(str(deb.python3))
    assert any("B3" in r.rule for r in res.creators["venv"].why)
    assert res.recommended.executable == str(deb.bin / "python3.11")
    world = build_world("3.11", tmp_path / "w", only_uv=True)
    envs = {
        "raw": create_with("venv", deb.python3, tmp_path / "raw", world),
        "uv": create_with("uv", deb.python3, tmp_path / "uv", world),
        "rec": create_with("venv", res.recommended.executable, tmp_path / "rec", world),
    }
    for env in envs.values():
        assert predict_env(str(env)).status == "ok"
    deb.point_python3("3.12")
    for name, env in envs.items():
        st = predict_env(str(env))
        proc = runs(env / "bin" / "python", "import sys; print('%d.%d' % sys.version_info[:2])")
        assert proc.returncode == 0, proc.stderr
        ran = proc.stdout.strip()
        if name == "rec":
            assert (ran, st.status) == ("3.11", "ok"), st.why
        else:
            assert (ran, st.status, st.code) == ("3.12", "drift", "B3"), st.why
