"""Rules that cannot run on this Linux machine (macOS framework builds, Homebrew's
sitecustomize) and start-up branches that need a missing compiled PREFIX: recorded probe data
(what `core.installed.probe` reports on such a machine) over fake directory trees in tmp_path that mirror
the real paths, so the path logic runs for real against a filesystem."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.predict import predict_env, read_env_cfg
from venvtui.core.base.models import ProbeResult
from venvtui.core.layout.view import REAL
from venvtui.core.startup.model import predict
from venvtui.core.startup.resolver import homebrew_rewrite, recommend, resolve
from venvtui.core.startup.runtime import Runtime

# The formula's sitecustomize.py (Homebrew/homebrew-core python@3.12.rb), with its placeholders
# filled for a prefix rooted at {P}.
_SITECUSTOMIZE = """\
# This file is created by Homebrew and is executed on each python startup.
import re
import os
import site
import sys
if os.path.realpath(sys.executable).startswith('{P}/Cellar/python@3.12'):
    library_site = '/Library/Python/3.12/site-packages'
    if 'PYTHONEXECUTABLE' not in os.environ and sys.prefix == sys.base_prefix:
        sys.executable = sys._base_executable = '{P}/opt/python@3.12/bin/python3.12'
"""


def _file(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _link(path: Path, target: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)
    return path


class MacBrew:
    """/opt/homebrew with python@3.12 3.12.7 as a framework keg (paths rooted in tmp)."""

    def __init__(self, root: Path, *, sitecustomize: bool = True) -> None:
        self.prefix = root / "opt" / "homebrew"
        self.keg = self.prefix / "Cellar" / "python@3.12" / "3.12.7"
        self.fw = self.keg / "Frameworks" / "Python.framework" / "Versions" / "3.12"
        _file(self.fw / "bin" / "python3.12", "#stub")
        _file(self.fw / "Python", "dylib")
        _file(self.fw / "lib" / "python3.12" / "os.py")
        _file(self.fw / "lib" / "python3.12" / "lib-dynload" / ".keep")
        self.sitecustomize = self.fw / "lib" / "python3.12" / "sitecustomize.py"
        if sitecustomize:
            _file(self.sitecustomize, _SITECUSTOMIZE.replace("{P}", str(self.prefix)))
        _link(
            self.keg / "bin" / "python3.12",
            "../Frameworks/Python.framework/Versions/3.12/bin/python3.12",
        )
        _link(self.prefix / "opt" / "python@3.12", "../Cellar/python@3.12/3.12.7")
        _link(self.prefix / "bin" / "python3.12", "../Cellar/python@3.12/3.12.7/bin/python3.12")
        self.opt_bin = self.prefix / "opt" / "python@3.12" / "bin"
        self.has_sc = sitecustomize

    def probe(
        self,
        invoked: Path,
        *,
        version: tuple[int, int, int] = (3, 12, 7),
        in_venv: bool = False,
        venv: Path | None = None,
    ) -> ProbeResult:
        """What `core.installed.probe` records for `invoked` on macOS (-I -S: no sitecustomize ran).

        3.11+ framework: the stub sets __PYVENV_LAUNCHER__, so getpath reports
        sys._base_executable = dirname(library)/bin/python3.12 (inside and outside a venv);
        3.8-3.10: sys._base_executable = sys.executable."""
        framework_base = str(self.fw / "bin" / "python3.12")
        base = framework_base if version[:2] >= (3, 11) else str(invoked)
        prefix = str(venv) if venv else str(self.fw)
        return ProbeResult(
            executable=str(invoked),
            sys_executable=str(invoked),
            base_executable=base,
            prefix=prefix,
            base_prefix=str(self.fw),
            exec_prefix=prefix,
            base_exec_prefix=str(self.fw),
            version=version,
            version_full=".".join(map(str, version)),
            implementation="cpython",
            free_threaded=False,
            platform="darwin",
            machine="arm64",
            config_prefix=str(
                self.prefix
                / "opt"
                / "python@3.12"
                / "Frameworks"
                / "Python.framework"
                / "Versions"
                / "3.12"
            ),
            framework="Python",
            enable_shared=False,
            ldlibrary="Python.framework/Versions/3.12/Python",
            libdir=str(self.fw / "lib"),
            stdlib=str(self.fw / "lib" / "python3.12"),
            standalone=False,
            in_venv=in_venv,
            site_packages=(),
            pyvenv_cfg=str(venv / "pyvenv.cfg") if venv else None,
            sitecustomize=str(self.sitecustomize) if self.has_sc else None,
            has_homebrew_sitecustomize=self.has_sc,
        )


def test_homebrew_macos_venv_uses_opt(tmp_path: Path) -> None:
    """Scenario 1: via /opt/homebrew/bin/python3.12 the sitecustomize rewrite makes venv, uv and
    virtualenv (framework: not resolved) all record opt/python@3.12/bin."""
    hb = MacBrew(tmp_path)
    invoked = hb.prefix / "bin" / "python3.12"
    res = resolve(str(invoked), hb.probe(invoked))
    opt_exe = str(hb.opt_bin / "python3.12")
    assert homebrew_rewrite(res.probe) == opt_exe
    for creator in ("venv", "virtualenv", "uv"):
        plan = res.creators[creator]
        assert plan.home == str(hb.opt_bin), (creator, plan.why)
        assert plan.executable == opt_exe, creator
        assert plan.starts == "ok", (creator, plan.startup.why)
        # the framework library decides the prefix, not home
        assert plan.startup.prefix == str(hb.fw)
    assert res.creators["venv"].bin_name == "python3.12"
    assert any("Homebrew" in r.rule for r in res.creators["venv"].why)
    assert res.recommended.executable == opt_exe
    assert res.recommended.stable


def test_homebrew_macos_nested_records_cellar_framework(tmp_path: Path) -> None:
    """Scenario 2 (gh-128670): from inside a 3.12 venv, sys._base_executable is the framework
    path inside the Cellar keg and no rewrite happens: venv and uv record it (breaks on upgrade)."""
    hb = MacBrew(tmp_path)
    env = tmp_path / "envs" / "v1"
    _file(env / "pyvenv.cfg", f"home = {hb.opt_bin}\n")
    _link(env / "bin" / "python3.12", str(hb.opt_bin / "python3.12"))
    _link(env / "bin" / "python", "python3.12")
    invoked = env / "bin" / "python"
    res = resolve(str(invoked), hb.probe(invoked, in_venv=True, venv=env))
    fw_bin = str(hb.fw / "bin")
    assert homebrew_rewrite(res.probe) is None
    assert res.creators["venv"].home == fw_bin
    assert res.creators["venv"].executable == str(hb.fw / "bin" / "python3.12")
    assert res.creators["uv"].home == fw_bin
    assert res.creators["virtualenv"].home == fw_bin
    assert "Cellar" in res.creators["venv"].home


def test_homebrew_macos_310_nested_records_parent_env(tmp_path: Path) -> None:
    """3.8-3.10: sys._base_executable = sys.executable, so a nested venv records the parent
    env's bin; outside a venv the sitecustomize still rewrites to opt."""
    hb = MacBrew(tmp_path)
    invoked = hb.prefix / "bin" / "python3.12"
    res = resolve(str(invoked), hb.probe(invoked, version=(3, 10, 14)))
    assert res.creators["venv"].home == str(hb.opt_bin)
    env = tmp_path / "envs" / "v1"
    _file(env / "pyvenv.cfg", f"home = {hb.opt_bin}\n")
    _link(env / "bin" / "python", str(hb.opt_bin / "python3.12"))
    nested = env / "bin" / "python"
    res = resolve(str(nested), hb.probe(nested, version=(3, 10, 14), in_venv=True, venv=env))
    assert res.creators["venv"].home == str(env / "bin")
    assert res.creators["venv"].executable == str(nested)
    assert res.creators["uv"].home == str(env / "bin")


