"""Fixtures for the TUI tests: the app on the real core (on the machine of `machine.py`, or on
environments a test makes), helpers to wait for work."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.worker import WorkerCancelled, WorkerFailed

from tests.tui.machine import Machine, MachineService, machine_or_skip
from venvtui.tui.app import VenvtuiApp
from venvtui.tui.core_service import CoreService, interpreter_row
from venvtui.tui.screens.wizard import CreateWizard
from venvtui.tui.services import Cancelled
from venvtui.tui.views import InterpreterRow


def machine_app(machine: Machine) -> VenvtuiApp:
    """The app on the real core over `machine`, made deterministic for snapshots."""
    app = VenvtuiApp(MachineService(context=machine.context()), cursor_blink=False)
    app.animation_level = "none"
    return app


@pytest.fixture
def machine(monkeypatch: pytest.MonkeyPatch) -> Machine:
    """The shared real-tools machine (built once), with HOME and PATH pointing at it."""
    m = machine_or_skip()
    for key, value in m.environ().items():
        if key != "XDG_CACHE_HOME":
            monkeypatch.setenv(key, value)
    monkeypatch.chdir(m.home)
    return m


async def settle(pilot: Pilot[None], *, timeout: float = 60.0) -> None:
    """Wait until every worker (scan, sizes, details, plans) is done and the screen is idle."""
    app = pilot.app
    for _ in range(3):
        await pilot.pause()
        # One by one: a worker that failed (the app reports it) must not stop the wait for
        # the others, which `wait_for_complete` does when it still holds the failed one.
        for worker in list(app.workers):
            with contextlib.suppress(WorkerFailed, WorkerCancelled):
                await worker.wait()
    await pilot.pause()


async def open_wizard(pilot: Pilot[None]) -> CreateWizard:
    """Press `n` on the main screen and return the create wizard it opens."""
    await pilot.press("n")
    await settle(pilot)
    wizard = pilot.app.screen
    assert isinstance(wizard, CreateWizard)
    return wizard


class PinnedService(CoreService):
    """The real core, with the interpreter list pinned to given executables (each found by
    `discovery.interpreter_for`) and environments scanned under given roots only."""

    def __init__(self, pythons: Sequence[str], env_roots: Sequence[str], cwd: str) -> None:
        super().__init__(env_roots=env_roots)
        self.pythons = list(pythons)
        self.cwd = cwd

    def default_destination(self) -> str:
        return os.path.join(self.cwd, ".venv")

    def iter_interpreters(self, cancelled: Cancelled) -> Iterator[InterpreterRow]:
        from venvtui.core.installed.interpreters import interpreter_for

        for python in self.pythons:
            if cancelled():
                return
            yield interpreter_row(interpreter_for(python))


@pytest.fixture
def real_312() -> str:
    """A real CPython 3.12 (else 3.11, 3.13) from ~/.pyenv/versions, or skip."""
    from tests.layouts import real_python

    for minor in ("3.12", "3.11", "3.13"):
        rp = real_python(minor)
        if rp is not None:
            return str(rp.exe)
    pytest.skip("no CPython 3.11-3.13 under ~/.pyenv/versions")


@pytest.fixture
def tool_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch dir used as HOME too, so nothing of the developer's machine leaks in."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + "/usr/bin:/bin")
    return tmp_path
