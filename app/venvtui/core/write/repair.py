"""Plan repairs of existing environments: re-point in place (same minor), rebuild (new minor
or unrepairable), and delete.

Repair in place keeps site-packages untouched: it removes the `bin/python*` interpreter links
(dangling or not; CPython's `venv --upgrade` never replaces an existing link, even a dangling
one, so they must go first), links them to a working base of the same minor and rewrites
`home`, `version` and `executable` in pyvenv.cfg, keeping every other line as it was.

Rebuild lists the installed distributions from `site-packages/*.dist-info` (without running
the possibly broken python), builds a new environment aside, reinstalls them (uv when
available, else pip), and swaps it in only once it is proven; the old one is kept aside
until then.
"""

from __future__ import annotations

import filecmp
import glob
import os
import re
import shlex
import shutil
import sys
import time
from collections.abc import Callable, Sequence

from venvtui.core.base import safe_io
from venvtui.core.base.errors import (
    NotAnEnvironmentError,
    VenvtuiError,
    WriteRefused,
)
from venvtui.core.base.models import CFG_VERSION_KEYS, Interpreter, minor_of
from venvtui.core.base.options import DEFAULT_OPTIONS, Options
from venvtui.core.base.paths import safe_name
from venvtui.core.base.stability import find_install
from venvtui.core.breaks.health import diagnose
from venvtui.core.installed.dists import Dist, installed_dists, scan, site_packages
from venvtui.core.installed.envs import load_environment
from venvtui.core.installed.interpreters import find_interpreters
from venvtui.core.layout.pyvenv_cfg import read_cfg
from venvtui.core.layout.symlinks import walk_chain
from venvtui.core.write.create import (
    Base,
    CreateRequest,
    base_layout,
    cfg_executable,
    check_prompt,
    command_python,
    identity_details,
    layout_ops,
    locate_python,
    patient_options,
    plan_warnings,
    query_layout,
    seed_op,
    stable_prefix,
)
from venvtui.core.write.ownership import EnvOwnership, check_target
from venvtui.core.write.plan import BACKUP_DIR, Op, Plan, Verify

_PY_NAME = re.compile(r"^python(\d+(\.\d+)?t?)?$")

Inventory = Callable[[], Sequence[Interpreter]]  # the interpreters a caller knows of


# --- reading an environment without running it ---------------------------------------------------


def _target(env: object, verb: str) -> EnvOwnership:
    """The environment `env` names (a path or an object with `.path`), checked by the one
    ownership rule; a venv (pyvenv.cfg) unless `verb` is delete."""
    path = getattr(env, "path", env)
    if not isinstance(path, str):
        raise NotAnEnvironmentError(f"{env!r} is not an environment path")
    own = check_target(path, verb=verb)
    if own.kind == "conda":
        raise WriteRefused(f"{own.path} is a conda environment", f"{verb} it with conda")
    return own


def env_minor(env_dir: str, cfg_version: str | None) -> str | None:
    """The minor the environment was built for: its `lib/pythonX.Y/site-packages`, else the
    version recorded in pyvenv.cfg."""
    found = sorted(
        os.path.basename(os.path.dirname(p))[len("python") :]
        for p in glob.glob(os.path.join(env_dir, "lib", "python*", "site-packages"))
    )
    found = [m.rstrip("t") for m in found if re.fullmatch(r"\d+\.\d+t?", m)]
    if len(found) == 1:
        return found[0]
    recorded = minor_of(cfg_version)
    if recorded:
        return recorded
    return found[-1] if found else None


def _python_entries(bindir: str) -> list[str]:
    try:
        names = os.listdir(bindir)
    except OSError:
        return []
    return sorted(os.path.join(bindir, n) for n in names if _PY_NAME.match(n))


# --- finding a working base of the same minor ---------------------------------------------------


def _runs_as(python: str, minor: str, env_dir: str) -> bool:
    try:
        layout = query_layout(python, env_dir)
    except VenvtuiError:
        return False
    return layout.minor == minor


