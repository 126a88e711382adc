"""Finding one distribution in an environment from its dist-info: any spelling of the name
(PEP 503), the wheel-escaped and the older unescaped directory names, the installer recorded,
the site-packages of another minor only when the recorded one is missing, and an invalid
dist-info never matched."""

from __future__ import annotations

from pathlib import Path

import pytest

from venvtui.core.installed.dists import find


def _dist(site: Path, dirname: str, name: str, version: str, installer: str | None) -> None:
    info = site / dirname
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\n")
    if installer is not None:
        (info / "INSTALLER").write_text(installer + "\n")


@pytest.fixture
def env(tmp_path: Path) -> Path:
    site = tmp_path / "env" / "lib" / "python3.12" / "site-packages"
    _dist(site, "typing_extensions-4.12.2.dist-info", "typing_extensions", "4.12.2", "uv")
    _dist(site, "python-dateutil-2.9.0.dist-info", "python-dateutil", "2.9.0", "pip")
    _dist(site, "Zope.Interface-6.0.dist-info", "zope.interface", "6.0", None)
    _dist(site, "evil-1.0.dist-info", "--prefix=/x", "1.0", "pip")
    return tmp_path / "env"


@pytest.mark.parametrize(
    ("asked", "name", "version", "installer"),
    [
        ("Typing.Extensions", "typing_extensions", "4.12.2", "uv"),
        ("python_dateutil", "python-dateutil", "2.9.0", "pip"),
        ("zope-interface", "zope.interface", "6.0", None),
    ],
)
def test_any_spelling_finds_the_dist(
    env: Path, asked: str, name: str, version: str, installer: str | None
) -> None:
    dist = find(str(env), "3.12", asked)
    assert dist is not None
    assert (dist.name, dist.version, dist.installer) == (name, version, installer)


def test_absent_and_invalid_are_not_found(env: Path) -> None:
    assert find(str(env), "3.12", "requests") is None
    assert find(str(env), "3.12", "evil") is None  # its METADATA name is not a valid name


def test_unknown_or_missing_minor_looks_in_every_site_packages(env: Path) -> None:
    assert find(str(env), None, "python-dateutil") is not None
    assert find(str(env), "3.11", "python-dateutil") is not None  # no lib/python3.11
    other = env / "lib" / "python3.11" / "site-packages"
    other.mkdir(parents=True)
    assert find(str(env), "3.11", "python-dateutil") is None  # 3.11 has its own, without it
