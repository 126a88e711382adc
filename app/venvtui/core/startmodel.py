"""What CPython does with a virtual environment at start-up, computed statically over a `View`.

This is the model the forecast re-runs against a simulated filesystem (an `Overlay`), so it
reads nothing but the view: the bin/python link chain, the pyvenv.cfg `home`, stdlib
landmarks, the libraries the real binary needs. Rules (research: home-resolution §2, P3):

- the chain must reach a file (B1 otherwise: "No such file or directory");
- the real binary's shared libraries must be found (B4: "error while loading shared libraries");
- where the stdlib search starts:
  * 3.11+ (`Modules/getpath.py`): at `home` when the env's pyvenv.cfg has one, else at the
    directory of `readlink_chain(bin/python)`;
  * <= 3.10 (`Modules/getpath.c`): at the directory of `readlink_chain(bin/python)`, replaced by
    `home` only when a pyvenv.cfg sits there or one level up (a copied interpreter);
- `prefix = search_up(start)` (the `lib/pythonX.Y/os.py` landmark), else the compiled PREFIX if
  it holds the landmark (getpath's fallback: the env then runs on that install's stdlib), else
  the interpreter does not start (B2: "No module named 'encodings'");
- misbound (B2'): the prefix it starts on is not the install its bin/python leads to
  (`search_up(dirname(realpath(bin/python)))`);
- drift (B3): it runs another minor version than the one pyvenv.cfg records.

macOS framework builds take the prefix from the framework library, never from `home`; the
model treats them like the link-following case. Windows launchers are not modelled.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any, Literal

from venvtui.core.elfdeps import check_libs
from venvtui.core.models import Chain
from venvtui.core.overlay import View, search_up
from venvtui.core.stability import exe_minor

# "uncertain": the base interpreter could not be probed, so its compiled PREFIX (the
# getpath fallback when no stdlib is found from the start dir) is unknown.
Status = Literal["ok", "broken", "misbound", "drift", "uncertain"]
RANK: dict[str, int] = {"ok": 0, "uncertain": 0, "drift": 1, "misbound": 2, "broken": 3}


@dataclass(frozen=True, slots=True)
class BaseFacts:
    """What only running the base interpreter tells: its version and compiled PREFIX."""

    version: tuple[int, int, int] | None = None
    config_prefix: str | None = None
    framework: bool = False
    unknown: bool = False  # the probe failed or timed out: version/PREFIX are not known


@dataclass(frozen=True, slots=True)
class Finding:
    code: str  # B1, B2, B2', B3, B4, cfg-missing, ...
    text: str


@dataclass(frozen=True, slots=True)
class Start:
    """The predicted start-up of one env in one view."""

    status: Status
    python: str | None
    chain: Chain | None
    running_minor: str | None
    recorded_minor: str | None
    start_dir: str | None  # where getpath starts the stdlib search
    start_from: str  # "home" | "link"
    prefix: str | None  # the sys.base_prefix it will report (lexical, as getpath computes it)
    expected_prefix: str | None  # the install its bin/python leads to
    via_prefix_fallback: bool
    copied: bool
    findings: tuple[Finding, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(f.code for f in self.findings)

    def summary(self) -> str:
        if not self.findings:
            return f"starts on {self.prefix} ({self.running_minor})"
        return "; ".join(f.text for f in self.findings)

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "python": self.python,
            "running_version": self.running_minor,
            "recorded_version": self.recorded_minor,
            "stdlib_search_from": self.start_dir,
            "search_starts_at": self.start_from,
            "base_prefix": self.prefix,
            "expected_base_prefix": self.expected_prefix,
            "prefix_fallback": self.via_prefix_fallback,
            "copied_interpreter": self.copied,
            "findings": [{"code": f.code, "text": f.text} for f in self.findings],
        }


_MINOR_RE = re.compile(r"^\s*(\d+)\.(\d+)")


def minor_of(version: str | None) -> str | None:
    if not version:
        return None
    m = _MINOR_RE.match(version)
    return f"{m[1]}.{m[2]}" if m else None


def cfg_get(cfg: tuple[tuple[str, str], ...], key: str) -> str | None:
    k = key.lower()
    for name, value in cfg:
        if name.strip().lower() == k:
            return value.strip()
    return None


def recorded_version(cfg: tuple[tuple[str, str], ...]) -> str | None:
    for key in ("version_info", "version", "python-version"):
        v = cfg_get(cfg, key)
        if v:
            return v
    return None


def _inside(path: str, directory: str) -> bool:
    path, directory = os.path.normpath(path), os.path.normpath(directory)
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


def predict(
    view: View,
    env_dir: str,
    python: str | None,
    cfg: tuple[tuple[str, str], ...],
    base: BaseFacts | None = None,
) -> Start:
    """Predict how `python` (the env's bin/python) starts in `view` (see module doc)."""
    base = base or BaseFacts()
    recorded = minor_of(recorded_version(cfg))
    findings: list[Finding] = []

    def result(
        status: Status,
        *,
        chain: Chain | None = None,
        running: str | None = None,
        start_dir: str | None = None,
        start_from: str = "link",
        prefix: str | None = None,
        expected: str | None = None,
        fallback: bool = False,
        copied: bool = False,
    ) -> Start:
        return Start(
            status,
            python,
            chain,
            running,
            recorded,
            start_dir,
            start_from,
            prefix,
            expected,
            fallback,
            copied,
            tuple(findings),
        )

    if python is None:
        findings.append(Finding("B1", f"{env_dir}/bin has no python executable"))
        return result("broken")
    chain = view.walk_chain(python)
    broken = chain.broken_hop
    if broken is not None:
        if broken.kind == "missing":
            first = chain.hops[0]
            via = f" (via {first.path})" if first.path != broken.path else ""
            findings.append(Finding("B1", f"{broken.path} does not exist{via}"))
        elif broken.kind == "loop":
            findings.append(Finding("loop", f"symlink loop at {broken.path}"))
        else:
            findings.append(Finding("unreadable", f"cannot read {broken.path}: {broken.error}"))
        return result("broken", chain=chain)
    final = chain.final
    if chain.hops[-1].kind != "file":
        findings.append(Finding("B1", f"{final} is a directory, not an interpreter"))
        return result("broken", chain=chain)
    copied = _inside(final, env_dir)
    running = exe_minor(final)
    if running is None and base.version is not None:
        running = f"{base.version[0]}.{base.version[1]}"
    if running is None:
        running = recorded
    libs = check_libs(final, view=view)
    if libs is not None and libs.missing:
        findings.append(
            Finding(
                "B4",
                f"{final} needs {', '.join(libs.missing)}, which is not found "
                f"(searched {', '.join(libs.searched[:3])}…)",
            )
        )
        return result("broken", chain=chain, running=running, copied=copied)
    if running is None:
        findings.append(Finding("unknown-version", "cannot tell which Python version runs"))
        return result("ok", chain=chain, copied=copied)
    home = cfg_get(cfg, "home")
    link_dir = os.path.dirname(view.readlink_chain(python))
    start_dir, start_from = link_dir, "link"
    ver = tuple(int(p) for p in running.split("."))
    if base.framework:
        pass  # macOS framework: the prefix comes from the framework library, not from home
    elif ver >= (3, 11):
        # CPython getpath.py 3.11+: pyvenv.cfg beside or above bin/python; its `home` starts
        # the stdlib search (no retry from the link target).
        if home and _cfg_beside(view, python):
            start_dir, start_from = os.path.normpath(home), "home"
    else:
        # CPython getpath.c <= 3.10: pyvenv.cfg is looked for beside the *resolved* binary.
        if home and _cfg_beside(view, os.path.join(link_dir, "python")):
            start_dir, start_from = os.path.normpath(home), "home"
    real = view.realpath(python)
    if copied:
        # a copied binary has no link back to its install: the env records it as `home`
        expected = search_up(view, os.path.normpath(home), running) if home else None
    else:
        expected = search_up(view, os.path.dirname(real), running)
    prefix = search_up(view, start_dir, running)
    fallback = False
    if prefix is None:
        pfx = base.config_prefix
        if base.version is not None and f"{base.version[0]}.{base.version[1]}" != running:
            # the facts describe another build (the chain now reaches a new minor version):
            # assume the new build's compiled PREFIX is its own install
            pfx = expected
        if pfx and search_up(view, pfx, running) == os.path.normpath(pfx):
            prefix, fallback = os.path.normpath(pfx), True
        elif base.unknown and not pfx:
            # getpath falls back to the compiled PREFIX, which only the (failed) probe tells:
            # whether the env starts, and on which stdlib, cannot be predicted.
            findings.append(
                Finding(
                    "uncertain",
                    f"no stdlib (lib/python{running}/os.py) at or above {start_dir} "
                    f"({start_from}); base interpreter could not be probed: start-up "
                    "prediction is uncertain (it depends on the compiled PREFIX)",
                )
            )
            return result(
                "uncertain",
                chain=chain,
                running=running,
                start_dir=start_dir,
                start_from=start_from,
                expected=expected,
                copied=copied,
            )
        else:
            where = f"{start_dir} ({start_from})"
            known = f"; the compiled PREFIX {pfx} has none either" if pfx else ""
            findings.append(
                Finding(
                    "B2",
                    f"no stdlib (lib/python{running}/os.py) at or above {where}{known}: "
                    "fails with \"No module named 'encodings'\"",
                )
            )
            return result(
                "broken",
                chain=chain,
                running=running,
                start_dir=start_dir,
                start_from=start_from,
                expected=expected,
                copied=copied,
            )
    status: Status = "ok"
    if expected is None and fallback:
        expected = start_dir  # the env records `home`, which holds no stdlib
    if expected is not None and not same_install(view, prefix, expected):
        status = "misbound"
        how = "through the compiled PREFIX fallback" if fallback else f"found from {start_dir}"
        findings.append(
            Finding(
                "B2'",
                f"starts on the stdlib of {prefix} ({how}), not of {expected}, "
                "the install bin/python runs",
            )
        )
    if recorded is not None and recorded != running:
        sp = os.path.join(env_dir, "lib", f"python{running}", "site-packages")
        has_sp = view.isdir(sp) and bool(view.listdir(sp))
        findings.append(
            Finding(
                "B3",
                f"runs Python {running} but was made for {recorded}: "
                + (
                    f"{sp} is {'there' if has_sp else 'missing or empty'}"
                    + ("" if has_sp else ", so installed packages vanish")
                ),
            )
        )
        if status == "ok":
            status = "drift"
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
    )


def same_install(view: View, a: str, b: str) -> bool:
    """Two prefixes name the same install when they resolve to the same directory, or when
    their `lib` dirs do (a merged-/usr system: `/` and `/usr` both reach `/usr/lib`, so a venv
    whose `home` is `/bin` starts on prefix `/` with the very same stdlib)."""
    if view.realpath(a) == view.realpath(b):
        return True
    lib_a, lib_b = os.path.join(a, "lib"), os.path.join(b, "lib")
    return view.isdir(lib_a) and view.realpath(lib_a) == view.realpath(lib_b)


def _cfg_beside(view: View, exe: str) -> bool:
    """getpath: pyvenv.cfg in dirname(exe) or its parent."""
    d = os.path.dirname(os.path.normpath(exe))
    return view.isfile(os.path.join(d, "pyvenv.cfg")) or view.isfile(
        os.path.join(os.path.dirname(d), "pyvenv.cfg")
    )
