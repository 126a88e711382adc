"""The background confirmation's pool: answers in the rows' order, a bounded number at once."""

from __future__ import annotations

import threading

import pytest

from venvtui.tui.pool import in_order


def test_answers_come_in_the_order_given_with_at_most_workers_at_once() -> None:
    running = 0
    most = 0
    lock = threading.Lock()
    release = threading.Semaphore(0)

    def fn(x: int) -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        # later items finish first: each waits until the one after it was let through
        release.acquire(timeout=0.02)
        with lock:
            running -= 1
        release.release()
        return x * 10

    assert list(in_order(fn, list(range(40)), workers=3, cancelled=lambda: False)) == [
        x * 10 for x in range(40)
    ]
    assert 1 <= most <= 3


def test_an_error_is_raised_at_its_item() -> None:
    def fn(x: int) -> int:
        if x == 3:
            raise ValueError("three")
        return x

    got: list[int] = []
    with pytest.raises(ValueError, match="three"):
        for v in in_order(fn, list(range(6)), workers=2, cancelled=lambda: False):
            got.append(v)
    assert got == [0, 1, 2]


def test_once_cancelled_it_stops_waiting_and_starts_nothing_new() -> None:
    gate = threading.Event()
    calls: list[int] = []

    def fn(x: int) -> int:
        calls.append(x)
        gate.wait(5)
        return x

    assert list(in_order(fn, list(range(10)), workers=2, cancelled=lambda: True)) == []
    gate.set()  # the two calls in progress end; no third one starts
    assert len(calls) <= 2
