"""Filesystem views: the real disk, or the real disk as an installer event would leave it.

A forecast must not touch the disk, so an installer's upgrade or removal is modelled as an
`Overlay`: a mapping of path -> new state (removed, a symlink with a new target, a directory
copied from another one, a synthesized file or directory) consulted before the real disk.
Every check the static diagnosis makes (the getpath-style link chain, stdlib landmarks,
realpath) goes through a `View`, so the same code answers "now" and "after the event".

Paths are resolved component by component through the view, as the kernel resolves them (a
`..` after a linked name goes up from the link's target, a trailing `/` asks for a
directory: `_kernel_only`); the final component is examined with lstat semantics where
asked. The getpath-style chain alone is lexical, as getpath is.
"""

from __future__ import annotations

import errno
import os
import stat
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from venvtui.core.base.models import Chain, Hop
from venvtui.core.base.paths import is_normal_abs, parent_of
from venvtui.core.layout.symlinks import MAX_HOPS, next_hop

if TYPE_CHECKING:
    from venvtui.core.layout.elfdeps import ElfDeps

NodeKind = Literal["file", "dir", "link", "missing", "error"]
_T = TypeVar("_T")
_MISS = object()  # a memo's "not asked yet" (None is an answer; no KeyError raised per miss)


@dataclass(frozen=True, slots=True)
class Node:
    """What lstat() says about one path whose parent directory is already resolved."""

    kind: NodeKind
    target: str | None = None  # raw readlink() text when kind == "link"
    error: str | None = None
    source: str | None = None  # the real path holding the bytes (files copied by an overlay)


# The answers with nothing but a kind, shared (a Node is immutable).
DIR = Node("dir")
FILE = Node("file")


def _norm(path: str) -> str:
    """`path` as os.path.abspath gives it (as it is when already absolute and normal)."""
    return path if is_normal_abs(path) else os.path.abspath(path)


def _kernel_only(path: str) -> bool:
    """Whether the kernel may resolve `path` (or a link target) otherwise than its lexical
    normal form (`os.path.normpath`) names: a `..` after a name (the name may be a link), or a
    trailing `/` or `/.` after a name (which must be a directory)."""
    if path.endswith((os.sep, "/.")) and path.strip(os.sep + ".") not in ("", "."):
        return True
    return _climbs_after_name(path)


def _climbs_after_name(target: str) -> bool:
    """Whether a path has a `..` after a name (`sub/../x`)."""
    if ".." not in target:
        return False
    named = False
    for part in target.split(os.sep):
        if part == "..":
            if named:
                return True
        elif part not in ("", "."):
            named = True
    return False


def _ancestors(path: str) -> Iterator[str]:
    """Proper ancestors of `path`, nearest first (excluding the root)."""
    parent = os.path.dirname(path)
    while parent != os.path.dirname(parent):
        yield parent
        parent = os.path.dirname(parent)


