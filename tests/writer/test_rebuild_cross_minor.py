"""Rebuild across minor versions: seed packages are not pinned to what the old Python's
ensurepip shipped, and what was reinstalled must import on the new Python (else the rebuild is
rolled back and the old environment stays)."""

from __future__ import annotations

import base64
import hashlib
import socket
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.layouts import create_venv, real_python, require_python
from tests.safety.canary import diff, record
from tests.writer.conftest import uv_install
from venvtui.core.base.errors import WriteFailed
from venvtui.core.write.plan import apply
from venvtui.core.write.repair import plan_rebuild

pytestmark = pytest.mark.realpython


def _wheel(dest: Path, name: str, code: str) -> Path:
    dist = f"{name}-1.0.dist-info"
    files = {
        f"{name}/__init__.py": code.encode(),
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n\n".encode(),
        f"{dist}/WHEEL": b"Wheel-Version: 1.0\nGenerator: t\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        f"{dist}/top_level.txt": f"{name}\n".encode(),
    }
    record_lines = [
        f"{p},sha256={base64.urlsafe_b64encode(hashlib.sha256(d).digest()).rstrip(b'=').decode()},{len(d)}"
        for p, d in files.items()
    ]
    files[f"{dist}/RECORD"] = ("\n".join([*record_lines, f"{dist}/RECORD,,"]) + "\n").encode()
    dest.mkdir(parents=True, exist_ok=True)
    whl = dest / f"{name}-1.0-py3-none-any.whl"
    with zipfile.ZipFile(whl, "w") as zf:
        for p, d in files.items():
            zf.writestr(p, d)
    return whl


@pytest.mark.usefixtures("tool_environ")
def test_a_module_that_no_longer_imports_rolls_the_rebuild_back(tmp_path: Path) -> None:
    old, new = require_python("3.11"), require_python("3.12")
    wheels = tmp_path / "wheels"
    _wheel(wheels, "needsdistutils", "import distutils\n")  # gone in 3.12 (PEP 632)
    env = create_venv(old.exe, tmp_path / "env")
    uv_install(env / "bin" / "python", wheels, tmp_path, "needsdistutils")
    plan = plan_rebuild(str(env), str(new.exe), no_index=True, find_links=[str(wheels)])
    assert any("import check" in op.note for op in plan.ops), plan.render()
    before, around = record(env), sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(WriteFailed, match=r"cannot import: needsdistutils \(ModuleNotFound"):
        apply(plan)
    assert diff(before, record(env)) == []  # the old environment, as it was
    assert sorted(p.name for p in tmp_path.iterdir()) == around  # no leftovers beside it


def _pypi_reachable() -> bool:
    try:
        socket.create_connection(("pypi.org", 443), timeout=5).close()
    except OSError:
        return False
    return True


@pytest.mark.slow
@pytest.mark.usefixtures("tool_environ")
def test_real_rebuild_from_38_to_313_does_not_pin_seed_packages(tmp_path: Path) -> None:
    """3.8's ensurepip seeds setuptools 56.0.0, which cannot import on 3.12+ (no distutils):
    pinning it would leave `import setuptools` broken after a "successful" rebuild."""
    old, new = real_python("3.8"), real_python("3.13")
    if old is None or new is None:
        pytest.skip("needs real Python 3.8 and 3.13 in ~/.pyenv/versions")
    if not _pypi_reachable():
        pytest.skip("needs PyPI for a setuptools that supports 3.13")
    env = tmp_path / "env"
    subprocess.run([str(old.exe), "-m", "venv", str(env)], check=True, timeout=300)
    seeded = sorted(
        p.name for p in (env / "lib" / "python3.8" / "site-packages").glob("*.dist-info")
    )
    assert any(n.startswith("setuptools-") for n in seeded), seeded
    plan = plan_rebuild(str(env), str(new.exe))
    apply(plan)
    out = subprocess.run(
        [str(env / "bin" / "python"), "-c", "import setuptools, sys; print(sys.version_info[:2])"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "(3, 13)"
    assert "setuptools" in plan.details.get("unpinned", ()), plan.render()
    assert any("not pinned" in w for w in plan.warnings), plan.warnings
