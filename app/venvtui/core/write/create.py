"""Plan a new environment: the layout CPython's own `venv` produces for the target version,
laid out directly (as uv does) so that the base it links to and the `home` it records are
chosen by a policy instead of by how the interpreter happened to be invoked.

Home policies:
- "stable" (default): the resolver's recommendation, the alias that survives patch upgrades
  (e.g. Homebrew `opt/python@X.Y/bin/pythonX.Y` rather than the Cellar keg).
- "venv": exactly what `python -m venv` would record: `dirname(abspath(sys._base_executable))`
  of the interpreter as given, and `bin/<basename>` linked to that path (Lib/venv ensure_directories).
- an explicit path: a base executable, or a directory holding one of the same minor version.

Directories, the `lib64` link and the activation scripts come from the TARGET interpreter: a
small stdlib-only script (`_layout_script.py`) runs under it and asks its own `venv` module for
the sysconfig "venv" scheme paths and for each script rendered by its own
`EnvBuilder.replace_variables`, so version differences (3.13's bare prompt, later quoting) hold.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from venvtui import __version__
from venvtui.core.base import proc
from venvtui.core.base.errors import (
    NotAnInterpreterError,
    NotFoundError,
    ProbeError,
    UnsupportedPythonError,
    VenvtuiError,
    WriteRefused,
)
from venvtui.core.base.models import minor_of
from venvtui.core.base.options import DEFAULT_OPTIONS, Options
from venvtui.core.base.paths import inside
from venvtui.core.base.safe_io import loads_json
from venvtui.core.installed.pyrequest import find_python, refuse_shim
from venvtui.core.layout.elfdeps import read_elf_deps
from venvtui.core.layout.pyvenv_cfg import render_cfg
from venvtui.core.layout.symlinks import walk_chain
from venvtui.core.startup.resolver import recommended, venv_plan
from venvtui.core.write.ownership import EnvOwnership, check_dest
from venvtui.core.write.plan import Op, Plan, Verify

QUERY_TIMEOUT = 20.0

CACHEDIR_TAG = (
    b"Signature: 8a477f597d28d172789f06886806bc55\n"
    b"# This file is a cache directory tag created by venvtui.\n"
    b"# For information about cache directory tags see https://bford.info/cachedir/\n"
)
GITIGNORE = b"# Created by venvtui\n*\n"

# Characters that would break out of the quoting of the activation templates (bash/zsh
# "...", csh "...", fish "...", PowerShell '...') or of a pyvenv.cfg line.
_PROMPT_BAD = re.compile(r"[\x00-\x1f\x7f\"'`$\\!]")


@dataclass(frozen=True, slots=True)
class CreateRequest:
    python: str  # the interpreter as picked (any alias of it)
    dest: str
    home_policy: str = "stable"  # "stable" | "venv" | a base path
    prompt: str | None = None
    system_site_packages: bool = False
    seed: bool = False  # pip from the target's own ensurepip (offline)
    copies: bool = False
    gitignore: bool = True
    cachedir_tag: bool = True
    clear: bool = False  # replace an existing environment at dest
    extra_cfg: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Layout:
    """What the target interpreter reported (see _layout_script.py)."""

    version: str
    executable: str
    base_executable: str
    realpath: str
    prefix: str
    base_prefix: str
    bin_path: str
    inc_path: str
    lib_path: str
    lib64: bool
    scripts: tuple[tuple[str, str, int], ...]
    has_ensurepip: bool
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def minor(self) -> str:
        return minor_of(self.version) or ""

    @property
    def version_tuple(self) -> tuple[int, int, int]:
        major, minor, micro = (int(p) for p in self.version.split(".")[:3])
        return major, minor, micro


@dataclass(frozen=True, slots=True)
class Base:
    """The base a new environment is tied to: `home` recorded, `bin/<name>` linked to
    `executable` (or copied from it)."""

    home: str
    executable: str
    policy: str
    why: tuple[str, ...] = ()
    startup: str = ""  # a predicted start-up problem with this base ("" when none is known)
    fallback: str = ""  # set when it starts only through the compiled-PREFIX fallback

    def details(self, python: str, version: str) -> dict[str, Any]:
        """The plan `details` every plan tied to this base carries."""
        return {
            "python": python,
            "version": version,
            "home": self.home,
            "executable": self.executable,
            "policy": self.policy,
            "why": list(self.why),
        }


def _script_text() -> str:
    return resources.files("venvtui.core.write").joinpath("_layout_script.py").read_text("utf-8")


def query_layout(python: str, env_dir: str, exename: str = "", prompt: str | None = None) -> Layout:
    """Ask `python` (run isolated, from a neutral cwd) what its `venv` would lay out at env_dir."""
    if not os.path.lexists(python):
        raise NotFoundError(f"{python} does not exist")
    if not os.path.exists(python):
        raise NotFoundError(f"{python} is a dangling link")
    if not os.access(python, os.X_OK) or os.path.isdir(python):
        raise NotAnInterpreterError(f"{python} is not an executable file")
    payload = json.dumps({"env_dir": env_dir, "exename": exename, "prompt": prompt})
    # -E -s -S works on every version (2.7 has no -I); proc.run's default cwd is `/`, so
    # nothing in the user's directory shadows `venv` or `json`.
    try:
        result = proc.run(
            [python, "-E", "-s", "-S", "-c", _script_text(), payload],
            timeout=QUERY_TIMEOUT,
            max_output=proc.ANSWER_MAX,
        )
    except ProbeError as exc:
        raise NotAnInterpreterError(f"{python} cannot be run: {exc}") from exc
    line = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    try:
        data = loads_json(line)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
    except ValueError:
        tail = result.stderr.strip().splitlines()[-1:] or [f"exit {result.returncode}"]
        raise NotAnInterpreterError(f"{python} did not answer like Python: {tail[0]}") from None
    if "bin_path" not in data:
        raise UnsupportedPythonError(f"{python} is Python {data.get('version')}, too old for venv")
    return Layout(
        version=data["version"],
        executable=data["executable"],
        base_executable=data["base_executable"],
        realpath=data["realpath"],
        prefix=data["prefix"],
        base_prefix=data["base_prefix"],
        bin_path=data["bin_path"],
        inc_path=data["inc_path"],
        lib_path=data["lib_path"],
        lib64=bool(data["lib64"]),
        scripts=tuple((n, t, int(m)) for n, t, m in data["scripts"]),
        has_ensurepip=bool(data["has_ensurepip"]),
        raw=data,
    )


# --- validation ---------------------------------------------------------------------------------


def check_prompt(prompt: str | None) -> None:
    if prompt is None:
        return
    if not prompt.strip():
        raise WriteRefused("the prompt is empty", "pass a short name, e.g. --prompt myproject")
    bad = _PROMPT_BAD.search(prompt)
    if bad:
        raise WriteRefused(
            f"the prompt contains {bad.group()!r}, which would corrupt pyvenv.cfg or the "
            "activation scripts",
            "use letters, digits, spaces and -_.:@+()[] only",
        )


def identity_details(owner: EnvOwnership | None) -> dict[str, Any]:
    """What apply needs to re-check the environment a plan replaces or edits
    (`ownership.recheck`): the same directory (device, inode) as planned."""
    if owner is None:
        return {}
    return {"identity": [owner.dev, owner.ino], "tools": list(owner.tools)}


# --- choosing the base --------------------------------------------------------------------------


def _python_names(minor: str) -> tuple[str, ...]:
    return (f"python{minor}", "python3", "python")


def patient_options(options: Options) -> Options:
    """`options` with the writer's patience: a write is not a quick scan."""
    return dataclasses.replace(options, probe_timeout=max(options.probe_timeout, QUERY_TIMEOUT))


