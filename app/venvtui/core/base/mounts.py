"""Which devices are network filesystems, from the kernel's mount table (Linux).

A network filesystem's client answers `stat` from its attribute cache: NFS keeps attributes
for `acregmin`-`acdirmax` (3-60 s by default, nfs(5)), SMB for `actimeo` (1 s, mount.cifs(8)),
FUSE filesystems for as long as the daemon says. A change made on another machine may not show
in mtime/ctime until then, so an answer checked by `stat` alone may be stale (see `readlog`).
"""

from __future__ import annotations

import os
from functools import cache

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


def network_devices_in(mountinfo: str) -> frozenset[int]:
    """The `st_dev` numbers of the network filesystems mounted, from the text of
    /proc/self/mountinfo (proc(5): "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root
    rw": the third field is the device's major:minor, the first after " - " the type)."""
    devs: set[int] = set()
    for line in mountinfo.splitlines():
        fields, sep, rest = line.partition(" - ")
        parts = fields.split()
        if not sep or len(parts) < 3 or not rest.split():
            continue
        if rest.split()[0] not in NETWORK_TYPES:
            continue
        major, colon, minor = parts[2].partition(":")
        if colon and major.isdigit() and minor.isdigit():
            devs.add(os.makedev(int(major), int(minor)))
    return frozenset(devs)


@cache
def network_devices() -> frozenset[int]:
    """`network_devices_in` this process's mount table; empty where there is none to read
    (not Linux: macOS's mounts are not read, see README)."""
    try:
        with open(MOUNTINFO, "rb") as fh:
            text = fh.read(4 << 20).decode("utf-8", "surrogateescape")  # bounded: 4 MiB
    except OSError:
        return frozenset()
    return network_devices_in(text)
