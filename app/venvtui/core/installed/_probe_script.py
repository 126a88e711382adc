# Stdlib-only probe, executed inside the interpreter being examined:
#     <python> -I -S - <cookie>   < this file        (-E -s -S on Python < 3.4)
# It must parse and run on Python 2.7 and 3.6+: no f-strings, no annotations, no walrus.
# It prints one JSON object between two copies of <cookie>, so stray output is ignored.
# Because -S disables `site`, venv detection is redone here the way site.venv() does it.
import sys

# `-` puts '' (the working directory) first on sys.path on 2.7 and without -I: drop it so
# that nothing in the working directory shadows the stdlib modules imported below.
sys.path[:] = [p for p in sys.path if p not in ("", ".")]

import os

PROBE_VERSION = 1


def _text(value):
    if value is None:
        return None
    if not isinstance(value, str):
        try:
            value = value.decode(sys.getfilesystemencoding() or "utf-8", "replace")
        except Exception:
            value = str(value)
    return value


_BUILD_VARS = []


def _build_vars():
    # The compiled values (_sysconfigdata build_time_vars): sysconfig.get_config_var("prefix")
    # would return sys.prefix instead of the configure-time PREFIX. The module name is
    # computed as sysconfig._get_sysconfigdata_name() does, to avoid importing sysconfig
    # (it pulls in threading/re on recent versions; start-up time matters here).
    if not _BUILD_VARS:
        found = None
        names = []
        if sys.version_info[0] >= 3:
            multiarch = getattr(sys.implementation, "_multiarch", "")
            names.append(
                os.environ.get("_PYTHON_SYSCONFIGDATA_NAME")
                or "_sysconfigdata_%s_%s_%s"
                % (getattr(sys, "abiflags", ""), sys.platform, multiarch)
            )
        names.append("_sysconfigdata")
        for name in names:
            try:
                found = __import__(name).build_time_vars
                break
            except Exception:
                pass
        if found is None:
            try:
                import sysconfig

                found = sysconfig.get_config_vars()
            except Exception:
                found = {}
        _BUILD_VARS.append(found)
    return _BUILD_VARS[0]


def _config_var(name):
    build = _build_vars()
    if build:
        return build.get(name)
    try:
        import sysconfig

        return sysconfig.get_config_var(name)
    except Exception:
        return None


def _stdlib():
    # Where the stdlib really was loaded from (equals sysconfig's "stdlib" path on a sound
    # install; differs when a venv is mis-bound to another install's stdlib).
    try:
        return os.path.dirname(os.path.abspath(os.__file__))
    except Exception:
        try:
            import sysconfig

            return sysconfig.get_paths()["stdlib"]
        except Exception:
            return None


def _find_cfg(executable):
    # site.venv(): pyvenv.cfg beside dirname(abspath(sys.executable)), then in its parent.
    exe_dir = os.path.dirname(os.path.abspath(executable))
    for candidate in (
        os.path.join(exe_dir, "pyvenv.cfg"),
        os.path.join(os.path.dirname(exe_dir), "pyvenv.cfg"),
    ):
        if os.path.isfile(candidate):
            return candidate
    return None


def _read_cfg(path):
    # site.venv(): every line with '=', key stripped and lowered; the last value wins.
    values = {}
    try:
        fh = open(path, "rb")
        try:
            data = fh.read()
        finally:
            fh.close()
        for line in data.decode("utf-8", "replace").splitlines():
            if "=" in line:
                key, _, value = line.partition("=")
                values[key.strip().lower()] = value.strip()
    except Exception:
        pass
    return values