def _predict(python: str, options: Options) -> tuple[str, str]:
    """The resolver's start-up prediction for what `python -m venv` would make from python:
    (a start-up problem, a note when it starts only through the compiled-PREFIX fallback)."""
    try:
        plan = venv_plan(python, options=patient_options(options))
    except VenvtuiError:
        return "", ""
    if plan is None:
        return "", ""
    if plan.starts == "ok":
        if plan.startup.via_prefix_fallback:
            # CPython getpath: no stdlib at or above `home`, so sys.prefix falls back to the
            # compiled PREFIX; it starts only while that install stays where it was built.
            return "", f"{plan.startup.prefix}"
        return "", ""
    why = "; ".join(r.text for r in plan.startup.why[-2:])
    code = f" ({plan.startup.code})" if plan.startup.code else ""
    return f"{plan.starts}{code}: {why}", ""


def outside_env(python: str, layout: Layout) -> tuple[str, tuple[str, ...]]:
    """When `python` runs inside an environment, the first hop of its link chain outside that
    environment (the interpreter the environment itself is tied to), so that a new environment
    is not tied to another one; else `python` unchanged."""
    # CPython getpath: a pyvenv.cfg beside the executable or one level up marks an environment.
    bindir = os.path.dirname(python)
    env = next(
        (
            d
            for d in (os.path.dirname(bindir), bindir)
            if os.path.isfile(os.path.join(d, "pyvenv.cfg"))
        ),
        None,
    )
    if env is None:
        return python, ()

    real_env = os.path.realpath(env)
    for hop in walk_chain(python).hops:
        in_env = inside(os.path.realpath(os.path.dirname(hop.path)), real_env)
        if hop.kind in ("link", "file") and not in_env:
            return hop.path, (
                f"{python} runs inside the environment {env}; its base {hop.path} is used",
            )
    return python, ()


