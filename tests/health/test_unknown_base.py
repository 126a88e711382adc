"""A base interpreter that cannot be probed (it hangs past the timeout) leaves its compiled
PREFIX unknown: the start-up model then says its prediction is uncertain, never "broken"."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.fakes import make_fake_python
from venvtui.core.base.options import Options
from venvtui.core.breaks.health import diagnose
from venvtui.core.breaks.nesting import base_facts
from venvtui.core.breaks.whatif import whatif_remove
from venvtui.core.installed.envs import load_environment
from venvtui.core.layout.view import REAL
from venvtui.core.startup.model import predict


def hanging_env(tmp_path: Path) -> tuple[Path, Path]:
    """An env whose bin/python links to a hanging interpreter in a tree with no stdlib, so only
    the (unknowable) compiled PREFIX could let it start."""
    inst = tmp_path / "inst"
    exe = make_fake_python(inst / "bin", "python3.12", behaviour="sleep", delay=30)
    env = tmp_path / "env"
    (env / "bin").mkdir(parents=True)
    (env / "bin" / "python").symlink_to(exe)
    (env / "pyvenv.cfg").write_text(f"home = {inst / 'bin'}\nversion = 3.12.1\n")
    return env, exe


def test_unknown_base_is_uncertain_not_broken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_dir, exe = hanging_env(tmp_path)
    env = load_environment(str(env_dir))
    quick = Options(probe_timeout=0.3)  # every probe of the hanging base times out quickly
    base = base_facts(env.python, spawn=True, options=quick)  # times out twice (0.3 s, 1.2 s)
    assert base.unknown and base.compiled_prefix is None
    start = predict(REAL, env.path, env.python, env.cfg, base)
    assert start.status == "uncertain", start.summary()
    assert "could not be probed" in start.summary()
    # the same facts, known, give a confident verdict: the model is not uncertain by default
    known = predict(REAL, env.path, env.python, env.cfg, type(base)((3, 12, 1), None))
    assert known.status == "broken", known.summary()
    # diagnosis without running anything (cache miss) and the what-if do not claim "broken"
    d = diagnose(env, confirm=False, options=quick)
    assert d.status == "uncertain" and d.static.status == "uncertain"
    # the what-if: before, uncertain; after removing the binary, broken for a reason the disk
    # alone decides (a dangling bin/python), whatever the compiled PREFIX
    after = whatif_remove(os.fspath(exe), [env], options=quick)
    assert [(r.status_before, r.status_after) for r in after.environments] == [
        ("uncertain", "broken")
    ]
    assert "does not exist" in after.environments[0].why
