"""The flagship: from a Homebrew-like `bin/python3.12` link, real `python -m venv` makes an
environment that is no longer healthy after `brew upgrade` + `brew cleanup`, while `venvtui
create` (default policy) makes one that still runs, bound to the upgraded keg, with its
packages. The same for uv-managed and mise installs, and a loose symlink."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.layouts import (
    RealPython,
    create_venv,
    make_homebrew,
    make_loose_link,
    make_mise,
    make_uv_managed,
    require_python,
    runs,
)
from tests.writer.conftest import uv_install
from venvtui.cli.main import main
from venvtui.core.base.errors import WriteFailed
from venvtui.core.write.create import CreateRequest, plan_create
from venvtui.core.write.plan import apply

pytestmark = pytest.mark.realpython

PROBE = "import sys, json; print(json.dumps([sys.prefix, sys.base_prefix]))"


def base_prefix_of(python: Path) -> str | None:
    """realpath(sys.base_prefix) of a python, or None when it does not start."""
    out = runs(python, PROBE)
    if out.returncode != 0:
        return None
    return os.path.realpath(json.loads(out.stdout)[1])


def test_homebrew_patch_upgrade(
    tmp_path: Path, wheelhouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real = require_python("3.12")
    hb = make_homebrew(real, tmp_path / "brew")
    theirs = create_venv(hb.bin_versioned, tmp_path / "venv-std")
    plan = plan_create(CreateRequest(python=str(hb.bin_versioned), dest=str(tmp_path / "ours")))
    # The plan names the stable opt path, not the link's directory or the keg.
    assert plan.details["home"] == str(hb.opt / "bin")
    assert plan.details["executable"] == str(hb.opt_python)
    ours = Path(apply(plan).env)
    for env in (ours, theirs):
        uv_install(env / "bin" / "python", wheelhouse, tmp_path)
    assert base_prefix_of(ours / "bin" / "python") == os.path.realpath(hb.keg)
    (before,) = doctor(capsys, ours)
    assert before["status"] == "ok"
    assert any("brew upgrade" in str(s) for s in before["survives"])  # type: ignore[attr-defined]

    new = hb.upgrade()  # brew upgrade + brew cleanup: the 3.12.1 keg is gone
    assert not hb.keg.exists()

    # Real venv: home = <prefix>/bin, which holds no stdlib; CPython 3.12's getpath falls
    # back to the compiled PREFIX. Here that is the pyenv build, which still exists, so the
    # env is mis-bound (B2') rather than failing (B2): either way, not the Homebrew install.
    got = base_prefix_of(theirs / "bin" / "python")
    assert got != os.path.realpath(new.keg)

    # Ours: still starts, bound to the upgraded keg, and its package still imports.
    assert base_prefix_of(ours / "bin" / "python") == os.path.realpath(new.keg)
    out = runs(ours / "bin" / "python", "import tinypkg; print(tinypkg.VERSION)")
    assert out.returncode == 0 and out.stdout.strip() == "1.0", out.stderr

    # `venvtui doctor` agrees: ours healthy, the stdlib venv not.
    status = {e["path"]: e["status"] for e in doctor(capsys, ours, theirs)}
    assert status[str(ours)] == "ok"
    assert status[str(theirs)] != "ok"
    # `venvtui resolve` explains ours: its chain goes through the opt link.
    assert main(["resolve", str(ours / "bin" / "python")]) == 0
    assert str(hb.opt_python) in capsys.readouterr().out


def doctor(capsys: pytest.CaptureFixture[str], *envs: Path) -> list[dict[str, object]]:
    capsys.readouterr()
    main(["doctor", *map(str, envs), "--json"])
    data = json.loads(capsys.readouterr().out)
    envs_json: list[dict[str, object]] = data["environments"]
    return envs_json


def test_venv_policy_reproduces_python_m_venv(tmp_path: Path) -> None:
    real = require_python("3.12")
    theirs = create_venv(real.exe, tmp_path / "venv-std")
    plan = plan_create(
        CreateRequest(python=str(real.exe), dest=str(tmp_path / "ours"), home_policy="venv")
    )
    ours = Path(apply(plan).env)

    def cfg(env: Path) -> dict[str, str]:
        pairs = (ln.split("=", 1) for ln in (env / "pyvenv.cfg").read_text().splitlines())
        return {k.strip(): v.strip() for k, v in pairs}

    for key in ("home", "include-system-site-packages", "version", "executable"):
        assert cfg(ours)[key] == cfg(theirs)[key], key
    assert os.readlink(ours / "bin" / "python3.12") == os.readlink(theirs / "bin" / "python3.12")


def test_venv_policy_refuses_to_leave_a_misbound_env(tmp_path: Path) -> None:
    """What `python -m venv` records from Homebrew's bin/python3.12 binds to another install
    (the compiled PREFIX): the plan predicts it, and apply's start-up check rolls it back."""
    real = require_python("3.12")
    hb = make_homebrew(real, tmp_path / "brew")
    theirs = create_venv(hb.bin_versioned, tmp_path / "venv-std")
    plan = plan_create(
        CreateRequest(python=str(hb.bin_versioned), dest=str(tmp_path / "ours"), home_policy="venv")
    )
    assert plan.details["home"] == str(hb.prefix / "bin")
    assert any(str(hb.opt / "bin") in w for w in plan.warnings)  # the stable alternative
    assert any("predicted" in w for w in plan.warnings), plan.warnings
    # The real venv really is mis-bound: it does not run on the Homebrew install.
    assert base_prefix_of(theirs / "bin" / "python") != os.path.realpath(hb.keg)
    with pytest.raises(WriteFailed, match="binds to"):
        apply(plan)
    assert not (tmp_path / "ours").exists()


