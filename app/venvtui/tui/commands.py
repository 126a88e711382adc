"""Command palette provider: jump to any environment or interpreter by typing part of its path."""

from __future__ import annotations

from functools import partial

from textual.command import Hit, Hits, Provider

from venvtui.tui.format import short_path


class GotoProvider(Provider):
    """ "Go to <path>" for every row currently in the tables."""

    def _targets(self) -> list[tuple[str, str, str]]:
        from venvtui.tui.screens.main import MainScreen

        screen = self.app.screen_stack[0] if self.app.screen_stack else None
        if not isinstance(screen, MainScreen):
            return []
        home = screen.home
        out = [
            ("envs", key, f"Go to environment {short_path(key, home)}")
            for key in screen.env_table.records
        ]
        out += [
            ("interpreters", key, f"Go to interpreter {row.version} {short_path(row.path, home)}")
            for key, row in screen.interp_table.records.items()
        ]
        return out

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for tab, key, title in self._targets():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self._go, tab, key), help=key)

    def _go(self, tab: str, key: str) -> None:
        from venvtui.tui.screens.main import MainScreen

        screen = self.app.screen_stack[0]
        if isinstance(screen, MainScreen):
            screen.action_show_tab(tab)
            table = screen.env_table if tab == "envs" else screen.interp_table
            table.select_key(key)
            table.focus()
