"""The breakage catalogue is data: every code the start-up model and health emit has an entry,
and each verdict carries its fix as an action that renders to a CLI command."""

from __future__ import annotations

from pathlib import Path

from tests.vtree import FILE, Tree, install
from venvtui.core.base.models import Environment
from venvtui.core.breaks.breakage import CATALOGUE, FixAction
from venvtui.core.breaks.health import _start_verdicts
from venvtui.core.startup.model import predict
from venvtui.core.startup.runtime import Runtime


def test_catalogue_entries_are_complete() -> None:
    assert set(CATALOGUE) == {"B1", "B2", "B2'", "B3", "B4", "B5", "B6", "B7"}
    for code, b in CATALOGUE.items():
        assert b.code == code and b.title and b.explanation and b.kind


def test_fix_actions_render_as_commands() -> None:
    assert FixAction("repair", "/e", "/usr/bin/python3.12").command() == (
        "venvtui repair /e --python /usr/bin/python3.12"
    )
    assert FixAction("rebuild", "/e").command() == "venvtui rebuild /e"
    assert FixAction("none", "/e").command() == ""


def _env(path: str, cfg: tuple[tuple[str, str], ...]) -> Environment:
    return Environment(
        path=path, kind="venv", creator="venv", owner="", python=f"{path}/bin/python",
        chain=None, cfg=cfg, cfg_problems=(),
    )  # fmt: skip


def test_verdicts_carry_catalogue_and_action(tmp_path: Path) -> None:
    env = "/home/u/env"
    cfg = (("home", "/usr/bin"), ("version", "3.12.3"))
    tree = Tree(
        {**install("/usr", "3.13"), "/usr/bin/python3": "python3.13", f"{env}/bin/python":
         "/usr/bin/python3", f"{env}/pyvenv.cfg": FILE}
    )  # fmt: skip
    st = predict(tree, env, f"{env}/bin/python", cfg, Runtime(version=(3, 13, 1)))
    (v,) = _start_verdicts(_env(env, cfg), st)
    assert (v.catalogue, v.code) == ("B3", CATALOGUE["B3"].kind)
    assert v.action == FixAction("rebuild", env, "3.12")
    assert v.to_json()["action"]["command"] == f"venvtui rebuild {env} --python 3.12"
