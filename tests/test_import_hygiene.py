"""The core and the CLI's non-TUI paths never import textual or rich (start-up stays lean)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import venvtui

PACKAGE = Path(venvtui.__file__).parent
FORBIDDEN = ("textual", "rich")


def _core_modules() -> list[str]:
    # Underscore-prefixed files (e.g. the probe script) are scripts run inside other
    # interpreters, not modules to import here.
    core = PACKAGE / "core"
    names = sorted(
        ".".join(p.relative_to(core).with_suffix("").parts)
        for p in core.rglob("*.py")
        if not p.stem.startswith("_")
    )
    return ["venvtui.core"] + [f"venvtui.core.{n}" for n in names]


_DRIVER = r"""
import importlib, json, sys
FORBIDDEN = {forbidden!r}
report = {{}}
for name in {modules!r}:
    importlib.import_module(name)
    report[name] = sorted(m for m in sys.modules if m.split(".")[0] in FORBIDDEN)
print(json.dumps(report))
"""


def _run(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = str(PACKAGE.parent)
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=cwd, timeout=120
    )


def test_core_discovered_dynamically() -> None:
    modules = _core_modules()
    for expected in (
        "layout.symlinks",
        "layout.pyvenv_cfg",
        "installed.probe",
        "installed.probe_cache",
        "base.models",
        "base.proc",
    ):
        assert f"venvtui.core.{expected}" in modules


def test_core_and_cli_main_import_no_textual_or_rich(tmp_path: Path) -> None:
    modules = [*_core_modules(), "venvtui.cli.main", "venvtui.cli.output"]
    done = _run(_DRIVER.format(forbidden=FORBIDDEN, modules=modules), tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    offenders = {name: mods for name, mods in report.items() if mods}
    # the first module that pulls a forbidden package in is the culprit
    assert offenders == {}, f"first offender: {next(iter(offenders))}"


def test_the_check_can_fail(tmp_path: Path) -> None:
    done = _run(
        _DRIVER.format(forbidden=FORBIDDEN, modules=["venvtui.core", "textual.app"]), tmp_path
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["venvtui.core"] == []
    assert "textual" in report["textual.app"] and "rich" in report["textual.app"]


_CLI_DRIVER = r"""
import contextlib, io, json, sys
from venvtui.cli import main as cli
parser = cli.build_parser()
commands = set()
for action in parser._actions:
    if getattr(action, "choices", None) and isinstance(action.choices, dict):
        commands |= set(action.choices)
ran = []
for argv in {argvs!r}:
    if argv[1] in commands:
        sink = io.StringIO()
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(io.StringIO()):
            try:
                cli.main(argv)
            except SystemExit:
                pass
        ran.append(argv)
bad = sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "rich"))
print(json.dumps({{"ran": ran, "forbidden": bad}}))
"""


def test_cli_json_paths_import_no_textual(tmp_path: Path) -> None:
    (tmp_path / "home").mkdir()
    argvs = [
        ["--no-cache", "interpreters", "--json"],
        ["--no-cache", "envs", str(tmp_path), "--json"],
        ["--no-cache", "show", sys.executable, "--json"],
    ]
    done = _run(_CLI_DRIVER.format(argvs=argvs), tmp_path)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["forbidden"] == []
    if not result["ran"]:
        pytest.skip("no inventory commands registered yet")


# What a listing of envs' statuses must not import (it runs no process and, for healthy envs,
# makes no verdict): subprocess comes with the first process run, the breakage catalogue with
# the first verdict, the forecast (and its path stabilities) with `doctor`.
_LISTING_LAZY = (
    "subprocess",
    "venvtui.core.base.proc",
    "venvtui.core.base.stability",
    "venvtui.core.breaks.breakage",
    "venvtui.core.breaks.forecast",
)

_LISTING_DRIVER = r"""
import contextlib, io, json, sys
from venvtui.cli import main as cli
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    code = cli.main({argv!r})
print(json.dumps({{"code": code, "loaded": sorted(m for m in {lazy!r} if m in sys.modules)}}))
"""


def test_envs_listing_imports_no_process_or_verdict_machinery(tmp_path: Path) -> None:
    (tmp_path / "home").mkdir()
    argv = ["--no-cache", "envs", "--json", str(tmp_path / "home")]
    done = _run(_LISTING_DRIVER.format(argv=argv, lazy=_LISTING_LAZY), tmp_path)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"code": 0, "loaded": []}
