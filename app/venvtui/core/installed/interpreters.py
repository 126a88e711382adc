"""Find every interpreter and environment on the machine.

Interpreters: the locators in `sources` list candidate paths (directory listings only); each
candidate is stat'ed once, dropped unless it is an executable regular file outside any virtual
environment, and grouped by (st_dev, st_ino) so one real file gives one Interpreter carrying
every alias path and every source that found it. Shims are resolved to what they run and never
probed. Probing then runs concurrently and each Interpreter is yielded as its probe completes.

Environments: see `envs` (static: no interpreter is ever run while listing them).
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from venvtui.core.base.errors import (
    NotAnInterpreterError,
    NotFoundError,
    ProbeError,
    SymlinkLoopError,
    VenvtuiError,
)
from venvtui.core.base.models import Alias, Interpreter, ProbeResult, Source
from venvtui.core.base.observed import note
from venvtui.core.base.options import DEFAULT_OPTIONS, Options
from venvtui.core.installed import probe as probe_mod
from venvtui.core.installed.sources import Candidate, Context, candidates, resolve_shim
from venvtui.core.layout.symlinks import LinkCache, walk_chain

if TYPE_CHECKING:
    from concurrent.futures import Future


__all__ = [
    "find_interpreters",
    "interpreter_for",
    "iter_interpreters",
    "static_interpreters",
]

Cancel = Callable[[], bool]

_SOURCE_ORDER = {s: i for i, s in enumerate(Source)}
_VERSIONED = re.compile(r"(?:python|pypy)\d+\.\d+", re.IGNORECASE)


class _Group:
    """Candidates sharing one real file."""

    __slots__ = ("aliases", "dev_ino", "shim_sources", "shims")

    def __init__(self, dev_ino: tuple[int, int]) -> None:
        self.dev_ino = dev_ino
        self.aliases: dict[str, list[Source]] = {}
        self.shims: list[str] = []
        self.shim_sources: list[Source] = []

    def add(self, path: str, source: Source) -> None:
        sources = self.aliases.setdefault(path, [])
        if source not in sources:
            sources.append(source)


def in_venv(path: str, _cache: dict[str, bool] | None = None) -> bool:
    """True when `path` is a virtual environment's interpreter: a pyvenv.cfg sits in its
    directory or the one above (CPython getpath: `pyvenv.cfg` beside the executable or in its
    parent, checked before any symlink is resolved)."""
    d = os.path.dirname(path)
    if _cache is not None and d in _cache:
        return _cache[d]
    beside, above = os.path.join(d, "pyvenv.cfg"), os.path.join(os.path.dirname(d), "pyvenv.cfg")
    note(beside)
    note(above)
    found = os.path.isfile(beside) or os.path.isfile(above)
    if _cache is not None:
        _cache[d] = found
    return found


def _executable_file(path: str) -> os.stat_result | None:
    note(path)
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(st.st_mode) or not st.st_mode & 0o111:
        return None
    return st


def _collect(ctx: Context, cands: Iterable[Candidate], cancel: Cancel | None) -> list[_Group]:
    groups: dict[tuple[int, int], _Group] = {}
    venv_dirs: dict[str, bool] = {}
    seen: set[tuple[str, Source]] = set()
    shims: list[tuple[Candidate, str]] = []

    def add(path: str, source: Source) -> _Group | None:
        st = _executable_file(path)
        if st is None or in_venv(path, venv_dirs):
            return None
        key = (st.st_dev, st.st_ino)
        group = groups.get(key)
        if group is None:
            group = groups[key] = _Group(key)
        group.add(path, source)
        return group

    for cand in cands:
        if cancel is not None and cancel():
            break
        path = os.path.normpath(os.path.abspath(cand.path))
        if (path, cand.source) in seen:
            continue
        seen.add((path, cand.source))
        if cand.shim:
            target = resolve_shim(cand, ctx)
            if target is not None:
                shims.append((cand, os.path.normpath(os.path.abspath(target))))
            continue  # a shim is never an interpreter itself; inactive shims are dropped
        add(path, cand.source)

    for cand, target in shims:
        st = _executable_file(target)
        if st is None or in_venv(target, venv_dirs):
            continue
        group = groups.get((st.st_dev, st.st_ino))
        if group is None:  # the shim runs something no locator lists ("system" elsewhere)
            group = add(target, cand.source)
            if group is None:
                continue
        group.shims.append(os.path.normpath(os.path.abspath(cand.path)))
        if cand.source not in group.shim_sources:
            group.shim_sources.append(cand.source)
    # A link from outside to a `--copies` venv's own binary still runs a venv's file: the real
    # file must not sit in an environment either.
    return [
        g
        for g in groups.values()
        if not in_venv(os.path.realpath(next(iter(g.aliases))), venv_dirs)
    ]


def _preferred(paths: Sequence[str]) -> str:
    """The alias to show and invoke: a versioned name in the install's own bin (the directory
    of the real file), then any versioned name, then the shortest path."""
    reals = {p: os.path.realpath(p) for p in paths}

    def score(p: str) -> tuple[int, int, int, str]:
        real = reals[p]
        name = os.path.basename(p)
        own_bin = os.path.dirname(p) == os.path.dirname(real)
        versioned = _VERSIONED.fullmatch(name.removesuffix(".exe")) is not None
        return (0 if own_bin else 1, 0 if versioned else 1, len(p), p)

    return min(paths, key=score)


def _build(group: _Group, links: LinkCache | None = None) -> Interpreter:
    paths = list(group.aliases)
    path = _preferred(paths)
    real = os.path.realpath(path)
    ordered = [path, *(p for p in paths if p != path)]
    aliases = []
    for p in ordered:
        srcs = tuple(sorted(group.aliases[p], key=_SOURCE_ORDER.__getitem__))
        aliases.append(Alias(p, srcs, walk_chain(p, cache=links)))
    all_sources = {s for srcs in group.aliases.values() for s in srcs} | set(group.shim_sources)
    return Interpreter(
        path=path,
        real_path=real,
        dev_ino=group.dev_ino,
        aliases=tuple(aliases),
        sources=tuple(sorted(all_sources, key=_SOURCE_ORDER.__getitem__)),
        install_dir=_guess_install_dir(real),
        shims=tuple(group.shims),
    )


def _guess_install_dir(real_path: str) -> str:
    """Without a probe: the parent of the executable's bin directory."""
    d = os.path.dirname(real_path)
    return os.path.dirname(d) if os.path.basename(d).lower() in ("bin", "scripts") else d


