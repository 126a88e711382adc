"""Regenerate screenshots/*.svg and screenshots/*.png from the real app on the real core.

    .venv/bin/python tests/tools/make_screenshots.py

The machine is the one the snapshot tests use (`tests/tui/machine.py`), built from the real
CPython builds under ~/.pyenv/versions (3.11, 3.12, 3.13) with the real tools: a Linuxbrew-style
python@3.12 (Cellar/opt/bin), a uv-managed 3.13 with its minor-version link, a pyenv 3.11, and
environments made by `python -m venv` from Homebrew's python3.12 before a `brew upgrade` + `brew
cleanup` (now broken) and after it, `uv venv` from uv's python3.13, `virtualenv` from pyenv's
3.11. The app runs on the real core (discovery, health, resolver, writer) over that machine.

SVGs come from `App.save_screenshot`; PNGs from `rsvg-convert` (Debian/Ubuntu: `apt-get install
librsvg2-bin`; macOS: `brew install librsvg`). Without rsvg-convert only the SVGs are written
and the script says so (exit 1).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "app"), str(ROOT)]

OUT = ROOT / "screenshots"
SIZE = (120, 36)


async def _settle(app: Any, pilot: Any) -> None:
    for _ in range(4):
        await pilot.pause()
        await app.workers.wait_for_complete()
    await pilot.pause()


async def shoot(service: Any, stem: str, tab: str, select: str | None, keys: Sequence[str]) -> Path:
    """One screenshot: `select` is a substring of the row key to select first."""
    from venvtui.tui.app import VenvtuiApp

    app = VenvtuiApp(service, cursor_blink=False)
    app.animation_level = "none"
    app.animation_level = "none"
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        main = app.main
        main.action_show_tab(tab)
        await _settle(app, pilot)
        if select is not None:
            table = main.env_table if tab == "envs" else main.interp_table
            key = next((k for k in table.records if select in k), None)
            if key is None:
                raise SystemExit(f"{select} not found in the {tab} table: {list(table.records)}")
            table.select_key(key)
            await _settle(app, pilot)
        for key in keys:
            await pilot.press(key)
            await _settle(app, pilot)
        path = app.save_screenshot(filename=f"{stem}.svg", path=str(OUT))
    return Path(path)


def main() -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    from tests.tui.machine import MachineService, _missing, build

    missing = _missing()
    if missing:
        raise SystemExit(f"the machine needs CPython {', '.join(missing)} under ~/.pyenv/versions")
    machine = build()
    os.environ.update(machine.environ())
    os.environ["XDG_CACHE_HOME"] = str(machine.root / "cache")
    os.chdir(machine.home)
    service = MachineService(context=machine.context())
    shots: list[tuple[str, str, str | None, Sequence[str]]] = [
        ("main", "envs", None, ()),
        ("interpreter-detail", "interpreters", "/.linuxbrew/", ()),
        ("broken-env-detail", "envs", "/src/legacy/.venv", ()),
        ("broken-env-zoomed", "envs", "/src/legacy/.venv", ("z",)),
        ("wizard", "envs", None, ("n",)),
        ("repair-plan", "envs", "/src/legacy/.venv", ("f",)),
        ("fix-all-plan", "envs", None, ("a", "F")),
        ("whatif", "interpreters", "/.pyenv/", ("w", "r")),
        ("help", "envs", None, ("question_mark",)),
    ]
    OUT.mkdir(exist_ok=True)
    svgs = [asyncio.run(shoot(service, *shot)) for shot in shots]
    for svg in svgs:
        print(f"wrote {svg.relative_to(ROOT)}")
    rsvg = shutil.which("rsvg-convert", path="/usr/bin:/bin:/usr/local/bin:/opt/homebrew/bin")
    if rsvg is None:
        print(
            "rsvg-convert not found: PNGs not written. Install it (Debian/Ubuntu: "
            "`apt-get install librsvg2-bin`, macOS: `brew install librsvg`) and run again.",
            file=sys.stderr,
        )
        return 1
    for svg in svgs:
        png = svg.with_suffix(".png")
        # librsvg drops leading (non-breaking) spaces of each <text> unless whitespace is
        # preserved, which would un-indent the dry-run plan and the tree in the PNGs.
        preserved = svg.with_suffix(".preserve.svg")
        preserved.write_text(
            svg.read_text(encoding="utf-8").replace("<svg ", '<svg xml:space="preserve" ', 1),
            encoding="utf-8",
        )
        try:
            subprocess.run([rsvg, "-o", str(png), str(preserved)], check=True, timeout=60)
        finally:
            preserved.unlink()
        print(f"wrote {png.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