class View:
    """The real filesystem. Subclasses override `_raw` to change what some paths hold."""

    def _raw(self, path: str) -> Node:
        """lstat of `path`, its parent being a resolved (link-free) directory."""
        memo: Snapshot | None = getattr(_LOCAL, "snapshot", None)  # _current(), inlined
        if memo is None:
            return real_node(path)
        node = memo.nodes.get(path)
        if node is None:
            node = memo.nodes[path] = real_node(path)
        return node

    # --- resolution -------------------------------------------------------------------------

    def _canon(self, path: str, budget: list[int]) -> tuple[str, Node] | None:
        """Resolve every component of `path` (following links); None when some component is
        missing, not a directory, unreadable, or the links loop."""
        if _kernel_only(path):  # `a/link/../b`, `file/`: not what the lexical form names
            return self._walk(os.sep, os.path.join(os.getcwd(), path), budget)
        return self._canon_n(_norm(path), budget)

    def _canon_n(self, path: str, budget: list[int]) -> tuple[str, Node] | None:
        """`_canon` of a path `_norm` leaves as it is (a link's next hop, a normal path's
        parent)."""
        memo = _current()
        if memo is not None and type(self) is View:
            return self._canon_shared(path, budget, memo.canon)
        store = self.answers()
        if store is not None:
            return self._canon_shared(path, budget, store)
        parts = [p for p in path.split(os.sep) if p]
        cur = os.sep
        node = DIR
        for i, comp in enumerate(parts):
            cand = os.path.join(cur, comp)
            node = self._raw(cand)
            if node.kind == "link":
                budget[0] -= 1  # Linux namei: the 41st link is ELOOP (MAXSYMLINKS 40)
                if budget[0] < 0 or node.target is None:
                    return None
                res = self._follow(cand, node.target, budget)
                if res is None:
                    return None
                cur, node = res
            elif node.kind in ("missing", "error"):
                return None
            else:
                cur = cand
            if i < len(parts) - 1 and node.kind != "dir":
                return None
        return cur, node

    def _canon_shared(
        self, path: str, budget: list[int], store: dict[Any, Any]
    ) -> tuple[str, Node] | None:
        """`_canon` within a snapshot, component by component from the parent's answer, which
        is shared by every path below it. The memo keeps, per path, the answer and the links
        it followed, so the loop limit counts exactly as in `_canon` whatever budget is left:
        an answer that followed `used` links holds for any budget of at least `used`, and a
        smaller budget runs out first (the kernel's ELOOP); an answer cut by the budget says
        only that a budget as small runs out too."""
        hit: tuple[tuple[str, Node] | None, int, bool] | None = store.get(path)
        if hit is not None:
            res_hit, used, was_cut = hit
            if used > budget[0]:
                budget[0] = -1
                return None
            if not was_cut:
                budget[0] -= used
                return res_hit
        start = budget[0]
        # `path` is absolute and normalised: its parent and name are a split at the last sep
        cut = path.rfind(os.sep)
        parent = path[:cut] or os.sep
        res: tuple[str, Node] | None
        if parent == path:
            res = (path, DIR)
        else:
            if parent not in store:
                self._answer_above(parent, store)
            res = self._canon_shared(parent, budget, store)
            if res is not None and res[1].kind != "dir":
                res = None
            elif res is not None:
                where = res[0]
                cand = (where if where != os.sep else "") + path[cut:]
                node = self._raw(cand)
                if node.kind == "link":
                    budget[0] -= 1
                    if budget[0] < 0 or node.target is None:
                        res = None
                    else:
                        res = self._follow(cand, node.target, budget)
                elif node.kind in ("missing", "error"):
                    res = None
                else:
                    res = (cand, node)
        store[path] = (res, start - budget[0], budget[0] < 0)
        return res

    def _follow(self, link: str, target: str, budget: list[int]) -> tuple[str, Node] | None:
        """`_canon` of where `link` (in a resolved directory) leads, as the kernel follows it.
        Joined and normalised lexically (`next_hop`) that is the same, but where
        `_kernel_only` says it is not."""
        if not _kernel_only(target):
            return self._canon_n(next_hop(link, target), budget)
        return self._walk(parent_of(link), target, budget)

    def _walk(self, cur: str, target: str, budget: list[int]) -> tuple[str, Node] | None:
        """`target` resolved from the resolved directory `cur` (from the root when it is
        absolute) as the kernel resolves a path (Linux path_lookup): a `..` goes up from
        where the names before it led (`sub/../x`, `sub` a link: beside `sub`'s target), and
        a trailing `/` or `/.` asks for a directory (ENOTDIR otherwise)."""
        if os.path.isabs(target):
            cur = os.sep
        names: list[str] = []  # below `cur`, not resolved yet
        for part in target.split(os.sep):
            if part == "..":
                if names:
                    res = self._canon_n(os.path.join(cur, *names), budget)
                    if res is None or res[1].kind != "dir":
                        return None
                    cur, names = res[0], []
                cur = parent_of(cur)
            elif part not in ("", "."):
                names.append(part)
        res = self._canon_n(os.path.join(cur, *names), budget)
        if res is not None and res[1].kind != "dir" and target.endswith((os.sep, "/.")):
            return None
        return res

    def _answer_above(self, path: str, store: dict[Any, Any]) -> None:
        """Answer the ancestors of `path` not in `store` yet, root first: each then finds its
        parent answered, so a path resolves without one recursion per component (a `home` may
        name a very deep one). An answer holds for any budget (`_canon_shared`)."""
        pending: list[str] = []
        p = path
        while p not in store:
            parent = p[: p.rfind(os.sep)] or os.sep
            if parent == p:
                break
            pending.append(parent)
            p = parent
        for ancestor in reversed(pending):
            if ancestor not in store:
                self._canon_shared(ancestor, [MAX_HOPS], store)

    def answers(self) -> dict[tuple[Any, ...], Any] | None:
        """Within a snapshot: this view's memo of answers derived from the disk as read (every
        real view shares the snapshot's; an overlay keeps its own); None outside one, or for a
        view whose answers may change."""
        memo: Snapshot | None = getattr(_LOCAL, "snapshot", None)  # _current(), inlined
        return memo.answers if memo is not None and type(self) is View else None

    def memoised(self, key: tuple[object, ...], fn: Callable[[], _T]) -> _T:
        """`fn()`, once per `key` within a snapshot (kept in `answers()`: every env of a batch
        shares what is worked out from its base install); outside one, every time. The hot
        lookups below inline the same steps."""
        memo = self.answers()
        if memo is None:
            return fn()
        try:
            return cast(_T, memo[key])
        except KeyError:
            found = memo[key] = fn()
            return found

    def resolve(self, path: str) -> tuple[str, Node] | None:
        memo = self.answers()
        if memo is None:
            return self._canon(path, [MAX_HOPS])
        key = ("resolve", path)
        hit = memo.get(key, _MISS)
        if hit is not _MISS:
            return hit  # type: ignore[no-any-return]
        found = memo[key] = self._canon(path, [MAX_HOPS])
        return found

    def lnode(self, path: str) -> Node:
        """lstat semantics: the parent is resolved, the final component is not followed."""
        memo = self.answers()
        if memo is None:
            return self._lnode(path)
        key = ("lnode", path)
        hit = memo.get(key, _MISS)
        if hit is not _MISS:
            return hit  # type: ignore[no-any-return]
        found = memo[key] = self._lnode(path)
        return found

    def _lnode(self, path: str) -> Node:
        if _kernel_only(path):
            return self._lnode_walked(os.path.join(os.getcwd(), path))
        path = _norm(path)
        parent = os.path.dirname(path)
        if parent == path:
            return DIR
        budget = [MAX_HOPS]
        res = self._canon_n(parent, budget)
        if res is None:
            if budget[0] < 0:  # the kernel's ELOOP, not a missing file
                return Node("error", error="Too many levels of symbolic links")
            return Node("missing", error=f"{parent} does not exist")
        pdir, pnode = res
        if pnode.kind != "dir":
            return Node("missing", error=f"{parent} is not a directory")
        return self._raw(os.path.join(pdir, os.path.basename(path)))

    def _lnode_walked(self, path: str) -> Node:
        """`_lnode` of an absolute path `_kernel_only` holds for: its parent resolved as the
        kernel resolves it; a trailing `/`, `.` or `..` follows the last name too."""
        head, _, last = path.rpartition(os.sep)
        budget = [MAX_HOPS]
        if last in ("", ".", ".."):
            res = self._walk(os.sep, path, budget)
            if res is not None:
                return res[1]
        else:
            res = self._walk(os.sep, head or os.sep, budget)
            if res is not None and res[1].kind == "dir":
                return self._raw(os.path.join(res[0], last))
        if budget[0] < 0:  # the kernel's ELOOP, not a missing file
            return Node("error", error="Too many levels of symbolic links")
        return Node("missing", error=f"{path} does not exist")

    def exists(self, path: str) -> bool:
        return self.resolve(path) is not None

    def isfile(self, path: str) -> bool:
        res = self.resolve(path)
        return res is not None and res[1].kind == "file"

    def isdir(self, path: str) -> bool:
        res = self.resolve(path)
        return res is not None and res[1].kind == "dir"

    def realpath(self, path: str) -> str:
        """Full resolution like os.path.realpath; when something is missing, the longest
        resolvable parent plus the rest, lexically."""
        memo = self.answers()
        if memo is None:
            return self._realpath(path)
        key = ("realpath", path)
        hit = memo.get(key, _MISS)
        if hit is not _MISS:
            return hit  # type: ignore[no-any-return]
        found = memo[key] = self._realpath(path)
        return found

    def _realpath(self, path: str) -> str:
        if _kernel_only(path) and (res := self.resolve(path)) is not None:
            return res[0]
        rest: list[str] = []  # the names below the longest resolvable parent, nearest last
        p = _norm(path)
        while (res := self.resolve(p)) is None:
            parent = os.path.dirname(p)
            if parent == p:
                break
            rest.append(os.path.basename(p))
            p = parent
        found = res[0] if res is not None else p
        return os.path.join(found, *reversed(rest)) if rest else found

    def source_of(self, path: str) -> str | None:
        """The real file holding the bytes now at `path` (through copies), or None."""
        res = self.resolve(path)
        if res is None or res[1].kind != "file":
            return None
        return res[1].source or res[0]

    def listdir(self, path: str) -> list[str]:
        """Names in directory `path` (real entries plus overlay additions, minus removals)."""
        res = self.resolve(path)
        if res is None or res[1].kind != "dir":
            return []
        return self._listdir(res[0])

    def _listdir(self, canon: str) -> list[str]:
        try:
            return sorted(os.listdir(canon))
        except OSError:
            return []

    def elf_deps(self, path: str) -> ElfDeps | None:
        """The dynamic section (NEEDED, RPATH, RUNPATH) of the file at `path` in this view."""
        from venvtui.core.layout.elfdeps import read_elf_deps  # cycle: elfdeps imports view

        source = self.source_of(path)
        return read_elf_deps(source) if source is not None else None

    # --- the getpath-style chain ------------------------------------------------------------

    def walk_chain(self, path: str, *, max_hops: int = MAX_HOPS) -> Chain:
        """`core.symlinks.walk_chain` through this view (no directory-link report)."""
        memo = self.answers()
        if memo is None:
            return self._walk_chain(path, max_hops)
        key = ("walk_chain", path, max_hops)
        try:
            return memo[key]  # type: ignore[no-any-return]
        except KeyError:
            found = memo[key] = self._walk_chain(path, max_hops)
            return found

    def seed_chain(self, chain: Chain, nodes: tuple[Node, ...]) -> None:
        """Within a snapshot: `chain` (walked from its start by `core.symlinks.walk_chain`,
        below no symlinked directory, ending on a file or directory; `nodes`: each hop's lstat
        answer) is this view's `walk_chain(chain.start)`; outside one, nothing."""
        memo = self.answers()
        if memo is None:
            return
        memo.setdefault(("walk_chain", chain.start, MAX_HOPS), chain)
        end = chain.hops[-1]
        if end.kind not in ("file", "dir") or chain.realpath != end.path:
            return
        # Every hop lies in directories that are not links, so each resolves along the rest
        # of the chain (at most MAX_HOPS links: the kernel's budget is not reached) to the
        # same real entry; each hop's own lstat is the hop.
        found = (end.path, nodes[-1])
        canon = _LOCAL.snapshot.canon
        last = ""
        for hop, node in zip(chain.hops, nodes, strict=True):
            parent = parent_of(hop.path)
            if parent != last:
                last = parent
                # its directories resolve to themselves, following no link (`_canon_shared`)
                while parent not in canon and parent != os.sep:
                    canon[parent] = ((parent, DIR), 0, False)
                    parent = parent_of(parent)
            path = hop.path
            memo.setdefault(("resolve", path), found)
            memo.setdefault(("realpath", path), end.path)
            memo.setdefault(("lnode", path), node)

    def seed_file(self, path: str) -> None:
        """Within a snapshot: `path`, a real path (no link on the way), was listed as a regular
        file; outside one, nothing."""
        memo = self.answers()
        if memo is None:
            return
        _LOCAL.snapshot.nodes.setdefault(path, FILE)
        memo.setdefault(("resolve", path), (path, FILE))
        memo.setdefault(("lnode", path), FILE)
        memo[("listed file", path)] = True

    def listed_file(self, path: str) -> bool:
        """Within a snapshot: `path` was listed as a regular file at its real path
        (`seed_file`), which is what os.path.isfile says of it then; False when not known so."""
        memo = self.answers()
        return memo is not None and memo.get(("listed file", path)) is True

    def _walk_chain(self, path: str, max_hops: int) -> Chain:
        start = _norm(path)
        hops: list[Hop] = []
        seen: set[str] = set()
        current = start
        while True:
            node = self.lnode(current)
            if node.kind == "missing":
                hops.append(Hop(current, "missing", error=f"{current} does not exist"))
                break
            if node.kind == "error":
                hops.append(Hop(current, "error", error=node.error))
                break
            if node.kind != "link" or node.target is None:
                hops.append(Hop(current, node.kind))
                break
            if current in seen:
                hops.append(Hop(current, "loop", error=f"{current} links back into the chain"))
                break
            if len(hops) >= max_hops:
                hops.append(Hop(current, "loop", error=f"more than {max_hops} symlink hops"))
                break
            seen.add(current)
            nxt = next_hop(current, node.target)
            hops.append(Hop(current, "link", target=node.target, next=nxt))
            current = nxt
        return Chain(start=start, hops=tuple(hops), realpath=self.realpath(start))

    def getpath_realpath(self, path: str, version: tuple[int, ...]) -> str:
        """The interpreter's own resolution of its executable: a readlink loop on the final
        component only (directories are never resolved), with the version's exact joining
        rules:

        - getpath.c 3.8-3.10 (`resolve_symlinks`): an absolute target is taken as is; a relative
          one is appended to the link's directory *without* normalisation (`reduce` +
          `joinpath`), so `bin/../Cellar/...` survives into sys.base_prefix;
        - getpath.py 3.11+ (`getpath_realpath`): an absolute target is taken as is; a relative
          one is joined and normalised lexically (`_Py_normpath`).
        """
        memo = self.answers()
        chain = memo.get(("walk_chain", path, MAX_HOPS)) if memo is not None else None
        if isinstance(chain, Chain) and chain.start == path and _joined_alike(chain):
            return chain.final
        current = path
        joined_as_is = tuple(version[:2]) <= (3, 10)
        for _ in range(MAX_HOPS):
            node = self.lnode(current)
            if node.kind != "link" or node.target is None:
                return current
            target = node.target
            if os.path.isabs(target):
                current = target
            elif joined_as_is:
                current = os.path.dirname(current) + os.sep + target
            else:
                current = next_hop(current, target)  # joined and normalised
        return current

    def readlink_chain(self, path: str, *, max_hops: int = MAX_HOPS) -> str:
        """getpath's `realpath()`: follow the file link only; the final path reached."""
        current = _norm(path)
        for _ in range(max_hops):
            node = self.lnode(current)
            if node.kind != "link" or node.target is None:
                return current
            current = next_hop(current, node.target)
        return current


