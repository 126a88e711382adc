"""A filesystem that exists only in memory, as a `View`: for table tests of the start-up model.

`Tree({"/usr/bin/python3.11": FILE, "/bin": "usr/bin", ...})`: a value that is a string is a
symlink's raw target; `FILE` / `DIR` make a file or directory; `elf(...)` makes a file whose
dynamic section is given. Every ancestor of a listed path is a directory.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from venvtui.core.layout.elfdeps import ElfDeps
from venvtui.core.layout.view import Node, View


@dataclass(frozen=True)
class _Kind:
    kind: str
    deps: ElfDeps | None = None


FILE = _Kind("file")
DIR = _Kind("dir")


def elf(*needed: str, runpath: tuple[str, ...] = ()) -> _Kind:
    return _Kind("file", ElfDeps(needed=tuple(needed), runpath=runpath))


class Tree(View):
    def __init__(self, spec: dict[str, str | _Kind]) -> None:
        self.nodes: dict[str, Node] = {}
        self.deps: dict[str, ElfDeps] = {}
        for path, what in spec.items():
            path = os.path.normpath(path)
            parent = os.path.dirname(path)
            while parent != os.path.dirname(parent):
                self.nodes.setdefault(parent, Node("dir"))
                parent = os.path.dirname(parent)
            if isinstance(what, str):
                self.nodes[path] = Node("link", target=what)
            else:
                self.nodes[path] = Node(what.kind)
                if what.deps is not None:
                    self.deps[path] = what.deps

    def _raw(self, path: str) -> Node:
        return self.nodes.get(path, Node("missing", error=f"{path} does not exist"))

    def _listdir(self, canon: str) -> list[str]:
        return sorted(os.path.basename(p) for p in self.nodes if os.path.dirname(p) == canon)

    def elf_deps(self, path: str) -> ElfDeps | None:
        res = self.resolve(path)
        return self.deps.get(res[0]) if res is not None else None


def install(root: str, minor: str, *, exe: str | None = None, abi: str = "") -> dict[str, _Kind]:
    """An install at `root`: bin/pythonX.Y[t] and lib/pythonX.Y[t]/os.py."""
    return {
        os.path.join(root, "bin", exe or f"python{minor}{abi}"): FILE,
        os.path.join(root, "lib", f"python{minor}{abi}", "os.py"): FILE,
    }