def with_probe(interp: Interpreter, result: ProbeResult | VenvtuiError) -> Interpreter:
    if isinstance(result, VenvtuiError):
        return replace(interp, error=str(result))
    return replace(interp, probe=result, install_dir=result.base_prefix or interp.install_dir)


def static_interpreters(
    *, cancel: Cancel | None = None, context: Context | None = None
) -> list[Interpreter]:
    """Every interpreter found without running any (stat/readlink only)."""
    # A fresh directory-listing memo per scan (a reused Context must not serve stale lists).
    ctx = replace(context, listings={}) if context is not None else Context.current()
    links = LinkCache()
    return [_build(g, links) for g in _collect(ctx, candidates(ctx), cancel)]


def iter_interpreters(
    *,
    cancel: Cancel | None = None,
    probe: bool = True,
    options: Options = DEFAULT_OPTIONS,
    context: Context | None = None,
) -> Iterator[Interpreter]:
    """Stream every interpreter on the machine.

    Static collection first; then (with `probe`) each interpreter is probed concurrently and
    yielded as its probe completes. A failed probe still yields the interpreter, with `error`
    set (`options.concurrency` at once). `cancel()` is checked between steps; once it returns
    True nothing more is yielded.
    """
    found = static_interpreters(cancel=cancel, context=context)
    if not probe:
        for interp in found:
            if cancel is not None and cancel():
                return
            yield interp
        return
    if not found or (cancel is not None and cancel()):
        return
    misses: list[Interpreter] = []
    for interp in found:
        # Warm path: answer from the probe cache without a thread or a process.
        hit = probe_mod.cached(interp.path) if options.use_cache else None
        if hit is None:
            misses.append(interp)
        else:
            if cancel is not None and cancel():
                return
            yield with_probe(interp, hit)
    if not misses:
        return

    def run(interp: Interpreter) -> ProbeResult | VenvtuiError:
        try:
            return probe_mod.probe_through_cache(interp.path, options)
        except VenvtuiError as exc:
            return exc
        except Exception as exc:  # a bug or an OS oddity must not end the whole listing
            return ProbeError(f"probing {interp.path} failed: {exc}")

    # concurrent.futures is imported only when a probe must run: a warm scan never needs it.
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    pool = ThreadPoolExecutor(max_workers=max(1, min(options.concurrency, len(misses))))
    try:
        pending: dict[Future[ProbeResult | VenvtuiError], Interpreter] = {
            pool.submit(run, interp): interp for interp in misses
        }
        while pending:
            done, _ = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
            if cancel is not None and cancel():
                return
            for fut in done:
                interp = pending.pop(fut)
                yield with_probe(interp, fut.result())
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def find_interpreters(
    *,
    cancel: Cancel | None = None,
    probe: bool = True,
    options: Options = DEFAULT_OPTIONS,
    context: Context | None = None,
) -> list[Interpreter]:
    """All interpreters, sorted by version (newest first; unprobed last) then path."""
    found = list(iter_interpreters(cancel=cancel, probe=probe, options=options, context=context))
    return sort_interpreters(found)


