"""`--home-policy venv` from a loose symlink on 3.11+: `home` is the barren directory, so the
environment starts only through the compiled-PREFIX fallback; the plan warns about it. The real
`python -m venv` and the created env's own start-up are the oracles."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.layouts import make_loose_link, require_python, runs
from tests.predict import predict_env
from venvtui.core.write.create import CreateRequest, plan_create
from venvtui.core.write.plan import apply

pytestmark = pytest.mark.realpython


@pytest.mark.parametrize("minor", ["3.12", "3.13"])
def test_venv_policy_warns_about_prefix_fallback(tmp_path: Path, minor: str) -> None:
    real = require_python(minor)
    link = make_loose_link(real.exe, tmp_path / "usr-local-bin")
    req = CreateRequest(python=str(link), dest=str(tmp_path / "env"), home_policy="venv")
    plan = plan_create(req)
    assert plan.details["home"] == str(link.parent), plan.render()
    warned = [w for w in plan.warnings if "compiled-PREFIX fallback" in w]
    assert warned and str(link.parent) in warned[0], plan.warnings
    env = Path(apply(plan).env)
    # it really starts, on the linked install's stdlib, found only through the fallback
    st = predict_env(str(env))
    assert st.status == "ok" and st.via_prefix_fallback, st.why
    out = runs(env / "bin" / "python", "import sys, json; print(json.dumps(sys.base_prefix))")
    assert out.returncode == 0, out.stderr
    assert os.path.realpath(json.loads(out.stdout)) == os.path.realpath(real.prefix)
    # the default policy picks a self-locating home and gives no such warning
    stable = plan_create(CreateRequest(python=str(link), dest=str(tmp_path / "env2")))
    assert not [w for w in stable.warnings if "compiled-PREFIX fallback" in w], stable.warnings
