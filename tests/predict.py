"""`predict` for an environment on disk, for tests that compare the start-up model with what a
real interpreter does (the product itself predicts through `breaks.health`)."""

from __future__ import annotations

import os

from venvtui.core.base.errors import VenvtuiError
from venvtui.core.base.models import cfg_get
from venvtui.core.installed.envs import env_python
from venvtui.core.layout.pyvenv_cfg import read_cfg
from venvtui.core.layout.view import REAL
from venvtui.core.startup.model import Cfg, Start, predict
from venvtui.core.startup.runtime import Runtime, runtime_for


def read_env_cfg(env_dir: str) -> Cfg:
    """The env's pyvenv.cfg as (key, value) pairs (empty when absent or unreadable)."""
    try:
        return read_cfg(os.path.join(env_dir, "pyvenv.cfg")).items()
    except (OSError, VenvtuiError):
        return ()


def predict_env(env_dir: str, runtime: Runtime | None = None, *, spawn: bool = True) -> Start:
    """`predict` for an env as it is on disk now; the base's Runtime is probed (cached) when
    not given."""
    env_dir = os.path.abspath(env_dir)
    python = env_python(env_dir)
    cfg = read_env_cfg(env_dir)
    if runtime is None:
        target = python
        if python is not None and os.path.exists(python) and not os.path.islink(python):
            # a copy would run inside the env: probe the binary it was copied from when known
            source = cfg_get(cfg, "executable") or cfg_get(cfg, "base-executable")
            if source and os.path.isabs(source) and os.path.isfile(source):
                target = source
        runtime = runtime_for(target, spawn=spawn)
    return predict(REAL, env_dir, python, cfg, runtime)