def _relocations(dead: str, minor: str) -> list[str]:
    """Where the same interpreter lives now, when `dead` (a missing path) was inside a
    version-stamped install: the installer's stable alias of that minor, then the newest
    patch install of the same minor next to the old one."""
    inst = find_install(dead)
    if inst is None or inst.minor != minor:
        return []
    rel = os.path.relpath(dead, inst.root)
    out: list[str] = []
    if inst.installer == "homebrew":
        prefix = inst.container
        out += [
            os.path.join(prefix, "opt", inst.name, rel),
            os.path.join(prefix, "bin", f"python{minor}"),
        ]
        kegs = os.path.join(prefix, "Cellar", inst.name)
        out += [
            os.path.join(k, rel)
            for k in sorted(glob.glob(os.path.join(kegs, f"{minor}.*")), reverse=True)
        ]
    elif inst.installer == "uv":
        out.append(os.path.join(inst.container, f"cpython-{minor}-{inst.name}", rel))
        pattern = os.path.join(inst.container, f"cpython-{minor}.*-{inst.name}")
        out += [os.path.join(d, rel) for d in sorted(glob.glob(pattern), reverse=True)]
    elif inst.installer in ("mise", "asdf"):
        out.append(os.path.join(inst.container, minor, rel))
        pattern = os.path.join(inst.container, f"{minor}.*")
        out += [os.path.join(d, rel) for d in sorted(glob.glob(pattern), reverse=True)]
    elif inst.installer == "pyenv":
        pattern = os.path.join(inst.container, "versions", f"{minor}.*")
        out += [os.path.join(d, rel) for d in sorted(glob.glob(pattern), reverse=True)]
    return out


def find_base(env_dir: str, minor: str, home: str | None, inventory: Inventory) -> str | None:
    """A working interpreter of `minor` for this environment: `home`'s own python, the new
    location of a version-stamped base the links pointed into, else one of `inventory()` (the
    interpreters the caller knows, asked for only when the others fail)."""
    cands: list[str] = []
    if home:
        cands += [os.path.join(home, n) for n in (f"python{minor}", "python3", "python")]
    for entry in _python_entries(os.path.join(env_dir, "bin")):
        chain = walk_chain(entry)
        for hop in chain.hops:
            if hop.kind == "missing":
                cands += _relocations(hop.path, minor)
    if home:
        cands += _relocations(os.path.join(home, f"python{minor}"), minor)
    seen: set[str] = set()
    for cand in cands:
        if cand in seen or not os.path.isfile(cand):
            continue
        seen.add(cand)
        if _runs_as(cand, minor, env_dir):
            return cand
    try:
        for interp in inventory():
            if (
                interp.probe is not None
                and interp.probe.minor == minor
                and not interp.probe.in_venv
            ):
                return interp.path
    except VenvtuiError:
        return None
    return None


# --- repair in place ------------------------------------------------------------------------------


def _already(op: Op) -> bool:
    """True when `op` would change nothing: the link already says the same, or the copy is
    already byte-identical."""
    if op.kind == "symlink":
        return os.path.islink(op.path) and os.readlink(op.path) == op.target
    if op.kind == "copy" and op.target is not None:
        if os.path.islink(op.path) or not os.path.isfile(op.path):
            return False
        try:
            return filecmp.cmp(op.path, op.target, shallow=False)
        except OSError:
            return False
    return False


def _starts(env_dir: str, minor: str, options: Options) -> str | None:
    """Why the environment needs no repair, when its start-up is "ok" (core.breaks.health: the
    static model confirmed by running its python); else None."""
    try:
        found = diagnose(load_environment(env_dir), options=patient_options(options))
    except (VenvtuiError, OSError):
        return None
    if found.starts != "ok" or found.observed is None:
        return None
    return f"it starts as an environment of Python {minor}"


