"""B2 for real: an env whose `home` holds no stdlib and whose interpreter's compiled PREFIX has
none either does not start ("No module named 'encodings'"), and venvtui says so beforehand.

On a normal machine the compiled PREFIX (the pyenv install the binary was built for) rescues
such envs (B2': misbound). To take that fallback away without touching the real install, the
check runs in a private mount namespace (`unshare -m`, needs root) where the PREFIX's
`lib/python3.12` is hidden under an empty tmpfs, while the test install reaches the same stdlib
through a bind mount elsewhere.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.layouts import require_python

pytestmark = [pytest.mark.realpython, pytest.mark.slow]

SCRIPT = r"""
import json, os, shutil, sys
from pathlib import Path
sys.path[:0] = [sys.argv[2], os.path.join(sys.argv[2], "app")]
from tests.layouts import create_venv, create_uv
from tests.health.oracle import actual_status
from venvtui.core.installed.envs import load_environment
from venvtui.core.breaks.health import diagnose

t = Path(sys.argv[1])
exe = Path(sys.argv[3])  # the real binary; its own stdlib is hidden here
inst = t / "inst"
(inst / "bin").mkdir(parents=True)
(inst / "lib").mkdir()
shutil.copy2(exe, inst / "bin" / "python3.12")
(inst / "lib" / "python3.12").symlink_to(t / "stdlib")
pub = t / "pub" / "bin"
pub.mkdir(parents=True)
(pub / "python3.12").symlink_to(inst / "bin" / "python3.12")
envs = {
    "direct": create_venv(inst / "bin" / "python3.12", t / "envs" / "direct", tmp=t),
    "barren": create_venv(pub / "python3.12", t / "envs" / "barren", tmp=t),
    "uv-barren": create_uv(pub / "python3.12", t / "envs" / "uv-barren", tmp=t),
}
out = {}
for name, env in envs.items():
    d = diagnose(load_environment(str(env)))
    a = actual_status(env)
    out[name] = {
        "static": d.static.status,
        "status": d.status,
        "codes": [v.code for v in d.verdicts],
        "actual": a.status,
        "detail": a.detail,
    }
print(json.dumps(out))
"""


def _can_unshare() -> bool:
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    return probe.returncode == 0


@pytest.mark.skipif(not _can_unshare(), reason="needs root and unshare -m")
def test_barren_home_without_prefix_fallback_fails(tmp_path: Path) -> None:
    rp = require_python("3.12")
    (tmp_path / "stdlib").mkdir()
    script = tmp_path / "inside.py"
    script.write_text(SCRIPT)
    repo = Path(__file__).resolve().parents[2]
    shell = (
        f"mount --bind {rp.stdlib} {tmp_path / 'stdlib'} && "
        f"mount -t tmpfs none {rp.stdlib} && "
        f"exec {sys.executable} {script} {tmp_path} {repo} {rp.exe}"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    cp = subprocess.run(
        ["unshare", "-m", "--propagation", "private", "sh", "-c", shell],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert cp.returncode == 0, cp.stderr
    res = json.loads(cp.stdout.strip().splitlines()[-1])
    assert res["direct"]["actual"] == "ok"
    assert res["barren"]["actual"] == "broken" and "encodings" in res["barren"]["detail"]
    for name, r in res.items():
        assert r["static"] == r["actual"], (name, r)
        assert r["status"] == r["actual"], (name, r)
    assert "no-stdlib" in res["barren"]["codes"]
    assert "no-stdlib" in res["uv-barren"]["codes"]