def choose_base(
    python: str, layout: Layout, policy: str, options: Options = DEFAULT_OPTIONS
) -> Base:
    """The home/executable for `policy` (see the module docstring)."""

    if policy == "venv":
        # Lib/venv ensure_directories: home = dirname(abspath(sys._base_executable)), never realpath.
        exe = os.path.abspath(layout.base_executable)
        problem, fallback = _predict(python, options)
        return Base(
            os.path.dirname(exe),
            exe,
            "venv",
            ("what `python -m venv` records",),
            problem,
            fallback,
        )
    if policy == "stable":
        picked, note = outside_env(python, layout)
        rec = recommended(picked, options=patient_options(options))
        why = tuple(getattr(r, "text", str(r)) for r in rec.why)
        return Base(rec.home, rec.executable, "stable", (*note, *why))
    path = os.path.abspath(os.path.expanduser(policy))
    if os.path.isdir(path):
        for name in _python_names(layout.minor):
            cand = os.path.join(path, name)
            if os.path.isfile(cand) and os.access(cand, os.X_OK):
                refuse_shim(cand)
                return Base(path, cand, "explicit", (f"home chosen explicitly: {path}",))
        raise WriteRefused(
            f"{path} holds no python{layout.minor}, python3 or python",
            "pass the base interpreter's bin directory or executable",
        )
    if not os.path.isfile(path):
        raise WriteRefused(f"home base {path} does not exist", "pass an existing interpreter path")
    refuse_shim(path)
    return Base(os.path.dirname(path), path, "explicit", (f"base chosen explicitly: {path}",))


# --- warnings -----------------------------------------------------------------------------------

_STANDALONE_DIR = re.compile(r"(^|/)(cpython-\d+\.\d+(\.\d+)?[^/]*|installs/python/[^/]+)(/|$)")


def copy_loses_libpython(path: str) -> bool | None:
    """Will a copy of the ELF binary at `path` fail to find its libpython? True when libpython
    is a DT_NEEDED library found through an RPATH/RUNPATH relative to `$ORIGIN` (the binary's
    own directory, as python-build-standalone/uv/mise shared builds do); None when the file
    cannot be read as ELF."""

    deps = read_elf_deps(path)
    if deps is None:
        return None
    if not any(n.startswith("libpython") for n in deps.needed):
        return False  # static libpython: a copy is self-contained
    return any("$ORIGIN" in p or "${ORIGIN}" in p for p in (*deps.rpath, *deps.runpath))


def plan_warnings(
    req: CreateRequest, layout: Layout, base: Base, recommended: Base | None
) -> list[str]:
    out: list[str] = []
    real = os.path.realpath(base.executable)
    if base.startup:
        out.append(
            f"with home {base.home} the environment is predicted to be {base.startup}; "
            "it would be rolled back after the start-up check"
        )
    if base.fallback:
        out.append(
            f"with home {base.home} no stdlib is found from home: the environment starts only "
            f"through the compiled-PREFIX fallback ({base.fallback}), and stops starting when "
            "that install moves; --home-policy stable avoids it"
        )
    loses = copy_loses_libpython(real) if req.copies else False
    if req.copies and (loses or (loses is None and _STANDALONE_DIR.search(real))):
        out.append(
            f"--copies of {real}: a standalone/uv/mise build finds libpython relative to its own "
            "location ($ORIGIN), so the copied binary may not start; use symlinks"
        )
    if recommended is not None and os.path.normpath(recommended.home) != os.path.normpath(
        base.home
    ):
        out.append(
            f"home {base.home} is not the upgrade-stable choice; {recommended.home} survives patch "
            "upgrades (--home-policy stable)"
        )
    if os.path.basename(base.executable) in ("python3", "python"):
        out.append(
            f"{base.executable} is an unversioned alias: when it moves to another minor version, "
            "the environment's packages vanish (minor drift)"
        )
    if not req.seed:
        out.append("no pip in the environment (pass --seed to install it from ensurepip, offline)")
    elif not layout.has_ensurepip:
        out.append(
            f"Python {layout.version} at {base.executable} ships no ensurepip; --seed will fail"
        )
    return out


