"""Compare venvtui's answers with what really happens, one event at a time.

For a scenario (a layout, envs made by the real creators, one real-world event): venvtui's static
diagnosis (with the base interpreter probed, as `venvtui doctor` does), forecast and what-if
are taken before the event; the event is performed on disk;
every env's python is run before and after (tests/health/oracle.py); the static diagnosis is
taken again after. Each answer is recorded as agreeing or not, per answer kind, in a JSON-lines
file the terminal summary turns into the agreement table (conftest.py).
"""

from __future__ import annotations

import io
import json
import os
import shutil
from collections.abc import Callable, Sequence
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.core.test_readlog import tick_past
from tests.health.oracle import actual_status
from venvtui.cli.main import main
from venvtui.core.base import readlog
from venvtui.core.base.models import Environment
from venvtui.core.breaks.health import diagnose
from venvtui.core.installed.envs import load_environment

KINDS = (
    "doctor static, before",
    "doctor static, after",
    "forecast (made before)",
    "whatif (asked before)",
    "no impossible event forecast",
    "event can be asked",
    "doctor kept answer, after the event",
)

RESULTS_NAME = "realworld-agreement.jsonl"


@dataclass
class Scenario:
    name: str
    thread: str  # the public report the layout comes from
    envs: dict[str, Path]
    perform: Callable[[], None]
    # does this forecast entry name the event performed, for this env?
    names_event: Callable[[Any, str], bool]
    # the same question asked with `venvtui whatif` (None: it cannot be asked)
    whatif: Callable[[list[Environment]], Any] | None
    # forecast entries naming an event no installer performs on this layout
    impossible: Callable[[Any], bool] = lambda f: False
    rows: list[dict[str, Any]] = field(default_factory=list)


def _record(sc: Scenario, env: str, kind: str, agree: bool, detail: str) -> None:
    row = {"scenario": sc.name, "thread": sc.thread, "env": env, "kind": kind, "agree": agree}
    sc.rows.append({**row, "detail": detail})


def _doctor(paths: list[str], *flags: str) -> dict[str, object]:
    """`venvtui [flags] doctor --no-confirm --json PATHS`: each env's entry by path."""
    out = io.StringIO()
    with redirect_stdout(out):
        main([*flags, "doctor", "--no-confirm", "--json", *paths])
    return {e["path"]: e for e in json.loads(out.getvalue())["environments"]}


def run(sc: Scenario, results: Path) -> Scenario:
    loaded = {n: load_environment(str(p)) for n, p in sc.envs.items()}
    before_diag = {n: diagnose(e) for n, e in loaded.items()}
    before = {n: actual_status(p) for n, p in sc.envs.items()}
    wi = None
    if sc.whatif is not None:
        wi = sc.whatif(list(loaded.values()))
    # `venvtui doctor --no-confirm` keeps its answer (files made moments ago may be kept here);
    # after the event, the answer it prints must be the one it computes afresh. Whether the
    # kept answer was printed (every read answered as before) or computed again (something
    # read changed: the event, or /tmp above the scenario) is noted with each row.
    paths = [str(p) for p in sc.envs.values()]
    racy, readlog.RACY_NS = readlog.RACY_NS, 0
    try:
        _doctor(paths)
        kept_before = _answer_file()
        # the clock file beside the cache, not in /tmp: a directory above the scenario that
        # changed would make every kept answer computed again
        tick_past(Path(os.environ["XDG_CACHE_HOME"]) / "clock")
        sc.perform()
        kept_after = _doctor(paths)
        used = kept_before is not None and _answer_file() == kept_before
        shutil.rmtree(_answers_dir(), ignore_errors=True)
        fresh_after = _doctor(paths)  # computed afresh, with the same probe cache
    finally:
        readlog.RACY_NS = racy
    after = {n: actual_status(p) for n, p in sc.envs.items()}
    after_diag = {n: diagnose(load_environment(str(p))) for n, p in sc.envs.items()}
    for n in sc.envs:
        b, a = before[n].status, after[n].status
        sb, sa = before_diag[n].static.status, after_diag[n].static.status
        _record(sc, n, KINDS[0], sb == b, f"model {sb}, ran {b} ({before[n].detail[-160:]})")
        _record(sc, n, KINDS[1], sa == a, f"model {sa}, ran {a} ({after[n].detail[-160:]})")
        fc = [f for f in before_diag[n].forecast if sc.names_event(f, n)]
        if a != b:
            ok = bool(fc) and fc[0].result == a
            said = f"{fc[0].event} -> {fc[0].result}" if fc else "nothing"
        else:
            ok = not fc
            said = f"{fc[0].event} -> {fc[0].result}" if fc else "nothing (or survives)"
        _record(sc, n, KINDS[2], ok, f"went {b} -> {a}; forecast: {said}")
        if wi is not None:
            rows = [r for r in wi.environments if r.path == loaded[n].path]
            if rows:
                ok = rows[0].status_after == a and rows[0].status_before == b
                said = f"{rows[0].status_before} -> {rows[0].status_after}"
            else:
                ok = a == b
                said = "not listed"
            _record(sc, n, KINDS[3], ok, f"went {b} -> {a}; whatif: {said}")
        _record(sc, n, KINDS[5], sc.whatif is not None, "")
        bad = [f.event for f in before_diag[n].forecast if sc.impossible(f)]
        _record(sc, n, KINDS[4], not bad, "; ".join(bad))
        p = str(sc.envs[n])
        same = kept_after.get(p) == fresh_after.get(p)
        how = "kept answer printed" if used else "computed again"
        _record(
            sc,
            n,
            KINDS[6],
            same,
            f"{how}"
            if same
            else f"{how}: {kept_after.get(p)!r:.300} != {fresh_after.get(p)!r:.300}",
        )
    with open(results, "a", encoding="utf-8") as fh:
        for row in sc.rows:
            fh.write(json.dumps(row) + "\n")
    return sc


