"""The package's layering, read from the import statements (ast) of every module.

Rules enforced:
- core never imports venvtui.cli or venvtui.tui;
- cli never imports venvtui.tui except at the one TUI launch point (`cli/main.py`: `tui.app`);
- tui never imports venvtui.cli;
- inside core, every module sits in one of the towers of `venvtui.core` (see its docstring) and
  imports only its own tower and those below it: base < layout < installed < startup < breaks
  < write.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import venvtui

PACKAGE = Path(venvtui.__file__).parent

# The one place the CLI starts the TUI (bare `venvtui` on a terminal).
TUI_LAUNCH = ("venvtui.cli.main", "venvtui.tui.app")

# The core's towers, lowest first: a module may import its own tower and the ones below it.
TOWERS = ("base", "layout", "installed", "startup", "breaks", "write")


def _module_name(path: Path) -> tuple[str, list[str]]:
    """The dotted name of `path` and the package its relative imports start from."""
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
        return ".".join(parts), parts
    return ".".join(parts), parts[:-1]


def imports_of(source: str, package: list[str]) -> set[str]:
    """Absolute names of every module `source` imports (relative imports resolved)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.add(name)
            # `from venvtui import tui` imports the subpackage itself.
            found.update(f"{name}.{alias.name}" for alias in node.names)
    return found


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name, package = _module_name(path)
        graph[name] = imports_of(path.read_text(encoding="utf-8"), package)
    return graph


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def _tower(name: str) -> int | None:
    parts = name.split(".")
    if len(parts) >= 3 and parts[:2] == ["venvtui", "core"] and parts[2] in TOWERS:
        return TOWERS.index(parts[2])
    return None


def violations(graph: dict[str, set[str]]) -> list[str]:
    found: list[str] = []
    for mod, targets in sorted(graph.items()):
        for target in sorted(targets):
            edge = f"{mod} -> {target}"
            if _within(mod, "venvtui.core"):
                if _within(target, "venvtui.cli") or _within(target, "venvtui.tui"):
                    found.append(f"core imports a higher layer: {edge}")
                here, there = _tower(mod), _tower(target)
                if _within(target, "venvtui.core") and target != "venvtui.core" and there is None:
                    found.append(f"core module outside the towers: {edge}")
                elif here is not None and there is not None and there > here:
                    found.append(f"{TOWERS[here]} imports the higher tower {TOWERS[there]}: {edge}")
            elif _within(mod, "venvtui.cli"):
                if _within(target, "venvtui.tui") and not (
                    mod == TUI_LAUNCH[0] and _within(target, TUI_LAUNCH[1])
                ):
                    found.append(f"cli imports tui outside the launch point: {edge}")
            elif _within(mod, "venvtui.tui") and _within(target, "venvtui.cli"):
                found.append(f"tui imports cli: {edge}")
    return found


def test_package_layering_holds() -> None:
    graph = _graph()
    assert "venvtui.core.startup.resolver" in graph and "venvtui.cli.main" in graph
    assert TUI_LAUNCH[1] in graph[TUI_LAUNCH[0]], "the TUI launch point moved; update TUI_LAUNCH"
    assert violations(graph) == []


def test_every_core_module_is_placed() -> None:
    # The core's only top-level module is its package docstring; every other module sits in a
    # tower, and every tower is a package.
    assert sorted(p.name for p in (PACKAGE / "core").glob("*.py")) == ["__init__.py"]
    assert sorted(
        p.name for p in (PACKAGE / "core").iterdir() if p.is_dir() and p.name != "__pycache__"
    ) == sorted(TOWERS)


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("venvtui.core.layout.symlinks", "import venvtui.tui\n", "core imports a higher layer"),
        (
            "venvtui.core.layout.symlinks",
            "from venvtui.tui import app\n",
            "core imports a higher layer",
        ),
        (
            "venvtui.core.layout.symlinks",
            "from ...cli import main\n",
            "core imports a higher layer",
        ),
        (
            "venvtui.core.layout.symlinks",
            "def f():\n    import venvtui.cli.output\n",
            "higher layer",
        ),
        ("venvtui.cli.doctor", "from venvtui.tui.app import run_tui\n", "launch point"),
        ("venvtui.tui.views", "from venvtui.cli import output\n", "tui imports cli"),
        ("venvtui.core.base.models", "from venvtui.core.layout import symlinks\n", "base imports"),
        ("venvtui.core.startup.resolver", "from venvtui.core.breaks.health import x\n", "breaks"),
        ("venvtui.core.breaks.health", "from ..write.plan import Plan\n", "tower write"),
    ],
)
def test_a_forbidden_import_is_caught(module: str, source: str, expected: str) -> None:
    graph = _graph()
    parts = module.split(".")
    package = parts if (PACKAGE.parent / Path(*parts) / "__init__.py").exists() else parts[:-1]
    graph[module] = graph[module] | imports_of(source, package)
    found = violations(graph)
    assert any(expected in v for v in found), found


def test_allowed_imports_are_not_flagged() -> None:
    graph = _graph()
    graph["venvtui.core.write.repair"] |= imports_of(
        "from venvtui.core.breaks import health\n", ["venvtui", "core", "write"]
    )
    graph["venvtui.cli.main"] |= imports_of(
        "from venvtui.tui.app import run_tui\n", ["venvtui", "cli"]
    )
    assert violations(graph) == []
