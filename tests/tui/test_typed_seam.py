"""The TUI's seam to the core is typed: a misspelt core attribute in the facade fails mypy.

The facade (`tui/core_service.py`) is copied with one attribute of a core result misspelt
(`d.status` -> `d.statuss`, a `Diagnosis` from `core.breaks.health.diagnose`) and type-checked with
the project's configuration; the unchanged copy is checked too, so the failure is the typo's.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FACADE = ROOT / "app" / "venvtui" / "tui" / "core_service.py"

pytestmark = pytest.mark.slow


def _mypy(source: str, tmp_path: Path, name: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / f"{name}.py"
    path.write_text(source)
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"), str(path)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )


def test_a_misspelt_core_attribute_fails_type_checking(tmp_path: Path) -> None:
    source = FACADE.read_text()
    assert re.search(r"\bd\.status\b", source), "the facade no longer reads Diagnosis.status"
    clean = _mypy(source, tmp_path, "facade_copy")
    assert clean.returncode == 0, clean.stdout
    mutant = _mypy(re.sub(r"\bd\.status\b", "d.statuss", source, count=1), tmp_path, "mutant")
    assert mutant.returncode != 0
    assert '"Diagnosis" has no attribute "statuss"' in mutant.stdout, mutant.stdout
