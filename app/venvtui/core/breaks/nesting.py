"""Envs made from envs (B7), and what every diagnosis asks of an env first: its `home`, its
base interpreter's facts, and the env each path of its chain lies in.

A light module: the listing's statuses need these without the forecast's machinery
(`core.breaks.forecast`, `core.breaks.events`).
"""

from __future__ import annotations

import os

from venvtui.core.base.models import Environment
from venvtui.core.base.options import DEFAULT_OPTIONS, Options
from venvtui.core.base.paths import inside
from venvtui.core.layout.view import View, fold_ancestors
from venvtui.core.startup.runtime import Runtime, runtime_for


def env_home(env: Environment) -> str | None:
    h = env.cfg_get("home")
    return h.strip() if h and h.strip() else None


def base_facts(python: str | None, *, spawn: bool, options: Options = DEFAULT_OPTIONS) -> Runtime:
    """The base interpreter's facts (`core.runtime.runtime_for`)."""
    return runtime_for(python, spawn=spawn, options=options)


def parent_env_of(view: View, path: str, env_dir: str) -> str | None:
    """The nearest directory above `path` holding a pyvenv.cfg that is not `env_dir` or one
    of its ancestors (asked for each hop of the env's chain: one answer per directory)."""
    return parent_env_in(view, os.path.dirname(os.path.normpath(path)), os.path.normpath(env_dir))


def parent_env_in(view: View, start: str, top: str) -> str | None:
    """`parent_env_of` a path in the normalised directory `start`, for the env at the
    normalised `top`."""
    if inside(start, top):
        # from inside the env, only the directories below its top can count
        return view.memoised(("parent_env", start, top), lambda: _env_dir_below(view, start, top))
    for d in _env_dirs_above(view, start):
        if not inside(top, d):
            return d
    return None


def _env_dir_below(view: View, start: str, top: str) -> str | None:
    while start != top:
        if view.isfile(os.path.join(start, "pyvenv.cfg")):
            return start
        start = os.path.dirname(start)
    return None


def _env_dirs_above(view: View, start: str) -> tuple[str, ...]:
    """`start` and its ancestors (not the root) holding a pyvenv.cfg, nearest first (shared by
    every env of a snapshot whose chain passes there)."""

    def step(d: str, above: tuple[str, ...]) -> tuple[str, ...]:
        return ((d,) if view.isfile(os.path.join(d, "pyvenv.cfg")) else ()) + above

    return fold_ancestors(view, "env_dirs_above", start, step, ())