def test_macos_without_homebrew_sitecustomize(tmp_path: Path) -> None:
    """A framework build without the formula's sitecustomize (python.org-like): 3.11+ records
    the framework bin (scenario 11)."""
    hb = MacBrew(tmp_path, sitecustomize=False)
    invoked = hb.prefix / "bin" / "python3.12"
    res = resolve(str(invoked), hb.probe(invoked))
    assert homebrew_rewrite(res.probe) is None
    assert res.creators["venv"].home == str(hb.fw / "bin")
    assert res.creators["virtualenv"].executable == str(invoked)  # framework: not resolved
    # the recommendation still prefers the opt link over the Cellar keg
    rec = recommend(str(invoked), res.probe)
    assert rec.executable == str(hb.opt_bin / "python3.12")


def _fake_install(root: Path, minor: str = "3.12") -> Path:
    _file(root / "bin" / f"python{minor}", "binary")
    _file(root / "lib" / f"python{minor}" / "os.py")
    (root / "lib" / f"python{minor}" / "lib-dynload").mkdir(parents=True)
    return root / "bin" / f"python{minor}"


def _fake_env(env: Path, home: Path | str, target: Path, *, copies: bool = False) -> Path:
    _file(env / "pyvenv.cfg", f"home = {home}\nversion = 3.12.7\n")
    exe = env / "bin" / "python"
    if copies:
        _file(exe, "binary copy")
    else:
        _link(exe, str(target))
    return exe


