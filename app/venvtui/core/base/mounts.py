"""The network filesystems mounted (devices, mount points), from the kernel's mount table.

A network filesystem's client answers `stat` from its attribute cache: NFS keeps attributes
for `acregmin`-`acdirmax` (3-60 s by default, nfs(5)), SMB for `actimeo` (1 s, mount.cifs(8)),
FUSE filesystems for as long as the daemon says. A change made on another machine may not show
in mtime/ctime until then, so an answer checked by `stat` alone may be stale (see `readlog`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cache

from venvtui.core.base.paths import inside

MOUNTINFO = "/proc/self/mountinfo"

# Filesystem types (mountinfo's field after " - ") whose attributes come from a remote server.
NETWORK_TYPES = frozenset(
    (
        "nfs",
        "nfs4",
        "cifs",
        "smb3",
        "smbfs",
        "ncpfs",
        "afs",
        "9p",
        "ceph",
        "glusterfs",
        "lustre",
        "gpfs",
        "beegfs",
        "davfs",
        "fuse.sshfs",
        "fuse.rclone",
        "fuse.s3fs",
        "fuse.gcsfuse",
        "fuse.glusterfs",
        "fuse.ceph-fuse",
        "fuse.davfs2",
    )
)


@dataclass(frozen=True, slots=True)
class NetworkMounts:
    """The network filesystems mounted: their devices (`st_dev`) and mount points."""

    devices: frozenset[int] = frozenset()
    points: tuple[str, ...] = ()

    def holds(self, path: str) -> bool:
        """`path` (absolute) lies on one of them, lexically (a failed lookup has no device
        to tell)."""
        return any(inside(path, point) for point in self.points)


def _unescape(field: str) -> str:
    """A mountinfo path field: space, tab, newline and backslash are octal escapes (\\040)."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def network_mounts_in(mountinfo: str) -> NetworkMounts:
    """The network filesystems in the text of /proc/self/mountinfo (proc(5): "36 35 98:0 /mnt1
    /mnt2 rw,noatime master:1 - ext3 /dev/root rw": the device's major:minor is the third
    field, the mount point the fifth, the type the first after " - ")."""
    devs: set[int] = set()
    points: list[str] = []
    for line in mountinfo.splitlines():
        fields, sep, rest = line.partition(" - ")
        parts = fields.split()
        if not sep or len(parts) < 5 or not rest.split():
            continue
        if rest.split()[0] not in NETWORK_TYPES:
            continue
        major, colon, minor = parts[2].partition(":")
        if colon and major.isdigit() and minor.isdigit():
            devs.add(os.makedev(int(major), int(minor)))
            points.append(_unescape(parts[4]))
    return NetworkMounts(frozenset(devs), tuple(points))


@cache
def network_mounts() -> NetworkMounts:
    """`network_mounts_in` this process's mount table; none where there is none to read (not
    Linux: macOS's mounts are not read, see README)."""
    try:
        with open(MOUNTINFO, "rb") as fh:
            text = fh.read(4 << 20).decode("utf-8", "surrogateescape")  # bounded: 4 MiB
    except OSError:
        return NetworkMounts()
    return network_mounts_in(text)
