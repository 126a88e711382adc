"""What the installers write while the new environment is staged names its final path.

Real tools as oracles: the real uv installs a wheel with a console script during `rebuild`, the
real ensurepip installs pip during `create --seed`; afterwards no file of the environment (other
than bytecode caches, whose paths CPython fixes on import) mentions the staging directory, and
the console scripts run from the final path."""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.layouts import VENV_BIN, create_venv, require_python, tool_env
from tests.safety.writes import leftovers

pytestmark = [pytest.mark.realpython]


def _cli_wheel(dest: Path) -> Path:
    """A wheel with a console script `clipkg-run` (entry point clipkg:main)."""
    dest.mkdir()
    dist = "clipkg-1.0.dist-info"
    files = {
        "clipkg/__init__.py": b"def main():\n    print('cli ok')\n",
        f"{dist}/METADATA": b"Metadata-Version: 2.1\nName: clipkg\nVersion: 1.0\n\n",
        f"{dist}/WHEEL": b"Wheel-Version: 1.0\nGenerator: t\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        f"{dist}/entry_points.txt": b"[console_scripts]\nclipkg-run = clipkg:main\n",
    }
    record = [
        f"{p},sha256={base64.urlsafe_b64encode(hashlib.sha256(d).digest()).rstrip(b'=').decode()},{len(d)}"
        for p, d in files.items()
    ]
    files[f"{dist}/RECORD"] = ("\n".join([*record, f"{dist}/RECORD,,"]) + "\n").encode()
    whl = dest / "clipkg-1.0-py3-none-any.whl"
    with zipfile.ZipFile(whl, "w") as zf:
        for path, data in files.items():
            zf.writestr(path, data)
    return dest


def _mentions(env: Path, needle: bytes) -> list[str]:
    out = []
    for root, _dirs, names in os.walk(env):
        for name in names:
            path = Path(root, name)
            if path.suffix == ".pyc" or path.is_symlink():
                continue
            if needle in path.read_bytes():
                out.append(str(path.relative_to(env)))
    return out


def _venvtui(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "venvtui", *args], capture_output=True, text=True, env=tool_env(tmp)
    )


def test_rebuild_with_real_uv_points_console_scripts_home(tmp_path: Path) -> None:
    py = require_python("3.12")
    wheels = _cli_wheel(tmp_path / "wheels")
    (tmp_path / "work").mkdir()
    env = create_venv(py.exe, tmp_path / "work" / "env")
    subprocess.run(
        [str(VENV_BIN / "uv"), "pip", "install", "--offline", "--no-index", "--find-links",
         str(wheels), "--python", str(env / "bin" / "python"), "clipkg"],
        check=True, capture_output=True, env=tool_env(tmp_path),
    )  # fmt: skip
    done = _venvtui(
        tmp_path, "rebuild", str(env), "-p", str(py.exe), "--home-policy", "venv",
        "--installer", "uv", "--no-index", "--find-links", str(wheels),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    script = env / "bin" / "clipkg-run"
    assert script.read_text().splitlines()[0] == f"#!{env / 'bin' / 'python'}"
    ran = subprocess.run([str(script)], capture_output=True, text=True)
    assert ran.stdout == "cli ok\n", ran.stderr
    assert _mentions(env, b".venvtui-new-") == []
    assert leftovers(env) == []


@pytest.mark.slow
def test_create_with_real_ensurepip_points_pip_home(tmp_path: Path) -> None:
    py = require_python("3.12")
    dest = tmp_path / "work" / "new"
    done = _venvtui(tmp_path, "create", str(dest), "-p", str(py.exe), "--home-policy", "venv",
                    "--seed")  # fmt: skip
    assert done.returncode == 0, done.stderr
    for name in ("pip", "pip3"):
        assert (dest / "bin" / name).read_text().splitlines()[0] == f"#!{dest / 'bin' / 'python'}"
    ran = subprocess.run([str(dest / "bin" / "pip"), "--version"], capture_output=True, text=True)
    assert ran.returncode == 0 and str(dest) in ran.stdout, ran.stderr
    assert _mentions(dest, b".venvtui-new-") == []
    assert leftovers(dest) == []