def _answers_dir() -> Path:
    return Path(os.environ["XDG_CACHE_HOME"]) / "venvtui" / "answers"


def _answer_file() -> tuple[int, int] | None:
    """(inode, mtime) of the one kept answer, None when none is kept: a kept answer printed
    again leaves it as it is; one computed again is written anew."""
    found = list(_answers_dir().glob("*.json")) if _answers_dir().is_dir() else []
    if len(found) != 1:
        return None
    st = found[0].stat()
    return st.st_ino, st.st_mtime_ns


def problems(sc: Scenario, kinds: Sequence[str] = (*KINDS[2:5], KINDS[6])) -> list[str]:
    """Disagreements on `kinds`: a kept answer that is not the fresh one, and for envs whose
    start-up today the static model gets right, the forecast's (a wrong start-up model is
    recorded in the table, and is not the forecast's to answer for)."""
    right_now = {r["env"] for r in sc.rows if r["kind"] == KINDS[0] and r["agree"]}
    return [
        f"{sc.name}/{r['env']}: {r['kind']}: {r['detail']}"
        for r in sc.rows
        if r["kind"] in kinds
        and not r["agree"]
        and (r["env"] in right_now or r["kind"] == KINDS[6])
    ]


def table(rows: Sequence[dict[str, Any]]) -> str:
    out = ["| answer | agree / total |", "|---|---|"]
    for kind in KINDS:
        sel = [r for r in rows if r["kind"] == kind]
        if sel:
            out.append(f"| {kind} | {sum(r['agree'] for r in sel)}/{len(sel)} |")
    kept = [r for r in rows if r["kind"] == KINDS[6]]
    if kept:
        printed = sum(r["detail"].startswith("kept answer printed") for r in kept)
        out.append(f"\n(kept answer printed after the event for {printed} of {len(kept)} envs)")
    scen = sorted({r["scenario"] for r in rows})
    out.append(f"\n{len(scen)} scenarios, {len({(r['scenario'], r['env']) for r in rows})} envs")
    return "\n".join(out)


def results_file(basetemp: Path) -> Path:
    """One file for the whole run (xdist workers write beside their own basetemp)."""
    root = basetemp.parent if basetemp.name.startswith("popen-gw") else basetemp
    return root / RESULTS_NAME


def unset(*names: str) -> dict[str, str | None]:
    return {n: os.environ.pop(n, None) for n in names}
