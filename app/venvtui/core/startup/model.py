"""How CPython starts a virtual environment's interpreter: one model, over a filesystem `View`.

`predict(view, env_dir, python, cfg, runtime)` re-enacts the interpreter's path calculation
statically, reading only the view (the real disk, the disk plus an installer event's changes,
or an env that does not exist yet) and the `Runtime` facts only running the base tells
(version, ABI, framework, compiled PREFIX). Every caller (resolver, writer, doctor, forecast,
what-if, TUI) uses it. Rules per version family (research: home-resolution §2, P1, P3):

- the chain must reach a file (B1: "No such file or directory"); the real binary's shared
  libraries must be found as the loader does (B4: "error while loading shared libraries");
- <= 3.10 (`Modules/getpath.c`): the executable is resolved with a readlink loop on the final
  component; pyvenv.cfg is only looked for beside that *real* binary or one level up (so only
  copies read `home`); the stdlib is searched up from there;
- 3.11-3.13 (`Modules/getpath.py`): pyvenv.cfg beside or above bin/python (unresolved); its
  `home` starts the stdlib search, for symlinked envs too, with no retry from the binary;
- 3.14: as 3.11-3.13, but the directory of the loaded libpython is tried first (GH-127970);
- python-build-standalone with its getpath patches (Dec 2025+, 3.11+): the search starts at
  the resolved base executable's directory instead of `home`;
- macOS framework builds: the prefix is the framework library's directory; `home` is unused;
- free-threaded builds: the stdlib is `lib/python3.13t` (ABI_THREAD);
- `search_up` never tests `/` (getpath's `dirname('/x')` is `''`); when nothing is found the
  compiled PREFIX is used: a silent fallback when it holds the stdlib, else B2 ("No module
  named 'encodings'");
- misbound (B2'): the stdlib it loads (the landmark's real path) is not the one of the install
  its bin/python runs (the install a copy was copied from); drift (B3): it runs another minor
  version than pyvenv.cfg records.
Windows launchers are not modelled.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Literal

from venvtui.core.base.models import CFG_VERSION_KEYS, Chain, cfg_get, exe_minor, minor_of
from venvtui.core.base.paths import inside
from venvtui.core.layout.elfdeps import check_libs
from venvtui.core.layout.view import Change, Overlay, View, landmark, search_up
from venvtui.core.startup.runtime import Runtime, stdlib_dir_name

# "uncertain": the base interpreter could not be probed, so its compiled PREFIX (the getpath
# fallback when no stdlib is found from the start dir) is unknown.
Status = Literal["ok", "broken", "misbound", "drift", "uncertain"]
RANK: dict[str, int] = {"ok": 0, "uncertain": 0, "drift": 1, "misbound": 2, "broken": 3}
Cfg = tuple[tuple[str, str], ...]

_VENV_CFG = "pyvenv.cfg"


@dataclass(frozen=True, slots=True)
class Reason:
    """One step of an explanation: `rule` names the behaviour applied (tool, file, versions),
    `text` what it did with these paths; `code` marks a finding (B1, B2, B2', B3, B4, loop,
    unreadable, uncertain, unknown-version)."""

    rule: str
    text: str
    code: str = ""

    def to_json(self) -> dict[str, str]:
        out = {"rule": self.rule, "text": self.text}
        if self.code:
            out["code"] = self.code
        return out


@dataclass(frozen=True, slots=True)
class Start:
    """The predicted start-up of one env in one view.

    `prefix` is the sys.base_prefix it will report (None when it cannot start); `stdlib` the
    stdlib directory it loads; `expected_prefix` the install its bin/python runs;
    `base_executable` the sys._base_executable it will report (what a nested env records);
    `via_prefix_fallback`: no stdlib was found by searching, so the prefix is the compiled-in
    PREFIX (an "ok" that holds only while PREFIX is this very install); `start_from`: "home",
    "link" (the resolved binary), "library" (libpython / framework) or "base-executable".
    """

    status: Status
    python: str | None
    chain: Chain | None
    running_minor: str | None
    recorded_minor: str | None
    start_dir: str | None
    start_from: str
    prefix: str | None
    expected_prefix: str | None
    via_prefix_fallback: bool
    copied: bool
    why: tuple[Reason, ...]
    base_executable: str | None = None
    stdlib: str | None = None
    free_threaded: bool = False

    @property
    def findings(self) -> tuple[Reason, ...]:
        return tuple(r for r in self.why if r.code)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.why if r.code)

    @property
    def code(self) -> str:
        """The first breakage code (B1..B4) found, else ""."""
        return next((c for c in self.codes if c.startswith("B")), "")

    def summary(self) -> str:
        found = self.findings
        if not found:
            return f"starts on {self.prefix} ({self.running_minor})"
        return "; ".join(f.text for f in found)

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "code": self.code,
            "python": self.python,
            "running_version": self.running_minor,
            "recorded_version": self.recorded_minor,
            "free_threaded": self.free_threaded,
            "stdlib_search_from": self.start_dir,
            "search_starts_at": self.start_from,
            "base_prefix": self.prefix,
            "stdlib": self.stdlib,
            "expected_base_prefix": self.expected_prefix,
            "base_executable": self.base_executable,
            "prefix_fallback": self.via_prefix_fallback,
            "via_prefix_fallback": self.via_prefix_fallback,
            "copied_interpreter": self.copied,
            "findings": [{"code": f.code, "text": f.text} for f in self.findings],
            "why": [r.to_json() for r in self.why],
        }


def recorded_version(cfg: Cfg) -> str | None:
    for key in CFG_VERSION_KEYS:
        v = cfg_get(cfg, key)
        if v:
            return v
    return None


def _family(ver: tuple[int, int]) -> str:
    if ver <= (3, 10):
        return "CPython getpath.c <=3.10"
    if ver <= (3, 13):
        return "CPython getpath.py 3.11-3.13"
    return "CPython getpath.py 3.14+"


def stdlib_file(view: View, prefix: str, abi_minor: str) -> str | None:
    """The real path of the stdlib landmark under `prefix` (os.py, os.pyc or the zip): what
    identifies the stdlib a process loads, however the prefix was reached."""
    lib = os.path.join(prefix, "lib")
    nodot = abi_minor.replace(".", "")
    for cand in (
        os.path.join(lib, f"python{abi_minor}", "os.py"),
        os.path.join(lib, f"python{abi_minor}", "os.pyc"),
        os.path.join(lib, f"python{nodot}.zip"),
    ):
        if view.isfile(cand):
            return view.realpath(cand)
    return None


def same_install(view: View, a: str, b: str, abi_minor: str | None = None) -> bool:
    """Two prefixes are the same install when they resolve to the same directory, or when the
    stdlib they hold is the same file (a Nix profile's `lib/python3.12` links into the store's
    own; merged-/usr `/` and `/usr` share `/usr/lib`)."""
    if view.realpath(a) == view.realpath(b):
        return True
    if abi_minor is not None:
        fa, fb = stdlib_file(view, a, abi_minor), stdlib_file(view, b, abi_minor)
        if fa is not None and fa == fb:
            return True
    lib_a, lib_b = os.path.join(a, "lib"), os.path.join(b, "lib")
    return view.isdir(lib_a) and view.realpath(lib_a) == view.realpath(lib_b)


def same_dir(a: str | None, b: str | None) -> bool:
    """True when both name the same existing directory on disk (after full resolution)."""
    if not a or not b:
        return False
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def _cfg_near(view: View, directory: str) -> str | None:
    """getpath: pyvenv.cfg in `directory`'s parent, then in `directory` (3.11+ order)."""
    d = os.path.normpath(directory)
    for cand in (os.path.join(os.path.dirname(d), _VENV_CFG), os.path.join(d, _VENV_CFG)):
        if view.isfile(cand):
            return cand
    return None


