"""The TUI's display rules: the forecast's short form, CLI words named as controls, the
environment `bin/activate` leaves."""

from __future__ import annotations

import os

import pytest

from venvtui.tui.format import activated_environ, clip_path, short_event, tui_words


@pytest.mark.parametrize(
    ("event", "result", "short"),
    [
        ("breaks after `brew upgrade python@3.12` and `brew cleanup`", "broken", "brew upgrade ✗"),
        ("breaks on `pyenv uninstall 3.11.7`", "broken", "pyenv rm 3.11 ✗"),
        ("breaks on `uv python uninstall 3.13.0`", "broken", "uv rm 3.13 ✗"),
        ("drifts when `python@3.13` becomes Homebrew's default", "drift", "python@3.13 ⚠"),
    ],
)
def test_short_event(event: str, result: str, short: str) -> None:
    assert short_event(event, result) == short


def test_tui_words_name_controls_not_options() -> None:
    text = "no pip in the environment (pass --seed to install it from ensurepip, offline)"
    assert tui_words(text) == (
        "no pip in the environment (tick “seed pip” to install it from ensurepip, offline)"
    )
    hint = "install Python 3.12 and pass it with --python, or rebuild on another version"
    assert "--python" not in tui_words(hint) and "(b)" in tui_words(hint)


def test_activated_environ_puts_the_env_first() -> None:
    env = activated_environ("/p/.venv", {"PATH": "/usr/bin", "PYTHONHOME": "/x", "HOME": "/h"})
    assert env["VIRTUAL_ENV"] == "/p/.venv"
    assert env["PATH"].split(os.pathsep) == ["/p/.venv/bin", "/usr/bin"]
    assert "PYTHONHOME" not in env and env["HOME"] == "/h"


@pytest.mark.parametrize(
    ("width", "shown"),
    [
        (40, "~/.pyenv/versions/3.11.7/bin"),  # it fits
        (14, "…/3.11.7/bin"),  # the cut lands in "versions": that piece goes
        (12, "…/3.11.7/bin"),
        (11, "…3.11.7/bin"),  # the cut lands on a separator: whole components
        (10, "….11.7/bin"),  # dropping ".11.7" would leave less than half: characters
        (4, "…bin"),
        (1, "…"),
        (0, ""),
    ],
)
def test_a_clipped_path_keeps_its_end_in_whole_components(width: int, shown: str) -> None:
    path = "~/.pyenv/versions/3.11.7/bin"
    assert clip_path(path, width) == shown
    assert len(clip_path(path, width)) <= width
