"""`create` on every CPython 3.8-3.13 here: the layout real `python -m venv` makes (same
entries, same links, same activation scripts), a python that starts bound to the intended
install, a working seeded pip that installs a local wheel offline, bash activation, and the
resolver explaining the new environment."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.layouts import create_venv, require_python, runs
from tests.writer.conftest import snapshot
from venvtui.core.write.create import CreateRequest, plan_create
from venvtui.core.write.plan import apply

pytestmark = [pytest.mark.realpython, pytest.mark.slow]

MINORS = ["3.8", "3.9", "3.10", "3.11", "3.12", "3.13"]
OURS_ONLY = {".gitignore", "CACHEDIR.TAG"}


def _kinds(root: Path) -> dict[str, str]:
    out = {}
    for rel, (kind, value) in snapshot(root).items():
        if rel.startswith(("lib/", "lib64/")) and "site-packages/" in rel:
            continue
        if rel.startswith("bin/pip"):
            continue
        out[rel] = f"link:{value}" if kind == "link" and not os.path.isabs(str(value)) else kind
    return out


@pytest.mark.parametrize("minor", MINORS)
def test_create_matches_venv_and_works(minor: str, tmp_path: Path, wheelhouse: Path) -> None:
    real = require_python(minor)
    ours_dir, theirs_dir = tmp_path / "a", tmp_path / "b"
    ours_dir.mkdir()
    theirs_dir.mkdir()
    ours, theirs = ours_dir / "env", theirs_dir / "env"
    plan = plan_create(
        CreateRequest(python=str(real.exe), dest=str(ours), seed=True, prompt="my proj")
    )
    result = apply(plan)
    create_venv(real.exe, theirs)

    # Same layout as the real venv module (minus our .gitignore/CACHEDIR.TAG; 3.13 venv
    # writes a .gitignore of its own).
    mine, venvs = _kinds(ours), _kinds(theirs)
    assert {k: v for k, v in mine.items() if k not in OURS_ONLY} == {
        k: v for k, v in venvs.items() if k not in OURS_ONLY
    }
    exe_link = os.readlink(ours / "bin" / f"python{minor}") if minor != "3.8" else None
    if exe_link is not None:  # python3.X is either the absolute link or an alias of it
        assert exe_link == str(real.exe) or exe_link.startswith("python")
    # Activation scripts: rendered by the target's own venv, byte-identical but for the path
    # and the prompt.
    for name in ("activate", "activate.csh", "activate.fish", "Activate.ps1"):
        text = (ours / "bin" / name).read_text()
        expected = (theirs / "bin" / name).read_text().replace(str(theirs), str(ours))
        assert text.replace("my proj", "env") == expected, name
    assert "venvtui" in (ours / "pyvenv.cfg").read_text()
    cfg_keys = [ln.split("=")[0].strip() for ln in (ours / "pyvenv.cfg").read_text().splitlines()]
    assert cfg_keys[:5] == [
        "home",
        "include-system-site-packages",
        "version",
        "prompt",
        "executable",
    ]

    # It starts as a venv of the intended install.
    py = ours / "bin" / "python"
    out = runs(py, "import sys, json; print(json.dumps([sys.prefix, sys.base_prefix]))")
    assert out.returncode == 0, out.stderr
    prefix, base_prefix = json.loads(out.stdout)
    assert prefix == str(ours)
    assert os.path.realpath(base_prefix) == os.path.realpath(real.prefix)
    assert result.verified["version"].startswith(minor + ".")

    # Seeded pip works and installs a local wheel offline.
    pip = subprocess.run(
        [str(py), "-m", "pip", "--version"], capture_output=True, text=True, timeout=120
    )
    assert pip.returncode == 0 and str(ours) in pip.stdout, pip.stderr
    inst = subprocess.run(
        [
            str(py),
            "-m",
            "pip",
            "install",
            "--no-index",
            "--find-links",
            str(wheelhouse),
            "--disable-pip-version-check",
            "tinypkg",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert inst.returncode == 0, inst.stderr
    assert runs(py, "import tinypkg; print(tinypkg.VERSION)").stdout.strip() == "1.0"

    # bash activation puts the env first on PATH.
    bash = shutil.which("bash")
    if bash:
        act = subprocess.run(
            [bash, "-c", f"source {ours}/bin/activate && command -v python && echo $VIRTUAL_ENV"],
            capture_output=True,
            text=True,
            timeout=30,
            env={"PATH": "/usr/bin:/bin"},
        )
        assert act.stdout.split() == [str(py), str(ours)], act.stderr

    # The resolver explains the new environment's python: its chain ends at the real binary.
    from venvtui.core.breaks.health import diagnose
    from venvtui.core.installed.envs import load_environment
    from venvtui.core.startup.resolver import resolve

    res = resolve(str(py))
    assert os.path.realpath(res.chain.realpath) == os.path.realpath(real.exe)
    assert res.probe.prefix == str(ours)
    # ... and diagnosis calls it healthy, made by venvtui.
    env = load_environment(str(ours))
    assert env.creator == "venvtui"
    diag = diagnose(env)
    assert diag.status == "ok", [v.to_json() for v in diag.verdicts]