def base_executable(
    view: View, exe: str, home: str | None, ver: tuple[int, int, int], real: str, rt: Runtime
) -> str:
    """`sys._base_executable` inside an env whose bin/python is `exe` (P1)."""
    if ver[:2] <= (3, 10):
        # Python/pathconfig.c 3.8-3.10: base_executable defaults to executable, unresolved.
        return exe
    if rt.framework and rt.library:
        # getpath.py 3.11+ (bpo-46890): framework builds use dirname(library)/bin/pythonX.Y.
        return os.path.join(os.path.dirname(rt.library), "bin", f"python{ver[0]}.{ver[1]}")
    if home is None:
        return exe
    if real != exe:
        # getpath.py 3.11+ (bpo-46028): realpath(executable) when it differs.
        return real
    candidate = os.path.join(home, os.path.basename(exe))
    if not view.isfile(candidate) and ver >= (3, 11, 1):
        # gh-99204 (3.11.1+): fall back to python3, then pythonX.Y in home.
        for name in ("python3", f"python{ver[0]}.{ver[1]}"):
            if name != os.path.basename(exe) and view.isfile(os.path.join(home, name)):
                return os.path.join(home, name)
    return candidate


def _running(view: View, final: str, rt: Runtime, recorded: str | None) -> tuple[str | None, bool]:
    """(X.Y the binary runs, free-threaded): the probe's when it was taken from this very
    binary, else from its name `pythonX.Y[t]`, else the probe's, else pyvenv.cfg's."""
    if rt.minor is not None and rt.binary is not None and view.realpath(final) == rt.binary:
        return rt.minor, rt.free_threaded
    name_minor = exe_minor(final)
    if name_minor is not None:
        ft = os.path.basename(final).endswith("t")
        if rt.minor == name_minor:
            ft = ft or rt.free_threaded
        return name_minor, ft
    if rt.minor is not None:
        return rt.minor, rt.free_threaded
    return recorded, False


