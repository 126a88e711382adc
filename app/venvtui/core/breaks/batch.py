"""Diagnose many environments at once: one reading of the disk, the confirming runs in parallel.

The static part of every diagnosis (`health.examine`) runs in the calling thread inside one
`view.snapshot()`, so the envs sharing a base install share its answers: its chain, stdlib
landmarks, runtime facts, installer events and their overlays are worked out once per install,
not once per env. The confirming runs (each env's python, through `core.base.proc`: its own
session, a real timeout) then go to a bounded pool; the answers come back in the order of
`envs`, whatever order the runs finish in. When the runs may probe (`confirm`), the bases the
probe cache does not know yet are probed first, in parallel, instead of one after another as
the static pass meets them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence

from venvtui.core.base.errors import VenvtuiError
from venvtui.core.base.models import Environment
from venvtui.core.base.options import DEFAULT_OPTIONS, Options
from venvtui.core.breaks.health import Diagnosis, Examined, Observed, conclude, examine, observe
from venvtui.core.installed import probe as probe_mod
from venvtui.core.layout.view import REAL, Snapshot, snapshot
from venvtui.core.startup.runtime import runtime_for


def confirm_workers() -> int:
    """How many envs' pythons run at once: min(4, CPUs) (each run is a process start)."""
    return max(1, min(4, os.cpu_count() or 1))


def diagnose_many(
    envs: Sequence[Environment],
    *,
    confirm: bool = True,
    options: Options = DEFAULT_OPTIONS,
    forecast: bool = True,
    workers: int | None = None,
) -> list[Diagnosis]:
    """`health.diagnose` of each of `envs`, in their order (see module doc)."""
    with snapshot():
        if confirm:
            warm_bases(envs, options)
        found = [examine(env, spawn=confirm, forecast=forecast, options=options) for env in envs]
    return confirmed(found, confirm=confirm, options=options, workers=workers)


def warm_bases(envs: Iterable[Environment], options: Options = DEFAULT_OPTIONS) -> None:
    """Probe the base binaries of `envs` the probe cache does not know, `options.concurrency`
    at once (each probe is a process start); the static pass then reads them from the cache."""
    if not options.use_cache:
        return  # nothing would keep the answers
    bases = dict.fromkeys(
        REAL.realpath(env.python)
        for env in envs
        if env.kind == "venv" and env.python and REAL.exists(env.python)
    )
    cold = [b for b in bases if probe_mod.cached(b) is None]
    if len(cold) < 2:
        return  # the static pass probes a single one as fast
    from concurrent.futures import ThreadPoolExecutor  # start-up: only when probing (logging)

    with ThreadPoolExecutor(
        max_workers=max(1, min(options.concurrency, len(cold))),
        thread_name_prefix="venvtui-base-probe",
    ) as pool:
        list(pool.map(lambda b: runtime_for(b, spawn=True, options=options), cold))


def confirmed(
    found: Sequence[Examined],
    *,
    confirm: bool,
    options: Options = DEFAULT_OPTIONS,
    workers: int | None = None,
) -> list[Diagnosis]:
    """The diagnoses of `found`, each env's python run first when `confirm` (in a pool of
    `workers`, default `confirm_workers()`), in the order of `found`."""
    if not confirm:
        return [conclude(ex, None) for ex in found]

    def run(ex: Examined) -> Observed | None:
        return observe(ex.env, ex.static, timeout=options.probe_timeout) if ex.runnable else None

    todo = [ex for ex in found if ex.runnable]
    n = max(1, min(workers or confirm_workers(), len(todo)))
    from concurrent.futures import ThreadPoolExecutor  # start-up: only when confirming (logging)

    with ThreadPoolExecutor(max_workers=n, thread_name_prefix="venvtui-confirm") as pool:
        observed = list(pool.map(run, found))  # map keeps the order of `found`
    return [conclude(ex, obs) for ex, obs in zip(found, observed, strict=True)]


def examine_each(
    envs: Iterable[Environment],
    *,
    spawn: bool = False,
    forecast: bool = True,
    options: Options = DEFAULT_OPTIONS,
    per_snapshot: int = 500,
) -> Iterator[tuple[Environment, Examined | VenvtuiError]]:
    """`examine` each env as it comes (a scan showing rows as they are found), sharing one
    snapshot's answers across `per_snapshot` envs; an env that cannot be examined comes with
    its error."""
    memo = Snapshot()
    for i, env in enumerate(envs):
        if i and i % per_snapshot == 0:
            memo = Snapshot()  # a long scan re-reads the disk now and then
        found: Examined | VenvtuiError
        try:
            with snapshot(memo):
                found = examine(env, spawn=spawn, forecast=forecast, options=options)
        except VenvtuiError as exc:
            found = exc
        yield env, found