def _joined_alike(chain: Chain) -> bool:
    """`chain` is whole and each of its links names a normal absolute path or a plain name
    beside the link (not in the root directory): every version's joining rule in
    `View.getpath_realpath` then takes the hop the chain took, and ends where it ends."""
    if not chain.ok:
        return False
    for hop in chain.hops[:-1]:
        target = hop.target
        if target is None:
            return False
        if is_normal_abs(target):
            continue
        if os.sep in target or target in ("", ".", "..") or parent_of(hop.path) == os.sep:
            return False
    return True


def real_node(path: str) -> Node:
    try:
        st = os.lstat(path)
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return Node("missing", error=f"{path} does not exist")
        return Node("error", error=exc.strerror or str(exc))
    if stat.S_ISLNK(st.st_mode):
        try:
            return Node("link", target=os.readlink(path))
        except OSError as exc:
            return Node("error", error=exc.strerror or str(exc))
    if stat.S_ISDIR(st.st_mode):
        return DIR
    return FILE


REAL = View()


@dataclass(slots=True)
class Snapshot:
    """The disk as read within `snapshot()`: lstat answers and what views derived from them."""

    nodes: dict[str, Node] = field(default_factory=dict)  # lstat of real paths
    # the real view's _canon answers by (path, link budget left): (answer, budget after)
    canon: dict[Any, Any] = field(default_factory=dict)
    derived: dict[tuple[object, ...], object] = field(default_factory=dict)
    answers: dict[tuple[Any, ...], Any] = field(default_factory=dict)  # the real view's