def _nothing_to_repair(action: str, owner: EnvOwnership, why: str) -> Plan:
    """A plan with no operations: applying it is not needed (no backup is made)."""
    return Plan(
        action=action,
        env=owner.path,
        mode="inplace",
        ops=(),
        summary=f"nothing to {action}: {why}",
        warnings=owner.notes,
        details={"nothing_to_do": True, **identity_details(owner)},
    )


def _recommand(command: str, python: str) -> str | None:
    """`command` (how the environment was made) with its interpreter replaced by `python`:
    `PY -m venv ...` (CPython Lib/venv 3.11+) or `venvtui create --python PY ...`; None when
    it has neither shape (the key is then removed rather than left naming a gone base)."""
    try:
        argv = shlex.split(command)
    except ValueError:
        return None
    if len(argv) >= 3 and argv[1:3] == ["-m", "venv"]:
        argv[0] = python
    elif argv[:2] == ["venvtui", "create"] and "--python" in argv[:-1]:
        argv[argv.index("--python") + 1] = python
    else:
        return None
    return shlex.join(argv)


def plan_repair(
    env: object,
    python: str | None = None,
    *,
    home_policy: str = "stable",
    action: str = "repair",
    options: Options = DEFAULT_OPTIONS,
    inventory: Inventory | None = None,
) -> Plan:
    """Re-point the environment at a working base of the same minor (nothing is written).
    Without `python`, the base is looked for near the old one, then in `inventory()` (default:
    every interpreter on the machine, probed with `options`)."""
    owner = _target(env, "repair")
    env_dir = owner.path
    cfg_file = os.path.join(env_dir, "pyvenv.cfg")
    cfg = read_cfg(cfg_file)
    recorded = next((cfg.get(k) for k in CFG_VERSION_KEYS if cfg.get(k)), None)
    minor = env_minor(env_dir, recorded)
    if minor is None:
        raise WriteRefused(
            f"cannot tell which Python version {env_dir} was built for",
            "rebuild it instead: venvtui rebuild ENV --python PY",
        )
    if python is None and action == "repair" and not cfg.problems:
        running = _starts(env_dir, minor, options)
        if running is not None:
            return _nothing_to_repair(action, owner, running)
    if python is None:
        found = find_base(
            env_dir,
            minor,
            cfg.get("home"),
            inventory or (lambda: find_interpreters(options=options)),
        )
        if found is None:
            raise WriteRefused(
                f"no working Python {minor} found for {env_dir}",
                f"install Python {minor} and pass it with --python, or rebuild on another version",
            )
        python = found
    python = locate_python(python, options)
    pre = query_layout(python, env_dir)
    if pre.minor != minor:
        raise WriteRefused(
            f"{env_dir} was built for Python {minor}, {python} is {pre.version}",
            f"a different minor needs a rebuild: venvtui rebuild {env_dir} --python {python}",
        )
    base, layout = base_layout(
        python,
        pre,
        env_dir,
        home_policy,
        options,
        hint=f"pass a Python {minor} base with --python or --home-policy",
    )
    exename = os.path.basename(base.executable)
    bindir = os.path.join(env_dir, "bin")
    entries = _python_entries(bindir)
    copies = any(os.path.isfile(e) and not os.path.islink(e) for e in entries)
    # CPython venv --upgrade keeps existing links, even dangling ones: remove them first.
    names = {"python", "python3", f"python{minor}", exename}
    real = os.path.realpath(base.executable)
    wanted: dict[str, Op] = {}  # what bin/ must hold: only differences become operations
    main = os.path.join(bindir, exename)
    wanted[exename] = Op("copy", main, real) if copies else Op("symlink", main, base.executable)
    aliases = ["python", "python3"] + ([f"python{minor}"] if layout.version_tuple >= (3, 9) else [])
    for name in aliases:
        if name != exename:
            path = os.path.join(bindir, name)
            wanted[name] = Op("copy", path, real) if copies else Op("symlink", path, exename)
    desired = set(wanted)
    wanted = {n: op for n, op in wanted.items() if not _already(op)}
    ops: list[Op] = []
    for entry in entries:
        name = os.path.basename(entry)
        stale = name not in desired and (name in names or not os.path.exists(entry))
        if name in wanted or stale:
            note = (
                "dangling"
                if not os.path.exists(entry)
                else f"-> {os.readlink(entry)}"
                if os.path.islink(entry)
                else "copied binary"
            )
            ops.append(Op("remove", entry, note=note))
    ops += wanted.values()
    updates = {"home": base.home}
    # Every recorded full version follows the new base ("version" when none was written),
    # keeping virtualenv's `version_info = 3.12.1.final.0` shape when that is what was written;
    # `python-version` records only the minor, which a repair keeps.
    full = [k for k in CFG_VERSION_KEYS if k != "python-version" and cfg.get(k)]
    for version_key in full or ["version"]:
        old_version = cfg.get(version_key) or ""
        updates[version_key] = layout.version + (
            old_version[len(old_version.split(".final")[0]) :] if ".final" in old_version else ""
        )
    updates["executable"] = cfg_executable(base)
    # Keys other creators write follow the same base (virtualenv 20.x: base-prefix,
    # base-exec-prefix, base-executable; venv 3.11+: command), or go when they cannot.
    if cfg.get("base-executable") is not None:
        updates["base-executable"] = base.executable
    for key in ("base-prefix", "base-exec-prefix"):
        if cfg.get(key) is not None:
            updates[key] = stable_prefix(base, layout.base_prefix)
    remove: list[str] = []
    command = cfg.get("command")
    if command is not None:
        redone = _recommand(command, command_python(python, base))
        if redone is None:
            remove.append("command")
        else:
            updates["command"] = redone
    new_cfg = cfg.cleaned().with_values(updates, remove)
    if new_cfg.to_bytes() != cfg.to_bytes():
        ops.append(Op("write", cfg_file, content=new_cfg.to_bytes(), before=cfg.to_bytes()))
    verify = Verify(
        python=os.path.join(bindir, "python"),
        prefix=env_dir,
        base_prefix=layout.base_prefix,
        minor=minor,
    )
    if not ops:
        return _nothing_to_repair(action, owner, f"Python {layout.version}, home = {base.home}")
    warnings: list[str] = []
    if os.path.basename(base.executable) in ("python3", "python"):
        warnings.append(f"{base.executable} is an unversioned alias (minor drift risk)")
    return Plan(
        action=action,
        env=env_dir,
        mode="inplace",
        ops=tuple(ops),
        summary=(
            f"re-point at Python {layout.version}: home = {base.home}, bin/{exename} -> "
            f"{base.executable}{' (copied)' if copies else ''} [{base.policy} policy]; "
            "site-packages untouched"
        ),
        warnings=(*owner.notes, *warnings),
        verify=verify,
        details={**base.details(python, layout.version), **identity_details(owner)},
    )


