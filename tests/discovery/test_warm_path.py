"""The warm `venvtui interpreters` path: same answers as the slower general code."""

from __future__ import annotations

import os
from pathlib import Path

from tests.fakes import make_fake_python
from venvtui.core.installed import probe
from venvtui.core.installed.probe import cached as _cached_probe


def test_cached_probe_equals_probe(tmp_path: Path) -> None:
    exe = make_fake_python(tmp_path / "bin", "python3.12")
    assert _cached_probe(str(exe)) is None  # nothing cached yet
    fresh = probe.probe_through_cache(str(exe))
    cached = _cached_probe(str(exe))
    assert cached == fresh
    os.utime(exe, ns=(1, 1))  # the real file changed: the entry is stale
    assert _cached_probe(str(exe)) is None