# --- the plan -----------------------------------------------------------------------------------


def cfg_executable(base: Base) -> str:
    """The `executable` key. CPython Lib/venv (3.11+) writes realpath(sys.executable), which
    the venv policy reproduces; the other policies record the path `home` names (the stable
    alias), so that every key written survives the upgrades `home` survives. getpath never
    reads this key; other tools do."""
    return os.path.realpath(base.executable) if base.policy == "venv" else base.executable


def command_python(python: str, base: Base) -> str:
    """The interpreter a recorded `command` names: the one given under the venv policy (it
    decides `home` there), else the base the environment is tied to."""
    return python if base.policy == "venv" else base.executable


def stable_prefix(base: Base, real_prefix: str) -> str:
    """`sys.base_prefix` spelled through the stable home when it leads to the same place
    (`home` = PREFIX/bin), else the real prefix: for virtualenv's base-prefix and
    base-exec-prefix keys."""
    if os.path.basename(os.path.normpath(base.home)) == "bin":
        cand = os.path.dirname(os.path.normpath(base.home))
        if base.policy != "venv" and os.path.realpath(cand) == os.path.realpath(real_prefix):
            return cand
    return real_prefix


def _cfg_pairs(req: CreateRequest, layout: Layout, base: Base, dest: str) -> list[tuple[str, str]]:
    # Lib/venv create_configuration order: home, include-system-site-packages, version,
    # [prompt (repr)], executable (3.11+), command (3.11+); then our creator key.
    pairs = [
        ("home", base.home),
        ("include-system-site-packages", "true" if req.system_site_packages else "false"),
        ("version", layout.version),
    ]
    if req.prompt is not None:
        pairs.append(("prompt", repr(req.prompt)))
    pairs.append(("executable", cfg_executable(base)))
    args = ["venvtui", "create", "--python", command_python(req.python, base)]
    if req.home_policy != "stable":
        args += ["--home-policy", req.home_policy]
    if req.prompt is not None:
        args.append(f'--prompt="{req.prompt}"')
    if req.system_site_packages:
        args.append("--system-site-packages")
    if req.copies:
        args.append("--copies")
    if req.seed:
        args.append("--seed")
    pairs.append(("command", " ".join([*args, dest])))
    pairs.append(("venvtui", __version__))
    pairs.extend(req.extra_cfg)
    return pairs


def layout_ops(req: CreateRequest, layout: Layout, base: Base, dest: str) -> list[Op]:
    """The file operations for a new environment at dest (final paths)."""

    ops: list[Op] = [Op("mkdir", dest)]
    made = {dest}

    def mkdirs(path: str) -> None:
        parts = []
        while path not in made and path != os.path.dirname(path):
            parts.append(path)
            path = os.path.dirname(path)
        for p in reversed(parts):
            ops.append(Op("mkdir", p))
            made.add(p)

    mkdirs(layout.bin_path)
    mkdirs(layout.inc_path)
    mkdirs(layout.lib_path)
    if layout.lib64:
        ops.append(Op("symlink", os.path.join(dest, "lib64"), "lib"))
    ops.append(
        Op(
            "write",
            os.path.join(dest, "pyvenv.cfg"),
            content=render_cfg(_cfg_pairs(req, layout, base, dest)),
        )
    )
    exename = os.path.basename(base.executable)
    main = os.path.join(layout.bin_path, exename)
    real = os.path.realpath(base.executable)
    if req.copies:
        ops.append(Op("copy", main, real, mode=0o755))
    else:
        ops.append(Op("symlink", main, base.executable))
    # Lib/venv setup_python: python, python3 and (3.9+) python3.X aliases, relative to exename.
    aliases = ["python", "python3"]
    if layout.version_tuple >= (3, 9):
        aliases.append(f"python{layout.minor}")
    for name in aliases:
        if name == exename:
            continue
        path = os.path.join(layout.bin_path, name)
        if req.copies:
            ops.append(Op("copy", path, real, mode=0o755))
        else:
            ops.append(Op("symlink", path, exename))
    for name, text, mode in layout.scripts:
        ops.append(
            Op(
                "write",
                os.path.join(layout.bin_path, name),
                content=text.encode("utf-8"),
                mode=mode,
                note="activation script",
            )
        )
    if req.gitignore:
        ops.append(Op("write", os.path.join(dest, ".gitignore"), content=GITIGNORE))
    if req.cachedir_tag:
        ops.append(Op("write", os.path.join(dest, "CACHEDIR.TAG"), content=CACHEDIR_TAG))
    return ops


