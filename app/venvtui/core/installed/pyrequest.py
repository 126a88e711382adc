"""What `--python` / `-p` names: a path, a command on PATH, a version request, or a shim.

- A path (it holds a separator or exists) or a command name (`python3.12`, looked up on PATH as
  a shell does) is used as given, except that a pyenv/asdf/mise shim is replaced by the
  executable it selects now (`pyenv which` semantics, see `sources.shim_target`): a shim is a
  script that re-reads the selection at every run, never a base to record.
- A version request, as `uv venv -p` takes them: `3`, `3.12`, `3.12.1`, `3.13t`,
  `cpython@3.12`, `cpython3.12`, `cp312`, `pypy@3.10`, `'>=3.11,<3.13'` (and `python3.12`
  when no such command is on PATH). It is matched against the discovered
  interpreters: the newest matching version wins; between installs of that version, and among
  one install's aliases, an upgrade-stable path is preferred (Homebrew `opt/`, the uv/mise
  minor link) over a version-stamped one.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from venvtui.core.base.errors import NotFoundError, WriteRefused
from venvtui.core.base.models import Interpreter
from venvtui.core.base.options import DEFAULT_OPTIONS, Options
from venvtui.core.base.stability import classify_path
from venvtui.core.installed.interpreters import find_interpreters
from venvtui.core.installed.sources import Context, ShimTarget, shim_of, shim_target

# uv's PythonRequest forms: [impl][@]X[.Y[.Z]][t], plus the compact `cp312` / `pp310`.
_IMPLS = {"cpython": "cpython", "cp": "cpython", "pypy": "pypy", "pp": "pypy"}
_REQUEST = re.compile(
    r"^(?:(?P<impl>cpython|pypy|cp|pp)@?)?"
    r"(?P<major>\d)(?:\.(?P<minor>\d+)(?:\.(?P<patch>\d+))?)?(?P<t>t)?$",
    re.IGNORECASE,
)
_COMPACT = re.compile(r"^(?P<impl>cp|pp)(?P<major>\d)(?P<minor>\d{1,2})(?P<t>t)?$", re.IGNORECASE)


# A version specifier (PEP 440), as uv takes `-p '>=3.11,<3.13'`.
_SPECIFIER = re.compile(r"^\s*(?:===|==|!=|~=|<=|>=|<|>)")


@dataclass(frozen=True, slots=True)
class VersionRequest:
    implementation: str  # "cpython" unless another was named
    version: tuple[int, ...]  # 1 to 3 parts (empty with a specifier)
    free_threaded: bool = False
    text: str = ""
    specifier: str = ""  # PEP 440 specifiers, e.g. ">=3.11,<3.13"

    def matches(self, interp: Interpreter) -> bool:
        pr = interp.probe
        if pr is None or pr.implementation != self.implementation:
            return False
        if pr.free_threaded != self.free_threaded:
            return False
        if self.specifier:
            # start-up: packaging only for a version request
            from packaging.specifiers import SpecifierSet
            from packaging.version import InvalidVersion, Version

            try:
                return SpecifierSet(self.specifier).contains(
                    Version(pr.version_full), prereleases=True
                )
            except InvalidVersion:
                return False
        return tuple(pr.version[: len(self.version)]) == self.version

    def __str__(self) -> str:
        if self.specifier:
            return self.specifier
        impl = "" if self.implementation == "cpython" else f"{self.implementation} "
        return impl + ".".join(map(str, self.version)) + ("t" if self.free_threaded else "")


def parse_request(text: str) -> VersionRequest | None:
    """The version request `text` spells, or None when it is a path or a command name."""
    if _SPECIFIER.match(text):
        # start-up: packaging only for a version request
        from packaging.specifiers import InvalidSpecifier, SpecifierSet

        try:
            spec = str(SpecifierSet(text))
        except InvalidSpecifier:
            raise NotFoundError(
                f"{text!r} is not a valid version specifier",
                "e.g. --python '>=3.11,<3.13', or a version such as 3.12",
            ) from None
        return VersionRequest("cpython", (), False, text, spec)
    m = _REQUEST.fullmatch(text.strip()) or _COMPACT.fullmatch(text.strip())
    if m is None:
        return None
    parts = [m.group("major"), m.group("minor")]
    if "patch" in m.re.groupindex:
        parts.append(m.group("patch"))
    version = tuple(int(p) for p in parts if p is not None)
    impl = _IMPLS[(m.group("impl") or "cpython").lower()]
    return VersionRequest(impl, version, bool(m.group("t")), text)


_COMMAND_VERSION = re.compile(r"python(\d\.\d+t?)")


@dataclass(frozen=True, slots=True)
class PythonChoice:
    """The executable `request` resolved to, and how."""

    request: str
    path: str
    shim: str | None = None  # the shim that was replaced by what it runs
    shim_manager: str = ""
    selected_by: str = ""  # the shim's selection: a version file or a variable
    version_request: VersionRequest | None = None

    def note(self) -> str | None:
        """One line saying how the request was resolved, when it was not taken as is."""
        if self.shim is not None:
            return f"{self.shim} is a {self.shim_manager} shim; it runs {self.path}" + (
                f" (selected by {self.selected_by})" if self.selected_by else ""
            )
        if self.version_request is not None:
            return f"Python {self.version_request} resolved to {self.path}"
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "request": self.request,
            "path": self.path,
            "shim": self.shim,
            "shim_manager": self.shim_manager or None,
            "selected_by": self.selected_by or None,
            "version_request": str(self.version_request) if self.version_request else None,
        }


_SELECT = {"pyenv": "pyenv local X.Y", "mise": "mise use python@X.Y", "asdf": "asdf set python X.Y"}


def _unshim(request: str, path: str, ctx: Context) -> PythonChoice:
    found = shim_of(path, ctx)
    if found is None:
        return PythonChoice(request, path)
    manager, root = found
    command = os.path.basename(path)
    st: ShimTarget = shim_target(manager, command, ctx, root)
    if st.target is None:
        chosen = st.version or "nothing"
        raise NotFoundError(
            f"{path} is a {manager} shim, and the selected version ({chosen}"
            + (f", set by {st.origin}" if st.origin else "")
            + f") has no {command}",
            "pass an interpreter path or a version (e.g. --python 3.12), or select one with "
            f"`{_SELECT[manager]}`",
        )
    target = os.path.normpath(os.path.abspath(st.target))
    return PythonChoice(request, target, path, manager, st.origin)


def _stable_first(interp: Interpreter) -> str:
    """The alias to use: an upgrade-stable versioned one when there is one, else the
    preferred path."""

    for alias in interp.aliases:
        if classify_path(alias.path).kind == "stable" and re.search(
            r"\d\.\d+t?$", os.path.basename(alias.path)
        ):
            return alias.path
    return interp.path


def pick_version(req: VersionRequest, interpreters: Sequence[Interpreter]) -> Interpreter | None:
    """The newest final release matching `req` (a pre-release only when no final matches);
    between equal versions, one with a stable alias (then the discovery order: PATH first)."""

    best: tuple[tuple[Any, ...], Interpreter] | None = None
    for order, interp in enumerate(interpreters):
        if not req.matches(interp) or interp.probe is None:
            continue
        pr = interp.probe
        final = pr.raw.get("releaselevel", "final") == "final" if pr.raw else True
        stable = classify_path(_stable_first(interp)).kind == "stable"
        key = (final, pr.version, stable, -order)  # a pre-release only when nothing else
        if best is None or key > best[0]:
            best = (key, interp)
    return best[1] if best else None


def find_python(
    request: str,
    *,
    context: Context | None = None,
    interpreters: Sequence[Interpreter] | None = None,
    options: Options = DEFAULT_OPTIONS,
) -> PythonChoice:
    """Resolve a `--python` value (see module doc); a version request probes the interpreters
    found (`options`). Raises NotFoundError with a hint."""
    ctx = context or Context.current()
    text = os.path.expanduser(request)
    if not text:
        raise NotFoundError("--python is empty", "pass an interpreter path or a version")
    looks_like_path = os.sep in text or os.path.lexists(os.path.join(ctx.cwd, text))
    req = None if looks_like_path else parse_request(text)
    if req is not None:
        if interpreters is None:
            interpreters = find_interpreters(context=ctx, options=options)
        interp = pick_version(req, interpreters)
        if interp is None:
            have = sorted(
                {i.probe.version_full for i in interpreters if i.probe is not None},
                key=lambda v: [int(p) if p.isdigit() else 0 for p in re.split(r"[.a-z]+", v)],
            )
            raise NotFoundError(
                f"no Python {req} was found",
                "found: " + ", ".join(have) if have else "no interpreter was found at all",
            )
        return PythonChoice(request, _stable_first(interp), version_request=req)
    if not looks_like_path:
        found = ctx.which(text)
        if not found:
            m = _COMMAND_VERSION.fullmatch(text)
            if m:  # `python3.12` not on PATH: any discovered 3.12, as uv reads the name
                choice = find_python(
                    m.group(1), context=ctx, interpreters=interpreters, options=options
                )
                return dataclasses.replace(choice, request=request)
            raise NotFoundError(
                f"{request} was not found on PATH",
                "pass a path, a command on PATH or a version such as 3.12 or cpython@3.12",
            )
        text = found
    path = os.path.normpath(os.path.join(ctx.cwd, text))
    return _unshim(request, path, ctx)


def refuse_shim(path: str, *, context: Context | None = None) -> None:
    """Raise WriteRefused when `path` is a shim: a base an env records must be an install,
    not a script that re-reads the selected version at every run."""

    ctx = context or Context.current()
    found = shim_of(path, ctx)
    if found is None:
        return
    manager, root = found
    target = shim_target(manager, os.path.basename(path), ctx, root).target
    raise WriteRefused(
        f"{path} is a {manager} shim, not an install: an environment must not record it",
        f"pass what it runs now ({target})" if target else "pass an installed interpreter",
    )
