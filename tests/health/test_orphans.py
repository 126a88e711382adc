"""Envs whose project is gone are flagged `orphan` with the missing path; for the tools that
record no project path (poetry, pdm, hatch) that is said rather than guessed.

Layouts as the tools make them: a real virtualenv at the tool's central location, plus the
`.project` file pipenv writes (pipenv/utils/virtualenv.py: `project_directory`, no newline)
and virtualenvwrapper's setvirtualenvproject writes (`echo "$prj" > .project`)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.layouts import create_virtualenv, require_python
from venvtui.cli.main import main

pytestmark = pytest.mark.realpython


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    h = tmp_path / "home"
    h.mkdir()
    monkeypatch.setenv("HOME", str(h))
    monkeypatch.setenv("XDG_DATA_HOME", str(h / ".local" / "share"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(h / ".cache"))
    return h


def test_orphans_flagged_with_the_missing_project(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exe = require_python("3.12").exe
    projects = home / "code"
    for name in ("gone-pipenv", "gone-wrapper", "alive"):
        (projects / name).mkdir(parents=True)
    pipenv_env = create_virtualenv(
        exe, home / ".local" / "share" / "virtualenvs" / "gone-pipenv-AbCd12_x", tmp=tmp_path
    )
    (pipenv_env / ".project").write_text(str(projects / "gone-pipenv"))
    wrapper_env = create_virtualenv(exe, home / ".virtualenvs" / "work", tmp=tmp_path)
    (wrapper_env / ".project").write_text(str(projects / "gone-wrapper") + "\n")
    alive_env = create_virtualenv(exe, home / ".virtualenvs" / "alive", tmp=tmp_path)
    (alive_env / ".project").write_text(str(projects / "alive") + "\n")
    poetry_env = create_virtualenv(
        exe, home / ".cache" / "pypoetry" / "virtualenvs" / "app-Xy12Ab34-py3.12", tmp=tmp_path
    )
    envs = [pipenv_env, wrapper_env, alive_env, poetry_env]
    argv = ["doctor", "--no-confirm", "--json", *map(str, envs)]
    assert main(argv) == 0  # every project exists
    rows = {r["path"]: r for r in json.loads(capsys.readouterr().out)["environments"]}
    assert all("orphan" not in [v["code"] for v in r["verdicts"]] for r in rows.values())
    shutil.rmtree(projects / "gone-pipenv")
    shutil.rmtree(projects / "gone-wrapper")
    code = main(argv)
    rows = {r["path"]: r for r in json.loads(capsys.readouterr().out)["environments"]}
    assert code == 1
    for env, project in ((pipenv_env, "gone-pipenv"), (wrapper_env, "gone-wrapper")):
        row = rows[str(env)]
        orphan = [v for v in row["verdicts"] if v["code"] == "orphan"]
        assert len(orphan) == 1 and orphan[0]["severity"] == "warning"
        assert str(projects / project) in orphan[0]["summary"]
        assert row["status"] == "warning"
    assert "orphan" not in [v["code"] for v in rows[str(alive_env)]["verdicts"]]
    assert rows[str(alive_env)]["status"] == "ok"
    poetry = rows[str(poetry_env)]
    assert [v["code"] for v in poetry["verdicts"]] == ["project-unknown"]
    assert poetry["status"] == "ok"  # not recoverable: said, not flagged
    main(["doctor", "--no-confirm", str(wrapper_env)])
    out = capsys.readouterr().out
    assert out.startswith("WARNING") and f"its project is gone: {projects / 'gone-wrapper'}" in out
    assert os.path.isdir(wrapper_env)
