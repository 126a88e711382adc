"""What only the base interpreter itself can tell the start-up model, gathered in one place.

`Runtime` holds the facts CPython's path calculation depends on that are not visible as files:
the version and ABI (free-threaded `t`), whether it is a macOS framework build, its shared
library, and the compiled-in PREFIX that getpath falls back to when no stdlib is found.

The PREFIX is the one the binary really has, not `_sysconfigdata`'s `prefix`: uv rewrites a
managed standalone build's `_sysconfigdata` (libpython keeps `/install`) and Homebrew writes
`opt/` there while the binary keeps its Cellar path. So it is measured by a controlled start
(`measure_compiled_prefix`): the real binary is run with an `argv[0]` in an empty directory, so
getpath (which takes the executable from `argv[0]` on Linux) finds no stdlib and no
pyvenv.cfg and falls back to PREFIX, which `sys.base_prefix` then reports (or, when PREFIX
holds no stdlib, the "Python path configuration" dump / "Could not find platform independent
libraries <prefix>" warning names).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
from dataclasses import dataclass

from venvtui.core.base.errors import ProbeTimeout
from venvtui.core.base.models import ProbeResult
from venvtui.core.base.options import DEFAULT_OPTIONS, Options
from venvtui.core.installed import probe as probe_mod
from venvtui.core.installed import probe_cache
from venvtui.core.layout.view import REAL, snapshot_memo

_PREFIX_PROBE = "import sys; sys.stdout.write(sys.base_prefix)"
# Pattern strings, compiled (by re's cache) when a controlled start is read; `subprocess`,
# `signal` and `core.base.proc` are imported there too: a cached answer never needs them.
_DUMP_RE = r"(?m)^\s*sys\.base_prefix = '(?P<p>[^']*)'"
_WARN_RE = r"Could not find platform independent libraries <(?P<p>[^>]*)>"
_CACHE_TAG = "compiled-prefix-1"


@dataclass(frozen=True, slots=True)
class Runtime:
    """Facts about the interpreter an env runs that its path calculation depends on.

    `version` None: not known (no probe). `unknown`: a probe was attempted and failed, so the
    compiled PREFIX (the getpath fallback) cannot be known. `compiled_prefix` is the PREFIX as
    the binary has it (measured; else sysconfig's). `library` is the framework dylib on macOS
    (shared libpython on Linux is looked up in the view, as the loader does). `getpath_patched`:
    a python-build-standalone build carrying its getpath patches (Dec 2025+), which search
    from the resolved base executable instead of `home`.
    """

    version: tuple[int, int, int] | None = None
    free_threaded: bool = False
    framework: bool = False
    compiled_prefix: str | None = None
    library: str | None = None
    standalone: bool = False
    getpath_patched: bool = False
    unknown: bool = False
    binary: str | None = None  # the real path of the binary these facts were taken from

    @property
    def minor(self) -> str | None:
        return f"{self.version[0]}.{self.version[1]}" if self.version else None

    @classmethod
    def from_probe(cls, probe: ProbeResult, *, compiled_prefix: str | None = None) -> Runtime:
        framework = bool(probe.framework) and probe.platform == "darwin"
        library: str | None = None
        if framework:
            # getpath: `library` is the framework dylib (dladdr); its directory is
            # .../Python.framework/Versions/X.Y, the interpreter's own prefix.
            library = os.path.join(probe.base_prefix, probe.framework or "Python")
        return cls(
            version=probe.version,
            free_threaded=probe.free_threaded,
            framework=framework,
            compiled_prefix=compiled_prefix or probe.config_prefix,
            library=library,
            standalone=probe.standalone,
            binary=os.path.realpath(probe.sys_executable or probe.executable),
        )


def stdlib_dir_name(minor: str, free_threaded: bool = False) -> str:
    """CPython getpath STDLIB_SUBDIR: `python3.13` / `python3.13t` (ABI_THREAD, 3.13+)."""
    return f"python{minor}{'t' if free_threaded else ''}"


def _parse_prefix(stdout: str, stderr: str, returncode: int) -> str | None:
    if returncode == 0 and stdout.strip():
        return stdout.strip()
    for rx in (_DUMP_RE, _WARN_RE):
        m = re.search(rx, stderr)
        if m and m["p"]:
            return m["p"]
    return None


def measure_compiled_prefix(real: str, *, timeout: float) -> str | None:
    """The PREFIX getpath falls back to in the binary `real` (see module doc); None when the
    controlled start gives no answer. Linux/POSIX non-framework only: macOS takes the
    executable from the kernel, not argv[0]."""
    import signal  # start-up: only when measuring (a cached answer never needs these)
    import subprocess
    import tempfile

    from venvtui.core.base.proc import clean_env

    with tempfile.TemporaryDirectory(prefix="venvtui-prefix-") as tmp:
        # an empty directory: no pyvenv.cfg beside or above, no lib/pythonX.Y below
        argv0 = os.path.join(tmp, "bin", os.path.basename(real))
        try:
            proc = subprocess.Popen(
                [argv0, "-I", "-S", "-c", _PREFIX_PROBE],
                executable=real,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=clean_env(),
                cwd=tmp,
                start_new_session=True,
            )
        except OSError:
            return None
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(OSError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            return None
    text_out = out[:4096].decode("utf-8", "surrogateescape")
    text_err = err[-65536:].decode("utf-8", "surrogateescape")
    return _parse_prefix(text_out, text_err, proc.returncode)


def cached_compiled_prefix(real: str) -> str | None:
    """The probe cache's compiled PREFIX for the binary `real` (None on a miss)."""
    try:
        hit = probe_cache.load(probe_cache.cache_key(real, _CACHE_TAG))
    except OSError:
        return None
    if hit is not None and isinstance(hit.get("prefix"), str):
        return str(hit["prefix"])
    return None


def compiled_prefix_through_cache(real: str, options: Options) -> str | None:
    """`cached_compiled_prefix`, else `measure_compiled_prefix` and store the answer (with
    `options.use_cache`)."""
    hit = cached_compiled_prefix(real) if options.use_cache else None
    if hit is not None:
        return hit
    measured = measure_compiled_prefix(real, timeout=options.probe_timeout)
    if measured is not None and options.use_cache:
        with contextlib.suppress(OSError):
            probe_cache.store(probe_cache.cache_key(real, _CACHE_TAG), {"prefix": measured})
    return measured


def runtime_for(python: str | None, *, spawn: bool, options: Options = DEFAULT_OPTIONS) -> Runtime:
    """`_runtime_for`, answered once per real binary within an `overlay.snapshot()` (every env
    on one base asks the same question)."""
    memo = snapshot_memo()
    if memo is None or python is None:
        return _runtime_for(python, spawn=spawn, options=options)
    # the real binary as the snapshot resolves it (os.path.realpath's answer for an existing
    # path; a dangling one gets the empty Runtime whatever its key)
    key = ("runtime_for", REAL.realpath(python), REAL.exists(python), spawn, options)
    found = memo.get(key)
    if not isinstance(found, Runtime):
        found = memo[key] = _runtime_for(python, spawn=spawn, options=options)
    return found


def _runtime_for(python: str | None, *, spawn: bool, options: Options) -> Runtime:
    """The Runtime of the real binary `python` reaches: from the probe cache, else (when
    `spawn`) by probing it, retried once with a longer timeout when it times out; the compiled
    PREFIX measured the same way. A failed probe gives `Runtime(unknown=True)`; no python (or a
    dangling one) gives an empty `Runtime()`."""
    if python is None or not os.path.exists(python):
        return Runtime()
    real = os.path.realpath(python)
    result = probe_mod.cached(real) if options.use_cache else None
    if result is None and spawn:
        first = options.probe_timeout
        for limit in (first, first * 4):
            try:
                result = probe_mod.probe_through_cache(
                    real, dataclasses.replace(options, probe_timeout=limit)
                )
                break
            except ProbeTimeout:
                continue  # a loaded machine: once more, with more time
            except Exception:  # a failing probe only limits what the model knows
                break
    if result is None:
        return Runtime(unknown=True)
    return runtime_from_probe(result, spawn=spawn, options=options)


def _is_elf(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == b"\x7fELF"
    except OSError:
        return False


_MEMO: dict[tuple[str, int, int], str | None] = {}


def runtime_from_probe(
    probe: ProbeResult, *, spawn: bool = True, options: Options = DEFAULT_OPTIONS
) -> Runtime:
    """`Runtime.from_probe` with the compiled PREFIX measured from the binary (ELF CPython
    builds; cached on disk and per process); sysconfig's value when it cannot be measured."""
    measured: str | None = None
    real = os.path.realpath(probe.sys_executable or probe.executable)
    if probe.platform != "darwin" and probe.implementation == "cpython" and _is_elf(real):
        try:
            st = os.stat(real)
            memo_key: tuple[str, int, int] | None = (real, st.st_mtime_ns, st.st_size)
        except OSError:
            memo_key = None
        if memo_key is not None and memo_key in _MEMO:
            measured = _MEMO[memo_key]
        elif spawn:
            measured = compiled_prefix_through_cache(real, options)
            if memo_key is not None:
                _MEMO[memo_key] = measured
        else:
            measured = cached_compiled_prefix(real)
    return Runtime.from_probe(probe, compiled_prefix=measured)
