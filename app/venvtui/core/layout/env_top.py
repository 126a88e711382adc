"""What sits at the top of an environment directory: what each creator writes there, and what
marks a directory as something else (a project, a conda installation).

The scan uses it to tell a stray `pyvenv.cfg` from an environment; the writer's ownership rule
uses it to refuse to write over anything no creator wrote.
"""

from __future__ import annotations

from collections.abc import Collection

# Entries any venv-style creator puts at the top (Windows spellings included: an environment
# made on Windows can sit on a shared or mounted drive).
TOP_ENTRIES = frozenset(
    {
        "bin",
        "Scripts",
        "lib",
        "Lib",
        "lib64",
        "include",
        "Include",
        "share",
        "etc",
        "man",
        "pyvenv.cfg",
        ".gitignore",  # only when it ignores everything (checked below)
        "CACHEDIR.TAG",
        ".lock",
        ".project",
        ".venvtui-backup",
        ".DS_Store",  # macOS Finder writes it into any directory it shows
    }
)
# Installer markers: the entry, what it tells, and the further entries it brings with it.
TOOL_MARKERS: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("pipx_metadata.json", "pipx", frozenset()),
    ("uv-receipt.toml", "uv tool", frozenset()),
    (".tox-info.json", "tox", frozenset({"tmp", "log"})),
)
CONDA_ENTRIES = frozenset({"conda-meta", ".nonadmin"})
# A conda/mamba installation (base), not one of its environments, has these beside conda-meta/.
CONDA_BASE_MARKERS = ("condabin", "envs", "pkgs")
VCS_DIRS = frozenset({".git", ".hg", ".svn", ".bzr", "_darcs", ".jj", ".pijul", "CVS", ".fslckout"})
PROJECT_FILES = frozenset(
    {
        "pyproject.toml",
        "setup.py",
        "setup.cfg",
        "requirements.txt",
        "Pipfile",
        "poetry.lock",
        "uv.lock",
        "pdm.lock",
        "tox.ini",
        "noxfile.py",
        "manage.py",
        "main.py",
        "src",
        "package.json",
        "Makefile",
    }
)


def is_conda_base(names: Collection[str]) -> bool:
    """A directory listing `names` (holding conda-meta/) is a conda installation, not an env."""
    return any(m in names for m in CONDA_BASE_MARKERS)


def project_markers(names: Collection[str]) -> list[str]:
    """The version-control dirs and project files among `names`, sorted: none of them is
    written by an environment creator."""
    return sorted(n for n in names if n in VCS_DIRS or n in PROJECT_FILES)