# --- rebuild --------------------------------------------------------------------------------------


def find_uv() -> str | None:
    """uv on PATH, or next to the running interpreter (installed into the same environment)."""
    beside = os.path.join(os.path.dirname(sys.executable), "uv")
    if os.path.isfile(beside) and os.access(beside, os.X_OK):
        return beside
    return shutil.which("uv")


def _prompt_of(cfg_prompt: str | None) -> str | None:
    if not cfg_prompt:
        return None
    text = cfg_prompt.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":  # venv writes repr()
        text = text[1:-1]
    try:
        check_prompt(text)
    except WriteRefused:
        return None
    return text


TOOL_METADATA = ("pipx_metadata.json", "uv-receipt.toml")  # pipx and uv tool: kept as they are
TOOL_METADATA_LIMIT = 1 << 20
CARRY_LIMIT = 10_000  # entries copied into the rebuild record before giving up (and saying so)
# Run by the new environment's python after the reinstall (argv: distribution names): every
# top-level module each one installed (top_level.txt, else its RECORD) must import there, or
# the rebuild fails and the old environment stays (e.g. setuptools 56 on 3.12+: no distutils).
# Read from the new install, not the old one: an unpinned seed package may ship other modules.
IMPORT_CHECK = """\
import importlib, importlib.metadata as md, sys
bad = []
for name in sys.argv[1:]:
    try:
        dist = md.distribution(name)
    except md.PackageNotFoundError:
        bad.append(name + " (not installed)")
        continue
    text = dist.read_text("top_level.txt")
    if text is not None:
        mods = {m.strip().split("/")[0] for m in text.splitlines() if m.strip()}
    else:
        mods = set()
        for f in dist.files or ():
            top = f.parts[0]
            if len(f.parts) > 1 and f.parts[-1] == "__init__.py" and len(f.parts) == 2:
                mods.add(top)
            elif len(f.parts) == 1 and top.endswith(".py"):
                mods.add(top[:-3])
    for mod in sorted(m for m in mods if m.isidentifier() and not m.startswith("__")):
        try:
            importlib.import_module(mod)
        except BaseException as exc:
            why = str(exc).splitlines()[0] if str(exc) else ""
            bad.append("%s (%s: %s)" % (mod, type(exc).__name__, why))
if bad:
    print("cannot import: " + "; ".join(bad))
    sys.exit(1)
"""


