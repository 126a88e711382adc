"""Bounded reads: hostile files where an environment keeps small text files."""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path

import pytest

from tests.safety.hang_guard import no_hang  # noqa: F401 (fixture)
from venvtui.core.safe_io import UnsafeRead, loads_json, read_bytes, read_text

pytestmark = pytest.mark.usefixtures("no_hang")

LIMIT = 1 << 20


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    # No writer ever opens the FIFO: a plain open() would block forever.
    fifo = _fifo(tmp_path / "pyvenv.cfg")
    with pytest.raises(UnsafeRead, match="FIFO"):
        read_bytes(fifo, limit=LIMIT)


def test_link_to_fifo_is_refused(tmp_path: Path) -> None:
    fifo = _fifo(tmp_path / "fifo")
    (tmp_path / "pyvenv.cfg").symlink_to(fifo)
    with pytest.raises(UnsafeRead, match="FIFO"):
        read_text(tmp_path / "pyvenv.cfg", limit=LIMIT)


def test_dev_zero_is_refused(tmp_path: Path) -> None:
    (tmp_path / "pyvenv.cfg").symlink_to("/dev/zero")
    with pytest.raises(UnsafeRead, match="character device"):
        read_bytes(tmp_path / "pyvenv.cfg", limit=LIMIT)


@pytest.mark.skipif(not os.path.exists("/proc/kmsg"), reason="needs /proc/kmsg")
def test_link_to_proc_kmsg_is_refused(tmp_path: Path) -> None:
    # As root /proc/kmsg opens, then blocks on read (and reading consumes the kernel log).
    (tmp_path / "pyvenv.cfg").symlink_to("/proc/kmsg")
    with pytest.raises((UnsafeRead, PermissionError)):
        read_bytes(tmp_path / "pyvenv.cfg", limit=LIMIT)


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs procfs")
def test_proc_pseudo_file_is_refused() -> None:
    with pytest.raises(UnsafeRead, match="pseudo-file"):
        read_bytes("/proc/self/status", limit=LIMIT)


def test_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(str(path))
        with pytest.raises(UnsafeRead, match="socket"):
            read_bytes(path, limit=LIMIT)
    finally:
        sock.close()


def test_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnsafeRead, match="directory") as info:
        read_bytes(tmp_path, limit=LIMIT)
    assert isinstance(info.value, OSError)


def test_sparse_200_gib_file_is_refused_without_reading(tmp_path: Path) -> None:
    big = tmp_path / "pyvenv.cfg"
    with open(big, "wb") as fh:
        fh.truncate(200 << 30)
    with pytest.raises(UnsafeRead, match="limit"):
        read_bytes(big, limit=LIMIT)


def test_100_mb_one_line_file_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "pyvenv.cfg"
    with open(big, "wb") as fh:
        fh.write(b"home = /usr/bin" + b"x" * (100 << 20))
    with pytest.raises(UnsafeRead, match="limit"):
        read_text(big, limit=LIMIT)


def test_file_at_the_limit_is_read_whole(tmp_path: Path) -> None:
    f = tmp_path / "f"
    f.write_bytes(b"a" * 100)
    assert read_bytes(f, limit=100) == b"a" * 100
    with pytest.raises(UnsafeRead):
        read_bytes(f, limit=99)


def test_undecodable_bytes_round_trip(tmp_path: Path) -> None:
    f = tmp_path / "f"
    f.write_bytes(b"home = /opt/\xff\xfe\n")
    text = read_text(f, limit=LIMIT)
    assert text.encode("utf-8", "surrogateescape") == b"home = /opt/\xff\xfe\n"


def test_no_follow_refuses_a_link(tmp_path: Path) -> None:
    (tmp_path / "real").write_text("x")
    (tmp_path / "link").symlink_to(tmp_path / "real")
    assert read_text(tmp_path / "link", limit=LIMIT) == "x"
    with pytest.raises(UnsafeRead, match="symbolic link"):
        read_text(tmp_path / "link", limit=LIMIT, follow_symlinks=False)


def test_missing_file_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_bytes(tmp_path / "nope", limit=LIMIT)


def test_unreadable_file_is_permission_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads any file")
    f = tmp_path / "f"
    f.write_text("x")
    f.chmod(0)
    with pytest.raises(PermissionError):
        read_bytes(f, limit=LIMIT)
    f.chmod(stat.S_IRUSR | stat.S_IWUSR)


@pytest.mark.parametrize("depth", [100, 10_000, 1_000_000])
def test_deep_json_is_value_error_not_recursion(depth: int) -> None:
    doc = "[" * depth + "]" * depth
    with pytest.raises(ValueError, match="nested"):
        loads_json(doc, max_depth=64)
    deep_obj = '{"a":' * depth + "1" + "}" * depth
    with pytest.raises(ValueError, match="nested"):
        loads_json(deep_obj, max_depth=64)


def test_shallow_json_loads() -> None:
    assert loads_json('{"a": [1, {"b": 2}]}', max_depth=3) == {"a": [1, {"b": 2}]}
    with pytest.raises(ValueError):
        loads_json('{"a": [1, {"b": 2}]}', max_depth=2)
    with pytest.raises(ValueError):
        loads_json("not json")


# -- the readers that use it -------------------------------------------------------------------


def test_pyvenv_cfg_fifo_is_a_cfg_error(tmp_path: Path) -> None:
    from venvtui.core.errors import CfgError
    from venvtui.core.pyvenv_cfg import read_cfg

    _fifo(tmp_path / "pyvenv.cfg")
    with pytest.raises(CfgError, match="FIFO"):
        read_cfg(tmp_path / "pyvenv.cfg")


def test_pyvenv_cfg_sparse_is_a_cfg_error(tmp_path: Path) -> None:
    from venvtui.core.errors import CfgError
    from venvtui.core.pyvenv_cfg import read_cfg

    with open(tmp_path / "pyvenv.cfg", "wb") as fh:
        fh.truncate(200 << 30)
    with pytest.raises(CfgError, match="limit"):
        read_cfg(tmp_path / "pyvenv.cfg")
