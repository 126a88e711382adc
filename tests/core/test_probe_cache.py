"""The on-disk probe cache: hits, invalidation, corrupt/foreign files, bypass."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.fakes import make_fake_python, recorded_probe, run_count
from venvtui.core.base.options import Options
from venvtui.core.installed import probe_cache
from venvtui.core.installed.probe import cached, probe_through_cache, script_hash


def _entries() -> list[Path]:
    d = probe_cache.cache_dir()
    return sorted(d.glob("*.json")) if d.is_dir() else []


def test_cache_lives_under_xdg_cache_home() -> None:
    assert probe_cache.cache_dir().is_relative_to(Path(os.environ["XDG_CACHE_HOME"]))
    assert "venvtui" in probe_cache.cache_dir().parts


def test_second_probe_is_served_from_cache(tmp_path: Path) -> None:
    log = tmp_path / "log"
    fake = make_fake_python(tmp_path, "python3.12", log=log)
    first = probe_through_cache(str(fake))
    second = probe_through_cache(str(fake))
    assert run_count(log) == 1
    assert first == second
    assert len(_entries()) == 1
    entry = json.loads(_entries()[0].read_text())
    assert entry["key"]["invoked"] == str(fake)
    assert entry["key"]["realpath"] == str(fake)
    assert entry["payload"]["version"] == [3, 12, 1]
    assert not list(probe_cache.cache_dir().glob(".tmp-*"))


def test_no_cache_bypasses_read_and_write(tmp_path: Path) -> None:
    log = tmp_path / "log"
    fake = make_fake_python(tmp_path, "python3.12", log=log)
    probe_through_cache(str(fake), Options(use_cache=False))
    assert _entries() == []
    probe_through_cache(str(fake))
    assert run_count(log) == 2
    probe_through_cache(str(fake), Options(use_cache=False))
    assert run_count(log) == 3
    probe_through_cache(str(fake), Options())
    assert run_count(log) == 3


def test_changed_file_is_probed_again(tmp_path: Path) -> None:
    log = tmp_path / "log"
    fake = make_fake_python(tmp_path, "python3.12", log=log)
    probe_through_cache(str(fake))
    st = fake.stat()
    os.utime(fake, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    probe_through_cache(str(fake))
    assert run_count(log) == 2
    # an upgrade in place: same path, new content
    make_fake_python(tmp_path, "python3.12", recorded_probe(version=[3, 12, 2]), log=log)
    assert probe_through_cache(str(fake)).version == (3, 12, 2)
    assert run_count(log) == 3
    assert len(_entries()) == 1  # one entry per invoked path, rewritten in place


def test_repointed_link_is_probed_again(tmp_path: Path) -> None:
    link = tmp_path / "bin" / "python3.12"
    a = make_fake_python(
        tmp_path / "a", "python3.12", recorded_probe(version=[3, 12, 1], sys_executable=str(link))
    )
    b = make_fake_python(
        tmp_path / "b", "python3.12", recorded_probe(version=[3, 12, 7], sys_executable=str(link))
    )
    link.parent.mkdir()
    link.symlink_to(a)
    assert probe_through_cache(str(link)).version == (3, 12, 1)
    assert len(_entries()) == 1
    link.unlink()
    link.symlink_to(b)
    assert probe_through_cache(str(link)).version == (3, 12, 7)


def test_pyvenv_cfg_change_invalidates(tmp_path: Path) -> None:
    log = tmp_path / "log"
    fake = make_fake_python(tmp_path / "env" / "bin", "python", log=log)
    probe_through_cache(str(fake))
    (tmp_path / "env" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    probe_through_cache(str(fake))
    assert run_count(log) == 2
    probe_through_cache(str(fake))
    assert run_count(log) == 2
    (tmp_path / "env" / "pyvenv.cfg").write_text("home = /usr/local/bin\n")
    probe_through_cache(str(fake))
    assert run_count(log) == 3


@pytest.mark.parametrize(
    "content",
    [
        b"\x00\x01 not json",
        b"[1, 2, 3]",
        b'{"kind": "something-else", "schema": 1}',
        b'{"kind": "venvtui-probe-cache", "schema": 999, "key": {}, "payload": {}}',
        b"",
    ],
    ids=["binary", "list", "foreign", "other-schema", "empty"],
)
def test_corrupt_or_foreign_entry_is_ignored_and_rewritten(tmp_path: Path, content: bytes) -> None:
    log = tmp_path / "log"
    fake = make_fake_python(tmp_path, "python3.12", log=log)
    probe_through_cache(str(fake))
    (entry,) = _entries()
    entry.write_bytes(content)
    assert probe_through_cache(str(fake)).version == (3, 12, 1)
    assert run_count(log) == 2
    assert json.loads(entry.read_text())["schema"] == probe_cache.CACHE_SCHEMA
    probe_through_cache(str(fake))
    assert run_count(log) == 2


def test_entry_with_bad_payload_is_reprobed(tmp_path: Path) -> None:
    log = tmp_path / "log"
    fake = make_fake_python(tmp_path, "python3.12", log=log)
    probe_through_cache(str(fake))
    (entry,) = _entries()
    data = json.loads(entry.read_text())
    del data["payload"]["prefix"]
    entry.write_text(json.dumps(data))
    assert probe_through_cache(str(fake)).prefix
    assert run_count(log) == 2


def test_other_script_hash_misses(tmp_path: Path) -> None:
    fake = make_fake_python(tmp_path, "python3.12")
    probe_through_cache(str(fake))
    assert probe_cache.load(probe_cache.cache_key(str(fake), script_hash())) is not None
    assert probe_cache.load(probe_cache.cache_key(str(fake), "another-script")) is None


def test_unwritable_cache_is_not_fatal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "cachefile"
    blocker.write_text("not a directory")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    log = tmp_path / "log"
    fake = make_fake_python(tmp_path, "python3.12", log=log)
    assert probe_through_cache(str(fake)).version == (3, 12, 1)
    assert probe_through_cache(str(fake)).version == (3, 12, 1)
    assert run_count(log) == 2


def test_failures_are_not_cached(tmp_path: Path) -> None:
    log = tmp_path / "log"
    fake = make_fake_python(tmp_path, "python3.12", behaviour="junk", log=log)
    for _ in range(2):
        with pytest.raises(Exception, match="did not answer"):
            probe_through_cache(str(fake))
    assert run_count(log) == 2
    assert _entries() == []


def test_clear(tmp_path: Path) -> None:
    probe_through_cache(str(make_fake_python(tmp_path, "python3.12")))
    assert probe_cache.clear() == 1
    assert _entries() == []


def test_cached_peeks_without_running(tmp_path: Path) -> None:
    log = tmp_path / "log"
    fake = make_fake_python(tmp_path, "python3.12", log=log)
    assert cached(str(fake)) is None
    assert cached(str(tmp_path / "missing")) is None
    result = probe_through_cache(str(fake))
    assert cached(str(fake)) == result
    assert run_count(log) == 1


def test_interpreter_reporting_another_executable_is_not_cached(tmp_path: Path) -> None:
    # A pyenv shim runs the selected version, which reports its own sys.executable.
    real = make_fake_python(tmp_path / "versions" / "3.12.1" / "bin", "python3.12")
    log = tmp_path / "log"
    shim = make_fake_python(
        tmp_path / "shims", "python3", recorded_probe(sys_executable=str(real)), log=log
    )
    assert probe_through_cache(str(shim)).sys_executable == str(real)
    probe_through_cache(str(shim))
    assert run_count(log) == 2
    assert _entries() == []


@pytest.mark.realpython
def test_real_pyenv_shim_runs_its_version_and_is_never_cached() -> None:
    shim = Path.home() / ".pyenv" / "shims" / "python3"
    if not (shim.is_file() and (Path.home() / ".pyenv" / "libexec" / "pyenv").exists()):
        pytest.skip("no pyenv shims")
    from venvtui.core.installed.sources import Context, shim_of

    assert shim_of(str(shim), Context.current()) is not None
    try:
        result = probe_through_cache(str(shim))
    except Exception as exc:  # pyenv may have no version selected here
        pytest.skip(f"the shim does not run: {exc}")
    assert result.sys_executable.startswith(str(Path.home() / ".pyenv" / "versions") + os.sep)
    assert cached(str(shim)) is None
    assert _entries() == []
