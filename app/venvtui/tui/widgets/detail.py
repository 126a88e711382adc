"""The detail pane: the selection's symlink chain as a tree, then its facts, what each creator
would record, health verdicts, forecast, pyvenv.cfg, dependents and what-ifs."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static, Tree
from textual.widgets.tree import TreeNode

from venvtui.core.models import Chain, Hop
from venvtui.tui.format import (
    HEALTH_BADGE,
    HEALTH_STYLE,
    SEVERITY_STYLE,
    STABILITY_STYLE,
    short_path,
)
from venvtui.tui.views import Detail


def hop_label(hop: Hop, home: str, stamped: bool) -> Text:
    """One hop: "path → target", the end file, or the broken hop in red."""
    text = Text(short_path(hop.path, home))
    if hop.kind == "link":
        # The raw readlink() text; the next node shows where it leads.
        raw = hop.target or "?"
        text.append(" → ", style="dim")
        text.append(raw if len(raw) <= 48 else "…" + raw[-47:], style="cyan")
    elif hop.kind in ("file", "dir"):
        text.append("  ✓ real file" if hop.kind == "file" else "  ✓ dir", style="green")
    elif hop.kind == "missing":
        text.stylize("bold red")
        text.append("  ✗ missing", style="bold red")
    elif hop.kind == "loop":
        text.stylize("bold red")
        text.append("  ✗ symlink loop", style="bold red")
    else:
        text.stylize("bold red")
        text.append(f"  ✗ {hop.error or 'unreadable'}", style="bold red")
    if stamped:
        text.append("  [version-stamped]", style="yellow")
    return text


class ChainTree(Tree[Hop]):
    """A symlink chain, one nested node per hop (each hop leads to the next)."""

    ICON_NODE_EXPANDED = ""
    ICON_NODE = ""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("chain", id=id)
        self.show_root = False
        self.guide_depth = 2
        self.can_focus = True

    def show_chain(self, chain: Chain | None, stamped: frozenset[str], home: str) -> None:
        self.clear()
        if chain is None:
            self.root.add_leaf(Text("(no python in this environment)", style="dim"))
            return
        node: TreeNode[Hop] = self.root
        for hop in chain.hops:
            node = node.add(hop_label(hop, home, hop.path in stamped), data=hop, expand=True)
            for directory, target in hop.dir_links:
                node.add_leaf(Text(f"dir {short_path(directory, home)} → {target}", style="dim"))
        if chain.ok and chain.realpath != chain.final:
            self.root.add_leaf(Text(f"realpath {short_path(chain.realpath, home)}", style="dim"))
        self.root.expand_all()


def _heading(title: str) -> Text:
    return Text(f"\n{title}", style="bold underline")


def render_body(detail: Detail, home: str) -> RenderableType:
    """Everything below the chain, as one Rich renderable."""
    parts: list[RenderableType] = []
    facts = Text()
    width = max((len(label) for label, _ in detail.facts), default=0)
    for label, value in detail.facts:
        facts.append(f"{label:<{width}}  ", style="bold")
        facts.append(short_path(value, home) if value.startswith("/") else value)
        facts.append("\n")
    facts.rstrip()
    parts.append(facts)

    if detail.verdicts:
        parts.append(_heading("Health"))
        for v in detail.verdicts:
            t = Text()
            t.append(f"{v.severity.upper():<8}", style=SEVERITY_STYLE.get(v.severity, ""))
            t.append(f"[{v.code}] ", style="dim")
            t.append(v.summary, style="bold")
            if v.explanation:
                t.append(f"\n  {v.explanation}")
            if v.fix:
                t.append("\n  fix: ", style="green")
                t.append(v.fix)
            parts.append(t)
    elif detail.kind == "environment":
        parts.append(_heading("Health"))
        parts.append(Text("no problems found", style="green"))

    if detail.forecast:
        parts.append(_heading("Forecast"))
        for f in detail.forecast:
            t = Text("• ")
            t.append(f.event, style="yellow")
            t.append(f" → {f.result}", style=HEALTH_STYLE.get(f.result, ""))
            if f.why:
                t.append(f"\n  {f.why}", style="dim")
            parts.append(t)

    if detail.creators:
        parts.append(_heading("What each creator would record as home"))
        for c in detail.creators:
            t = Text()
            t.append(f"{c.name:<11}", style="bold")
            t.append(short_path(c.home, home))
            t.append(f"  ({c.starts})", style=HEALTH_STYLE.get(c.starts, "red"))
            for why in c.why:
                t.append(f"\n           {why}", style="dim")
            parts.append(t)
    if detail.recommended:
        t = Text("recommended ", style="bold green")
        t.append(short_path(detail.recommended, home))
        parts.append(t)

    if detail.kind == "interpreter":
        parts.append(_heading(f"Dependents ({len(detail.dependents)})"))
        if detail.dependents:
            parts.append(Text("\n".join(short_path(d, home) for d in detail.dependents)))
        else:
            parts.append(Text("no environment depends on it: safe to remove", style="green"))
    for impact in detail.impacts:
        t = Text()
        t.append("what if: ", style="bold")
        t.append(impact.event, style="yellow")
        t.append(f" → {impact.breaking} environment{'s' if impact.breaking != 1 else ''} break")
        for path, status, why in impact.environments:
            t.append(f"\n  {short_path(path, home)}  ")
            t.append(status, style=HEALTH_STYLE.get(status, ""))
            if why:
                t.append(f"  {why}", style="dim")
        parts.append(t)

    if detail.cfg_text is not None:
        parts.append(_heading("pyvenv.cfg"))
        parts.append(Text(detail.cfg_text.rstrip("\n") or "(empty)", style="cyan"))
    for note in detail.notes:
        parts.append(Text(f"note: {note}", style="italic yellow"))
    return Group(*parts)


def render_title(detail: Detail, home: str) -> Text:
    t = Text()
    if detail.kind == "environment":
        t.append(
            HEALTH_BADGE.get(detail.status, detail.status),
            style=HEALTH_STYLE.get(detail.status, ""),
        )
        t.append("  ")
        t.append(short_path(detail.title, home), style="bold")
    else:
        t.append(short_path(detail.title, home), style="bold")
        t.append(f"  {detail.status}", style=STABILITY_STYLE.get(detail.status, ""))
    return t


class DetailPane(VerticalScroll):
    """Shows one `Detail`; `show_placeholder` while it is being computed."""

    def __init__(self, *, home: str, id: str | None = None) -> None:
        super().__init__(id=id)
        self.home = home
        self.detail: Detail | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text("Select an interpreter or environment", style="dim"), id="detail-title")
        yield Static(Text("Symlink chain", style="bold underline"), id="chain-heading")
        yield ChainTree(id="chain")
        yield Static("", id="detail-body")

    def show_placeholder(self, text: str) -> None:
        self.query_one("#detail-title", Static).update(Text(text, style="dim"))

    def show(self, detail: Detail) -> None:
        self.detail = detail
        self.query_one("#detail-title", Static).update(render_title(detail, self.home))
        self.query_one(ChainTree).show_chain(detail.chain, detail.stamped, self.home)
        self.query_one("#detail-body", Static).update(render_body(detail, self.home))
