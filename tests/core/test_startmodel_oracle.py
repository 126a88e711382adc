"""The start-up model against reality: envs made by the real venv (linked and --copies),
virtualenv and uv from real CPython builds reached through several entry points (the install's
own binary, an executable-only link, a directory link to the install, a Nix-style profile whose
lib links into the install), run before and after the install is removed. Each prediction is
compared with what running the env's python shows: status, sys.base_prefix, the stdlib loaded
(os.__file__) and the breakage code."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.layouts import (
    create_uv,
    create_venv,
    create_virtualenv,
    make_install,
    real_python,
)
from tests.predict import predict_env
from venvtui.core.startup.model import Start

pytestmark = [pytest.mark.realpython, pytest.mark.slow]

MINORS = ("3.8", "3.10", "3.11", "3.12", "3.13")
CREATORS = ("venv", "venv-copies", "virtualenv", "uv")
_SHOW = (
    "import json, os, sys; print(json.dumps({'base_prefix': sys.base_prefix, "
    "'os': os.path.realpath(os.__file__), 'version': list(sys.version_info[:2])}))"
)


@dataclass(frozen=True)
class Observed:
    status: str
    code: str
    base_prefix: str | None
    os_file: str | None


def observe(env: Path, install: Path) -> Observed:
    """Run the env's python as a user would (site on, scrubbed environment)."""
    python = env / "bin" / "python"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    try:
        proc = subprocess.run(
            [str(python), "-c", _SHOW], capture_output=True, text=True, env=clean, timeout=30
        )
    except FileNotFoundError:
        return Observed("broken", "B1", None, None)
    if proc.returncode != 0:
        code = "B2" if "encodings" in proc.stderr else "?"
        return Observed("broken", code, None, None)
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    own = os.path.realpath(install / "lib" / f"python{data['version'][0]}.{data['version'][1]}")
    ok = os.path.dirname(data["os"]) == own
    return Observed(
        "ok" if ok else "misbound", "" if ok else "B2'", data["base_prefix"], data["os"]
    )


def compare(label: str, st: Start, ob: Observed) -> list[str]:
    """Field-by-field disagreements between prediction and observation."""
    bad: list[str] = []
    if st.status != ob.status:
        bad.append(f"{label}: predicted {st.status} ({st.code}), ran {ob.status} ({ob.code})")
        return bad
    if st.code != ob.code and ob.code != "?":
        bad.append(f"{label}: code {st.code!r}, observed {ob.code!r}")
    if ob.base_prefix is not None:
        if st.prefix is None or os.path.realpath(st.prefix) != os.path.realpath(ob.base_prefix):
            bad.append(f"{label}: prefix {st.prefix}, sys.base_prefix {ob.base_prefix}")
        predicted_os = os.path.realpath(os.path.join(st.stdlib or "", "os.py"))
        if predicted_os != ob.os_file:
            bad.append(f"{label}: stdlib {st.stdlib}, loaded {ob.os_file}")
    return bad


@dataclass
class World:
    root: Path
    envs: dict[str, tuple[Path, Path]]  # label -> (env, the install it is for)


def _entry_points(minor: str, root: Path) -> dict[str, tuple[Path, Path]]:
    real = real_python(minor)
    assert real is not None
    inst = make_install(real, root / "opt" / f"cpython-{real.version}")
    exe = inst / "bin" / f"python{minor}"
    loose = root / "pub" / "bin"
    loose.mkdir(parents=True)
    (loose / f"python{minor}").symlink_to(exe)
    (root / "tree").symlink_to(inst)
    # a Nix buildEnv-style profile: bin/python3 and lib/pythonX.Y link into the install
    prof = root / "profile"
    (prof / "bin").mkdir(parents=True)
    (prof / "lib").mkdir()
    (prof / "bin" / "python3").symlink_to(exe)
    (prof / "lib" / f"python{minor}").symlink_to(inst / "lib" / f"python{minor}")
    return {
        "own": (exe, inst),
        "exe-only-link": (loose / f"python{minor}", inst),
        "dir-link": (root / "tree" / "bin" / f"python{minor}", inst),
        "profile": (prof / "bin" / "python3", inst),
    }


def _create(creator: str, python: Path, dest: Path, tmp: Path) -> None:
    if creator == "venv":
        create_venv(python, dest, tmp=tmp)
    elif creator == "venv-copies":
        create_venv(python, dest, copies=True, tmp=tmp)
    elif creator == "virtualenv":
        create_virtualenv(python, dest, tmp=tmp)
    else:
        create_uv(python, dest, tmp=tmp)


@pytest.fixture(scope="session")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, World]:
    out: dict[str, World] = {}
    for minor in MINORS:
        if real_python(minor) is None:
            continue
        root = tmp_path_factory.mktemp(f"oracle-{minor}")
        envs: dict[str, tuple[Path, Path]] = {}
        for entry, (python, inst) in _entry_points(minor, root).items():
            for creator in CREATORS:
                if creator == "uv" and minor == "3.8":
                    continue
                dest = root / "envs" / f"{entry}-{creator}"
                try:
                    _create(creator, python, dest, root)
                except (subprocess.CalledProcessError, RuntimeError, OSError):
                    continue  # a creator refusing an entry point is not the model's business
                envs[f"{minor}/{entry}/{creator}"] = (dest, inst)
        out[minor] = World(root, envs)
    if not out:
        pytest.skip("no CPython builds under ~/.pyenv/versions")
    return out


def _agreement(worlds: dict[str, World]) -> tuple[int, int, list[str]]:
    total, bad = 0, []
    for world in worlds.values():
        for label, (env, inst) in world.envs.items():
            total += 1
            bad.extend(compare(label, predict_env(str(env)), observe(env, inst)))
    failed = len({b.split(":")[0] for b in bad})
    return total, total - failed, bad


def test_model_agrees_with_running_envs(worlds: dict[str, World]) -> None:
    total, agree, bad = _agreement(worlds)
    print(f"start-up model vs running the env: {agree}/{total} agree on every field")
    assert total >= 16
    assert not bad, "\n".join(bad)


def test_model_agrees_after_the_install_is_removed(worlds: dict[str, World]) -> None:
    """Remove each install (as an uninstaller would): links dangle (B1), copies fall back to
    the compiled PREFIX (the original build, another install: B2'), profiles dangle."""
    for world in worlds.values():
        installs = {inst for _, inst in world.envs.values()}
        for inst in installs:
            shutil.rmtree(inst)
    total, agree, bad = _agreement(worlds)
    print(f"after removal: {agree}/{total} agree on every field")
    assert not bad, "\n".join(bad)
