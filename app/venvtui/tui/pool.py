"""Run a function over items a few at a time, in daemon threads, answers in the items' order.

For the background confirmation of every row: each env's python is run through the core's
`proc` (own session, real timeout); a few at once keep the CPUs busy without starting a process
per env at once. Daemon threads, so quitting never waits for a run in progress.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def in_order(
    fn: Callable[[T], R],
    items: Sequence[T],
    *,
    workers: int,
    cancelled: Callable[[], bool],
) -> Iterator[R]:
    """`fn(item)` for each of `items`, at most `workers` at once, yielded in the order of
    `items`; once `cancelled()` (or the consumer stops), no new call starts. An exception
    raised by `fn` is raised here, at its item."""
    done: dict[int, tuple[bool, R | BaseException]] = {}
    cond = threading.Condition()
    todo = iter(range(len(items)))
    stop = threading.Event()

    def work() -> None:
        while not stop.is_set():
            with cond:
                i = next(todo, None)
            if i is None:
                return
            try:
                out: tuple[bool, R | BaseException] = (True, fn(items[i]))
            except BaseException as exc:  # handed to the consumer
                out = (False, exc)
            with cond:
                done[i] = out
                cond.notify_all()

    for _ in range(max(1, min(workers, len(items)))):
        threading.Thread(target=work, daemon=True, name="venvtui-pool").start()
    try:
        for i in range(len(items)):
            with cond:
                while i not in done:
                    if cancelled():
                        return
                    cond.wait(0.05)
                ok, value = done.pop(i)
            if not ok:
                assert isinstance(value, BaseException)
                raise value
            yield value  # type: ignore[misc]
    finally:
        stop.set()
