"""Helpers for the writer's safety tests: small real environments, a fake installer that
behaves like uv (writes a dist-info and console scripts naming the python it was given, can
announce itself through a FIFO and block, and leaves a grandchild), the old-or-new invariant,
and a scan for surviving processes."""

from __future__ import annotations

import os
import shutil
import stat
import sys
import textwrap
from pathlib import Path

from tests.layouts import create_venv, runs
from tests.safety import canary
from venvtui.core.write import journal

Snapshot = dict[str, canary.Entry]


def make_env(python: Path, dest: Path) -> Path:
    """A real `python -m venv --without-pip` environment with one installed distribution
    (a hand-made dist-info: rebuild reinstalls it by name==version)."""
    create_venv(python, dest)
    sp = next(dest.glob("lib/python*/site-packages"))
    info = sp / "tinypkg-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: tinypkg\nVersion: 1.0\n\n")
    (sp / "tinypkg.py").write_text("VERSION = '1.0'\n")
    return dest


def fake_uv(tmp: Path, *, ready: Path | None = None, block: Path | None = None) -> Path:
    """A stand-in for `uv pip install --python PY ...`: writes tinypkg (module + dist-info)
    into PY's environment and two console scripts naming PY (`#!PY`, and distlib's /bin/sh
    exec form). With `ready`, it then starts a grandchild, writes "ready" to that FIFO and
    blocks reading `block` (which nobody writes): a run to interrupt at a known point."""
    path = tmp / "fake-uv"
    sh_trick = "#!/bin/sh\\n'''exec' \\\"%s\\\" \\\"$0\\\" \\\"$@\\\"\\n' '''\\nprint('long')\\n"
    path.write_text(
        f"#!{sys.executable}\n"
        + textwrap.dedent(
            f"""\
            import glob, os, subprocess, sys
            args = sys.argv[1:]
            py = args[args.index("--python") + 1]
            env = os.path.dirname(os.path.dirname(py))
            sp = glob.glob(os.path.join(env, "lib", "python*", "site-packages"))[0]
            os.makedirs(os.path.join(sp, "tinypkg-1.0.dist-info"))
            with open(os.path.join(sp, "tinypkg-1.0.dist-info", "METADATA"), "w") as f:
                f.write("Metadata-Version: 2.1\\nName: tinypkg\\nVersion: 1.0\\n\\n")
            with open(os.path.join(sp, "tinypkg.py"), "w") as f:
                f.write("VERSION = '1.0'\\n")
            for name, text in (
                ("tinycli", "#!%s\\nimport tinypkg; print(tinypkg.VERSION)\\n" % py),
                ("longcli", "{sh_trick}" % py),
            ):
                script = os.path.join(os.path.dirname(py), name)
                with open(script, "w") as f:
                    f.write(text)
                os.chmod(script, 0o755)
            ready, block = {str(ready) if ready else None!r}, {str(block) if block else None!r}
            if ready:
                subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)", ready])
                with open(ready, "w") as f:
                    f.write("ready\\n")
                open(block).read()
            """
        )
    )
    path.chmod(0o755)
    return path


def siblings(env: Path) -> list[str]:
    return sorted(p.name for p in env.parent.iterdir())


def leftovers(env: Path) -> list[str]:
    """This environment's journal and staging/aside/trash siblings still on disk."""
    prefix = f".{env.name}.venvtui-"
    return sorted(p.name for p in env.parent.iterdir() if p.name.startswith(prefix))


def recover_all(env: Path) -> list[journal.Outcome]:
    return [journal.recover(p) for p in journal.pending([str(env)])]


def is_new_env(env: Path, cfg: bytes) -> bool:
    """The new environment, complete: its pyvenv.cfg as planned, its python starts with the
    right prefix, and what the installer put there imports and runs from its final path."""
    if not (env / "pyvenv.cfg").is_file() or (env / "pyvenv.cfg").read_bytes() != cfg:
        return False
    r = runs(env / "bin" / "python", "import sys; print(sys.prefix)")
    return r.returncode == 0 and r.stdout.strip() == str(env)


def assert_old_or_new(env: Path, old: Snapshot | None, new_cfg: bytes | None) -> str:
    """After recovery the path holds exactly the old tree (or nothing, for a create) or the new
    complete environment, and no leftovers: which one it is."""
    assert leftovers(env) == [], leftovers(env)
    if old is None:
        if not os.path.lexists(env):
            return "old"
    elif os.path.isdir(env) and not canary.diff(old, canary.record(env)):
        return "old"
    assert new_cfg is not None and is_new_env(env, new_cfg), (
        f"{env} is neither the old nor the new complete environment: "
        + "; ".join(canary.diff(old or {}, canary.record(env)) if os.path.isdir(env) else ["gone"])
    )
    return "new"


def alive_with(mark: str) -> list[int]:
    """Live (non-zombie) processes whose command line mentions `mark`."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            cmdline = Path(f"/proc/{name}/cmdline").read_bytes()
            state = Path(f"/proc/{name}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if mark.encode() in cmdline and state not in ("Z", "X"):
            found.append(int(name))
    return found


def fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def copy_tree(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, symlinks=True)
    return dst


def mode_of(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)