def _site_packages(prefixes):
    # Lib/site.py getsitepackages(); importing `site` on Python 2 would run site.main().
    if sys.version_info[0] >= 3:
        try:
            import site

            return list(site.getsitepackages(prefixes))
        except Exception:
            pass
    out = []
    ver = "%d.%d" % sys.version_info[:2]
    libdirs = [getattr(sys, "platlibdir", "lib")]
    if "lib" not in libdirs:
        libdirs.append("lib")
    for prefix in prefixes:
        if os.sep == "/":
            for libdir in libdirs:
                out.append(os.path.join(prefix, libdir, "python" + ver, "site-packages"))
            if sys.version_info[0] < 3:
                out.append(os.path.join(prefix, "lib", "site-python"))
        else:
            out.append(prefix)
            out.append(os.path.join(prefix, "Lib", "site-packages"))
    return out


def _machine():
    if hasattr(os, "uname"):
        return os.uname()[4]
    import platform

    return platform.machine()


def _sitecustomize(paths):
    # Homebrew's python@X.Y formula writes a sitecustomize.py that rewrites sys.executable and
    # sys._base_executable to its opt/ path; with -S it does not run, so report it instead.
    for directory in paths:
        if not directory:
            continue
        path = os.path.join(directory, "sitecustomize.py")
        if os.path.isfile(path):
            try:
                fh = open(path, "rb")
                try:
                    head = fh.read(65536)
                finally:
                    fh.close()
            except Exception:
                head = b""
            return path, b"homebrew" in head.lower()
    return None, False


def main():
    vi = sys.version_info
    impl = getattr(sys, "implementation", None)
    implementation = (
        impl.name
        if impl is not None
        else ("pypy" if "__pypy__" in sys.builtin_module_names else "cpython")
    )
    if vi[3] == "final":
        version_full = "%d.%d.%d" % vi[:3]
    else:
        version_full = "%d.%d.%d%s%d" % (
            vi[0],
            vi[1],
            vi[2],
            {"alpha": "a", "beta": "b", "candidate": "rc"}.get(vi[3], vi[3]),
            vi[4],
        )
    executable = _text(sys.executable) or ""
    raw_prefix = _text(sys.prefix)
    raw_exec_prefix = _text(sys.exec_prefix)
    # 2.7 (and legacy virtualenv): base_prefix = real_prefix or prefix.
    base_prefix = _text(
        getattr(sys, "base_prefix", None) or getattr(sys, "real_prefix", None) or raw_prefix
    )
    base_exec_prefix = _text(
        getattr(sys, "base_exec_prefix", None)
        or getattr(sys, "real_prefix", None)
        or raw_exec_prefix
    )
    cfg_path = _find_cfg(executable) if executable else None
    cfg = _read_cfg(cfg_path) if cfg_path else {}
    if not hasattr(sys, "base_prefix") and not hasattr(sys, "real_prefix"):
        # Python 2 environments: their own site.py (skipped by -S) would set real_prefix,
        # from pyvenv.cfg's base-prefix (virtualenv 20+) or orig-prefix.txt (virtualenv < 20).
        orig = os.path.join(raw_prefix, "lib", "python%d.%d" % vi[:2], "orig-prefix.txt")
        legacy = None
        if os.path.isfile(orig):
            try:
                fh = open(orig)
                try:
                    legacy = fh.read().strip() or None
                finally:
                    fh.close()
            except Exception:
                legacy = None
        real = cfg.get("base-prefix") or legacy
        if real:
            base_prefix = _text(real)
            base_exec_prefix = _text(cfg.get("base-exec-prefix") or real)
    prefix, exec_prefix = raw_prefix, raw_exec_prefix
    if cfg_path:
        # site.venv() sets sys.prefix = sys.exec_prefix = the venv dir (3.14: getpath does).
        prefix = exec_prefix = os.path.dirname(cfg_path)
    in_venv = bool(cfg_path) or prefix != base_prefix
    if cfg_path:
        # As site.venv() would have: getsitepackages() (Debian's) looks at sys.prefix.
        sys.prefix = sys.exec_prefix = prefix
    prefixes = [prefix]
    if cfg_path and cfg.get("include-system-site-packages", "true").lower() == "true":
        prefixes.append(base_prefix)
        if base_exec_prefix != base_prefix:
            prefixes.append(base_exec_prefix)
    elif not cfg_path and exec_prefix != prefix:
        prefixes.append(exec_prefix)
    stdlib = _text(_stdlib())
    site_packages = [_text(p) for p in _site_packages(prefixes)]
    sitecustomize, homebrew = _sitecustomize([stdlib] + site_packages)
    config_prefix = _text(_config_var("prefix"))
    framework = _text(_config_var("PYTHONFRAMEWORK")) or ""
    gil_disabled = _config_var("Py_GIL_DISABLED")
    standalone = config_prefix == "/install" or bool(_config_var("PYTHON_BUILD_STANDALONE"))
    base_executable = getattr(sys, "_base_executable", None)
    result = {
        "probe_version": PROBE_VERSION,
        "sys_executable": executable,
        "base_executable": _text(base_executable) if base_executable else None,
        "prefix": prefix,
        "base_prefix": base_prefix,
        "exec_prefix": exec_prefix,
        "base_exec_prefix": base_exec_prefix,
        "sys_prefix": raw_prefix,
        "sys_exec_prefix": raw_exec_prefix,
        "version": [vi[0], vi[1], vi[2]],
        "version_full": version_full,
        "releaselevel": vi[3],
        "implementation": implementation,
        "free_threaded": bool(gil_disabled),
        "platform": sys.platform,
        "machine": _machine(),
        "config_prefix": config_prefix,
        "framework": framework,
        "enable_shared": bool(_config_var("Py_ENABLE_SHARED")),
        "ldlibrary": _text(_config_var("LDLIBRARY")),
        "libdir": _text(_config_var("LIBDIR")),
        "stdlib": stdlib,
        "standalone": standalone,
        "in_venv": in_venv,
        "pyvenv_cfg": cfg_path,
        "cfg_home": cfg.get("home"),
        "site_packages": site_packages,
        "abiflags": getattr(sys, "abiflags", ""),
        "platlibdir": getattr(sys, "platlibdir", "lib"),
        "sitecustomize": sitecustomize,
        "has_homebrew_sitecustomize": homebrew,
        "maxsize_64bit": sys.maxsize > 2**32,
    }
    return result


