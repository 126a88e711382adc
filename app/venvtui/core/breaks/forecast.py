"""The forecast: which installer event breaks an environment, found by simulation.

Each fragile install on the env's paths (its link chain, `home`, the prefix it starts on, its
libpython), each unversioned alias in its chain, each parent env and a Python in a shared prefix
yields an installer event (`core.breaks.events`); each link the user owns on those paths yields the
user's own re-point of it (`events.user_repoint_event`). The event's changes are laid over the
real disk (`core.layout.view.Overlay`) and the start-up model (`core.startup.model.predict`) is re-run
against that view with the facts of the binary the event leaves (`events.facts_after`); an
event that makes the env worse is a forecast, one that leaves it as it is goes to `survives`
(never both for one event).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from venvtui.core.base.models import Environment
from venvtui.core.base.options import DEFAULT_OPTIONS, Options
from venvtui.core.base.paths import inside
from venvtui.core.base.stability import Install, find_install, unversioned_alias
from venvtui.core.breaks.breakage import FixAction
from venvtui.core.breaks.events import (
    Event,
    UnknownInstallError,
    bump_patch,
    env_delete_event,
    facts_after,
    nix_profile_of,
    nix_upgrade_event,
    remove_path_event,
    repoint_event,
    shared_prefix,
    system_uninstall_event,
    uninstall_event,
    upgrade_event,
    upgrade_target,
    user_links,
    user_repoint_event,
)
from venvtui.core.breaks.nesting import base_facts, env_home, parent_env_of
from venvtui.core.breaks.status import Forecast
from venvtui.core.layout.elfdeps import check_libs
from venvtui.core.layout.view import REAL, Overlay, View, snapshot_memo
from venvtui.core.startup.model import RANK, Start, predict
from venvtui.core.startup.runtime import Runtime


@dataclass(frozen=True, slots=True)
class Survival:
    """An event the env comes through unchanged."""

    event: str  # "`brew upgrade python@3.12` and `brew cleanup` in /home/linuxbrew/.linuxbrew"
    kind: str
    target: str  # the install root, alias or link the event acts on

    def __str__(self) -> str:
        return self.event

    def to_json(self) -> dict[str, Any]:
        return {"event": self.event, "kind": self.kind, "target": self.target}


def stable_alternative(inst: Install) -> str | None:
    if inst.installer == "homebrew":
        return os.path.join(inst.container, "opt", inst.name, "bin", f"python{inst.minor}")
    if inst.installer == "uv" and inst.name:
        return os.path.join(
            inst.container, f"cpython-{inst.minor}-{inst.name}", "bin", f"python{inst.minor}"
        )
    if inst.installer == "mise":
        return os.path.join(inst.container, inst.minor, "bin", f"python{inst.minor}")
    return None


_OUTLIVED = ("patch-upgrade", "minor-upgrade", "repoint")


def _forecast_fix(
    env: Environment, ev: Event, after: Start, inst: Install | None
) -> tuple[str, FixAction | None, FixAction | None]:
    """The fix as text (the CLI's commands), and as actions: what to do before the event, and
    what to do after it (`python` None: an interpreter the user picks)."""
    codes = after.codes
    if "B3" in codes and after.status == "drift":
        pinned = f"python{after.recorded_minor}"
        return (
            f"a minor change needs a rebuild: `venvtui rebuild {env.path} --python "
            f"{pinned}` (pins the versioned name) before it happens",
            FixAction("rebuild", env.path, pinned),
            None,
        )
    stable = stable_alternative(inst) if inst else None
    before = (
        f"before it, re-anchor on the stable {stable}: `venvtui repair {env.path} --python {stable}`"
        if stable
        else None
    )
    # re-anchoring on the install's stable path outlives its upgrades, not its removal
    early = FixAction("repair", env.path, stable) if stable and ev.kind in _OUTLIVED else None
    if ev.kind == "repoint":
        return (
            f"before re-pointing it, ask `venvtui whatif repoint {ev.target} --to <new> "
            f"--remove-old`; re-anchor on a path an installer maintains: "
            f"`venvtui repair {env.path} --python <that path>`",
            FixAction("repair", env.path),
            None,
        )
    if ev.new_root and ev.kind == "patch-upgrade":
        minor = inst.minor if inst else (after.running_minor or "X.Y")
        new_python = f"{ev.new_root}/bin/python{minor}"
        after_fix = (
            f"after it, `venvtui repair {env.path} --python {new_python}` "
            f"(or delete {env.path}/bin/python* and run `python{minor} -m venv --upgrade`)"
        )
        late = FixAction("repair", env.path, new_python)
    elif "B2" in codes or "B2'" in codes:
        after_fix = f"after it, `venvtui repair {env.path}` (`venv --upgrade` also fixes home)"
        late = FixAction("repair", env.path)
    else:
        after_fix = f"after it, `venvtui rebuild {env.path} --python <another interpreter>`"
        late = FixAction("rebuild", env.path)
    return "; ".join(x for x in (before, after_fix) if x), early, late


def _aliases(env: Environment, start: Start) -> list[str]:
    """Unversioned public links in the chain (outside the env and any install's own tree)."""
    out: list[str] = []
    if start.chain is None:
        return out
    for hop in start.chain.hops:
        if hop.kind != "link" or inside(hop.path, env.path):
            continue
        if find_install(hop.path) is not None or parent_env_of(REAL, hop.path, env.path):
            continue
        if unversioned_alias(hop.path) and hop.path not in out:
            out.append(hop.path)
    return out


def start_paths(
    env: Environment, start: Start, view: View = REAL, compiled_prefix: str | None = None
) -> tuple[str, ...]:
    """Every path `env` runs through as `start` predicts it: its link chain (and its realpath),
    `home`, the prefix it starts on and the one it should, the base's compiled PREFIX when
    given, and its binary's libpython."""
    paths: list[str] = []
    if start.chain is not None:
        paths.extend(h.path for h in start.chain.hops)
        paths.append(start.chain.realpath)
    home = env_home(env)
    if home:
        paths.extend((home, view.realpath(home)))
    for p in (start.prefix, start.expected_prefix):
        if p:
            paths.extend((p, view.realpath(p)))
    if compiled_prefix:
        paths.append(compiled_prefix)
    if start.chain is not None and start.chain.ok:
        libs = check_libs(start.chain.final, view=view)
        if libs is not None:
            paths.extend(v for k, v in libs.found.items() if k.startswith("libpython"))
    return tuple(dict.fromkeys(paths))


def _installs(env: Environment, start: Start, base: Runtime, view: View = REAL) -> list[Install]:
    paths = start_paths(env, start, view, base.compiled_prefix)
    found: dict[str, Install] = {}
    for p in paths:
        inst = find_install(p)
        if inst is not None and inst.root not in found and view.exists(inst.root):
            found[inst.root] = inst
    return list(found.values())


def _next_free(inst: Install) -> str:
    """The next patch version with no install beside `inst` yet (one may already be there)."""
    memo = snapshot_memo()
    key = ("next_free", inst)
    if memo is None:
        return _find_next_free(inst)
    if key not in memo:
        memo[key] = _find_next_free(inst)
    return str(memo[key])


def _find_next_free(inst: Install) -> str:
    to = bump_patch(inst.version)
    for _ in range(50):
        probe = upgrade_target(inst, to)
        if not os.path.lexists(probe):
            break
        to = bump_patch(to)
    return to


def _chain_paths(env: Environment, start: Start) -> list[str]:
    paths: list[str] = []
    if start.chain is not None:
        paths.extend(h.path for h in start.chain.hops)
    home = env_home(env)
    if home:
        paths.append(home)
    return paths


def candidate_events(
    env: Environment, start: Start, base: Runtime, parents: Sequence[str] = ()
) -> list[tuple[Event, Install | None]]:
    known = [h.path for h in start.chain.hops] if start.chain is not None else []
    events: list[tuple[Event, Install | None]] = []
    for inst in _installs(env, start, base):
        profile = (
            nix_profile_of(REAL, inst, known + _chain_paths(env, start))
            if inst.installer == "nix"
            else None
        )
        if profile is not None:
            # rooted by a profile: it goes only by a profile upgrade and a GC
            with contextlib.suppress(UnknownInstallError):
                events.append((nix_upgrade_event(inst, *profile), inst))
            continue
        if inst.installer in ("homebrew", "uv", "mise"):
            with contextlib.suppress(UnknownInstallError):  # not a version it can bump
                events.append((upgrade_event(inst, _next_free(inst), known_links=known), inst))
        events.append((uninstall_event(inst, known_links=known), inst))
    if start.chain is not None and start.chain.ok and start.running_minor and not start.copied:
        real = start.chain.realpath
        prefix = start.expected_prefix
        if find_install(real) is None and prefix and shared_prefix(prefix):
            events.append((system_uninstall_event(real, prefix, start.running_minor), None))
        elif find_install(real) is None and prefix and not parent_env_of(REAL, real, env.path):
            # a prefix no installer owns (./configure --prefix=/opt/py/3.12.1, a tool cache):
            # it goes only when someone removes it
            gone = remove_path_event(prefix)
            events.append((dataclasses.replace(gone, text=f"removing the install {prefix}"), None))
    aliases = _aliases(env, start)
    prefix = start.expected_prefix
    if prefix and REAL.isdir(os.path.join(prefix, "conda-meta")):
        # conda replaces the prefix's python on a minor install, whatever name the env used
        aliases.append(os.path.join(prefix, "bin", "python3"))
    for alias in dict.fromkeys(aliases):
        ev = repoint_event(alias)
        if ev is not None:
            events.append((ev, None))
    for link in user_links(REAL, _chain_paths(env, start), env.path):
        ev = user_repoint_event(link)
        if ev is not None:
            events.append((ev, None))
    for par in parents:
        events.append((env_delete_event(par), None))
    return events


def facts_in(
    view: View,
    python: str | None,
    base: Runtime,
    *,
    spawn: bool,
    options: Options = DEFAULT_OPTIONS,
) -> Runtime:
    """The facts `predict` needs in `view`: those of the binary the event leaves (another
    real binary is probed, or read from the probe cache)."""
    after = facts_after(view, python, base)
    if after is not None:
        return after
    real = view.realpath(python) if python else None
    if real is not None and view.source_of(real) == real and os.path.isfile(real):
        return base_facts(real, spawn=spawn, options=options)
    return base  # a synthesized binary: the model assumes its own install's PREFIX


def _overlay(ev: Event) -> Overlay:
    """The event's overlay, one per event within a snapshot: the envs on an install share it
    and its answers."""
    memo = snapshot_memo()
    if memo is None:
        return ev.overlay()
    key = ("overlay", ev)
    ov = memo.get(key)
    if not isinstance(ov, Overlay):
        ov = memo[key] = ev.overlay()
    return ov


def run_forecast(
    env: Environment,
    now: Start,
    base: Runtime,
    parents: Sequence[str] = (),
    *,
    spawn: bool = False,
    options: Options = DEFAULT_OPTIONS,
) -> tuple[list[Forecast], list[Survival]]:
    """Each candidate event's outcome for `env` (see the module doc); `spawn`: another binary
    an event leaves may be probed when the probe cache does not know it."""
    forecasts: list[Forecast] = []
    survives: list[Survival] = []
    events = candidate_events(env, now, base, parents)
    for ev, inst in events:
        ov = _overlay(ev)
        after = predict(
            ov,
            env.path,
            env.python,
            env.cfg,
            facts_in(ov, env.python, base, spawn=spawn, options=options),
        )
        if RANK[after.status] > RANK[now.status]:
            verb = (
                "breaks"
                if after.status == "broken"
                else ("drifts" if after.status == "drift" else "gets misbound")
            )
            when = "after" if ev.kind == "patch-upgrade" else "on"
            if ev.kind in ("minor-upgrade", "env-delete", "repoint"):
                when = "when"
            fix, early, late = _forecast_fix(env, ev, after, inst)
            forecasts.append(
                Forecast(
                    f"{verb} {when} {ev.text}",
                    ev.kind,
                    after.status,
                    after.summary(),
                    fix,
                    ev.target,
                    early,
                    late,
                )
            )
        elif after.status == now.status:
            survives.append(Survival(ev.text, ev.kind, ev.target))
    kept = {
        ev.target: ev.text
        for ev, _ in events
        if ev.kind == "patch-upgrade"
        and not ev.removes_old
        and any(s.event == ev.text for s in survives)
    }
    for i, f in enumerate(forecasts):
        if f.kind == "uninstall" and f.target in kept:
            # uv: the env is pinned to the patch install, which an upgrade leaves in place
            event = f"{f.event}; {kept[f.target]} keeps it"
            forecasts[i] = dataclasses.replace(f, event=event)
        elif f.kind == "patch-upgrade" and "brew cleanup" in f.event:
            why = f"{f.why} (HOMEBREW_NO_INSTALL_CLEANUP=1 only postpones it to the next cleanup)"
            forecasts[i] = dataclasses.replace(f, why=why)
    # one answer per event: an event both forecast and survived cannot be
    forecast_events = {(f.kind, f.target) for f in forecasts}
    seen: set[tuple[str, str, str]] = set()
    unique: list[Survival] = []
    for sv in survives:
        key = (sv.kind, sv.target, sv.event)
        if key in seen or (sv.kind, sv.target) in forecast_events:
            continue
        seen.add(key)
        unique.append(sv)
    return forecasts, unique