# One snapshot per thread: a batch reads the disk once; a write in another thread never sees
# its memo.
_LOCAL = threading.local()


def _current() -> Snapshot | None:
    return getattr(_LOCAL, "snapshot", None)


def snapshot_memo() -> dict[tuple[object, ...], object] | None:
    """Within a snapshot: a memo for answers derived from the disk as read (per base, per
    install), shared by every env of the batch; None outside one."""
    memo = _current()
    return None if memo is None else memo.derived


@contextmanager
def snapshot(memo: Snapshot | None = None) -> Iterator[None]:
    """Within (in this thread): every view answers each real path's lstat once, one reading
    of the disk for a batch (doctor over many environments resolves the same directories again
    and again). `memo`: carry on with an earlier snapshot's answers (a stream of envs
    examined one at a time); inside another snapshot, that one goes on."""
    outer = _current()
    if outer is None:
        _LOCAL.snapshot = memo if memo is not None else Snapshot()
    try:
        yield
    finally:
        _LOCAL.snapshot = outer


# --- overlay --------------------------------------------------------------------------------

ChangeOp = Literal["remove", "link", "copy", "file", "dir"]


@dataclass(frozen=True, slots=True)
class Change:
    """One change an installer makes: `remove` path (and all below), `link` path -> arg (raw
    target text), `copy` arg (a real directory) to path, create an empty `file`/`dir`."""

    op: ChangeOp
    path: str
    arg: str | None = None

    def describe(self) -> str:
        if self.op == "remove":
            return f"remove {self.path}"
        if self.op == "link":
            return f"link {self.path} -> {self.arg}"
        if self.op == "copy":
            return f"install {self.path} (as {self.arg})"
        return f"create {self.path}"


