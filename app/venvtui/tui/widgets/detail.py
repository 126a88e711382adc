"""The detail pane: the selection's symlink chain as a tree, then its facts, what each creator
would record, health verdicts, forecast, pyvenv.cfg, dependents and what-ifs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static, Tree
from textual.widgets.tree import TreeNode

from venvtui.tui.format import (
    SEVERITY_STYLE,
    STABILITY,
    ellipsize,
    health_badge,
    short_path,
    tilde_paths,
)

if TYPE_CHECKING:  # the first frame imports neither the core's models nor the views
    from venvtui.core.base.models import Chain, Hop
    from venvtui.tui.views import Detail


class FitPath:
    """A path (home as ~) on one line, cut in the middle to the width it is given
    ("~/src/…/bin/python3.12") instead of wrapping."""

    MIN_WIDTH = 16

    def __init__(self, path: str, home: str, style: str = "") -> None:
        self.path = short_path(path, home)
        self.style = style

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Text(ellipsize(self.path, options.max_width), style=self.style, no_wrap=True)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(min(len(self.path), self.MIN_WIDTH), len(self.path))


def hop_label(hop: Hop, home: str, stamped: bool) -> Text:
    """One hop: "path → target", the end file, or the broken hop in red."""
    text = Text(short_path(hop.path, home))
    if hop.kind == "link":
        # The raw readlink() text; the next node shows where it leads.
        raw = tilde_paths(hop.target or "?", home)
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


class ChainTree(Tree["Hop"]):
    """A symlink chain, one nested node per hop (each hop leads to the next)."""

    ICON_NODE_EXPANDED = ""
    ICON_NODE = ""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Text("chain"), id=id)  # a Text: a str label is parsed as markup
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
                node.add_leaf(
                    Text(
                        f"dir {short_path(directory, home)} → {tilde_paths(target, home)}",
                        style="dim",
                    )
                )
        if chain.ok and chain.realpath != chain.final:
            self.root.add_leaf(Text(f"realpath {short_path(chain.realpath, home)}", style="dim"))
        self.root.expand_all()
        self.cursor_line = -1  # no cursor until the tree is focused (and no scrolling to it)


def _heading(title: str) -> Text:
    return Text(f"\n{title}", style="bold underline")


def _grid() -> Table:
    """Two columns: a bold label, then text that wraps under itself."""
    table = Table(box=None, show_header=False, pad_edge=False, padding=(0, 2, 0, 0), expand=False)
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    return table


def _path(value: str, home: str) -> str:
    """Every path under the home directory in `value` shown with ~ (display only)."""
    return tilde_paths(value, home)


def _is_path(value: str) -> bool:
    return value.startswith("/") and " " not in value


def _value(value: str, home: str) -> RenderableType:
    """A fact's value: a lone path fits its column (cut in the middle); text wraps."""
    return FitPath(value, home) if _is_path(value) else Text(_path(value, home))


def fix_line(detail: Detail) -> Text | None:
    """The fix the f key performs, as one line under the title (above the fold)."""
    if detail.fix is None:
        return None
    # on an env that works, the fix is what to do before a forecast event
    text = Text("fix: " if detail.status != "ok" else "prevent: ", style="bold green")
    text.append(detail.fix.text)
    return text