@pytest.mark.parametrize(
    ("version", "prefix_exists", "expected"),
    [
        ((3, 12, 7), False, "broken"),  # B2: PREFIX lacks the stdlib (pbs /install)
        ((3, 12, 7), True, "misbound"),  # B2': PREFIX is another install
        ((3, 10, 14), False, "ok"),  # <=3.10 ignores home for a symlinked env
        ((3, 14, 0), False, "broken"),
    ],
)
def test_barren_home(
    tmp_path: Path, version: tuple[int, int, int], prefix_exists: bool, expected: str
) -> None:
    minor = f"{version[0]}.{version[1]}"
    real = _fake_install(tmp_path / "installs" / "real", minor)
    other = tmp_path / "installs" / "compiled-prefix"
    if prefix_exists:
        _fake_install(other, minor)
    loose = _link(tmp_path / "barren" / "bin" / f"python{minor}", str(real))
    env = tmp_path / "env"
    _fake_env(env, loose.parent, loose)
    rt = Runtime(version=version, compiled_prefix=str(other))
    exe = str(env / "bin" / "python")
    st = predict(REAL, str(env), exe, (("home", str(loose.parent)), ("version", minor)), rt)
    assert st.status == expected, st.why
    if expected == "misbound":
        assert st.prefix == str(other)
        assert st.code == "B2'"
    if expected == "broken":
        assert st.prefix is None
        assert st.code == "B2"
    if expected == "ok":
        assert st.prefix == str(real.parent.parent)


def test_copies_env_reads_home_on_310(tmp_path: Path) -> None:
    """getpath.c 3.8-3.10: a copied binary finds pyvenv.cfg beside itself, so home governs."""
    real = _fake_install(tmp_path / "installs" / "real", "3.10")
    env = tmp_path / "env"
    _fake_env(env, tmp_path / "barren", real, copies=True)
    rt = Runtime(version=(3, 10, 14), compiled_prefix=str(tmp_path / "nowhere"))
    exe = str(env / "bin" / "python")
    st = predict(REAL, str(env), exe, read_env_cfg(str(env)), rt)
    assert st.status == "broken"
    _file(env / "pyvenv.cfg", f"home = {real.parent}\n")
    st = predict(REAL, str(env), exe, read_env_cfg(str(env)), rt)
    assert st.status == "ok"
    assert st.prefix == str(real.parent.parent)


def test_predict_env_dangling_and_drift(tmp_path: Path) -> None:
    real = _fake_install(tmp_path / "installs" / "3.12.7")
    env = tmp_path / "env"
    _fake_env(env, real.parent, real)
    probe_rt = ProbeResult(
        executable=str(real), sys_executable=str(real), base_executable=str(real),
        prefix=str(real.parent.parent), base_prefix=str(real.parent.parent),
        exec_prefix=str(real.parent.parent), base_exec_prefix=str(real.parent.parent),
        version=(3, 13, 1), version_full="3.13.1", implementation="cpython", free_threaded=False,
        platform="linux", machine="x86_64", config_prefix="/nonexistent", framework="",
        enable_shared=False, ldlibrary=None, libdir=None, stdlib=None, standalone=False,
        in_venv=False, site_packages=(),
    )  # fmt: skip
    # bin/python now runs 3.13 while the env was made for 3.12 (B3)
    (real.parent.parent / "lib" / "python3.13").mkdir()
    _file(real.parent.parent / "lib" / "python3.13" / "os.py")
    st = predict_env(str(env), Runtime.from_probe(probe_rt))
    assert st.status == "drift", st.why
    assert st.code == "B3"
    os.unlink(real)
    st = predict_env(str(env), Runtime.from_probe(probe_rt))
    assert st.status == "broken"
    assert st.code == "B1"
    assert str(real) in " ".join(r.text for r in st.why)


