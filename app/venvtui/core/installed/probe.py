"""Ask an interpreter about itself.

`probe()` runs the stdlib-only `_probe_script.py` inside the interpreter, exactly as invoked
(never resolved: `sys.executable` and `sys._base_executable` depend on the path used), isolated
(`-I -S`, or `-E -s -S` on interpreters without `-I`), through `core.proc.run` (scrubbed
environment, timeout). The JSON answer sits between two random cookies, so anything else the
interpreter prints is ignored. `probe()` only runs; `cached()` reads the cache (see
`probe_cache`) and `probe_through_cache()` reads it, probes on a miss and stores the answer.

Failures map to one-line errors: missing path or dangling link -> NotFoundError; a directory,
a non-executable or non-program file, or a program that does not answer like Python ->
NotAnInterpreterError; a crash, a start-up failure or garbled output -> ProbeError; no answer
in time -> ProbeTimeout.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import os
import re
import stat
from pathlib import Path
from typing import Any

from venvtui.core.base.errors import (
    NotAnInterpreterError,
    NotFoundError,
    ProbeError,
    ProbeTimeout,
    VenvtuiError,
    missing_hint,
)
from venvtui.core.base.models import ProbeResult
from venvtui.core.base.options import DEFAULT_OPTIONS, Options
from venvtui.core.base.safe_io import kind_of, loads_json, read_head
from venvtui.core.installed import probe_cache
from venvtui.core.layout.symlinks import walk_chain

# `proc` (and subprocess with it) is imported where a process is started: a cached probe
# never needs it.

_SCRIPT_PATH = Path(__file__).with_name("_probe_script.py")
_OLD_FLAGS = ["-E", "-s", "-S"]  # Python < 3.4 has no -I
# Pattern strings, compiled (by re's cache) on first use: only when spawning a probe.
_NAME_VERSION = r"(?i)^(?:python|pypy|graalpy)(\d+)(?:\.(\d+))?"
_PYTHON_NAME = r"(?i)^(?:python|pypy|graalpy|jython|ipy)"
# Executable file headers: ELF, Mach-O (32/64, both byte orders, fat), PE, scripts.
_MAGICS = (
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",
    b"\xce\xfa\xed\xfe",
    b"\xfe\xed\xfa\xcf",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"MZ",
    b"#!",
)
# pyenv: exec "<root>/libexec/pyenv" exec "$program" "$@"; asdf: exec <asdf> exec "python3" ...;
# mise/rtx script shims: exec mise x -- python "$@".
_STARTUP_FAILURES = (
    "Fatal Python error",
    "Traceback (most recent call last)",
    "ModuleNotFoundError",
    "ImportError",
    "Could not find platform",
    "error while loading shared libraries",
    "Library not loaded",
)


@functools.cache
def script_text() -> str:
    return _SCRIPT_PATH.read_text(encoding="utf-8")


@functools.cache
def script_hash() -> str:
    return hashlib.sha256(script_text().encode("utf-8")).hexdigest()[:16]


def guess_version(path: str) -> tuple[int, ...] | None:
    """(major, minor) or (major,) from a `pythonX[.Y]`-style name of the real file or of
    `path` itself, whichever is more specific; None when neither name says."""
    best: tuple[int, ...] | None = None
    for name in (os.path.basename(os.path.realpath(path)), os.path.basename(path)):
        m = re.match(_NAME_VERSION, name)
        if m:
            found = (int(m[1]),) if m[2] is None else (int(m[1]), int(m[2]))
            if best is None or len(found) > len(best):
                best = found
    return best


def _flags_for(path: str) -> list[str]:
    from venvtui.core.base import proc  # start-up: only when spawning (see above)

    version = guess_version(path)
    if version is not None and (version[0] < 3 or (len(version) > 1 and version[:2] < (3, 4))):
        return list(_OLD_FLAGS)
    return proc.isolation_flags(version if version and len(version) > 1 else None)


def _check_path(path: str) -> None:
    """Refuse what cannot be an interpreter before spawning anything."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        raise NotFoundError(f"{path} does not exist", missing_hint(path)) from None
    except OSError as exc:
        raise NotAnInterpreterError(f"cannot examine {path}: {exc.strerror or exc}") from None
    if stat.S_ISLNK(st.st_mode):
        try:
            st = os.stat(path)
        except OSError:
            broken = walk_chain(path).broken_hop
            detail = broken.error if broken and broken.error else "the link target is missing"
            raise NotFoundError(
                f"{path} is a broken symlink: {detail}",
                "the interpreter it pointed to was removed; recreate or repair what uses it",
            ) from None
    if not stat.S_ISREG(st.st_mode):  # a FIFO is never opened (it would block) nor run
        raise NotAnInterpreterError(f"{path} is {kind_of(st.st_mode)}, not an interpreter")
    if not os.access(path, os.X_OK):
        raise NotAnInterpreterError(f"{path} is not executable")
    if os.name == "posix":
        try:
            head = read_head(path, 4)
        except OSError:
            return  # execute-only binaries exist; let the kernel decide
        if not head.startswith(_MAGICS):
            raise NotAnInterpreterError(f"{path} is not a program (no binary header or #! line)")


