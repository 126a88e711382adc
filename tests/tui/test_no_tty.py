"""`venvtui` with no arguments and no terminal: a one-line error and exit 2, no TUI."""

from __future__ import annotations

import os
import subprocess
import sys


def test_no_terminal_exits_2_with_a_hint() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "venvtui"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert out.returncode == 2
    assert out.stdout == ""  # no escape codes, no screen
    assert "venvtui needs a terminal" in out.stderr
    assert "try `venvtui envs` or `venvtui doctor`" in out.stderr
    assert "Traceback" not in out.stderr
