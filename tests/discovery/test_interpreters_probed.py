"""Interpreter discovery with probing: the real pyenv builds, and misbehaving fakes."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from tests.discovery.conftest import FakeMachine, link
from tests.fakes import make_fake_python, recorded_probe, run_count
from tests.layouts import PYENV_VERSIONS, real_pythons
from venvtui.core.base.errors import (
    NotAnInterpreterError,
    NotFoundError,
    ProbeError,
    ProbeTimeout,
    SymlinkLoopError,
)
from venvtui.core.base.models import Source
from venvtui.core.base.options import Options
from venvtui.core.installed.interpreters import (
    find_interpreters,
    interpreter_for,
    iter_interpreters,
)
from venvtui.core.installed.sources import Context

NO_CACHE = Options(use_cache=False)

SYSTEM_PYTHON = Path("/usr/bin/python3.11")


def pyenv_listing() -> list[str]:
    """What `ls ~/.pyenv/versions` shows: the installed version names."""
    return sorted(
        d.name for d in PYENV_VERSIONS.iterdir() if re.fullmatch(r"\d+\.\d+\.\d+", d.name)
    )


@pytest.mark.realpython
@pytest.mark.slow
def test_real_machine_every_pyenv_version_and_the_system_python_once(tmp_path: Path) -> None:
    """Against the real pyenv builds and /usr/bin: each install exactly once, with the version
    its directory names, its aliases and sources; shims resolved, never listed as aliases."""
    if not real_pythons():
        pytest.skip(f"no pyenv builds under {PYENV_VERSIONS}")
    pyenv_root = PYENV_VERSIONS.parent
    home = tmp_path / "home"
    home.mkdir()
    path_dirs = [str(pyenv_root / "shims"), "/usr/local/bin", "/usr/bin", "/bin"]
    env = {"PATH": os.pathsep.join(path_dirs), "PYENV_ROOT": str(pyenv_root)}
    ctx = Context(env, str(home), str(home), "linux")
    found = find_interpreters(context=ctx, options=NO_CACHE)

    reals = [i.real_path for i in found]
    assert len(reals) == len(set(reals))
    assert all(i.error is None and i.probe is not None for i in found), [
        (i.path, i.error) for i in found
    ]
    by_version = {i.version: i for i in found}
    assert len(by_version) == len(found)
    expected = set(pyenv_listing())
    if SYSTEM_PYTHON.is_file():
        expected.add(
            next(i.version for i in found if i.real_path == str(SYSTEM_PYTHON))  # type: ignore[misc]
        )
    assert set(by_version) == expected

    for version in pyenv_listing():
        interp = by_version[version]
        prefix = pyenv_root / "versions" / version
        minor = ".".join(version.split(".")[:2])
        assert interp.install_dir == str(prefix)
        assert Source.PYENV in interp.sources
        paths = {a.path for a in interp.aliases}
        assert str(prefix / "bin" / "python") in paths
        assert interp.path == str(prefix / "bin" / f"python{minor}")
        assert not any("/shims/" in p for p in paths)

    if SYSTEM_PYTHON.is_file():
        system = next(i for i in found if i.real_path == str(SYSTEM_PYTHON))
        assert system.path == str(SYSTEM_PYTHON)
        assert {Source.PATH, Source.SYSTEM} <= set(system.sources)
        paths = {a.path for a in system.aliases}
        assert {"/usr/bin/python3", "/usr/bin/python3.11"} <= paths
        if os.path.islink("/bin"):
            assert {"/bin/python3", "/bin/python3.11"} <= paths

    # The pyenv shims on PATH run the global version: they are attributed to it.
    shim_owners = [i for i in found if i.shims]
    global_file = pyenv_root / "version"
    if global_file.is_file() and global_file.read_text().split()[0] in by_version:
        selected = by_version[global_file.read_text().split()[0]]
        assert shim_owners == [selected]
        assert str(pyenv_root / "shims" / "python3") in selected.shims


def fake_machine_with(machine: FakeMachine, behaviours: dict[str, str]) -> dict[str, Path]:
    """One fake install per behaviour under a fake pyenv root; a slow or hanging one creates
    `finished<i>` under the machine's root when its 30 s are over (see `finished`)."""
    made = {}
    for i, (version, behaviour) in enumerate(behaviours.items()):
        bindir = machine.pyenv / "versions" / version / "bin"
        minor = ".".join(version.split(".")[:2])
        exe = bindir / f"python{minor}"
        probe = recorded_probe(
            sys_executable=str(exe),
            base_executable=str(exe),
            version=[int(p) for p in version.split(".")] + ["final", 0],
            version_full=version,
            prefix=str(bindir.parent),
            base_prefix=str(bindir.parent),
            exec_prefix=str(bindir.parent),
            base_exec_prefix=str(bindir.parent),
        )
        made[version] = make_fake_python(
            bindir,
            f"python{minor}",
            probe,
            behaviour,
            delay=30,
            log=machine.root / f"log{i}",
            finished=machine.root / f"finished{i}",
        )
        link(bindir / "python3", f"python{minor}")
    return made


