"""What-if without touching the disk, and the reverse index.

`whatif_remove` / `whatif_upgrade` build the installer's event for one named install,
`whatif_repoint` the user's re-point of a link (`core.breaks.events`), and compare every dependent env's
start-up before and after it (`core.startup.model.predict` over the real disk and over the event's
overlay, with the facts of the binary the event leaves). `ask(Question)` is the one entry the
CLI and the TUI share. `dependents` lists, for each interpreter, the envs that run through its
install.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from venvtui.core.base.errors import NotFoundError
from venvtui.core.base.models import Environment, Interpreter, exe_minor, minor_of
from venvtui.core.base.options import DEFAULT_OPTIONS, Options
from venvtui.core.base.paths import inside
from venvtui.core.base.stability import Install, find_install
from venvtui.core.breaks.events import (
    Event,
    UnknownInstallError,
    bump_patch,
    install_for,
    nix_profile_of,
    nix_upgrade_event,
    remove_path_event,
    repoint_event,
    repoint_to_event,
    shared_prefix,
    system_uninstall_event,
    uninstall_event,
    upgrade_event,
    upgrade_target,
    user_links,
)
from venvtui.core.breaks.forecast import facts_in, start_paths
from venvtui.core.breaks.nesting import base_facts, env_home
from venvtui.core.layout.view import REAL, View, search_up
from venvtui.core.startup.model import Status, predict
from venvtui.core.startup.runtime import Runtime


@dataclass(frozen=True, slots=True)
class WhatIfResult:
    path: str
    status_before: Status
    status_after: Status
    why: str

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "status_before": self.status_before,
            "status_after": self.status_after,
            "why": self.why,
        }


@dataclass(frozen=True, slots=True)
class WhatIf:
    event: Event
    environments: tuple[WhatIfResult, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "event": self.event.text,
            "kind": self.event.kind,
            "target": self.event.target,
            "changes": [c.describe() for c in self.event.changes],
            "environments": [r.to_json() for r in self.environments],
        }


def env_paths(env: Environment, view: View = REAL, base: Runtime | None = None) -> tuple[str, ...]:
    """Every path `env` runs through (`forecast.start_paths` of its predicted start)."""
    return start_paths(env, predict(view, env.path, env.python, env.cfg, base), view)


def depends_on(
    env: Environment,
    root: str,
    view: View = REAL,
    base: Runtime | None = None,
    paths: Sequence[str] | None = None,
) -> bool:
    """Does `env` run through `root` (see `env_paths`), lexically or after resolving links?"""
    root = os.path.normpath(root)
    real_root = view.realpath(root)
    if paths is None:
        paths = env_paths(env, view, base)
    return any(inside(p, root) or inside(p, real_root) for p in paths)


def _touched(event: Event) -> list[str]:
    """The paths an event acts on: its target and everything it removes or re-points."""
    return list(
        dict.fromkeys(
            [event.target, *(c.path for c in event.changes if c.op in ("remove", "link"))]
        )
    )


def _whatif(
    event: Event,
    envs: Iterable[Environment],
    *,
    spawn: bool = True,
    options: Options = DEFAULT_OPTIONS,
) -> WhatIf:
    results: list[WhatIfResult] = []
    ov = event.overlay()
    roots = _touched(event)
    for env in envs:
        if env.kind != "venv":
            continue
        base = base_facts(
            env.python, spawn=spawn, options=options
        )  # the cache first; a miss is probed
        paths = env_paths(env, REAL, base)
        if not any(depends_on(env, r, REAL, base, paths) for r in roots):
            continue
        before = predict(REAL, env.path, env.python, env.cfg, base)
        after = predict(
            ov,
            env.path,
            env.python,
            env.cfg,
            facts_in(ov, env.python, base, spawn=spawn, options=options),
        )
        results.append(WhatIfResult(env.path, before.status, after.status, after.summary()))
    return WhatIf(event, tuple(results))


def _install_or_path(path: str) -> tuple[Install | None, str]:
    p = os.path.normpath(os.path.abspath(os.path.expanduser(path)))
    if not os.path.lexists(p):
        raise NotFoundError(f"{p} does not exist")
    return install_for(p), p


def whatif_remove(
    path: str,
    envs: Iterable[Environment],
    *,
    spawn: bool = True,
    options: Options = DEFAULT_OPTIONS,
) -> WhatIf:
    """Every env depending on the install at `path` (an install dir or its executable), and
    its status once the installer removes it. A path no installer owns is simply removed."""
    envs = list(envs)
    inst, p = _install_or_path(path)
    if inst is not None:
        known = [h.path for e in envs if e.chain is not None for h in e.chain.hops]
        event = uninstall_event(inst, known_links=known)
    else:
        event = remove_path_event(p)
        real = os.path.realpath(p)
        minor = exe_minor(real) if os.path.isfile(real) else None
        root = search_up(REAL, os.path.dirname(real), minor) if minor else None
        if root is not None and minor is not None:
            event = (
                system_uninstall_event(real, root, minor)
                if shared_prefix(root)
                else remove_path_event(root)
            )
    return _whatif(event, envs, spawn=spawn, options=options)


def _conda_minor_event(path: str, to_version: str) -> Event | None:
    """`conda install python=X.Y` in the conda prefix `path` (or its python) names, when
    `to_version` is the next minor version of the python there."""
    d = path if os.path.isdir(path) else os.path.dirname(path)
    for prefix in (d, os.path.dirname(d)):
        if os.path.isdir(os.path.join(prefix, "conda-meta")):
            ev = repoint_event(os.path.join(prefix, "bin", "python3"))
            want = minor_of(to_version)
            if ev is not None and want and f"python={want}`" in ev.text:
                return ev
    return None


def whatif_upgrade(
    path: str,
    to_version: str,
    envs: Iterable[Environment],
    *,
    remove_old: bool | None = None,
    spawn: bool = True,
    options: Options = DEFAULT_OPTIONS,
) -> WhatIf:
    """Every env depending on the install at `path`, and its status after the installer's
    upgrade to `to_version` (Homebrew, pyenv, uv, mise: see `core.breaks.events`)."""
    inst, p = _install_or_path(path)
    if inst is None:
        conda = _conda_minor_event(p, to_version)
        if conda is not None:
            return _whatif(conda, envs, spawn=spawn, options=options)
        raise UnknownInstallError(f"{path} is not an install venvtui knows how to upgrade")
    envs = list(envs)
    known = [h.path for e in envs if e.chain is not None for h in e.chain.hops]
    profile = nix_profile_of(REAL, inst, known + [env_home(e) or "" for e in envs])
    if inst.installer == "nix" and profile is not None:
        event = nix_upgrade_event(inst, *profile)
    else:
        event = upgrade_event(inst, to_version, remove_old=remove_old, known_links=known)
    return _whatif(event, envs, spawn=spawn, options=options)


def whatif_repoint(
    link: str,
    to: str,
    envs: Iterable[Environment],
    *,
    remove_old: bool = False,
    spawn: bool = True,
    options: Options = DEFAULT_OPTIONS,
) -> WhatIf:
    """Every env going through `link` (or, with `remove_old`, through the install it leads to
    now), and its status once `link` is re-pointed at `to` (and the old install removed): a link
    the user owns (`versions/3.12 -> 3.12.1`, `~/.local/bin/python3.11`, `/usr/local/bin/python3`),
    or a minor re-point such as `/usr/bin/python3 --to python3.12`."""
    p = os.path.normpath(os.path.abspath(os.path.expanduser(link)))
    if not os.path.lexists(p):
        raise NotFoundError(f"{p} does not exist")
    event = repoint_to_event(p, to, remove_old=remove_old)
    return _whatif(event, envs, spawn=spawn, options=options)


QuestionKind = Literal["remove", "upgrade", "repoint"]


@dataclass(frozen=True, slots=True)
class Question:
    """One what-if question: `remove` PATH, `upgrade` PATH to X.Y.Z, `repoint` LINK to TARGET
    (`remove_old`: the old install goes too; None for upgrade means the installer's default)."""

    kind: QuestionKind
    path: str
    to: str | None = None
    remove_old: bool | None = None


def questions_for(path: str, envs: Iterable[Environment]) -> tuple[Question, ...]:
    """The what-if questions an interpreter's detail offers: remove its install, upgrade it to
    the next patch its installer would lay down (`to` filled in), and re-point each link the
    user owns through which an env reaches it (`to` left for the user to choose)."""

    p = os.path.normpath(os.path.abspath(os.path.expanduser(path)))
    inst = install_for(p)
    out: list[Question] = [Question("remove", p)]
    if inst is not None:
        to = bump_patch(inst.version)
        while os.path.lexists(upgrade_target(inst, to)):
            to = bump_patch(to)
        out.append(Question("upgrade", p, to))
    root = inst.root if inst is not None else p
    links: list[str] = []
    for env in envs:
        if env.kind != "venv":
            continue
        paths = env_paths(env, REAL, base_facts(env.python, spawn=False))
        if depends_on(env, root, paths=paths):
            links.extend(user_links(REAL, paths, env.path))
    out.extend(Question("repoint", link) for link in dict.fromkeys(links))
    return tuple(out)


def ask(
    question: Question,
    envs: Iterable[Environment],
    *,
    spawn: bool = True,
    options: Options = DEFAULT_OPTIONS,
) -> WhatIf:
    """The one computation behind `venvtui whatif ...` and the TUI's interpreter detail."""
    if question.kind == "remove":
        return whatif_remove(question.path, envs, spawn=spawn, options=options)
    if not question.to:
        raise UnknownInstallError(
            f"`{question.kind}` needs a target", "give --to (X.Y.Z for upgrade, a path for repoint)"
        )
    if question.kind == "upgrade":
        return whatif_upgrade(
            question.path,
            question.to,
            envs,
            remove_old=question.remove_old,
            spawn=spawn,
            options=options,
        )
    return whatif_repoint(
        question.path,
        question.to,
        envs,
        remove_old=bool(question.remove_old),
        spawn=spawn,
        options=options,
    )


@dataclass(frozen=True, slots=True)
class Dependents:
    interpreter: str
    install_dir: str
    environments: tuple[str, ...]

    @property
    def safe_to_remove(self) -> bool:
        return not self.environments

    def to_json(self) -> dict[str, Any]:
        return {
            "interpreter": self.interpreter,
            "install_dir": self.install_dir,
            "environments": list(self.environments),
            "safe_to_remove": self.safe_to_remove,
        }


def dependents(
    interpreters: Iterable[Interpreter], envs: Iterable[Environment]
) -> list[Dependents]:
    """The reverse index: for each interpreter, the envs that run through its install (via
    `home`, the link chain including directory links, or the stdlib they start on)."""
    envs = [e for e in envs if e.kind == "venv"]
    paths = {e.path: env_paths(e, REAL, base_facts(e.python, spawn=False)) for e in envs}
    out: list[Dependents] = []
    for interp in interpreters:
        inst = find_install(interp.real_path)
        root = inst.root if inst else interp.install_dir
        deps = tuple(e.path for e in envs if depends_on(e, root, paths=paths[e.path]))
        out.append(Dependents(interp.path, root, deps))
    return out
