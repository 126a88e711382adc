# Run by the TARGET interpreter (any version, 2.7 syntax kept) to describe the environment its
# own `venv` module would lay out at ENV_DIR, with activation scripts rendered by its own
# EnvBuilder.replace_variables. Input: one JSON argument {"env_dir", "exename", "prompt"}.
# Output: one JSON line. Stdlib only; run isolated (-I -S / -E -s -S) from a neutral cwd.
# ruff: noqa: UP031, UP036, E402
import json
import os
import sys

args = json.loads(sys.argv[1])
out = {  # type: dict
    "version": "%d.%d.%d" % sys.version_info[:3],
    "executable": sys.executable,
    "base_executable": getattr(sys, "_base_executable", None) or sys.executable,
    "realpath": os.path.realpath(sys.executable),
    "prefix": sys.prefix,
    "base_prefix": getattr(sys, "base_prefix", sys.prefix),
    "maxsize64": sys.maxsize > 2**32,
    "os_name": os.name,
    "platform": sys.platform,
}
if sys.version_info < (3, 3):
    print(json.dumps(out))
    sys.exit(0)

import venv

env_dir = args["env_dir"]
exename = args["exename"] or os.path.basename(out["base_executable"])
builder = venv.EnvBuilder(prompt=args["prompt"], symlinks=True)


from types import SimpleNamespace

ctx = SimpleNamespace()
ctx.env_dir = env_dir
ctx.env_name = os.path.split(env_dir)[1]
# Lib/venv/__init__.py ensure_directories: 3.13+ keeps the bare prompt, older wrap it "(p) ".
prompt = builder.prompt if builder.prompt is not None else ctx.env_name
ctx.prompt = prompt if sys.version_info >= (3, 13) else "(%s) " % prompt
if hasattr(builder, "_venv_path"):  # 3.11+: the sysconfig "venv" scheme (bpo-45413)
    binpath = builder._venv_path(env_dir, "scripts")
    incpath = builder._venv_path(env_dir, "include")
    libpath = builder._venv_path(env_dir, "purelib")
else:
    binpath = os.path.join(env_dir, "bin")
    incpath = os.path.join(env_dir, "include")
    libpath = os.path.join(env_dir, "lib", "python%d.%d" % sys.version_info[:2], "site-packages")
ctx.bin_path = binpath
ctx.inc_path = incpath
ctx.lib_path = libpath
ctx.bin_name = os.path.relpath(binpath, env_dir)
ctx.env_exe = os.path.join(binpath, exename)
ctx.env_exec_cmd = ctx.env_exe
ctx.python_exe = exename
ctx.executable = out["base_executable"]
ctx.python_dir = os.path.dirname(out["base_executable"])

scripts = []
root = os.path.join(os.path.dirname(os.path.abspath(venv.__file__)), "scripts")
for sub in ("common", os.name):
    d = os.path.join(root, sub)
    if not os.path.isdir(d):
        continue
    for name in sorted(os.listdir(d)):
        src = os.path.join(d, name)
        if not os.path.isfile(src):
            continue
        with open(src, "rb") as fh:
            data = fh.read()
        ctx.script_path = src  # 3.13.1+: replace_variables quotes per script type (gh-124651)
        try:
            text = builder.replace_variables(data.decode("utf-8"), ctx)
        except UnicodeError:
            continue  # venv skips undecodable scripts too
        scripts.append([name, text, os.stat(src).st_mode & 0o777])

out.update(
    bin_path=binpath,
    inc_path=incpath,
    lib_path=libpath,
    # Issue 21197: lib64 -> lib on 64-bit non-macOS POSIX
    lib64=bool(sys.maxsize > 2**32 and os.name == "posix" and sys.platform != "darwin"),
    scripts=scripts,
    has_ensurepip=os.path.isdir(os.path.join(os.path.dirname(root), os.pardir, "ensurepip")),
)
print(json.dumps(out))