class Overlay(View):
    """The real disk with `changes` applied (later changes win at the same path)."""

    def __init__(self, changes: tuple[Change, ...] | list[Change] = (), base: View = REAL):
        self.base = base
        self.entries: dict[str, Change] = {}
        self._below: tuple[str, ...] = ()  # "entry/" for each entry but the root
        self.changes: tuple[Change, ...] = ()
        self._memo: tuple[Snapshot, dict[tuple[Any, ...], Any]] | None = None
        for ch in changes:
            self.apply(ch)
        self._complete = True

    def answers(self) -> dict[tuple[Any, ...], Any] | None:
        """Its own memo, per snapshot, once every change is applied (an overlay built once per
        install answers every env of the batch)."""
        memo = _current()
        if memo is None or not getattr(self, "_complete", False) or self.base.answers() is None:
            return None
        mine = self._memo
        if mine is None or mine[0] is not memo:
            mine = self._memo = (memo, {})
        return mine[1]

    def apply(self, change: Change) -> None:
        path = _norm(change.path)
        # key the change by where it really lands: /bin/python3 on a merged-/usr system is
        # /usr/bin/python3 (the parent is resolved in the view as changed so far)
        parent = os.path.dirname(path)
        res = self.resolve(parent) if parent != path else None
        if res is not None:
            path = os.path.join(res[0], os.path.basename(path))
        ch = Change(change.op, path, change.arg)
        self._memo = None
        # a removal or replacement supersedes earlier changes below that path
        if ch.op in ("remove", "link", "copy", "file"):
            for p in [p for p in self.entries if p.startswith(path + os.sep)]:
                del self.entries[p]
        self.entries[path] = ch
        self._below = tuple(k + os.sep for k in self.entries if len(k) > 1)
        self.changes = (*self.changes, ch)

    def _unchanged(self, path: str) -> bool:
        """No change is at `path` or above it: its lstat answer is the base's."""
        return path not in self.entries and not path.startswith(self._below)

    def _canon_shared(
        self, path: str, budget: list[int], store: dict[Any, Any]
    ) -> tuple[str, Node] | None:
        """The base's answer where it followed no link and no change is at `path` or above it
        (the same components, each with the base's lstat answer: an env's own directories
        under an installer's event)."""
        memo = _current()
        hit = memo.canon.get(path) if memo is not None and self.base is REAL else None
        if hit is not None and hit[1] == 0 and hit[0] is not None and self._unchanged(path):
            return hit[0]  # type: ignore[no-any-return]
        return super()._canon_shared(path, budget, store)

    def _raw(self, path: str) -> Node:
        memo = self.answers()
        if memo is None:
            return self._raw_changed(path)
        key = ("raw", path)
        try:
            return memo[key]  # type: ignore[no-any-return]
        except KeyError:
            found = memo[key] = self._raw_changed(path)
            return found

    def _raw_changed(self, path: str) -> Node:
        if self._unchanged(path):
            return self.base._raw(path)
        ch = self.entries.get(path)
        if ch is not None:
            return self._node_for(ch)
        # the nearest changed proper ancestor (not the root); a handful of entries, so a
        # prefix test over them beats walking every ancestor
        anc = max(
            (k for k in self.entries if len(k) > 1 and path.startswith(k + os.sep)),
            key=len,
            default=None,
        )
        if anc is not None:
            ch = self.entries[anc]
            if ch.op == "copy" and ch.arg is not None:
                src = os.path.join(ch.arg, os.path.relpath(path, anc))
                node = self.base._raw(src)
                if node.kind == "file" and node.source is None:
                    return Node("file", source=src)
                return node
            if ch.op != "dir":  # a new directory over a real one: fall through to the base
                return Node("missing", error=f"{path} does not exist (after: {ch.describe()})")
        return self.base._raw(path)

    def _node_for(self, ch: Change) -> Node:
        if ch.op == "remove":
            return Node("missing", error=f"{ch.path} does not exist (after: {ch.describe()})")
        if ch.op == "link":
            return Node("link", target=ch.arg)
        if ch.op == "copy":
            return DIR
        if ch.op == "dir":
            return DIR
        return FILE

    def _listdir(self, canon: str) -> list[str]:
        names: set[str] = set()
        handled = False
        ch = self.entries.get(canon)
        if ch is not None and ch.op == "copy" and ch.arg is not None:
            names.update(self.base.listdir(ch.arg))
            handled = True
        elif ch is not None and ch.op == "remove":
            return []
        if not handled:
            for anc in _ancestors(canon):
                ach = self.entries.get(anc)
                if ach is not None and ach.op == "copy" and ach.arg is not None:
                    names.update(
                        self.base.listdir(os.path.join(ach.arg, os.path.relpath(canon, anc)))
                    )
                    handled = True
                    break
        if not handled:
            names.update(self.base._listdir(canon))
        for p, c in self.entries.items():
            if os.path.dirname(p) == canon:
                if c.op == "remove":
                    names.discard(os.path.basename(p))
                else:
                    names.add(os.path.basename(p))
        return sorted(names)