def _expected(
    view: View,
    cfg: Cfg,
    python: str,
    real: str,
    copied: bool,
    abi: str,
    rt: Runtime,
    facts: bool,
) -> str | None:
    """The install bin/python runs. A link: searched up from the binary it resolves to. A copy
    has no link back: the binary the creator copied (venv 3.11+ `executable`, virtualenv
    `base-executable`), else the install `home` names (or the binary in `home` leads to),
    else (the copied binary's install or `home` is gone) that install's directory, else the
    build's own compiled PREFIX."""
    if not copied:
        # the install the binary physically sits in (a merged-/usr `/bin` is `/usr/bin`)
        return search_up(view, os.path.dirname(view.realpath(real)), abi)
    gone: str | None = None
    for key in ("executable", "base-executable"):
        recorded = cfg_get(cfg, key)
        if not recorded or not os.path.isabs(recorded):
            continue
        if not view.isfile(recorded):
            gone = gone or os.path.dirname(os.path.dirname(recorded))
            continue
        found = search_up(view, os.path.dirname(view.readlink_chain(recorded)), abi)
        if found:
            return found
    home = cfg_get(cfg, "home")
    found = search_up(view, home, abi) if home else None
    if found is None and gone is None and home:
        # an executable-only `home`: the binary there (as getpath's base_executable names it,
        # gh-99204 fallbacks included) leads to the install the copy was made from
        for name in dict.fromkeys(
            (os.path.basename(python), "python3", f"python{abi}", f"python{abi.rstrip('t')}")
        ):
            cand = os.path.join(home, name)
            if view.isfile(cand):
                found = search_up(view, os.path.dirname(view.realpath(cand)), abi)
                if found is not None:
                    break
            elif view.lnode(cand).kind == "link":  # dangling: the install it led to is gone
                gone = os.path.dirname(os.path.dirname(view.realpath(cand)))
                break
    if found is None and gone is None and home and not view.isdir(home):
        gone = os.path.dirname(os.path.normpath(home))  # the install home named is gone
    if found is not None or gone is not None:
        return found or gone
    if facts and rt.compiled_prefix and landmark(view, rt.compiled_prefix, abi):
        return os.path.normpath(rt.compiled_prefix)
    return None


