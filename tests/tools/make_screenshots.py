"""Regenerate screenshots/*.svg and screenshots/*.png from the real app on the demo machine.

    .venv/bin/python tests/tools/make_screenshots.py

SVGs come from `App.save_screenshot`; PNGs from `rsvg-convert` (Debian/Ubuntu: `apt-get install
librsvg2-bin`; macOS: `brew install librsvg`). Without rsvg-convert only the SVGs are written
and the script says so (exit 1).
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "app"), str(ROOT)]

from venvtui.tui.app import VenvtuiApp  # noqa: E402
from venvtui.tui.demo import HOME, DemoService  # noqa: E402

OUT = ROOT / "screenshots"
SIZE = (120, 36)

# (file stem, env to select first or None, keys to press)
SHOTS: tuple[tuple[str, str | None, Sequence[str]], ...] = (
    ("main", None, ()),
    ("interpreter-detail", None, ("2",)),
    ("broken-env-detail", f"{HOME}/src/legacy/.venv", ()),
    ("wizard", None, ("n",)),
    ("repair-plan", f"{HOME}/src/legacy/.venv", ("f",)),
)


async def _settle(app: VenvtuiApp, pilot: object) -> None:
    for _ in range(3):
        await pilot.pause()  # type: ignore[attr-defined]
        await app.workers.wait_for_complete()
    await pilot.pause()  # type: ignore[attr-defined]


async def shoot(stem: str, select: str | None, keys: Sequence[str]) -> Path:
    app = VenvtuiApp(DemoService(), cursor_blink=False)
    app.animation_level = "none"
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        if select is not None:
            app.main.env_table.select_key(select)
            await _settle(app, pilot)
        for key in keys:
            await pilot.press(key)
            await _settle(app, pilot)
        path = app.save_screenshot(filename=f"{stem}.svg", path=str(OUT))
    return Path(path)


def main() -> int:
    OUT.mkdir(exist_ok=True)
    svgs = [asyncio.run(shoot(*shot)) for shot in SHOTS]
    for svg in svgs:
        print(f"wrote {svg.relative_to(ROOT)}")
    rsvg = shutil.which("rsvg-convert")
    if rsvg is None:
        print(
            "rsvg-convert not found: PNGs not written. Install it (Debian/Ubuntu: "
            "`apt-get install librsvg2-bin`, macOS: `brew install librsvg`) and run again.",
            file=sys.stderr,
        )
        return 1
    for svg in svgs:
        png = svg.with_suffix(".png")
        subprocess.run([rsvg, "-o", str(png), str(svg)], check=True, timeout=60)
        print(f"wrote {png.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