def _looks_like_python(path: str) -> bool:
    names = (os.path.basename(path), os.path.basename(os.path.realpath(path)))
    return any(re.match(_PYTHON_NAME, n) for n in names)


def _one_line(text: str, limit: int = 160) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _startup_failure(stderr: str) -> str | None:
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    if not any(marker in stderr for marker in _STARTUP_FAILURES):
        return None
    for marker in ("ModuleNotFoundError", "ImportError", "error while loading", "Library not"):
        for ln in reversed(lines):
            if marker in ln:
                return _one_line(ln)
    for ln in lines:
        if "Fatal Python error" in ln or "Could not find platform" in ln:
            return _one_line(ln)
    return _one_line(lines[-1]) if lines else None


def _missing_loader(path: str) -> None:
    """exec() said ENOENT for a file that exists: its #! interpreter or ELF loader is missing."""
    try:
        first = read_head(path, 256).split(b"\n", 1)[0]
    except OSError:
        first = b""
    if first.startswith(b"#!"):
        shebang = first[2:].strip().decode("utf-8", "replace")
        raise NotAnInterpreterError(
            f"{path} is a script whose #! interpreter does not exist ({shebang})"
        ) from None
    raise ProbeError(
        f"{path} cannot start: its program loader or a library it needs is missing",
        "check `ldd` on it; the install it belongs to may be incomplete",
    ) from None