def render_body(detail: Detail, home: str) -> RenderableType:
    """Everything below the chain, as one Rich renderable."""
    parts: list[RenderableType] = []
    facts = _grid()
    for label, value in detail.facts:
        facts.add_row(label, _value(value, home))
    parts.append(facts)

    if detail.verdicts:
        parts.append(_heading("Health"))
        table = _grid()
        for v in detail.verdicts:
            body = Text()
            body.append(f"[{v.code}] ", style="dim")
            body.append(_path(v.summary, home), style="bold")
            if v.explanation:
                body.append(f"\n{_path(v.explanation, home)}")
            if v.fix:
                body.append("\nfix: ", style="green")
                body.append(_path(v.fix, home), style="bold" if v.action else "")
            table.add_row(Text(v.severity.upper(), style=SEVERITY_STYLE.get(v.severity, "")), body)
        parts.append(table)
    elif detail.kind == "environment":
        parts.append(_heading("Health"))
        parts.append(Text("no problems found", style="green"))

    if detail.forecast:
        parts.append(_heading("Forecast"))
        table = _grid()
        for f in detail.forecast:
            body = Text(_path(f.event.replace("`", ""), home), style="yellow")
            if f.why:
                body.append(f"\n{_path(f.why, home)}", style="dim")
            if f.fix:
                body.append("\nfix: ", style="green")
                body.append(_path(f.fix, home), style="bold" if f.action else "")
            table.add_row(Text(f.result, style=health_badge(f.result)[1]), body)
        parts.append(table)

    if detail.creators:
        parts.append(_heading("What each creator would record as home"))
        table = _grid()
        for c in detail.creators:
            head = Text(short_path(c.home, home))
            head.append(f"  ({c.starts})", style=health_badge(c.starts)[1] or "red")
            reasons = Text("\n".join(_path(w, home) for w in c.why), style="dim")
            table.add_row(c.name, Group(head, reasons) if c.why else head)
        parts.append(table)
    if detail.recommended:
        table = _grid()
        table.add_row(Text("recommended", style="bold green"), FitPath(detail.recommended, home))
        parts.append(Text(""))
        parts.append(table)

    if detail.kind == "interpreter":
        parts.append(_heading(f"Dependents ({len(detail.dependents)})"))
        if detail.dependents:
            parts.append(Group(*(FitPath(d, home) for d in detail.dependents)))
        else:
            parts.append(Text("no environment depends on it: safe to remove", style="green"))
    for impact in detail.impacts:
        t = Text()
        t.append("what if: ", style="bold")
        t.append(_path(impact.event.replace("`", ""), home), style="yellow")
        t.append(
            f" → {impact.breaking} environment{'s break' if impact.breaking != 1 else ' breaks'}"
        )
        parts.append(Text(""))
        parts.append(t)
        table = _grid()
        for path, status, why in impact.environments:
            cell: RenderableType = FitPath(path, home)
            if why:
                cell = Group(cell, Text(_path(why, home), style="dim"))
            table.add_row(Text(status, style=health_badge(status)[1]), cell)
        parts.append(table)

    if detail.packages is not None:
        parts.append(_heading(f"Packages ({len(detail.packages)})"))
        if detail.packages:
            table = _grid()
            for pkg in detail.packages:
                body = Text(pkg.version)
                if pkg.installer:
                    body.append(f"  {pkg.installer}", style="dim")
                if pkg.source:
                    body.append(f"  from {_path(pkg.source, home)}", style="cyan")
                table.add_row(pkg.name, body)
            parts.append(table)
        else:
            parts.append(Text("no distributions installed", style="dim"))

    if detail.cfg_text is not None:
        parts.append(_heading("pyvenv.cfg"))
        shown = _path(detail.cfg_text.rstrip("\n"), home)
        parts.append(Text(shown or "(empty)", style="cyan"))
    for note in detail.notes:
        parts.append(Text(f"note: {note}", style="italic yellow"))
    return Group(*parts)


def render_title(detail: Detail, home: str) -> RenderableType:
    t = Text()
    if detail.kind == "environment":
        t.append(*health_badge(detail.status))
        t.append("  ")
        t.append(short_path(detail.title, home), style="bold")
    else:
        t.append(_path(detail.title, home), style="bold")
        label, style = STABILITY.get(detail.status, (detail.status, ""))
        t.append(f"  {label}", style=style)
    fix = fix_line(detail)
    return t if fix is None else Group(t, fix)


class DetailPane(VerticalScroll):
    """Shows one `Detail`; `show_placeholder` while it is being computed. `z` maximizes it."""

    ALLOW_MAXIMIZE = True

    def __init__(self, *, home: str, id: str | None = None) -> None:
        super().__init__(id=id)
        self.home = home
        self.detail: Detail | None = None
        # Empty (no line) until a detail is shown: mounted then, not in the first frame.
        self.chain_tree = ChainTree(id="chain")

    def compose(self) -> ComposeResult:
        yield Static(Text("Select an interpreter or environment", style="dim"), id="detail-title")
        yield Static(Text("Symlink chain", style="bold underline"), id="chain-heading")
        yield Static("", id="detail-body")

    def show_placeholder(self, text: str) -> None:
        self.query_one("#detail-title", Static).update(Text(text, style="dim"))

    def show_message(self, text: Text) -> None:
        """A message in place of any detail (e.g. what was scanned when nothing was found)."""
        self.detail = None
        self.query_one("#detail-title", Static).update(text)
        self.query_one("#chain-heading").display = False
        self.chain_tree.display = False
        self.query_one("#detail-body", Static).update("")

    def show(self, detail: Detail) -> None:
        new = self.detail is None or self.detail.key != detail.key
        self.detail = detail
        self.query_one("#chain-heading").display = True
        if not self.chain_tree.is_attached:
            self.mount(self.chain_tree, after="#chain-heading")
        self.chain_tree.display = True
        self.query_one("#detail-title", Static).update(render_title(detail, self.home))
        self.chain_tree.show_chain(detail.chain, detail.stamped, self.home)
        self.query_one("#detail-body", Static).update(render_body(detail, self.home))
        if new:
            self.scroll_home(animate=False)
            self.call_after_refresh(self.scroll_home, animate=False)
