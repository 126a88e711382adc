"""Writer test helpers: a tiny wheel built by hand, offline installers, tree snapshots."""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.layouts import VENV_BIN, tool_env


def make_wheel(dest: Path, name: str = "tinypkg", version: str = "1.0") -> Path:
    """A pure-Python wheel `name` whose module reports its own version (no build backend)."""
    dest.mkdir(parents=True, exist_ok=True)
    dist = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": f"VERSION = {version!r}\n".encode(),
        f"{dist}/METADATA": (
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\n".encode()
        ),
        f"{dist}/WHEEL": b"Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    record.append(f"{dist}/RECORD,,")
    files[f"{dist}/RECORD"] = ("\n".join(record) + "\n").encode()
    whl = dest / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(whl, "w") as zf:
        for path, data in files.items():
            zf.writestr(path, data)
    return whl


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("wheelhouse")
    make_wheel(d, "tinypkg", "1.0")
    return d


def uv_install(python: Path | str, wheelhouse: Path, tmp: Path, *names: str) -> None:
    """Install from the local wheelhouse with the real uv, offline."""
    argv = [
        str(VENV_BIN / "uv"),
        "pip",
        "install",
        "--no-config",
        "--offline",
        "--no-index",
        "--find-links",
        str(wheelhouse),
        "--python",
        str(python),
        *(names or ("tinypkg",)),
    ]
    proc = subprocess.run(argv, capture_output=True, text=True, env=tool_env(tmp), timeout=120)
    assert proc.returncode == 0, proc.stderr


def snapshot(root: Path) -> dict[str, tuple[str, str | bytes]]:
    """Every entry under root: links by target text, files by content, dirs by mode."""
    out: dict[str, tuple[str, str | bytes]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            rel = str(p.relative_to(root))
            if p.is_symlink():
                out[rel] = ("link", os.readlink(p))
            elif p.is_dir():
                out[rel] = ("dir", oct(p.stat().st_mode))
            else:
                out[rel] = ("file", p.read_bytes() + oct(p.stat().st_mode).encode())
        dirnames[:] = [d for d in dirnames if not (Path(dirpath) / d).is_symlink()]
    return out


@pytest.fixture
def tool_environ(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Keep uv/virtualenv run by the code under test away from the user's caches."""
    for key, value in tool_env(tmp_path).items():
        if key.startswith(("UV_", "VIRTUALENV_")):
            monkeypatch.setenv(key, value)
    yield tmp_path
