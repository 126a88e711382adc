"""Suite-wide fixtures: keep the developer's own caches and config out of every test."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis.configuration import set_hypothesis_home_dir

# Hypothesis keeps its example database and caches under pytest's cache dir, not as a new
# top-level directory of the checkout.
_CACHE = Path(__file__).resolve().parent.parent / ".pytest_cache"
set_hypothesis_home_dir(_CACHE / "hypothesis")
# A directory whose ancestors no other test touches, one per xdist worker, made before any
# test runs: for tests that need every directory above their files to stay as it was (kept
# answers are checked by the stat of each of them). Not below /tmp, which other tests and
# tools change all the time, nor below the checkout, which may itself be below /tmp.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


def _quiet_base() -> Path:
    for base in (Path("/var/tmp") / f"venvtui-tests-{os.getuid()}", _CACHE / "quiet"):
        try:
            (base / _WORKER).mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        return base / _WORKER
    raise RuntimeError("no writable directory for quiet_path")


_QUIET = _quiet_base()
(_CACHE / "hypothesis").mkdir(parents=True, exist_ok=True)


@pytest.fixture
def quiet_path() -> Iterator[Path]:
    """A fresh directory under `_QUIET`, removed afterwards."""
    path = Path(tempfile.mkdtemp(dir=_QUIET))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(autouse=True)
def _isolate_user_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Point XDG cache/config/data dirs at a per-test scratch dir so the probe cache and tool
    caches of the person running the tests are neither read nor written. HOME is left alone:
    tests that scan HOME set their own."""
    base = tmp_path_factory.mktemp("xdg")
    for var, sub in (
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
    ):
        d = Path(base) / sub
        d.mkdir()
        monkeypatch.setenv(var, str(d))
    for var in (
        "VIRTUAL_ENV",
        "PYTHONHOME",
        "PYTHONPATH",
        "UV_PYTHON_INSTALL_DIR",
        "UV_TOOL_DIR",
        "WORKON_HOME",
    ):
        monkeypatch.delenv(var, raising=False)
    yield