def _standalone_probe(invoked: Path, install: Path, version: tuple[int, int, int]) -> ProbeResult:
    """A python-build-standalone interpreter as `core.installed.probe` records it (PREFIX=/install)."""
    xy = f"{version[0]}.{version[1]}"
    return ProbeResult(
        executable=str(invoked), sys_executable=str(invoked), base_executable=str(invoked),
        prefix=str(install), base_prefix=str(install), exec_prefix=str(install),
        base_exec_prefix=str(install), version=version, version_full=".".join(map(str, version)),
        implementation="cpython", free_threaded=False, platform="linux", machine="x86_64",
        config_prefix="/install", framework="", enable_shared=True, ldlibrary=f"libpython{xy}.so",
        libdir="/install/lib", stdlib=str(install / "lib" / f"python{xy}"), standalone=True,
        in_venv=False, site_packages=(),
    )  # fmt: skip


def test_standalone_link_in_barren_dir(tmp_path: Path) -> None:
    """Scenario 5 (pbs#380, uv #12173): `python -m venv` via ~/.local/bin/python3.12 -> a
    standalone build records ~/.local/bin and cannot start (PREFIX is /install); uv's
    find_base_python walks the link to the install; virtualenv resolves it too."""
    install = tmp_path / "share" / "uv" / "python" / "cpython-3.12.7-linux-x86_64-gnu"
    real = _fake_install(install)
    local = _link(tmp_path / "local" / "bin" / "python3.12", str(real))
    res = resolve(str(local), _standalone_probe(local, install, (3, 12, 7)))
    assert res.creators["venv"].home == str(local.parent)
    assert res.creators["venv"].starts == "broken"
    assert res.creators["venv"].startup.code == "B2"
    assert res.creators["uv"].home == str(real.parent)
    assert res.creators["uv"].starts == "ok"
    assert res.creators["virtualenv"].home == str(real.parent)
    assert res.recommended.executable == str(real)
    # 3.10: the symlinked env ignores home and starts
    install10 = tmp_path / "share" / "uv" / "python" / "cpython-3.10.15-linux-x86_64-gnu"
    local10 = _link(
        tmp_path / "local" / "bin" / "python3.10", str(_fake_install(install10, "3.10"))
    )
    res10 = resolve(str(local10), _standalone_probe(local10, install10, (3, 10, 15)))
    assert res10.creators["venv"].home == str(local10.parent)
    assert res10.creators["venv"].starts == "ok"


def test_standalone_tree_link_keeps_the_link(tmp_path: Path) -> None:
    """Scenario 6 (uv #9723): a whole tree symlinked elsewhere: uv 0.5.8+ keeps ~/py/bin
    because an ancestor of ~/py/bin/python3 holds the stdlib; uv < 0.5 realpath'd it."""
    install = tmp_path / "pbs" / "cpython-3.12.7-linux-x86_64-gnu"
    _fake_install(install)
    _link(install / "bin" / "python3", "python3.12")
    tree = _link(tmp_path / "home" / "py", str(install))
    invoked = tree / "bin" / "python3"
    res = resolve(str(invoked), _standalone_probe(invoked, tree, (3, 12, 7)))
    uv = res.creators["uv"]
    assert uv.home == str(tree / "bin")
    assert uv.executable == str(invoked)
    assert uv.starts == "ok"
    old = {h.versions: h.home for h in uv.history}
    assert old["<0.5.0"] == str(install / "bin")
    assert res.creators["venv"].home == str(tree / "bin")
    assert res.creators["virtualenv"].home == str(tree / "bin")
    assert res.recommended.executable == str(tree / "bin" / "python3.12")
