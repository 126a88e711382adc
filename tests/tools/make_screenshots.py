"""Regenerate screenshots/*.svg and screenshots/*.png from the real app on a demo layout.

    .venv/bin/python tests/tools/make_screenshots.py            # real core on a built layout
    .venv/bin/python tests/tools/make_screenshots.py --demo-data # the fixed demo machine

The demo layout is built from the real CPython builds under ~/.pyenv/versions (3.11, 3.12, 3.13)
in a scratch HOME: a Linuxbrew-style python@3.12 (Cellar/opt/bin), a uv-managed 3.13 with its
minor-version link, a pyenv 3.11, and environments made by the real tools: `python -m venv` from
Homebrew's bin/python3.12 before a `brew upgrade` + `brew cleanup` (now broken) and after it,
`uv venv` from uv's python3.13, `virtualenv` from pyenv's 3.11. The app then runs on the real
core (discovery, health, resolver, writer) with HOME pointing there.

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
SCRATCH = Path("/tmp/venvtui-demo")  # short and fixed: it shows in a few paths


def build_layout(home: Path) -> dict[str, Path]:
    """The demo machine under `home`; returns the environments by name."""
    from tests.layouts import (
        create_uv,
        create_venv,
        create_virtualenv,
        make_homebrew,
        make_install,
        make_uv_managed,
        real_python,
    )

    need = {m: real_python(m) for m in ("3.11", "3.12", "3.13")}
    missing = [m for m, rp in need.items() if rp is None]
    if missing:
        raise SystemExit(
            f"no CPython {', '.join(missing)} under ~/.pyenv/versions; use --demo-data"
        )
    py311, py312, py313 = need["3.11"], need["3.12"], need["3.13"]
    assert py311 and py312 and py313
    tmp = home.parent / "tool-tmp"
    tmp.mkdir(parents=True)
    src = home / "src"
    envs: dict[str, Path] = {}

    # Homebrew: an env made from the Cellar path before `brew upgrade python@3.12` +
    # `brew cleanup` (now dangling), and one made from bin/python3.12 after it.
    brew = make_homebrew(py312, home / ".linuxbrew", version="3.12.0")
    envs["legacy"] = create_venv(brew.cellar_python, src / "legacy" / ".venv", tmp=tmp)
    brew = brew.upgrade(to=py312.version)
    envs["webapp"] = create_venv(brew.bin_versioned, src / "webapp" / ".venv", tmp=tmp)

    # uv-managed 3.13 (minor link + ~/.local/bin/python3.13) and a `uv venv` from it.
    uvm = make_uv_managed(
        py313, home / ".local" / "share" / "uv" / "python", home / ".local" / "bin"
    )
    envs["api"] = create_uv(
        uvm.local_bin_python, src / "api" / ".venv", tmp=tmp, uv_install_dir=uvm.install_dir
    )

    # pyenv 3.11 and a virtualenv from it.
    pyenv311 = make_install(py311, home / ".pyenv" / "versions" / py311.version)
    envs["tool"] = create_virtualenv(
        pyenv311 / "bin" / f"python{py311.minor}", src / "tool" / ".venv", tmp=tmp
    )
    return envs


def demo_environment(home: Path) -> dict[str, str]:
    keep = ("LANG", "LC_ALL", "TERM", "TZ")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(
        HOME=str(home),
        PATH=os.pathsep.join(
            [str(home / ".linuxbrew" / "bin"), str(home / ".local" / "bin"), "/usr/bin", "/bin"]
        ),
        XDG_CACHE_HOME=str(home / ".cache"),
    )
    return env


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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo-data", action="store_true", help="use the fixed demo machine")
    args = parser.parse_args()

    if args.demo_data:
        from venvtui.tui.demo import HOME, DemoService

        service: Any = DemoService()
        shots: list[tuple[str, str, str | None, Sequence[str]]] = [
            ("main", "envs", None, ()),
            ("interpreter-detail", "interpreters", None, ()),
            ("broken-env-detail", "envs", f"{HOME}/src/legacy/.venv", ()),
            ("wizard", "envs", None, ("n",)),
            ("repair-plan", "envs", f"{HOME}/src/legacy/.venv", ("f",)),
        ]
    else:
        if SCRATCH.exists():
            shutil.rmtree(SCRATCH)
        home = SCRATCH / "home"
        home.mkdir(parents=True)
        build_layout(home)
        os.environ.clear()
        os.environ.update(demo_environment(home))
        os.chdir(home)
        from venvtui.tui.core_service import CoreService

        service = CoreService()
        shots = [
            ("main", "envs", None, ()),
            ("interpreter-detail", "interpreters", "/.linuxbrew/", ()),
            ("broken-env-detail", "envs", "/src/legacy/.venv", ()),
            ("wizard", "envs", None, ("n",)),
            ("repair-plan", "envs", "/src/legacy/.venv", ("f",)),
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
