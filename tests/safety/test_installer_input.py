"""Rebuild passes data, not options, to the installer, and keeps what is not a distribution.

A dist-info named like an option (`--prefix=DIR`) once made pip write outside the environment;
here names and versions are validated (packaging) and handed over in a requirements file, and
the directory the hostile name points at stays byte-identical. Tool metadata (pipx, uv tool),
loose site-packages entries and earlier backups survive a rebuild; hostile files where the
dist-info files should be never hang the plan."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.layouts import create_venv, real_python, require_python
from tests.safety.canary import diff, make_canary, record
from tests.safety.hang_guard import no_hang  # noqa: F401 (fixture)
from tests.writer.conftest import (
    make_wheel,
    tool_environ,  # noqa: F401 (fixture)
    uv_install,
)
from venvtui.core.installed.dists import scan
from venvtui.core.write.plan import apply
from venvtui.core.write.repair import plan_rebuild, plan_repair

pytestmark = [pytest.mark.usefixtures("no_hang"), pytest.mark.realpython]


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("wheels")
    make_wheel(d, "tinypkg", "1.0")
    return d


def _env(tmp: Path, wheels: Path) -> Path:
    py = require_python("3.12")
    env = create_venv(py.exe, tmp / "env")
    uv_install(env / "bin" / "python", wheels, tmp)
    return env


def _site(env: Path) -> Path:
    return env / "lib" / "python3.12" / "site-packages"


def _fake_dist(env: Path, dirname: str, name: str, version: str) -> None:
    info = _site(env) / dirname
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\n")


def _all_args(plan: object) -> list[str]:
    return [a for op in plan.ops for a in op.argv]  # type: ignore[attr-defined]


@pytest.mark.usefixtures("tool_environ")
def test_option_shaped_names_never_reach_the_installer(tmp_path: Path, wheels: Path) -> None:
    env = _env(tmp_path, wheels)
    outside = make_canary(tmp_path / "outside")
    _fake_dist(env, "--prefix=outside-1.0.dist-info", f"--prefix={outside}", "1.0")
    _fake_dist(env, "--target=outside-1.0.dist-info", "", "")  # name from the directory
    _fake_dist(env, "evil-1.0.dist-info", "-r/etc/passwd", "1.0")
    _fake_dist(env, "badver-1.0.dist-info", "badver", "1.0; --target=/tmp/x")
    _fake_dist(env, "newline-1.0.dist-info", "ok --prefix=/x", "1.0")
    py = real_python("3.12")
    assert py is not None
    plan = plan_rebuild(str(env), str(py.exe), no_index=True, find_links=[str(wheels)])
    args = _all_args(plan)
    assert not any(a.startswith(("--prefix", "--target", "-r/")) for a in args), args
    req = next(op for op in plan.ops if op.path.endswith("requirements.txt"))
    assert req.content == b"tinypkg==1.0\n"
    skipped = [w for w in plan.warnings if w.startswith("skipped")]
    assert len(skipped) == 5 and all("\n" not in w for w in skipped), plan.warnings
    before = record(outside)
    apply(plan)
    assert diff(before, record(outside)) == []
    assert not (tmp_path / "outside-1.0.dist-info").exists()
    assert (_site(env) / "tinypkg" / "__init__.py").is_file()


def test_scan_validates_with_packaging(tmp_path: Path) -> None:
    env = tmp_path / "env"
    _site(env).mkdir(parents=True)
    _fake_dist(env, "good-2.0.dist-info", "Good.Name_x", "2.0.post1")
    _fake_dist(env, "x-1.dist-info", "--index-url=http://evil", "1")
    _fake_dist(env, "y-1.dist-info", "y", "not a version")
    found = scan(str(env), "3.12")
    assert [d.requirement for d in found.dists] == ["Good.Name_x==2.0.post1"]
    assert len(found.skipped) == 2


@pytest.mark.parametrize("what", ["METADATA", "direct_url.json", "RECORD"])
def test_fifos_in_dist_info_never_hang(tmp_path: Path, what: str) -> None:
    env = tmp_path / "env"
    info = _site(env) / "pkg-1.0.dist-info"
    info.mkdir(parents=True)
    if what != "METADATA":
        (info / "METADATA").write_text("Name: pkg\nVersion: 1.0\n\n")
    os.mkfifo(info / what)
    found = scan(str(env), "3.12")
    assert [d.requirement for d in found.dists] == ["pkg==1.0"]


@pytest.mark.usefixtures("tool_environ")
def test_tool_metadata_loose_files_and_backups_survive_rebuild(
    tmp_path: Path, wheels: Path
) -> None:
    env = _env(tmp_path, wheels)
    pipx = b'{"main_package": {"package": "tinypkg"}, "pipx_metadata_version": "0.5"}\n'
    receipt = b'[tool]\nrequirements = [{ name = "tinypkg" }]\n'
    (env / "pipx_metadata.json").write_bytes(pipx)
    (env / "uv-receipt.toml").write_bytes(receipt)
    (_site(env) / "loose_mod.py").write_text("X = 1\n")
    (_site(env) / "extra.pth").write_text("/somewhere\n")
    old_backup = env / ".venvtui-backup" / "20240101T000000" / "bin"
    old_backup.mkdir(parents=True)
    os.symlink("/old/python3.12", old_backup / "python.orig")
    py = real_python("3.12")
    assert py is not None
    plan = plan_rebuild(str(env), str(py.exe), no_index=True, find_links=[str(wheels)])
    text = plan.render()
    assert "loose_mod.py" in text and "extra.pth" in text and "earlier backups" in text, text
    apply(plan)
    assert (env / "pipx_metadata.json").read_bytes() == pipx
    assert (env / "uv-receipt.toml").read_bytes() == receipt
    (record_dir,) = (env / ".venvtui-backup").glob("*-rebuild")
    assert (record_dir / "site-packages" / "loose_mod.py").read_text() == "X = 1\n"
    assert (record_dir / "site-packages" / "extra.pth").is_file()
    assert not (_site(env) / "extra.pth").exists()  # never re-activated on the new sys.path
    link = record_dir / "previous" / "20240101T000000" / "bin" / "python.orig"
    assert os.readlink(link) == "/old/python3.12"
    assert (record_dir / "requirements.txt").read_text() == "tinypkg==1.0\n"


@pytest.mark.usefixtures("tool_environ")
def test_repair_keeps_tool_metadata(tmp_path: Path, wheels: Path) -> None:
    env = _env(tmp_path, wheels)
    (env / "uv-receipt.toml").write_bytes(b"[tool]\n")
    (env / "pipx_metadata.json").write_bytes(b"{}\n")
    py = real_python("3.12")
    assert py is not None
    os.unlink(env / "bin" / "python3.12")  # broken: something to repair
    plan = plan_repair(str(env), str(py.exe))
    apply(plan)
    assert (env / "uv-receipt.toml").read_bytes() == b"[tool]\n"
    assert (env / "pipx_metadata.json").read_bytes() == b"{}\n"