def fold_ancestors(view: View, kind: str, path: str, step: Callable[[str, _T], _T], top: _T) -> _T:
    """`step(d, the answer for d's parent)` for `path` and each of its ancestors but the root
    (whose answer is `top`), kept per directory as `(kind, d)` within a snapshot (every env
    passing there shares it): up to the nearest directory answered, then down again, with no
    recursion per level (a `home` or a link may name a very deep path)."""
    memo = view.answers()
    below: list[str] = []  # `path` and its ancestors not answered yet, nearest first
    found = top
    d = path
    while os.path.dirname(d) != d:
        known = memo.get((kind, d)) if memo is not None else None
        if known is not None:
            found = cast(_T, known)
            break
        below.append(d)
        d = os.path.dirname(d)
    for d in reversed(below):
        found = step(d, found)
        if memo is not None:
            memo[(kind, d)] = found
    return found


# --- stdlib landmarks (CPython getpath) ---------------------------------------------------


def landmark(view: View, directory: str, minor: str) -> bool:
    """getpath's prefix landmark: `lib/pythonX.Y/os.py` (or .pyc) or the `lib/pythonXY.zip`.
    `minor` carries the ABI tag of a free-threaded build ("3.13t": `lib/python3.13t`,
    `lib/python313t.zip`; CPython getpath.py STDLIB_SUBDIR / ZIP_LANDMARK with ABI_THREAD)."""
    return view.memoised(("landmark", directory, minor), lambda: _landmark(view, directory, minor))


def _landmark(view: View, directory: str, minor: str) -> bool:
    nodot = minor.replace(".", "")
    lib = os.path.join(directory, "lib")
    return (
        view.isfile(os.path.join(lib, f"python{nodot}.zip"))
        or view.isfile(os.path.join(lib, f"python{minor}", "os.py"))
        or view.isfile(os.path.join(lib, f"python{minor}", "os.pyc"))
    )


def search_up(view: View, directory: str, minor: str) -> str | None:
    """getpath `search_up`: the first of dir, dirname(dir), ... holding the landmark. The root
    is never a candidate: getpath's own `dirname('/usr')` is `''`, which ends the loop
    (CPython Modules/getpath.c `getpath_dirname`; getpath.c <= 3.10 `reduce` likewise)."""
    return view.memoised(
        ("search_up", directory, minor), lambda: _search_up(view, directory, minor)
    )


def _search_up(view: View, directory: str, minor: str) -> str | None:
    # lexical, like getpath: a `..` component stays in the result (sys.base_prefix shows it)
    d = directory.rstrip(os.sep) if os.path.isabs(directory) else _norm(directory)
    while d and d != os.path.dirname(d):
        if landmark(view, d, minor):
            return d
        d = os.path.dirname(d)
    return None
