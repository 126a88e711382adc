"""Tiny fake interpreters for hermetic tests.

`make_fake_python(dir, name, probe, behaviour)` writes an executable `/bin/sh` script that
answers venvtui's probe the way a real interpreter would (the JSON between the cookie passed
as its last argument), or misbehaves on purpose:

    "ok"        answer with `probe` (default: `recorded_probe()` for this path)
    "slow"      answer like "ok" after sleeping `delay` seconds
    "gather"    answer like "ok" once `gather` runs have been logged to `log` (a rendezvous:
                it only answers when that many fakes run at the same time)
    "old"       reject `-I` like Python 2 ("Unknown option: -I", exit 2), answer otherwise
    "sleep"     hang (exec sleep) until killed by the timeout
    "crash"     die from SIGSEGV
    "junk"      print text that is no probe answer, exit 0
    "fail"      fail at start-up the way a venv with a missing stdlib does (exit 1)
    "badjson"   print the cookies around text that is not JSON
    "error"     answer {"error": ...} as the probe script does when it trips

`log`: a file that gets one line per run, so tests can count real executions.

`recorded_probe(kind, **overrides)` returns realistic probe JSON (the keys the probe script
prints): "pyenv" (Linux pyenv 3.12.1), "debian" (/usr/bin/python3.11), "homebrew-framework"
(macOS Homebrew python@3.12 framework, probed via /opt/homebrew/bin/python3.12), "uv" (a
python-build-standalone CPython installed by uv) and "venv" (a 3.12 venv on a pyenv base).
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any, Literal

Behaviour = Literal[
    "ok", "slow", "gather", "old", "sleep", "crash", "junk", "fail", "badjson", "error"
]

_PYENV = "/home/dev/.pyenv/versions/3.12.1"
_CELLAR = "/opt/homebrew/Cellar/python@3.12/3.12.7/Frameworks/Python.framework/Versions/3.12"
_OPT = "/opt/homebrew/opt/python@3.12/Frameworks/Python.framework/Versions/3.12"
_UV = "/home/dev/.local/share/uv/python/cpython-3.12.7-linux-x86_64-gnu"


def _base(version: tuple[int, int, int], prefix: str, executable: str) -> dict[str, Any]:
    x, y, z = version
    return {
        "probe_version": 1,
        "sys_executable": executable,
        "base_executable": executable,
        "prefix": prefix,
        "base_prefix": prefix,
        "exec_prefix": prefix,
        "base_exec_prefix": prefix,
        "sys_prefix": prefix,
        "sys_exec_prefix": prefix,
        "version": [x, y, z],
        "version_full": f"{x}.{y}.{z}",
        "releaselevel": "final",
        "implementation": "cpython",
        "free_threaded": False,
        "platform": "linux",
        "machine": "x86_64",
        "config_prefix": prefix,
        "framework": "",
        "enable_shared": True,
        "ldlibrary": f"libpython{x}.{y}.so",
        "libdir": f"{prefix}/lib",
        "stdlib": f"{prefix}/lib/python{x}.{y}",
        "standalone": False,
        "in_venv": False,
        "pyvenv_cfg": None,
        "cfg_home": None,
        "site_packages": [f"{prefix}/lib/python{x}.{y}/site-packages"],
        "abiflags": "",
        "platlibdir": "lib",
        "sitecustomize": None,
        "has_homebrew_sitecustomize": False,
        "maxsize_64bit": True,
    }


def recorded_probe(kind: str = "pyenv", **overrides: Any) -> dict[str, Any]:
    """Probe JSON as the probe script prints it for a typical install of `kind`."""
    if kind == "pyenv":
        data = _base((3, 12, 1), _PYENV, f"{_PYENV}/bin/python3.12")
    elif kind == "debian":
        data = _base((3, 11, 2), "/usr", "/usr/bin/python3.11")
        data.update(
            libdir="/usr/lib/x86_64-linux-gnu",
            site_packages=[
                "/usr/local/lib/python3.11/dist-packages",
                "/usr/lib/python3/dist-packages",
                "/usr/lib/python3.11/dist-packages",
            ],
            sitecustomize="/usr/lib/python3.11/sitecustomize.py",
        )
    elif kind == "homebrew-framework":
        # Probed with -S via /opt/homebrew/bin/python3.12: the framework stub sets
        # __PYVENV_LAUNCHER__, so getpath (3.11+) reports base_executable as
        # dirname(library)/bin/python3.12 in the Cellar; Homebrew's sitecustomize (which would
        # rewrite it to the opt/ path) does not run under -S.
        data = _base((3, 12, 7), _CELLAR, "/opt/homebrew/bin/python3.12")
        data.update(
            base_executable=f"{_CELLAR}/bin/python3.12",
            platform="darwin",
            machine="arm64",
            config_prefix=_OPT,
            framework="Python",
            enable_shared=False,
            ldlibrary="Python.framework/Versions/3.12/Python",
            libdir=f"{_OPT}/lib",
            sitecustomize=f"{_CELLAR}/lib/python3.12/sitecustomize.py",
            has_homebrew_sitecustomize=True,
            site_packages=[f"{_CELLAR}/lib/python3.12/site-packages"],
        )
    elif kind == "uv":
        data = _base((3, 12, 7), _UV, f"{_UV}/bin/python3.12")
        data.update(config_prefix="/install", standalone=True, enable_shared=True)
    elif kind == "venv":
        venv = "/home/dev/project/.venv"
        data = _base((3, 12, 1), _PYENV, f"{venv}/bin/python")
        data.update(
            base_executable=f"{_PYENV}/bin/python3.12",
            prefix=venv,
            exec_prefix=venv,
            in_venv=True,
            pyvenv_cfg=f"{venv}/pyvenv.cfg",
            cfg_home=f"{_PYENV}/bin",
            site_packages=[f"{venv}/lib/python3.12/site-packages"],
        )
    else:
        raise ValueError(f"unknown recorded probe kind {kind!r}")
    data.update(overrides)
    return data


def _sh_quote(text: str) -> str:
    return "'" + text.replace("'", "'\"'\"'") + "'"


def make_fake_python(
    directory: str | os.PathLike[str],
    name: str = "python3.12",
    probe: dict[str, Any] | None = None,
    behaviour: Behaviour = "ok",
    *,
    log: str | os.PathLike[str] | None = None,
    delay: float = 30.0,
    gather: int = 2,
    finished: str | os.PathLike[str] | None = None,
) -> Path:
    """Write an executable fake interpreter `directory/name` and return its path.

    With `probe=None` it answers `recorded_probe()` with `sys_executable`/`base_executable`
    set to its own path. With `finished`, a "slow" or "sleep" fake creates that file once its
    delay is over: a test asserts it is absent to show that a caller did not wait for it.
    """
    path = Path(directory) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    answer = (
        probe
        if probe is not None
        else recorded_probe(sys_executable=str(path), base_executable=str(path))
    )
    payload = json.dumps(answer)
    lines = ["#!/bin/sh"]
    if log is not None:
        lines.append(f"echo run >> {_sh_quote(os.fspath(log))}")
    lines.append('for a in "$@"; do last="$a"; done')
    answer_lines = [
        "printf '%s' \"$last\"",
        "cat <<'VENVTUI_FAKE_EOF'",
        payload,
        "VENVTUI_FAKE_EOF",
        "printf '%s' \"$last\"",
        "exit 0",
    ]
    done = [f"touch {_sh_quote(os.fspath(finished))}"] if finished is not None else []
    if behaviour == "ok":
        lines += answer_lines
    elif behaviour == "slow":
        lines += [f"sleep {delay:g}", *done, *answer_lines]
    elif behaviour == "gather":
        if log is None:
            raise ValueError("behaviour 'gather' needs a log")
        lines += [
            f"while [ $(wc -l < {_sh_quote(os.fspath(log))}) -lt {gather} ]; do sleep 0.05; done",
            *answer_lines,
        ]
    elif behaviour == "old":
        lines += [
            'if [ "$1" = "-I" ]; then',
            "  echo 'Unknown option: -I' >&2",
            "  echo 'usage: python [option] ... [-c cmd | -m mod | file | -] [arg] ...' >&2",
            "  exit 2",
            "fi",
            *answer_lines,
        ]
    elif behaviour == "sleep":
        lines += [f"sleep {delay:g}", *done] if done else [f"exec sleep {delay:g}"]
    elif behaviour == "crash":
        lines.append("kill -SEGV $$")
    elif behaviour == "junk":
        lines += ["echo 'hello from something that is not python'", "exit 0"]
    elif behaviour == "fail":
        lines += [
            "echo 'Could not find platform independent libraries <prefix>' >&2",
            "echo 'Fatal Python error: init_fs_encoding: failed to get the Python codec of the"
            " filesystem encoding' >&2",
            "echo 'Python runtime state: core initialized' >&2",
            "echo \"ModuleNotFoundError: No module named 'encodings'\" >&2",
            "exit 1",
        ]
    elif behaviour == "badjson":
        lines += ['printf \'%s{not json%s\' "$last" "$last"', "exit 0"]
    elif behaviour == "error":
        err = json.dumps({"probe_version": 1, "error": "OSError: boom"})
        lines += [f'printf \'%s%s%s\' "$last" {_sh_quote(err)} "$last"', "exit 0"]
    else:
        raise ValueError(f"unknown behaviour {behaviour!r}")
    path.write_text("\n".join(lines) + "\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def run_count(log: str | os.PathLike[str]) -> int:
    """How many times fakes writing to `log` have run."""
    try:
        return len(Path(log).read_text().splitlines())
    except FileNotFoundError:
        return 0
