"""The package's layering, read from the import statements (ast) of every module.

Rules enforced:
- core never imports venvtui.cli or venvtui.tui;
- cli never imports venvtui.tui except at the one TUI launch point (`cli/main.py`: `tui.app`);
- tui never imports venvtui.cli;
- inside core, the foundation modules import no other venvtui module, the read-only towers
  (what is installed, how CPython starts) never import what breaks (events, forecast, what-if,
  health), and only the write tower imports the write tower.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import venvtui

PACKAGE = Path(venvtui.__file__).parent

# The one place the CLI starts the TUI (bare `venvtui` on a terminal).
TUI_LAUNCH = ("venvtui.cli.main", "venvtui.tui.app")

# `_probe_script` and `_layout_script` run inside other interpreters: they import nothing of ours.
FOUNDATION = frozenset(
    {"errors", "models", "paths", "safe_io", "settings", "stability", "breakage"}
    | {"_probe_script", "_layout_script"}
)
BREAKS = frozenset({"events", "forecast", "whatif", "health"})
WRITES = frozenset({"plan", "journal", "fsops", "ownership", "dists", "create", "repair", "writer"})


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


def _core_leaf(name: str) -> str | None:
    return name.split(".")[2] if _within(name, "venvtui.core") and name.count(".") >= 2 else None


def violations(graph: dict[str, set[str]]) -> list[str]:
    found: list[str] = []
    for mod, targets in sorted(graph.items()):
        for target in sorted(targets):
            edge = f"{mod} -> {target}"
            if _within(mod, "venvtui.core"):
                if _within(target, "venvtui.cli") or _within(target, "venvtui.tui"):
                    found.append(f"core imports a higher layer: {edge}")
                leaf, dep = _core_leaf(mod), _core_leaf(target)
                if leaf is None or dep is None or leaf == dep:
                    continue
                if leaf in FOUNDATION:
                    found.append(f"foundation module imports core: {edge}")
                if dep in BREAKS and leaf not in BREAKS | WRITES:
                    found.append(f"read-only core imports what-breaks: {edge}")
                if dep in WRITES and leaf not in WRITES:
                    found.append(f"non-writer core imports the write tower: {edge}")
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
    assert "venvtui.core.resolver" in graph and "venvtui.cli.main" in graph
    assert TUI_LAUNCH[1] in graph[TUI_LAUNCH[0]], "the TUI launch point moved; update TUI_LAUNCH"
    assert violations(graph) == []


def test_every_core_module_is_placed() -> None:
    # A new core module must be placed in a tower (or stay unconstrained knowingly): the lists
    # above only name modules that exist.
    leaves = {p.stem for p in (PACKAGE / "core").glob("*.py")}
    assert leaves >= (FOUNDATION | BREAKS | WRITES)


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("venvtui.core.symlinks", "import venvtui.tui\n", "core imports a higher layer"),
        ("venvtui.core.symlinks", "from venvtui.tui import app\n", "core imports a higher layer"),
        ("venvtui.core.symlinks", "from ..cli import main\n", "core imports a higher layer"),
        ("venvtui.core.symlinks", "def f():\n    import venvtui.cli.output\n", "higher layer"),
        ("venvtui.cli.doctor", "from venvtui.tui.app import run_tui\n", "launch point"),
        ("venvtui.tui.views", "from venvtui.cli import output\n", "tui imports cli"),
        ("venvtui.core.models", "from venvtui.core import symlinks\n", "foundation"),
        ("venvtui.core.resolver", "from venvtui.core.health import x\n", "what-breaks"),
        ("venvtui.core.health", "from .plan import Plan\n", "write tower"),
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
    graph["venvtui.core.repair"] |= imports_of(
        "from venvtui.core import health\n", ["venvtui", "core"]
    )
    graph["venvtui.cli.main"] |= imports_of(
        "from venvtui.tui.app import run_tui\n", ["venvtui", "cli"]
    )
    assert violations(graph) == []