def _tool_metadata_ops(old_env: str, new_env: str) -> tuple[list[Op], list[str]]:
    """pipx_metadata.json / uv-receipt.toml, read now (bounded) and written into the new
    environment as they were: without them `pipx list` reports missing metadata and `uv tool
    list` ignores the tool."""
    ops: list[Op] = []
    warnings: list[str] = []
    for name in TOOL_METADATA:
        path = os.path.join(old_env, name)
        if not os.path.lexists(path):
            continue
        try:
            content = safe_io.read_bytes(path, limit=TOOL_METADATA_LIMIT, follow_symlinks=False)
        except OSError as exc:
            warnings.append(f"{name} is not carried over: {exc}")
            continue
        ops.append(Op("write", os.path.join(new_env, name), content=content, note="kept as it was"))
    return ops, warnings


def _carry_ops(src: str, dst: str, names: Sequence[str] | None = None) -> list[Op] | None:
    """Ops that copy the tree at `src` (only its entries `names`, when given) to `dst` (links
    as links, never followed; special files skipped); None past CARRY_LIMIT entries."""
    ops = [Op("mkdir", dst)]
    stack = [(src, dst)]
    while stack:
        s, d = stack.pop()
        try:
            entries = sorted(os.scandir(s), key=lambda e: e.name)
        except OSError:
            continue
        if s == src and names is not None:
            entries = [e for e in entries if e.name in names]
        for entry in entries:
            target = os.path.join(d, entry.name)
            if len(ops) > CARRY_LIMIT:
                return None
            if entry.is_symlink():
                ops.append(Op("symlink", target, os.readlink(entry.path)))
            elif entry.is_dir(follow_symlinks=False):
                ops.append(Op("mkdir", target))
                stack.append((entry.path, target))
            elif entry.is_file(follow_symlinks=False):
                ops.append(Op("copy", target, entry.path))
    return ops


def _listing(names: Sequence[str], shown: int = 4) -> str:
    more = len(names) - shown
    return ", ".join(names[:shown]) + (f" (+{more} more)" if more > 0 else "")