@pytest.mark.parametrize("kind", ["uv", "mise"])
def test_minor_link_installs_survive_upgrade(kind: str, tmp_path: Path) -> None:
    real = require_python("3.12")
    if kind == "uv":
        inst = make_uv_managed(real, tmp_path / "uv" / "python", tmp_path / "local-bin")
        picked = inst.local_bin_python  # ~/.local/bin/python3.12 -> cpython-3.12.1-.../bin
        stable = inst.minor_link
    else:
        inst = make_mise(real, tmp_path / "mise" / "installs" / "python")  # type: ignore[assignment]
        picked = inst.patch_python
        stable = inst.minor_link
    plan = plan_create(CreateRequest(python=str(picked), dest=str(tmp_path / "ours")))
    assert plan.details["home"].startswith(str(stable)), plan.render()
    ours = Path(apply(plan).env)
    new = inst.upgrade()
    assert base_prefix_of(ours / "bin" / "python") == os.path.realpath(new.patch_dir)


def test_loose_symlink(tmp_path: Path) -> None:
    """A link in a barren directory (like /usr/local/bin/python3.12 -> /opt/...): the default
    policy does not record the barren directory (3.11+ would find the stdlib there only through
    the compiled-PREFIX fallback) but the linked install's own bin, whose search up finds the
    stdlib; the environment starts bound to the linked install without that fallback."""
    from tests.predict import predict_env
    from venvtui.core.layout import landmarks

    real = require_python("3.12")
    link = make_loose_link(real.exe, tmp_path / "usr-local-bin")
    plan = plan_create(CreateRequest(python=str(link), dest=str(tmp_path / "ours")))
    # pyenv keeps no minor-version alias: the real binary's own bin is the stable choice.
    assert plan.details["home"] == str(real.prefix / "bin"), plan.render()
    assert plan.details["executable"] == str(real.exe)
    assert landmarks.search_up(plan.details["home"], f"python{real.minor}") == str(real.prefix)
    assert any("PREFIX fallback" in w and str(link) in w for w in plan.details["why"])
    ours = Path(apply(plan).env)
    assert base_prefix_of(ours / "bin" / "python") == os.path.realpath(real.prefix)
    st = predict_env(str(ours))
    assert st.status == "ok" and not st.via_prefix_fallback, st.why


def origin_install(real: RealPython, root: Path) -> Path:
    """A shared-libpython install like python-build-standalone's: the binary finds libpython
    through RUNPATH `$ORIGIN/../lib` (patched into a copy of the real binary's RUNPATH string,
    padded with NULs), and lib/ holds libpython next to the stdlib."""
    from tests.layouts import make_install

    make_install(real, root)
    exe = root / "bin" / f"python{real.minor}"
    data = exe.read_bytes()
    old = str(real.prefix / "lib").encode() + b"\0"
    if data.count(old) != 1:
        pytest.skip("the real build has no absolute RUNPATH to patch")
    new = b"$ORIGIN/../lib"
    exe.write_bytes(data.replace(old, new + b"\0" * (len(old) - len(new))))
    for lib in (real.prefix / "lib").glob("libpython*.so*"):
        (root / "lib" / lib.name).symlink_to(lib)
    return exe


def test_copies_of_an_origin_build_warn_and_are_refused(tmp_path: Path) -> None:
    real = require_python("3.12")
    exe = origin_install(real, tmp_path / "uv" / "python" / "cpython-3.12.1-linux-x86_64-gnu")
    assert runs(exe).returncode == 0  # the install itself works, via $ORIGIN
    plan = plan_create(CreateRequest(python=str(exe), dest=str(tmp_path / "e"), copies=True))
    assert any("--copies" in w and "libpython" in w for w in plan.warnings), plan.warnings
    # The warning is true: the copied binary cannot load libpython, the start-up check fails
    # and nothing is left behind.
    with pytest.raises(WriteFailed, match="does not start"):
        apply(plan)
    assert not (tmp_path / "e").exists()
    # Linked, it works; and a copy of a build with an absolute RUNPATH gets no warning.
    linked = plan_create(CreateRequest(python=str(exe), dest=str(tmp_path / "e")))
    assert not any("--copies" in w for w in linked.warnings)
    apply(linked)
    plain = plan_create(CreateRequest(python=str(real.exe), dest=str(tmp_path / "c"), copies=True))
    assert not any("--copies" in w for w in plain.warnings)


def test_unversioned_base_warns_of_minor_drift(tmp_path: Path) -> None:
    real = require_python("3.12")
    plan = plan_create(
        CreateRequest(
            python=str(real.prefix / "bin" / "python3"),
            dest=str(tmp_path / "e"),
            home_policy="venv",
        )
    )
    assert any("unversioned" in w for w in plan.warnings)


def test_picked_from_inside_an_env_ties_to_the_base(tmp_path: Path) -> None:
    """Picking an environment's own python (here a virtualenv tied to the Homebrew keg) must
    not tie the new environment to that environment: the base outside it is used, and the
    stable alias of that base is recorded."""
    from tests.layouts import create_virtualenv

    real = require_python("3.12")
    hb = make_homebrew(real, tmp_path / "brew")
    other = create_virtualenv(hb.bin_versioned, tmp_path / "other")
    plan = plan_create(
        CreateRequest(python=str(other / "bin" / "python"), dest=str(tmp_path / "ours"))
    )
    assert not plan.details["home"].startswith(str(other)), plan.render()
    assert plan.details["executable"] == str(hb.opt_python)
    ours = Path(apply(plan).env)
    new = hb.upgrade()
    assert base_prefix_of(ours / "bin" / "python") == os.path.realpath(new.keg)