def predict(
    view: View,
    env_dir: str,
    python: str | None,
    cfg: Cfg,
    runtime: Runtime | None = None,
) -> Start:
    """Predict how `python` (the env's bin/python) starts in `view` (see module doc)."""
    rt = runtime or Runtime()
    recorded = minor_of(recorded_version(cfg))
    why: list[Reason] = []

    def result(status: Status, **kw: Any) -> Start:
        kw.setdefault("start_from", "link")
        return Start(
            status=status,
            python=python,
            chain=kw.pop("chain", None),
            running_minor=kw.pop("running", None),
            recorded_minor=recorded,
            start_dir=kw.pop("start_dir", None),
            start_from=kw.pop("start_from"),
            prefix=kw.pop("prefix", None),
            expected_prefix=kw.pop("expected", None),
            via_prefix_fallback=kw.pop("fallback", False),
            copied=kw.pop("copied", False),
            why=tuple(why),
            **kw,
        )

    if python is None:
        why.append(Reason("venv layout", f"{env_dir}/bin has no python executable", "B1"))
        return result("broken")
    chain = view.walk_chain(python)
    broken = chain.broken_hop
    if broken is not None:
        if broken.kind == "missing":
            first = chain.hops[0]
            via = f" (via {first.path})" if first.path != broken.path else ""
            text = f"{broken.path} does not exist{via}"
            why.append(Reason("POSIX exec", text, "B1"))
        elif broken.kind == "loop":
            why.append(Reason("POSIX exec", f"symlink loop at {broken.path}", "loop"))
        else:
            why.append(
                Reason("POSIX exec", f"cannot read {broken.path}: {broken.error}", "unreadable")
            )
        return result("broken", chain=chain)
    final = chain.final
    if chain.hops[-1].kind != "file":
        why.append(Reason("POSIX exec", f"{final} is a directory, not an interpreter", "B1"))
        return result("broken", chain=chain)
    copied = inside(final, env_dir)
    running, ft = _running(view, final, rt, recorded)
    libs = check_libs(final, view=view)
    if libs is not None and libs.missing:
        why.append(
            Reason(
                "ld.so",
                f"{final} needs {', '.join(libs.missing)}, which is not found "
                f"(searched {', '.join(libs.searched[:3])}…)",
                "B4",
            )
        )
        return result("broken", chain=chain, running=running, copied=copied)
    if running is None:
        why.append(
            Reason("venv layout", "cannot tell which Python version runs", "unknown-version")
        )
        return result("ok", chain=chain, copied=copied)
    ver3 = tuple(int(p) for p in running.split("."))
    ver = (ver3[0], ver3[1])
    # the probed facts describe this binary (not another build the chain now reaches)
    facts = rt.minor == running
    full: tuple[int, int, int] = (
        rt.version if facts and rt.version is not None else (ver[0], ver[1], 0)
    )
    abi = running + ("t" if ft else "")
    name = stdlib_dir_name(running, ft)
    family = _family(ver)
    home = cfg_get(cfg, "home")
    home = os.path.normpath(home) if home else None
    real = view.getpath_realpath(python, ver)  # file links only, the version's joining rule
    base_exe = base_executable(view, python, home, full, real, rt)
    expected = _expected(view, cfg, python, real, copied, abi, rt, facts)
    start_dir, start_from = os.path.dirname(real), "link"
    prefix: str | None = None
    if facts and rt.framework and rt.library:
        start_dir, start_from = os.path.dirname(rt.library), "library"
        why.append(
            Reason(
                "CPython getpath (macOS framework)",
                f"the prefix comes from the framework library {rt.library}; pyvenv.cfg home "
                "is not used to find the stdlib",
            )
        )
        prefix = start_dir if landmark(view, start_dir, abi) else None
        if expected is None:
            expected = start_dir
    elif ver <= (3, 10):
        why.append(
            Reason(
                family, f"resolves bin/python with a readlink loop on the final component: {real}"
            )
        )
        # getpath.c calculate_read_pyenv: pyvenv.cfg in argv0_path or its parent, where
        # argv0_path is the directory of the *resolved* binary.
        d = os.path.dirname(real)
        found_cfg = next(
            (
                c
                for c in (os.path.join(d, _VENV_CFG), os.path.join(os.path.dirname(d), _VENV_CFG))
                if view.isfile(c)
            ),
            None,
        )
        if found_cfg is not None and home and inside(found_cfg, env_dir):
            start_dir, start_from = home, "home"
            why.append(
                Reason(
                    family,
                    f"{found_cfg} is beside the resolved binary (a copied interpreter): its "
                    f"home {home} is where the stdlib search starts",
                )
            )
        elif cfg:
            why.append(
                Reason(
                    family,
                    "the env's pyvenv.cfg is not beside the resolved binary, so its home is "
                    "not read (a symlinked env survives a barren home)",
                )
            )
    else:
        if ver >= (3, 14) and libs is not None:
            lib = next((p for n, p in libs.found.items() if n.startswith("libpython")), None)
            if lib is not None:
                # getpath.py 3.14 (GH-127970): the libpython directory is tried first. Upstream
                # checks dirname(library)/lib/pythonX.Y; python-build-standalone resolves the
                # library (/proc/self/maps) and uses dirname(dirname(library)).
                lib_dir = os.path.dirname(view.realpath(lib) if rt.standalone else lib)
                cands = [lib_dir] + ([os.path.dirname(lib_dir)] if rt.standalone else [])
                for cand in cands:
                    if landmark(view, cand, abi):
                        prefix, start_dir, start_from = cand, lib_dir, "library"
                        why.append(
                            Reason(family, f"the stdlib sits beside the loaded libpython: {cand}")
                        )
                        break
        if prefix is None:
            if home and _cfg_near(view, os.path.dirname(os.path.normpath(python))):
                start_dir, start_from = home, "home"
                why.append(
                    Reason(
                        family,
                        f"pyvenv.cfg home = {home} is where the stdlib search starts, for "
                        "symlinked envs too (no retry from the resolved binary)",
                    )
                )
                if rt.getpath_patched and view.isfile(base_exe):
                    start_dir, start_from = os.path.dirname(base_exe), "base-executable"
                    why.append(
                        Reason(
                            "python-build-standalone getpath patch (Dec 2025+)",
                            f"searches from the base executable's directory {start_dir} "
                            "instead of home",
                        )
                    )
            elif cfg:
                why.append(Reason(family, "pyvenv.cfg has no home key: searching from the binary"))
    if prefix is None and start_from != "library":
        prefix = search_up(view, start_dir, abi)
        if prefix:
            why.append(
                Reason(family, f"found lib/{name}/os.py searching up from {start_dir}: {prefix}")
            )
        else:
            why.append(
                Reason(
                    family,
                    f"no lib/{name}/os.py at or above {start_dir} (the root is never searched)",
                )
            )
    fallback = False
    if prefix is None:
        pfx = rt.compiled_prefix if facts else None
        if not facts and rt.version is not None:
            # the facts describe another build (the chain now reaches a new minor version):
            # assume the new build's compiled PREFIX is its own install
            pfx = expected
        if pfx and landmark(view, pfx, abi):
            prefix, fallback = os.path.normpath(pfx), True
            # getpath warns ("Could not find platform independent libraries") only when PREFIX
            # lacks the landmark too: this fallback is silent.
            why.append(
                Reason(
                    family,
                    f"falls back to the compiled-in PREFIX {pfx}, silently (PREFIX holds the "
                    "stdlib, so no warning is printed)",
                )
            )
        elif not pfx and (rt.unknown or rt.version is None):
            why.append(
                Reason(
                    "venvtui start-up model",
                    f"no stdlib (lib/{name}/os.py) at or above {start_dir} ({start_from}); base "
                    "interpreter could not be probed: start-up prediction is uncertain (it "
                    "depends on the compiled PREFIX)",
                    "uncertain",
                )
            )
            unstartable: Status = "uncertain"
        else:
            known = f"; the compiled PREFIX {pfx} has none either" if pfx else ""
            why.append(
                Reason(
                    family,
                    f"no stdlib (lib/{name}/os.py) at or above {start_dir} ({start_from}){known}: "
                    "fails with \"No module named 'encodings'\"",
                    "B2",
                )
            )
            unstartable = "broken"
        if prefix is None:  # no stdlib found: it cannot start (or we cannot tell)
            return result(
                unstartable,
                chain=chain,
                running=running,
                start_dir=start_dir,
                start_from=start_from,
                expected=expected,
                copied=copied,
                base_executable=base_exe,
                free_threaded=ft,
            )
    status: Status = "ok"
    if expected is None and fallback:
        expected = search_up(view, start_dir, abi) or start_dir
    if expected is not None and not same_install(view, prefix, expected, abi):
        status = "misbound"
        how = "through the compiled PREFIX fallback" if fallback else f"found from {start_dir}"
        why.append(
            Reason(
                family,
                f"starts on the stdlib of {prefix} ({how}), not of {expected}, "
                "the install bin/python runs",
                "B2'",
            )
        )
    if recorded is not None and recorded != running:
        sp = os.path.join(env_dir, "lib", f"python{running}", "site-packages")
        has_sp = view.isdir(sp) and bool(view.listdir(sp))
        why.append(
            Reason(
                "CPython site.venv",
                f"runs Python {running} but was made for {recorded}: "
                + (
                    f"{sp} is {'there' if has_sp else 'missing or empty'}"
                    + ("" if has_sp else ", so installed packages vanish")
                ),
                "B3",
            )
        )
        if status == "ok":
            status = "drift"
    if fallback and status != "misbound":
        why.append(
            Reason(
                "venvtui start-up model (PREFIX fallback)",
                f"ok only via the compiled-in PREFIX fallback: no lib/{name}/os.py at or above "
                f"{start_dir}, so it starts only while the build's PREFIX is this very install "
                "(a relocated or standalone build fails, a PREFIX of another install misbinds)",
            )
        )
    return result(
        status,
        chain=chain,
        running=running,
        start_dir=start_dir,
        start_from=start_from,
        prefix=prefix,
        expected=expected,
        fallback=fallback,
        copied=copied,
        base_executable=base_exe,
        stdlib=os.path.join(prefix, "lib", name),
        free_threaded=ft,
    )


# --- an env not created yet -------------------------------------------------------------------


PLANNED_ENV = os.path.join(os.sep, "nonexistent-env")


def predict_planned(target: str, home: str, bin_name: str, runtime: Runtime, cfg: Cfg) -> Start:
    """Start-up of an env not created yet: `PLANNED_ENV/bin/<bin_name>` a symlink to `target`,
    with pyvenv.cfg `cfg` (its `home` = `home`), laid over the real disk."""
    exe = os.path.join(PLANNED_ENV, "bin", bin_name)
    view = Overlay(
        [
            Change("dir", PLANNED_ENV),
            Change("dir", os.path.join(PLANNED_ENV, "bin")),
            Change("link", exe, target),
            Change("file", os.path.join(PLANNED_ENV, _VENV_CFG)),
        ]
    )
    pairs = (("home", home), *((k, v) for k, v in cfg if k.lower() != "home"))
    return predict(view, PLANNED_ENV, exe, pairs, runtime)