def plan_rebuild(
    env: object,
    python: str,
    *,
    home_policy: str = "stable",
    find_links: Sequence[str] = (),
    no_index: bool = False,
    installer: str = "auto",
    options: Options = DEFAULT_OPTIONS,
) -> Plan:
    """A new environment from `python` with the same distributions (nothing is written).

    What the old environment holds beyond its distributions is not dropped silently: tool
    metadata is kept in place; loose site-packages entries (modules, .pth files, packages that
    no dist-info claims) and earlier `.venvtui-backup` records are copied into the new
    environment's `.venvtui-backup/<stamp>-rebuild/` (never into site-packages, where a module
    built for another Python could break start-up), and the plan says so."""
    owner = _target(env, "rebuild")
    env_dir = owner.path
    cfg = read_cfg(os.path.join(env_dir, "pyvenv.cfg"))
    recorded = next((cfg.get(k) for k in CFG_VERSION_KEYS if cfg.get(k)), None)
    old_minor = env_minor(env_dir, recorded)
    found = scan(env_dir, old_minor) if old_minor else None
    dists = list(found.dists) if found else []
    had_pip = any(d.name.lower() == "pip" for d in dists)
    reinstall = [d for d in dists if d.name.lower() not in ("pip",)]
    uv = find_uv() if installer in ("auto", "uv") else None
    if installer == "uv" and uv is None:
        raise WriteRefused("uv was not found", "install uv or pass --installer pip")
    seed = had_pip or (bool(reinstall) and uv is None)
    req = CreateRequest(
        python=python,
        dest=env_dir,
        home_policy=home_policy,
        prompt=_prompt_of(cfg.get("prompt")),
        system_site_packages=(cfg.get("include-system-site-packages") or "").lower() == "true",
        seed=seed,
        clear=True,
    )
    py = locate_python(python, options)
    pre = query_layout(py, env_dir, prompt=req.prompt)
    base, layout = base_layout(py, pre, env_dir, home_policy, options, req.prompt)
    exename = os.path.basename(base.executable)
    cross_minor = bool(old_minor) and old_minor != layout.minor
    ops = layout_ops(req, layout, base, env_dir)
    warnings: list[str] = []
    meta_ops, meta_warnings = _tool_metadata_ops(env_dir, env_dir)
    ops += meta_ops
    warnings += meta_warnings
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    record = os.path.join(env_dir, BACKUP_DIR, f"{stamp}-rebuild")
    kept: list[Op] = []  # what goes into the rebuild record
    if found and found.loose and old_minor:
        carried = _carry_ops(
            site_packages(env_dir, old_minor), os.path.join(record, "site-packages"), found.loose
        )
        loose = [safe_name(n) for n in found.loose]
        if carried is None:
            warnings.append(
                f"site-packages holds {len(loose)} entries no distribution claims "
                f"({_listing(loose)}); too many to keep: they are removed with the old environment"
            )
        else:
            kept += carried
            warnings.append(
                f"not reinstalled (no distribution claims them): {_listing(loose)}; kept in "
                f"{os.path.relpath(record, env_dir)}/site-packages, not on the new sys.path"
            )
    old_backup = os.path.join(env_dir, BACKUP_DIR)
    if os.path.isdir(old_backup) and not os.path.islink(old_backup):
        carried = _carry_ops(old_backup, os.path.join(record, "previous"))
        if carried is None:
            warnings.append(f"{BACKUP_DIR} of the old environment is too large to keep")
        elif len(carried) > 1:
            kept += carried
            warnings.append(
                f"earlier backups in {BACKUP_DIR} are kept in "
                f"{os.path.relpath(record, env_dir)}/previous"
            )
    for skipped in found.skipped if found else ():
        warnings.append(f"skipped, not passed to the installer: {skipped}")
    unpinned = [d for d in reinstall if cross_minor and d.is_seed]
    post: list[Op] = [seed_op(env_dir, layout)] if seed else []
    if reinstall:
        new_python = os.path.join(layout.bin_path, "python")
        lines = [d.requirement_line(pin=d not in unpinned) for d in reinstall]
        req_file = os.path.join(record, "requirements.txt")
        kept.append(
            Op(
                "write",
                req_file,
                content=("\n".join(lines) + "\n").encode(),
                note="what is reinstalled, as data for the installer",
            )
        )
        opts: list[str] = []
        for link in find_links:
            opts += ["--find-links", os.path.abspath(link)]
        if no_index:
            opts.append("--no-index")
        if uv is not None:
            argv: tuple[str, ...] = (
                uv,
                "pip",
                "install",
                "--python",
                new_python,
                *(["--offline"] if no_index else []),
                *opts,
                "-r",
                req_file,
            )
            note = f"reinstall {len(reinstall)} distributions with uv"
        else:
            argv = (
                new_python,
                "-m",
                "pip",
                "install",
                "--no-input",
                "--disable-pip-version-check",
                *opts,
                "-r",
                req_file,
            )
            note = f"reinstall {len(reinstall)} distributions with pip"
        post.append(Op("run", env_dir, argv=argv, note=note))
        if layout.version_tuple >= (3, 8):  # importlib.metadata
            check = os.path.join(record, "import_check.py")
            kept.append(Op("write", check, content=IMPORT_CHECK.encode(), note="import check"))
            names = [d.name for d in reinstall]
            post.append(
                Op(
                    "run",
                    env_dir,
                    argv=(new_python, "-I", check, *names),
                    note=f"import check of what was reinstalled: {_listing(names)}",
                )
            )
    if kept:
        ops += [Op("mkdir", os.path.join(env_dir, BACKUP_DIR)), Op("mkdir", record), *kept]
    ops += post
    if unpinned:
        warnings.append(
            f"Python {old_minor} -> {layout.minor}: seed packages "
            f"{', '.join(d.requirement for d in unpinned)} are not pinned; the newest that "
            f"supports Python {layout.minor} is installed"
        )
    if cross_minor:
        warnings.append(
            f"Python {old_minor} -> {layout.version}: distributions are reinstalled by name==version; "
            "a version that has no build for the new Python fails the rebuild (nothing is lost)"
        )
    warnings += [w for w in plan_warnings(req, layout, base, None) if "no pip" not in w]
    warnings = [*owner.notes, *warnings]
    return Plan(
        action="rebuild",
        env=env_dir,
        mode="build",
        ops=tuple(ops),
        summary=(
            f"new Python {layout.version} environment: home = {base.home}, bin/{exename} -> "
            f"{base.executable} [{base.policy} policy]; {len(reinstall)} distributions reinstalled"
        ),
        warnings=tuple(warnings),
        replaces=True,
        verify=Verify(
            python=os.path.join(layout.bin_path, "python"),
            prefix=env_dir,
            base_prefix=layout.base_prefix,
            minor=layout.minor,
            imports=("pip",) if seed else (),
        ),
        details={
            "python": py,
            "version": layout.version,
            "home": base.home,
            "executable": base.executable,
            "policy": base.policy,
            "distributions": [d.requirement for d in reinstall],
            "unpinned": [d.name for d in unpinned],
            "old_minor": old_minor,
            "installer": "uv" if uv else "pip",
            **identity_details(owner),
        },
    )


