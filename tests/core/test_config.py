"""The config file: where it is, what it sets, and one-line errors naming file and line."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from venvtui.cli.main import main
from venvtui.core.base.config import Config, ConfigError, config_path, load_config


def use_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, text: str) -> Path:
    """Write `text` as the config file VENVTUI_CONFIG names; return its path."""
    f = tmp_path / "c.toml"
    f.write_text(text)
    monkeypatch.setenv("VENVTUI_CONFIG", str(f))
    return f


def test_path_is_in_the_platform_config_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.delenv("VENVTUI_CONFIG", raising=False)
    assert main(["config", "path"]) == 0
    out = capsys.readouterr().out.strip()
    assert out == str(tmp_path / "cfg" / "venvtui" / "config.toml") == config_path()
    monkeypatch.setenv("VENVTUI_CONFIG", str(tmp_path / "other.toml"))
    assert config_path() == str(tmp_path / "other.toml")


def test_missing_file_means_defaults(tmp_path: Path) -> None:
    assert load_config(str(tmp_path / "none.toml")) == Config(path=str(tmp_path / "none.toml"))


def test_settings_are_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    f = tmp_path / "c.toml"
    f.write_text(
        '[scan]\nroots = ["~/work", "/srv/p"]\nexclude = ["~/big"]\ndepth = 8\n\n'
        '[create]\nhome-policy = "venv"\n'
    )
    cfg = load_config(str(f))
    assert cfg.scan_roots == (str(tmp_path / "work"), "/srv/p")
    assert cfg.exclude == (str(tmp_path / "big"),)
    assert cfg.scan_depth == 8 and cfg.home_policy == "venv"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('[scan]\nroots = ["a"\n', 2, ""),  # TOML syntax error
        ('[scan]\n\nroots = "~/work"\n', 3, "list of paths"),
        ("[scan]\ndepth = -1\n", 2, "depth"),
        ("[scan]\nroot = []\n", 2, "unknown setting `scan.root`"),
        ("\n[scna]\nroots = []\n", 2, "unknown setting `scna`"),
        ("[create]\nhome-policy = 3\n", 2, "home-policy"),
    ],
)
def test_bad_config_names_file_and_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    f = tmp_path / "c.toml"
    f.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_config(str(f))
    msg = str(err.value)
    assert msg.startswith(f"{f}:{line}: ")
    assert words in msg and "\n" not in msg


def test_bad_config_is_a_one_line_cli_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    f = use_config(monkeypatch, tmp_path, "[scan]\nroots = 5\n")
    for argv in (["envs", str(tmp_path)], ["doctor", str(tmp_path)], ["config", "show"]):
        code = main(argv)
        err = capsys.readouterr().err
        assert code == 2, argv
        assert f"error: {f}:2: " in err and "Traceback" not in err
    f.write_bytes(b"\xff\xfe")
    assert main(["config", "show"]) == 2
    assert "not UTF-8" in capsys.readouterr().err


def test_config_show_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    use_config(monkeypatch, tmp_path, "[scan]\ndepth = 3\n")
    assert main(["config", "show", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["exists"] and data["scan"]["depth"] == 3
    assert data["create"]["home-policy"] == "stable"


def test_configured_home_policy_is_the_create_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.layouts import require_python

    rp = require_python("3.12")
    use_config(monkeypatch, tmp_path, '[create]\nhome-policy = "venv"\n')
    dest = tmp_path / "e"
    assert main(["create", str(dest), "-p", str(rp.exe), "--dry-run", "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)["plan"]
    assert plan["details"]["policy"] == "venv"
    assert not os.path.exists(dest)