def seed_op(dest: str, layout: Layout) -> Op:
    # Lib/venv _setup_pip: [env_exe, -I, -m, ensurepip, --upgrade, --default-pip]
    python = os.path.join(layout.bin_path, "python")
    return Op(
        "run",
        dest,
        argv=(python, "-I", "-m", "ensurepip", "--upgrade", "--default-pip"),
        note="pip from the interpreter's own ensurepip, offline",
    )


def base_layout(
    python: str,
    pre: Layout,
    dest: str,
    policy: str,
    options: Options,
    prompt: str | None = None,
    hint: str = "pass a base of the same version as --python",
) -> tuple[Base, Layout]:
    """The base `policy` picks for `python` (its own layout `pre`) and the layout venv makes
    from that base at `dest`; refused when the base is another minor version."""
    base = choose_base(python, pre, policy, options)
    exename = os.path.basename(base.executable)
    layout = query_layout(base.executable, dest, exename=exename, prompt=prompt)
    if layout.minor != pre.minor:
        raise WriteRefused(
            f"the base {base.executable} is Python {layout.version}, not {pre.version} like {python}",
            hint,
        )
    return base, layout


def locate_python(python: str, options: Options = DEFAULT_OPTIONS) -> str:
    """An absolute path for `--python`: a path, a command on PATH, or a version request
    (`3.12`, `cpython@3.12`); a pyenv/asdf/mise shim is replaced by what it runs
    (`core.pyrequest`)."""

    return find_python(python, options=options).path


def plan_create(req: CreateRequest, options: Options = DEFAULT_OPTIONS) -> Plan:
    """Plan a new environment (nothing is written; interpreters are probed with `options`)."""
    target = check_dest(req.dest, clear=req.clear)
    dest = target.path
    if req.prompt == ".":  # bpo-38901 (3.9+): `--prompt .` means the current directory's name
        req = dataclasses.replace(req, prompt=os.path.basename(os.getcwd()))
    check_prompt(req.prompt)
    python = locate_python(req.python, options)
    req = dataclasses.replace(req, python=python)
    pre = query_layout(python, dest, prompt=req.prompt)  # version and _base_executable as given
    base, layout = base_layout(python, pre, dest, req.home_policy, options, req.prompt)
    exename = os.path.basename(base.executable)
    recommended: Base | None = None
    if base.policy != "stable":
        try:
            recommended = choose_base(python, pre, "stable", options)
        except VenvtuiError:
            recommended = None
    warnings = [*target.notes, *plan_warnings(req, layout, base, recommended)]
    ops = layout_ops(req, layout, base, dest)
    if req.seed:
        ops.append(seed_op(dest, layout))
    verify = Verify(
        python=os.path.join(layout.bin_path, "python"),
        prefix=dest,
        base_prefix=layout.base_prefix,
        minor=layout.minor,
        imports=("pip",) if req.seed else (),
    )
    summary = (
        f"Python {layout.version}: home = {base.home}, bin/{exename} -> {base.executable}"
        + (" (copied)" if req.copies else "")
        + f" [{base.policy} policy]"
    )
    if not os.path.isdir(os.path.dirname(dest)):
        summary += f"; creates missing parent {os.path.dirname(dest)}"
    return Plan(
        action="create",
        env=dest,
        mode="build",
        ops=tuple(ops),
        summary=summary,
        warnings=tuple(warnings),
        replaces=target.replaces,
        verify=verify,
        details={
            **base.details(python, layout.version),
            **identity_details(target.owner),
            "base_prefix": layout.base_prefix,
            "seed": req.seed,
            "copies": req.copies,
        },
    )