# --- delete ---------------------------------------------------------------------------------------


def _count_entries(root: str, limit: int = 1_000_000) -> int:
    """Entries under `root` (links not followed), walked iteratively: any depth, bounded."""
    count = 0
    stack = [root]
    while stack and count < limit:
        try:
            with os.scandir(stack.pop()) as it:
                for entry in it:
                    count += 1
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
        except OSError:
            continue
    return count


def plan_delete(env_path: str) -> Plan:
    """Remove an environment: only what the ownership rule accepts (see core.ownership)."""
    owner = check_target(env_path, verb="delete")
    path = owner.path
    count = _count_entries(path)
    warnings = []
    minor = env_minor(path, None)
    if minor:
        # pip, setuptools and wheel are what the creator seeded, not what the user installed
        n = sum(1 for d in installed_dists(path, minor) if not d.is_seed)
        if n:
            what = "distribution is" if n == 1 else "distributions are"
            warnings.append(
                f"{n} installed {what} removed with it (not counting pip, setuptools, wheel)"
            )
    return Plan(
        action="delete",
        env=path,
        mode="delete",
        ops=(Op("remove", path, note=f"the whole environment, {count} entries"),),
        summary=f"remove the environment {path}",
        warnings=(*owner.notes, *warnings),
        details={"entries": count, **identity_details(owner)},
    )


__all__ = [
    "Base",
    "Dist",
    "env_minor",
    "find_base",
    "installed_dists",
    "plan_delete",
    "plan_rebuild",
    "plan_repair",
]
