"""The ground truth for health tests: run an env's python and classify what happened.

Independent of venvtui's model: the env's python is run (site enabled, as a user runs it),
and the `os.py` it loaded and its `sys.version_info` are compared with the install its bin/python
really executes (the directory above the real binary's `bin/`; for a copied binary, the
directory above pyvenv.cfg `home`) and with the version pyvenv.cfg records.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from tests.layouts import runs

_CODE = (
    "import sys, os, json; "
    "print(json.dumps([sys.base_prefix, list(sys.version_info[:2]), os.__file__]))"
)


def cfg_values(env: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    try:
        text = (env / "pyvenv.cfg").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return out
    for line in text.splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            out.setdefault(k.strip().lower(), v.strip())
    return out


def env_python(env: Path) -> Path:
    py = env / "bin" / "python"
    if os.path.lexists(py):
        return py
    for cand in sorted((env / "bin").glob("python3*")):
        return cand
    return py


@dataclass(frozen=True)
class Actual:
    status: str  # ok | broken | misbound | drift
    detail: str


def actual_status(env: Path) -> Actual:
    """Run the env's python: broken (does not start), misbound (the stdlib it loaded is not the
    one of the install its bin/python runs: compared by the loaded `os.py`, so a Nix profile
    prefix and its store path are one install), drift (another minor than recorded), ok."""
    py = env_python(env)
    try:
        cp = runs(py, _CODE)
    except OSError as exc:
        return Actual("broken", str(exc))
    if cp.returncode != 0:
        return Actual("broken", cp.stderr.strip()[-2000:] or f"exit {cp.returncode}")
    base_prefix, (major, minor), os_file = json.loads(cp.stdout.strip().splitlines()[-1])
    real = os.path.realpath(py)
    cfg = cfg_values(env)
    if os.path.commonpath([real, os.path.realpath(env)]) == os.path.realpath(env):
        install = os.path.dirname(cfg.get("home", "").rstrip(os.sep))  # a copied binary
    else:
        install = os.path.dirname(os.path.dirname(real))
    own = os.path.join(install, "lib", f"python{major}.{minor}", "os.py")
    if os.path.realpath(os_file) != os.path.realpath(own):
        return Actual("misbound", f"loaded {os_file} (base_prefix {base_prefix}), not {own}")
    made = cfg.get("version_info") or cfg.get("version") or ""
    if made and ".".join(made.split(".")[:2]) != f"{major}.{minor}":
        return Actual("drift", f"runs {major}.{minor}, made for {made}")
    return Actual("ok", base_prefix)