# The text type on both Python 2 (unicode) and 3 (str), without a u"" literal (which code
# formatters rewrite to "", the byte string type on Python 2).
_UNICODE = type(b"".decode("ascii"))


def _dump_str(value):
    if not isinstance(value, _UNICODE):
        value = value.decode("utf-8", "replace")
    out = ['"']
    for ch in value:
        code = ord(ch)
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif 0x20 <= code < 0x7F:
            out.append(ch)
        elif code > 0xFFFF:
            code -= 0x10000
            out.append("\\u%04x\\u%04x" % (0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF)))
        else:
            out.append("\\u%04x" % code)
    out.append('"')
    return "".join(out)


def _dump(value):
    # A minimal JSON encoder: importing json costs re, enum, functools... (tens of ms).
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)) or type(value).__name__ == "long":
        return repr(value).rstrip("L")
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join([_dump(v) for v in value]) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join([_dump_str(k) + ": " + _dump(value[k]) for k in sorted(value)]) + "}"
    if isinstance(value, (_UNICODE, bytes)):
        return _dump_str(value)
    return _dump_str(str(value))


def run():
    cookie = sys.argv[1] if len(sys.argv) > 1 else "@@venvtui-probe@@"
    try:
        text = _dump(main())
    except Exception as exc:  # report instead of a traceback the caller cannot parse
        payload = {"probe_version": PROBE_VERSION, "error": "%s: %s" % (type(exc).__name__, exc)}
        text = _dump(payload)
    out = getattr(sys.stdout, "buffer", None)
    data = (cookie + text + cookie).encode("utf-8", "backslashreplace") if out else None
    if out is not None:
        out.write(data)
        out.flush()
    else:
        sys.stdout.write(cookie + text + cookie)
        sys.stdout.flush()


run()
