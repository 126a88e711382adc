"""Network filesystems from the kernel's mount table: the format is proc(5)'s, the lines are
as Linux prints them for each filesystem type."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from venvtui.core.base import readlog
from venvtui.core.base.mounts import (
    MOUNTINFO,
    NETWORK_TYPES,
    NetworkMounts,
    network_mounts,
    network_mounts_in,
)
from venvtui.core.base.readlog import recording

MOUNTINFO_TEXT = """\
22 27 0:21 / /proc rw,relatime - proc proc rw
27 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw,errors=remount-ro
40 27 0:35 / /home rw,relatime shared:20 - nfs4 fs.example:/export/home rw,vers=4.2,rsize=1048576
41 27 0:36 / /mnt/share rw,relatime shared:21 - cifs //nas/share rw,vers=3.1.1,cache=strict
42 27 0:37 / /mnt/remote rw,nosuid,nodev,relatime shared:22 - fuse.sshfs me@host:/srv rw,user_id=0
43 27 0:38 / /run/user/1000 rw,nosuid,nodev,relatime shared:23 - tmpfs tmpfs rw,mode=700
44 27 0:39 / /var/lib/containers rw,relatime - fuse.fuse-overlayfs fuse-overlayfs rw
45 27 0:40 /sub\\040dir /mnt/with\\040space rw - nfs srv:/a\\040b rw,vers=3
"""


def test_network_filesystems_are_found_by_their_type() -> None:
    found = network_mounts_in(MOUNTINFO_TEXT)
    assert found.devices == {
        os.makedev(0, 35),
        os.makedev(0, 36),
        os.makedev(0, 37),
        os.makedev(0, 40),
    }
    assert found.points == ("/home", "/mnt/share", "/mnt/remote", "/mnt/with space")
    assert found.holds("/home/me/.venv/bin/python") and found.holds("/mnt/with space/x")
    assert not found.holds("/homebrew/bin") and not found.holds("/run/user/1000/x")


@pytest.mark.parametrize(
    "line",
    [
        "",
        "garbage",
        "40 27 0:35 / /home rw",  # no " - " separator
        "40 27 zero / /home rw - nfs4 srv:/x rw",  # no major:minor
        "40 27 0:35 / /home rw - ",  # no type
    ],
)
def test_a_line_not_in_the_format_is_passed_over(line: str) -> None:
    assert network_mounts_in(line + "\n" + MOUNTINFO_TEXT) == network_mounts_in(MOUNTINFO_TEXT)


@pytest.mark.skipif(not os.path.exists(MOUNTINFO), reason="no /proc/self/mountinfo")
def test_this_machine_mount_table_reads() -> None:
    """The real table parses: the device holding the tests is a network one exactly when the
    table gives it a network type."""
    text = Path(MOUNTINFO).read_text()
    dev = os.stat(Path(__file__)).st_dev
    types = {
        ln.partition(" - ")[2].split()[0]
        for ln in text.splitlines()
        if ln.split()[2] == f"{os.major(dev)}:{os.minor(dev)}"
    }
    assert (dev in network_mounts().devices) == bool(types & NETWORK_TYPES)


def test_a_read_on_a_network_filesystem_is_not_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the client's attribute cache answers may be stale: such a recording is never
    kept (the device holding `tmp_path` stands for a network mount here, or `tmp_path` for a
    mount point)."""
    (tmp_path / "f").write_text("x")
    monkeypatch.setattr(readlog, "RACY_NS", -(10**12))  # fresh files are not what is tested
    reads = (
        lambda: (tmp_path / "f").read_text(),
        lambda: os.stat(tmp_path / "f").st_mode,
        lambda: os.listdir(tmp_path),
        lambda: os.path.exists(tmp_path / "missing"),  # a failed lookup has no device
    )
    for read in reads:
        with recording() as log:
            read()
        assert log.taint is None
    for remote in (
        NetworkMounts(devices=frozenset({os.stat(tmp_path).st_dev})),
        NetworkMounts(points=(str(tmp_path),)),
    ):
        monkeypatch.setattr(readlog, "network_mounts", lambda remote=remote: remote)
        for i, read in enumerate(reads):
            if remote.devices and i == len(reads) - 1:
                continue  # only the mount point tells a failed lookup
            with recording() as log:
                read()
            assert log.taint is not None and "network filesystem" in log.taint, (remote, i)