def _run(path: str, timeout: float) -> dict[str, Any]:
    import secrets  # only when spawning: a cached probe never needs it

    from venvtui.core.base import proc  # start-up: only when spawning (see above)

    cookie = "@@venvtui-" + secrets.token_hex(8) + "@@"
    flags = _flags_for(path)
    while True:
        try:
            # The script comes on stdin ("-"): no size limit, and nothing to echo back in errors.
            done = proc.run(
                [path, *flags, "-", cookie],
                timeout=timeout,
                input_text=script_text(),
                max_output=proc.ANSWER_MAX,
            )
        except ProbeTimeout:
            raise ProbeTimeout(f"{path} did not answer within {timeout:g}s") from None
        except ProbeError as exc:
            cause = exc.__cause__
            if isinstance(cause, OSError) and cause.errno == errno.ENOEXEC:
                raise NotAnInterpreterError(
                    f"{path} cannot be executed (exec format error)"
                ) from None
            if isinstance(cause, OSError) and cause.errno == errno.ENOENT:
                _missing_loader(path)
            raise
        if flags != _OLD_FLAGS and done.returncode != 0 and "nknown option" in done.stderr:
            flags = list(_OLD_FLAGS)  # Python 2 / < 3.4: "Unknown option: -I"
            continue
        break
    out = done.stdout
    start = out.find(cookie)
    end = out.find(cookie, start + len(cookie)) if start >= 0 else -1
    if start >= 0 and end >= 0:
        try:
            payload = loads_json(out[start + len(cookie) : end])
        except ValueError:
            raise ProbeError(f"{path} printed a garbled probe answer") from None
        if not isinstance(payload, dict):
            raise ProbeError(f"{path} printed a garbled probe answer")
        if payload.get("error"):
            raise ProbeError(f"{path} failed while describing itself: {payload['error']}")
        return payload
    if done.returncode < 0:
        import signal  # start-up: only for a crash

        try:
            name = signal.Signals(-done.returncode).name
        except ValueError:
            name = f"signal {-done.returncode}"
        raise ProbeError(f"{path} crashed ({name})")
    failure = _startup_failure(done.stderr)
    if failure:
        raise ProbeError(
            f"{path} fails to start: {failure}",
            "its base interpreter or standard library is missing or mismatched; "
            "`venvtui doctor` explains why",
        )
    said = _one_line((done.stdout or done.stderr).strip().split("\n")[0], 100) or "no output"
    if _looks_like_python(path):
        raise ProbeError(f"{path} did not answer the probe (exit {done.returncode}): {said}")
    raise NotAnInterpreterError(f"{path} does not behave like a Python interpreter: {said}")


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def parse_payload(executable: str, payload: dict[str, Any]) -> ProbeResult:
    """Build a ProbeResult from the probe script's JSON (as run or as cached)."""
    try:
        version = tuple(int(v) for v in payload["version"][:3])
        if len(version) != 3:
            raise ValueError("version")
        return ProbeResult(
            executable=executable,
            sys_executable=str(payload["sys_executable"]),
            base_executable=_opt_str(payload.get("base_executable")) or None,
            prefix=str(payload["prefix"]),
            base_prefix=str(payload["base_prefix"]),
            exec_prefix=str(payload["exec_prefix"]),
            base_exec_prefix=str(payload["base_exec_prefix"]),
            version=(version[0], version[1], version[2]),
            version_full=str(payload["version_full"]),
            implementation=str(payload["implementation"]).lower(),
            free_threaded=bool(payload.get("free_threaded")),
            platform=str(payload["platform"]),
            machine=str(payload.get("machine") or ""),
            config_prefix=_opt_str(payload.get("config_prefix")),
            framework=_opt_str(payload.get("framework")),
            enable_shared=bool(payload.get("enable_shared")),
            ldlibrary=_opt_str(payload.get("ldlibrary")),
            libdir=_opt_str(payload.get("libdir")),
            stdlib=_opt_str(payload.get("stdlib")),
            standalone=bool(payload.get("standalone")),
            in_venv=bool(payload.get("in_venv")),
            site_packages=tuple(str(p) for p in payload.get("site_packages") or ()),
            abiflags=str(payload.get("abiflags") or ""),
            raw=dict(payload),
            pyvenv_cfg=_opt_str(payload.get("pyvenv_cfg")),
            sitecustomize=_opt_str(payload.get("sitecustomize")),
            has_homebrew_sitecustomize=bool(payload.get("has_homebrew_sitecustomize")),
        )
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise ProbeError(f"{executable} printed an incomplete probe answer ({exc})") from None


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _cache_key(path: str) -> probe_cache.CacheKey | None:
    try:
        return probe_cache.cache_key(path, script_hash())
    except OSError:
        return None


def _load(path: str, key: probe_cache.CacheKey | None) -> ProbeResult | None:
    payload = probe_cache.load(key) if key is not None else None
    if payload is None:
        return None
    try:
        return parse_payload(path, payload)
    except VenvtuiError:
        return None  # a bad entry is a miss (a later probe overwrites it)


def cached(executable: str) -> ProbeResult | None:
    """The cache's answer for `executable` without running anything (None on a miss)."""
    path = os.path.abspath(os.fspath(executable))
    return _load(path, _cache_key(path))


def probe(executable: str, *, timeout: float = DEFAULT_OPTIONS.probe_timeout) -> ProbeResult:
    """Probe the interpreter at `executable` (made absolute, never resolved); no cache."""
    path = os.path.abspath(os.fspath(executable))
    _check_path(path)
    return parse_payload(path, _run(path, timeout))


def probe_through_cache(executable: str, options: Options = DEFAULT_OPTIONS) -> ProbeResult:
    """The cache's answer for `executable`, else `probe()` it and store the answer (with
    `options.use_cache`; without it, always probe and store nothing)."""
    path = os.path.abspath(os.fspath(executable))
    _check_path(path)
    key = _cache_key(path) if options.use_cache else None
    hit = _load(path, key)
    if hit is not None:
        return hit
    payload = _run(path, options.probe_timeout)
    result = parse_payload(path, payload)
    if key is not None and _same_file(path, result.sys_executable):
        # Like uv: only cache an interpreter that reports itself. A shim (pyenv exec ...)
        # reports what it ran, which can change without the shim file changing.
        probe_cache.store(key, payload)
    return result