def sort_interpreters(items: Iterable[Interpreter]) -> list[Interpreter]:
    def key(i: Interpreter) -> tuple[int, tuple[int, int, int], str]:
        if i.probe is None:
            return (1, (0, 0, 0), i.path)
        v = i.probe.version
        return (0, (-v[0], -v[1], -v[2]), i.path)

    return sorted(items, key=key)


def interpreter_for(path: str, *, options: Options = DEFAULT_OPTIONS) -> Interpreter:
    """One explicit interpreter path, checked and probed (Source.EXPLICIT).

    Raises NotFoundError (missing, or a dangling link), SymlinkLoopError, NotAnInterpreterError
    (a directory, or not an executable file), VenvtuiError (permission denied) and the probe's
    errors (ProbeError, ProbeTimeout) for an interpreter that hangs, crashes or prints junk.
    """
    abspath = os.path.normpath(os.path.abspath(os.path.expanduser(path)))
    chain = walk_chain(abspath)  # NotFoundError when nothing is there at all
    broken = chain.broken_hop
    if broken is not None:
        if broken.kind == "loop":
            raise SymlinkLoopError(f"{abspath}: symlink loop at {broken.path}")
        if broken.kind == "missing":
            raise NotFoundError(f"{abspath} is a dangling link: {broken.path} does not exist")
        raise VenvtuiError(f"{abspath}: cannot follow {broken.path}: {broken.error}")
    try:
        st = os.stat(abspath)
    except PermissionError:
        raise VenvtuiError(
            f"{abspath}: permission denied", "check the permissions of the path and its parents"
        ) from None
    if stat.S_ISDIR(st.st_mode):
        raise NotAnInterpreterError(
            f"{abspath} is a directory, not an interpreter",
            "pass an interpreter file; `venvtui show DIR` inspects an environment directory",
        )
    if not stat.S_ISREG(st.st_mode):
        raise NotAnInterpreterError(f"{abspath} is not a regular file")
    if not os.access(abspath, os.X_OK):
        raise NotAnInterpreterError(
            f"{abspath} is not executable", "check its mode bits (chmod +x) or pass another file"
        )
    result = probe_mod.probe_through_cache(abspath, options)
    interp = Interpreter(
        path=abspath,
        real_path=chain.realpath,
        dev_ino=(st.st_dev, st.st_ino),
        aliases=(Alias(abspath, (Source.EXPLICIT,), chain),),
        sources=(Source.EXPLICIT,),
        install_dir=_guess_install_dir(chain.realpath),
    )
    return with_probe(interp, result)
