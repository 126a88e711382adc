"""A per-test alarm: a read or a run that hangs fails the test instead of blocking the suite."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from types import FrameType

import pytest

HANG_SECONDS = 60  # generous: only a real hang reaches it


class Hung(Exception):
    pass


@pytest.fixture
def no_hang() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_alarm(signum: int, frame: FrameType | None) -> None:
        raise Hung(f"test still running after {HANG_SECONDS}s: it hangs")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(HANG_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