def finished(machine: FakeMachine) -> list[str]:
    """The fakes whose delay ran out: a caller that waited for one of them shows up here."""
    return sorted(p.name for p in machine.root.glob("finished*"))


def test_failed_probes_still_yield_and_others_complete(machine: FakeMachine) -> None:
    made = fake_machine_with(
        machine,
        {"3.12.1": "ok", "3.11.0": "sleep", "3.10.0": "crash", "3.9.0": "junk", "3.8.0": "fail"},
    )
    found = {
        i.real_path: i
        for i in iter_interpreters(
            context=machine.context(), options=Options(probe_timeout=3.0, use_cache=False)
        )
    }
    assert finished(machine) == []  # the hang is bounded by the timeout
    assert set(found) == {str(p) for p in made.values()}
    ok = found[str(made["3.12.1"])]
    assert ok.error is None and ok.probe is not None and ok.version == "3.12.1"
    assert ok.install_dir == str(made["3.12.1"].parent.parent)
    for version in ("3.11.0", "3.10.0", "3.9.0", "3.8.0"):
        bad = found[str(made[version])]
        assert bad.probe is None and bad.error, version
    assert "did not answer within" in (found[str(made["3.11.0"])].error or "")
    assert "crashed" in (found[str(made["3.10.0"])].error or "")


def test_results_stream_as_probes_complete(machine: FakeMachine) -> None:
    """The fast interpreter is yielded while the slow one is still being probed."""
    fake_machine_with(machine, {"3.12.1": "ok", "3.11.0": "slow"})
    it = iter_interpreters(
        context=machine.context(), options=Options(probe_timeout=20.0, use_cache=False)
    )
    first = next(it)
    assert first.version == "3.12.1"
    assert finished(machine) == []  # the slow one is still sleeping
    it.close()


def test_cancel_stops_probing(machine: FakeMachine) -> None:
    fake_machine_with(machine, {"3.12.1": "slow", "3.11.0": "slow"})
    start = time.monotonic()
    out = list(
        iter_interpreters(
            context=machine.context(),
            options=Options(probe_timeout=20.0, use_cache=False),
            cancel=lambda: time.monotonic() - start > 0.5,
        )
    )
    assert out == []
    assert finished(machine) == []  # cancel did not wait for the slow probes


def test_no_probe_spawns_nothing_and_warm_cache_spawns_nothing(machine: FakeMachine) -> None:
    made = fake_machine_with(machine, {"3.12.1": "ok", "3.13.0": "ok"})
    logs = [machine.root / "log0", machine.root / "log1"]
    listed = list(iter_interpreters(context=machine.context(), probe=False))
    assert len(listed) == 2 and all(i.probe is None and i.error is None for i in listed)
    assert sum(run_count(log) for log in logs) == 0
    cold = find_interpreters(context=machine.context(), options=Options())
    assert sum(run_count(log) for log in logs) == 2  # one probe per real file, not per alias
    warm = find_interpreters(context=machine.context(), options=Options())
    assert sum(run_count(log) for log in logs) == 2  # answered from the cache
    assert [i.version for i in warm] == [i.version for i in cold] == ["3.13.0", "3.12.1"]
    assert {i.path for i in warm} == {str(p) for p in made.values()}


def test_interpreter_for_explicit_path(tmp_path: Path) -> None:
    exe = make_fake_python(tmp_path / "bin", "python3.12")
    alias = link(tmp_path / "alias" / "python", exe)
    interp = interpreter_for(str(alias))
    assert interp.sources == (Source.EXPLICIT,)
    assert interp.path == str(alias) and interp.real_path == str(exe)
    assert interp.probe is not None and interp.probe.executable == str(alias)
    assert [h.kind for h in interp.aliases[0].chain.hops] == ["link", "file"]


def test_interpreter_for_bad_input(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        interpreter_for(str(tmp_path / "missing"))
    with pytest.raises(NotFoundError, match="dangling"):
        interpreter_for(str(link(tmp_path / "dangling", tmp_path / "gone")))
    link(tmp_path / "a", "b")
    link(tmp_path / "b", "a")
    with pytest.raises(SymlinkLoopError):
        interpreter_for(str(tmp_path / "a"))
    with pytest.raises(NotAnInterpreterError):
        interpreter_for(str(tmp_path))
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(NotAnInterpreterError, match="not executable"):
        interpreter_for(str(text))
    junk = make_fake_python(tmp_path / "j", "python3", behaviour="junk")
    with pytest.raises(ProbeError):
        interpreter_for(str(junk), options=NO_CACHE)
    hang = make_fake_python(tmp_path / "h", "python3", behaviour="sleep")
    with pytest.raises(ProbeTimeout):
        interpreter_for(str(hang), options=Options(probe_timeout=1.0, use_cache=False))
