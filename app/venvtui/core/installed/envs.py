"""Find virtual environments (dirs with pyvenv.cfg) and conda envs (dirs with conda-meta/).

Static only: directory listings, one read of each pyvenv.cfg, the bin/python link chain and a
stat for mtime; no interpreter is run. Scan roots are the cwd and its parents' `.venv`/`venv`,
every central location of the common tools, and a bounded walk of the home directory (or the
roots the caller names). A walk never descends into an environment it found, never follows a
symlinked directory (it only checks whether the link names an env), and dedupes envs by the
real path of their root.

The walk is iterative (a 1,200-deep tree is fine) and bounded by a depth and a number of
directories listed per root; whenever a bound cut something off it is reported (`WalkLimit`
through `on_limit`) so the caller can say "scanned to depth N; pass ROOT to go deeper". Extra
roots, excluded paths and the home walk depth come from the config file (`core.base.config`).
"""

from __future__ import annotations

import functools
import os
import re
import stat
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass

from venvtui.core.base.config import Config, ConfigError, load_config
from venvtui.core.base.errors import NotAnEnvironmentError, NotFoundError, VenvtuiError
from venvtui.core.base.models import Chain, Environment, EnvKind, Source
from venvtui.core.base.paths import join_name, parent_of
from venvtui.core.base.readlog import narrow
from venvtui.core.base.safe_io import SMALL_FILE, read_text
from venvtui.core.installed.sources import (
    Context,
    conda_bases,
    is_interpreter_name,
    pyenv_root,
    uv_tool_dir,
)
from venvtui.core.layout.env_top import is_conda_base, project_markers
from venvtui.core.layout.pyvenv_cfg import read_cfg
from venvtui.core.layout.symlinks import LinkCache, walk_chain
from venvtui.core.layout.view import DIR, FILE, REAL, Node

Cancel = Callable[[], bool]
OnError = Callable[[VenvtuiError], None]

DEFAULT_DEPTH = 6  # dirs below a root at which an env may still be found (root = 0)
MAX_DIRS = 200_000  # directories listed per root before the walk stops (reported)

# Never walked into: VCS data, package caches, build trees, OS folders, installed packages.
PRUNE = frozenset(
    {
        "node_modules",
        ".git",
        ".hg",
        ".svn",
        "__pycache__",
        ".cache",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".hypothesis",
        ".npm",
        ".cargo",
        ".rustup",
        ".gradle",
        ".m2",
        "site-packages",
        "dist-packages",
        "Library",
        "Applications",
        ".Trash",
        "proc",
        "sys",
        "snap",
        ".idea",
        ".vscode",
        "target",
    }
)
# In the home walk hidden dirs are skipped (central locations cover the tools' own dirs),
# except the ones projects keep their envs in.
HIDDEN_OK = frozenset(
    {".venv", ".env", ".venvs", ".virtualenvs", ".tox", ".nox", ".direnv", ".envs"}
)
# Env dir names a project keeps beside its code (cwd and parents); only taken with a pyvenv.cfg.
PROJECT_ENV_NAMES = (".venv", "venv", ".env", "env")


@dataclass(frozen=True, slots=True)
class WalkLimit:
    """A bound that cut a walk short: `root` was walked to `depth` and `not_entered` directories
    at that depth were not descended into, or the walk stopped after `max_dirs` listings."""

    root: str
    depth: int
    not_entered: int = 0
    max_dirs: int | None = None  # set when the directory budget ran out

    def message(self) -> str:
        if self.max_dirs is not None:
            return (
                f"{self.root}: stopped after listing {self.max_dirs:,} directories; "
                "pass a narrower ROOT to scan the rest"
            )
        return (
            f"{self.root} scanned to depth {self.depth} ({self.not_entered:,} deeper "
            f"director{'y' if self.not_entered == 1 else 'ies'} not entered); pass ROOT "
            "(and --depth N) to go deeper"
        )

    def to_json(self) -> dict[str, object]:
        return {
            "root": self.root,
            "depth": self.depth,
            "not_entered": self.not_entered,
            "max_dirs": self.max_dirs,
            "message": self.message(),
        }


OnLimit = Callable[[WalkLimit], None]


@dataclass(frozen=True, slots=True)
class Root:
    """A place to look: walk `path` down to `depth`, tagging what is found with `owner`."""

    path: str
    depth: int
    owner: str = ""
    source: Source = Source.VENV_SCAN
    prune_hidden: bool = False
    explicit: bool = False  # named by the user: problems with it are reported
    report_limits: bool = False  # say when the depth bound cut the walk short


# --- where each tool keeps its environments -------------------------------------------------


def _platform_dir(ctx: Context, kind: str, app: str) -> str:
    """platformdirs' user_{data,cache}_dir(app, appauthor=False) without importing it."""
    if ctx.windows:
        local = ctx.env("LOCALAPPDATA") or os.path.join(ctx.home, "AppData", "Local")
        return os.path.join(local, app, "Cache") if kind == "cache" else os.path.join(local, app)
    if ctx.macos:
        sub = "Caches" if kind == "cache" else "Application Support"
        return os.path.join(ctx.home, "Library", sub, app)
    if kind == "cache":
        xdg = ctx.env("XDG_CACHE_HOME")
        base = xdg if xdg and os.path.isabs(xdg) else os.path.join(ctx.home, ".cache")
        return os.path.join(base, app)
    return os.path.join(ctx.xdg_data_home(), app)


def central_roots(ctx: Context) -> list[Root]:
    """Every central location of the common tools (peers research §2.1)."""
    h = ctx.home
    roots: list[Root] = []

    def add(path: str | None, depth: int, owner: str, source: Source = Source.VENV_SCAN) -> None:
        if path:
            roots.append(Root(os.path.normpath(path), depth, owner, source))

    # virtualenvwrapper (pipenv also honours WORKON_HOME)
    add(ctx.env("WORKON_HOME") or os.path.join(h, ".virtualenvs"), 1, "virtualenvwrapper")
    # pipenv: $XDG_DATA_HOME/virtualenvs (~/.virtualenvs on Windows)
    add(os.path.join(ctx.xdg_data_home(), "virtualenvs"), 1, "pipenv")
    # poetry: {cache-dir}/virtualenvs, or virtualenvs.path
    add(ctx.env("POETRY_VIRTUALENVS_PATH"), 1, "poetry")
    cache = ctx.env("POETRY_CACHE_DIR")
    add(os.path.join(cache, "virtualenvs") if cache else None, 1, "poetry")
    add(os.path.join(_platform_dir(ctx, "cache", "pypoetry"), "virtualenvs"), 1, "poetry")
    # pdm: user_data_dir("pdm")/venvs (Windows: %LOCALAPPDATA%\pdm\pdm)
    pdm = _platform_dir(ctx, "data", "pdm")
    add(os.path.join(pdm, "pdm" if ctx.windows else "", "venvs"), 1, "pdm")
    # hatch: <data>/env/virtual/<project>/<hash>/<env>
    hatch = ctx.env("HATCH_DATA_DIR") or _platform_dir(ctx, "data", "hatch")
    add(os.path.join(hatch, "env", "virtual"), 3, "hatch")
    # pipx: $PIPX_HOME, the legacy ~/.local/pipx, the platform data dir
    pipx_homes = [ctx.env("PIPX_HOME"), os.path.join(h, ".local", "pipx")]
    pipx_homes.append(
        os.path.join(_platform_dir(ctx, "data", "pipx"), "pipx" if ctx.windows else "")
    )
    for ph in pipx_homes:
        if ph:
            add(os.path.join(ph, "venvs"), 1, "pipx")
            add(os.path.join(ph, "shared"), 0, "pipx")
    # uv tools
    add(uv_tool_dir(ctx), 1, "uv-tool", Source.UV)
    # pyenv-virtualenv: versions/<ver>/envs/<name> (+ versions/<name> aliases, old-style envs)
    versions = os.path.join(pyenv_root(ctx), "versions")
    try:
        version_dirs = sorted(os.listdir(versions))
    except OSError:
        version_dirs = []
    for v in version_dirs:
        envs = os.path.join(versions, v, "envs")
        if os.path.isdir(envs):
            add(envs, 1, "pyenv-virtualenv", Source.PYENV)
    if version_dirs:
        add(versions, 1, "pyenv-virtualenv", Source.PYENV)
    # conda: <base>/envs, ~/.conda/envs, CONDA_ENVS_PATH, ~/.conda/environments.txt
    for base in conda_bases(ctx):
        add(os.path.join(base, "envs"), 1, "conda", Source.CONDA)
    add(os.path.join(h, ".conda", "envs"), 1, "conda", Source.CONDA)
    for p in (ctx.env("CONDA_ENVS_PATH") or "").split(os.pathsep):
        add(p or None, 1, "conda", Source.CONDA)
    for line in _read_lines(os.path.join(h, ".conda", "environments.txt")):
        add(line, 0, "conda", Source.CONDA)
    # pre-commit (store.py _get_default_directory, every platform): PRE_COMMIT_HOME, else
    # $XDG_CACHE_HOME/pre-commit or ~/.cache/pre-commit; envs at repo<id>/py_env-<version>
    xdg_cache = ctx.env("XDG_CACHE_HOME") or os.path.join(h, ".cache")
    add(ctx.env("PRE_COMMIT_HOME") or os.path.join(xdg_cache, "pre-commit"), 2, "pre-commit")
    # pixi global envs, and the other common "one folder of envs" spots
    add(os.path.join(ctx.env("PIXI_HOME") or os.path.join(h, ".pixi"), "envs"), 1, "pixi")
    for name in (".venvs", "venvs", ".local/venvs", "virtualenvs", "envs", "Envs", ".direnv"):
        add(os.path.join(h, *name.split("/")), 1, "")
    return roots


def _read_lines(path: str) -> list[str]:
    try:  # bounded: a FIFO or a huge file here must not hang or exhaust the scan
        text = read_text(path, limit=SMALL_FILE, errors="replace")
    except OSError:
        return []
    return [ln.strip() for ln in text.splitlines() if ln.strip()]


def project_roots(ctx: Context) -> list[Root]:
    """The cwd (if it is an env) and `.venv`/`venv`/`.env`/`env` in the cwd and each of its
    parents."""
    roots = [Root(ctx.cwd, 0, "")]
    d = ctx.cwd
    while True:
        for name in PROJECT_ENV_NAMES:
            roots.append(Root(os.path.join(d, name), 0, "project"))
        parent = os.path.dirname(d)
        if parent == d:
            break
        d = parent
    return roots


def default_roots(
    ctx: Context, depth: int | None = None, config: Config | None = None
) -> list[Root]:
    """Project envs, central locations, the configured extra roots, then the home walk."""
    if depth is None and config is not None:
        depth = config.scan_depth
    depth = DEFAULT_DEPTH if depth is None else depth
    extra = [
        Root(r, depth, "", explicit=True, report_limits=True)
        for r in (config.scan_roots if config else ())
    ]
    home = Root(ctx.home, depth, "", prune_hidden=True, report_limits=True)
    return [*project_roots(ctx), *central_roots(ctx), *extra, home]


# --- what an environment is ---------------------------------------------------------------


_VENV_COMMAND = re.compile(r"(?:^|\s)-m\s+venv(?:\s|$)")


@functools.lru_cache(maxsize=256)
def creator_of(cfg: tuple[tuple[str, str], ...]) -> str:
    """Which tool wrote this pyvenv.cfg (peers research §2.2): `uv = …` (very old uv:
    `gourgeist = …`), `virtualenv = …`, our own `venvtui = …`, a `command = … -m venv …`
    (3.11+ venv), else "venv" when the cfg has the stdlib's shape (home,
    include-system-site-packages, version: what 3.3–3.10 write), else "unknown"."""
    keys: dict[str, str] = {}
    for k, v in cfg:
        keys.setdefault(k.strip().lower(), v)
    if "uv" in keys or "gourgeist" in keys:
        return "uv"
    if "virtualenv" in keys:
        return "virtualenv"
    if "venvtui" in keys:
        return "venvtui"
    if _VENV_COMMAND.search(keys.get("command", "")):
        return "venv"
    if {"home", "include-system-site-packages", "version"} <= keys.keys():
        return "venv"
    return "unknown"


def env_python(
    env_dir: str, *, windows: bool = False, link_cache: LinkCache | None = None
) -> str | None:
    """The env's interpreter path: bin/python (Scripts/python.exe), else the first
    bin/python* present; None when there is none. A dangling link still counts: it is the
    path the env runs, and the chain shows where it breaks. `link_cache` keeps the lstat for
    the chain walked from that path."""
    bindir = join_name(env_dir, "Scripts" if windows else "bin")
    primary = join_name(bindir, "python.exe" if windows else "python")
    if link_cache.lexists(primary) if link_cache is not None else os.path.lexists(primary):
        return primary
    try:
        names = sorted(os.listdir(bindir))
    except OSError:
        return None
    for preferred in ("python3", "python3.exe"):
        if preferred in names:
            return os.path.join(bindir, preferred)
    for name in names:
        if is_interpreter_name(name):
            return os.path.join(bindir, name)
    return None


def stray_cfg(names: Collection[str]) -> list[str]:
    """The project markers (VCS dirs, project files) of a directory listing `names` that holds a
    `pyvenv.cfg` but no interpreter: a stray file in a project, not an environment. A project
    dir made into an env in place (`python -m venv .`) has its bin/python and stays an env."""
    return project_markers(names) if "pyvenv.cfg" in names else []


def _owner_and_project(
    path: str, names: Collection[str], root_owner: str
) -> tuple[str, str | None]:
    parent = os.path.dirname(path)
    parent_name = os.path.basename(parent)
    project: str | None = None
    if ".project" in names:  # virtualenvwrapper / pipenv record the project dir here
        lines = _read_lines(os.path.join(path, ".project"))
        project = lines[0] if lines else None
    if "uv-receipt.toml" in names:
        return "uv-tool", project
    if "pipx_metadata.json" in names:
        return "pipx", project
    if parent_name in (".tox", ".nox"):
        return parent_name[1:], os.path.dirname(parent)
    if root_owner and root_owner != "project":
        return root_owner, project
    if ".project" in names:
        return "virtualenvwrapper", project
    if os.path.basename(path) in PROJECT_ENV_NAMES or root_owner == "project":
        return "project", project or parent
    return "", project


def _is_link(entry: os.DirEntry[str]) -> bool:
    """A listed entry is a symlink (or cannot be told apart from one)."""
    try:
        return entry.is_symlink()
    except OSError:
        return True


def _is_file(entry: os.DirEntry[str], *, follow: bool = True) -> bool:
    """os.path.isfile of a listed entry: from its d_type, a stat only for a link (`follow`;
    else a link is not a file)."""
    try:
        return entry.is_file(follow_symlinks=follow)
    except OSError:
        return False


def make_environment(
    path: str,
    *,
    names: Collection[str] | None = None,
    owner: str = "",
    source: Source = Source.VENV_SCAN,
    windows: bool = False,
    link_cache: LinkCache | None = None,
    entries: Mapping[str, os.DirEntry[str]] | None = None,
) -> Environment | None:
    """Build the Environment at `path`, or None when `path` holds neither pyvenv.cfg nor a
    (non-base) conda-meta/. `names` are the directory's entries when the caller listed it;
    `entries` its scandir entries (their file types spare a stat each)."""

    if entries is not None:
        names = entries
    elif names is None:
        names = set(os.listdir(path))
    kind: EnvKind
    cfg: tuple[tuple[str, str], ...] = ()
    problems: tuple[str, ...] = ()
    cfg_file = join_name(path, "pyvenv.cfg")
    if "pyvenv.cfg" in names and (
        _is_file(entries["pyvenv.cfg"]) if entries is not None else os.path.isfile(cfg_file)
    ):
        kind = "venv"
        try:
            parsed = read_cfg(cfg_file)
            cfg, problems = parsed.items(), tuple(parsed.problems)
        except VenvtuiError as exc:
            problems = (str(exc),)
        creator = creator_of(cfg)
    elif "conda-meta" in names and not is_conda_base(names):
        kind = "conda"
        creator = "conda"
        if owner == "":
            owner = "conda"
        if os.path.isfile(os.path.join(path, "conda-meta", "pixi")):
            owner = "pixi"
        source = Source.CONDA if source is Source.VENV_SCAN else source
    else:
        return None
    python = (
        os.path.join(path, "python.exe")
        if kind == "conda" and windows
        else env_python(path, windows=windows, link_cache=link_cache)
    )
    if kind == "venv" and python is None and stray_cfg(names):
        return None
    env_owner, project = _owner_and_project(path, names, owner)
    chain: Chain | None = None
    if python is not None:
        if link_cache is not None and entries is not None:
            _known_dir(link_cache, entries, "Scripts" if windows else "bin")
        try:
            chain = walk_chain(python, cache=link_cache)
        except VenvtuiError:
            chain = None
    return Environment(
        path=path,
        kind=kind,
        creator=creator,
        owner=env_owner,
        python=python,
        chain=chain,
        cfg=cfg,
        cfg_problems=problems,
        sources=(source,),
        mtime=_mtime(path),
        project=project,
    )


def _known_dir(cache: LinkCache, entries: Mapping[str, os.DirEntry[str]], name: str) -> None:
    """Tell `cache` that the listed entry `name`, when it is a directory, is not a link."""
    entry = entries.get(name)
    try:
        if entry is not None and entry.is_dir(follow_symlinks=False):
            cache.not_a_link(entry.path)
    except OSError:
        pass


# What the walk looks at in a directory that is not an env: its directories and links (to
# enter or to look at after the walk), and the entries named so (an env's markers, a `.venv`
# redirect file); `readlog._selected`'s form. Anything else listed there it passes over.
_WALKED = "dl:.venv,conda-meta,pyvenv.cfg"
_ENV_MARKERS = ":conda-meta,pyvenv.cfg"  # what makes a directory an env (`make_environment`)

_LISTED = 1  # a walked directory was listed as a directory, not a link (scandir's d_type)
_PARENT_LISTED = 2  # and so was its parent
_REAL = 4  # its `real` is its real path (no link on the way down from the root's realpath)


def _mtime(path: str) -> float | None:
    """Last modification: the newer of the env dir and its bin dir (installs add scripts)."""
    best: float | None = None
    for p in (path, join_name(path, "bin")):
        try:
            m = os.stat(p).st_mtime
        except OSError:
            continue
        best = m if best is None else max(best, m)
    return best


# --- walking -------------------------------------------------------------------------------


def _list(path: str) -> tuple[dict[str, os.DirEntry[str]], object]:
    """The entries of directory `path` by name, and the listing (for `narrow`)."""
    with os.scandir(path) as it:
        return {e.name: e for e in it}, it


def _redirect(venv_file: str) -> str | None:
    """PEP 832 (draft): a `.venv` *file* holding the path of the real env."""
    lines = _read_lines(venv_file)
    if not lines:
        return None
    target = os.path.expanduser(lines[0])
    return os.path.normpath(os.path.join(os.path.dirname(venv_file), target))


class _Scanner:
    def __init__(
        self,
        ctx: Context,
        cancel: Cancel | None,
        on_error: OnError | None,
        on_limit: OnLimit | None = None,
        exclude: Sequence[str] = (),
        max_dirs: int = MAX_DIRS,
        nodes: dict[str, Node] | None = None,
    ) -> None:
        self.ctx = ctx
        self.cancel = cancel
        self.on_error = on_error
        self.on_limit = on_limit
        self.exclude = frozenset(exclude)
        self.max_dirs = max_dirs
        self.seen: set[str] = set()
        self.links = LinkCache()
        self.nodes = nodes
        self.link_nodes: dict[str, Node] = {}  # link target -> its (immutable) Node

    def share(self, chain: Chain) -> None:
        """Add what walking `chain` read to the snapshot's lstat answers (`self.nodes`, keyed
        by real paths): each hop below directories that are not links, and those
        directories. The statuses worked out next in that snapshot need not read them again.
        A chain wholly below such directories, ending on a file or directory, is the real
        view's chain of its start too (`View.walk_chain` would walk the same hops): the
        start-up model takes it as it is, one walk of each env's chain, and its directories
        go to the view's resolution memo instead (`View.seed_chain`)."""
        nodes = self.nodes
        if nodes is None:
            return
        below_real_dirs = True
        seen: list[Node] = []
        real_dirs: list[str] = []  # the hops' directories that are not links
        last = ""  # the previous hop's directory (a chain's links mostly share bin/)
        real_dir = False
        for hop in chain.hops:
            if hop.kind == "link" and hop.target is not None:
                node = self.link_nodes.get(hop.target)
                if node is None:
                    node = self.link_nodes[hop.target] = Node("link", target=hop.target)
            elif hop.kind == "file":
                node = FILE
            elif hop.kind == "dir":
                node = DIR
            else:  # the lstat failed or was not made (a loop): nothing was read (the last hop)
                break
            seen.append(node)
            parent = parent_of(hop.path)
            if parent != last:
                last = parent
                links, stopped = self.links.dir_links_in(parent)
                real_dir = not links and not stopped
                if real_dir:
                    real_dirs.append(parent)
            if not real_dir:
                below_real_dirs = False  # a symlinked (or unexaminable) directory above
                continue
            nodes.setdefault(hop.path, node)
        if below_real_dirs and chain.ok:
            REAL.seed_chain(chain, tuple(seen))  # its directories too
            return
        for parent in real_dirs:
            while parent not in nodes and parent_of(parent) != parent:
                nodes[parent] = DIR
                parent = parent_of(parent)

    def excluded(self, path: str) -> bool:
        """`path` is an excluded path or lies below one (config `scan.exclude`)."""
        if not self.exclude:
            return False
        p = path
        while True:
            if p in self.exclude:
                return True
            parent = os.path.dirname(p)
            if parent == p:
                return False
            p = parent

    def cancelled(self) -> bool:
        return self.cancel is not None and self.cancel()

    def report(self, root: Root, err: VenvtuiError) -> None:
        if root.explicit and self.on_error is not None:
            self.on_error(err)

    def env_at(
        self,
        path: str,
        real: str,
        names: Collection[str] | None,
        root: Root,
        entries: Mapping[str, os.DirEntry[str]] | None = None,
        *,
        real_known: bool = False,
    ) -> Environment | None:
        """The env at `path` (`real`: its real path, exactly so when `real_known`), unless
        already listed."""
        if real in self.seen:
            return None
        try:
            env = make_environment(
                path,
                names=names,
                entries=entries,
                owner=root.owner,
                source=root.source,
                windows=self.ctx.windows,
                link_cache=self.links,
            )
        except OSError:
            return None
        if env is not None:
            self.seen.add(real)
            if env.chain is not None:
                self.share(env.chain)
            cfg = entries.get("pyvenv.cfg") if entries is not None and real_known else None
            if self.nodes is not None and cfg is not None and _is_file(cfg, follow=False):
                # listed as a regular file in a directory known by its real path: the
                # statuses need not look at it again
                REAL.seed_file(join_name(real, "pyvenv.cfg"))
        return env

    def walk(self, root: Root) -> Iterator[Environment]:
        start = root.path
        try:
            st = os.stat(start)
        except FileNotFoundError:
            self.report(root, NotFoundError(f"{start} does not exist"))
            return
        except OSError as exc:
            self.report(root, VenvtuiError(f"{start}: {exc.strerror or exc}"))
            return
        if not stat.S_ISDIR(st.st_mode):
            if os.path.basename(start) == ".venv":  # a PEP 832 redirect file
                target = _redirect(start)
                if target:
                    yield from self.walk(Root(target, 0, root.owner or "project", root.source))
                return
            self.report(
                root,
                NotAnEnvironmentError(
                    f"{start} is not a directory", "pass directories to scan for environments"
                ),
            )
            return
        if self.excluded(start):
            return
        # Below a non-symlinked directory, realpath(child) = realpath(dir)/name: one realpath
        # per root instead of one per env. The last item: whether the directory and its
        # parent were listed as directories, not links, and whether `real` is known exactly
        # (_LISTED, _PARENT_LISTED, _REAL).
        stack: list[tuple[str, str, int, int]] = [(start, os.path.realpath(start), 0, _REAL)]
        # Symlinked dirs and redirect targets are checked after the walk, so an env reached
        # both directly and through a link is reported at its real location.
        linked: list[str] = []
        listed = 0
        not_entered = 0
        while stack:
            if self.cancelled():
                return
            if listed >= self.max_dirs:
                if self.on_limit is not None:
                    self.on_limit(WalkLimit(start, root.depth, max_dirs=self.max_dirs))
                break
            listed += 1
            path, real, depth, listed_as = stack.pop()
            try:
                entries, listing = _list(path)
            except PermissionError:
                self.report(
                    root,
                    VenvtuiError(f"{path}: permission denied", "some directories were skipped"),
                )
                continue
            except OSError:
                continue
            if "pyvenv.cfg" not in entries and "conda-meta" not in entries:
                # Below, a directory that is not an env is walked for its directories, links
                # and `.venv` files alone: a file coming or going beside them (a project's
                # sources) changes nothing the scan answers (for a kept answer: `narrow`).
                narrow(listing, _WALKED)
            else:
                # listed as directories, not links: no lstat of them for the env's chain
                if listed_as & _LISTED:
                    self.links.not_a_link(path)
                if listed_as & _PARENT_LISTED:
                    self.links.not_a_link(parent_of(path))
                env = self.env_at(
                    path, real, None, root, entries, real_known=bool(listed_as & _REAL)
                )
                if env is not None:
                    yield env
                    continue
                if real in self.seen:  # an env already listed (reached twice): not walked
                    continue
                if "conda-meta" in entries and is_conda_base(entries):
                    # A conda base install: only its envs/ (walked as if it were this dir).
                    if "envs" in entries:
                        below = _PARENT_LISTED if listed_as & _LISTED else 0
                        if not _is_link(entries["envs"]):
                            below |= listed_as & _REAL  # a link's target is not real/envs
                        stack.append(
                            (os.path.join(path, "envs"), os.path.join(real, "envs"), depth, below)
                        )
                    continue
            at_limit = depth >= root.depth
            prune_hidden = root.prune_hidden
            child_listed_as = (
                _LISTED | (_PARENT_LISTED if listed_as & _LISTED else 0) | (listed_as & _REAL)
            )
            for name in sorted(entries, reverse=True):
                if name in PRUNE or (
                    prune_hidden and name.startswith(".") and name not in HIDDEN_OK
                ):
                    continue
                entry = entries[name]
                try:
                    if entry.is_dir(follow_symlinks=False):
                        child = entry.path
                        if self.excluded(child):
                            continue
                        if at_limit:
                            not_entered += 1
                        else:
                            stack.append((child, join_name(real, name), depth + 1, child_listed_as))
                    elif at_limit:
                        continue
                    elif entry.is_symlink() and entry.is_dir():
                        linked.append(entry.path)
                    elif name == ".venv" and entry.is_file():
                        target = _redirect(entry.path)
                        if target:
                            linked.append(target)
                except OSError:
                    continue
        if not_entered and self.on_limit is not None and root.report_limits:
            self.on_limit(WalkLimit(start, root.depth, not_entered))
        for path in linked:
            if self.cancelled():
                return
            if not self.excluded(path):
                yield from self._linked(path, root)

    def _linked(self, path: str, root: Root) -> Iterator[Environment]:
        """A symlinked directory (or redirect target): an env is taken, nothing is walked."""
        try:
            names = set(os.listdir(path))
        except OSError:
            return
        if "pyvenv.cfg" in names or "conda-meta" in names:
            env = self.env_at(path, os.path.realpath(path), names, root)
            if env is not None:
                yield env


def iter_environments(
    roots: Sequence[str] | None = None,
    *,
    cancel: Cancel | None = None,
    max_depth: int | None = None,
    on_error: OnError | None = None,
    context: Context | None = None,
    on_limit: OnLimit | None = None,
    config: Config | None = None,
    max_dirs: int = MAX_DIRS,
    nodes: dict[str, Node] | None = None,
) -> Iterator[Environment]:
    """Stream every environment under `roots` (None: the default roots plus the configured
    ones), deduped by the real path of the env root. Problems with roots the caller named (or
    the config file named) are passed to `on_error` (missing, not a directory, permission
    denied, a bad config file: then the defaults are used); everything else unreadable is
    skipped. A depth or directory bound that cut a walk short is passed to `on_limit`.
    `config` defaults to the user's config file (`core.base.config.load_config`). `nodes`: a
    snapshot's lstat answers (`view.Snapshot.nodes`) to add what the scan read to, for the
    diagnoses made next in that snapshot."""
    ctx = context or Context.current()
    if config is None:
        try:
            config = load_config()
        except ConfigError as exc:
            if on_error is not None:
                on_error(exc)
            config = Config(path="")
    scanner = _Scanner(ctx, cancel, on_error, on_limit, config.exclude, max_dirs, nodes)
    if roots is None:
        plan = default_roots(ctx, max_depth, config)
    else:
        depth = DEFAULT_DEPTH if max_depth is None else max_depth
        plan = [
            Root(
                os.path.normpath(os.path.abspath(os.path.expanduser(r))),
                depth,
                explicit=True,
                report_limits=True,
            )
            for r in roots
        ]
    for root in plan:
        if scanner.cancelled():
            return
        yield from scanner.walk(root)


def _location_owner(path: str, ctx: Context) -> tuple[str, Source]:
    """The owner a central location implies for an env at `path` (for a single load)."""
    for root in central_roots(ctx):
        try:
            rel = os.path.relpath(path, root.path)
        except ValueError:  # another drive (Windows)
            continue
        if rel == os.curdir and root.depth == 0:
            return root.owner, root.source
        parts = rel.split(os.sep)
        if parts[0] != os.pardir and rel != os.curdir and len(parts) <= root.depth:
            return root.owner, root.source
    return "", Source.EXPLICIT


def env_location(path: str, *, context: Context | None = None) -> bool:
    """Whether a directory that no longer exists was, by its place, an environment: a
    project env name (`.venv`, `venv`, `.env`, `env`) or a slot of a tool's central env
    location (`~/.virtualenvs/NAME`, pipx `venvs/NAME`, ...). A missing directory cannot be
    read, so this is all there is to tell an env from a plain install that was removed."""
    if os.path.basename(os.path.normpath(path)) in PROJECT_ENV_NAMES:
        return True
    ctx = context or Context.current()
    for root in central_roots(ctx):
        try:
            rel = os.path.relpath(path, root.path)
        except ValueError:  # another drive (Windows)
            continue
        parts = rel.split(os.sep)
        if parts[0] != os.pardir and rel != os.curdir and len(parts) <= root.depth:
            return True
    return False


def load_environment(path: str, *, context: Context | None = None) -> Environment:
    """The environment at `path`.

    Raises NotFoundError (missing), NotAnEnvironmentError (a file, or a dir without pyvenv.cfg
    or conda-meta/), VenvtuiError (permission denied).
    """
    ctx = context or Context.current()
    abspath = os.path.normpath(os.path.abspath(os.path.expanduser(path)))
    try:
        st = os.stat(abspath)
    except FileNotFoundError:
        raise NotFoundError(f"{abspath} does not exist") from None
    except PermissionError:
        raise VenvtuiError(
            f"{abspath}: permission denied", "check the permissions of the path and its parents"
        ) from None
    except OSError as exc:
        raise VenvtuiError(f"{abspath}: {exc.strerror or exc}") from None
    if not stat.S_ISDIR(st.st_mode):
        if os.path.basename(abspath) == ".venv":
            target = _redirect(abspath)
            if target and target != abspath:
                return load_environment(target, context=ctx)
        raise NotAnEnvironmentError(f"{abspath} is not a directory")
    try:
        with os.scandir(abspath) as listing:
            names = {e.name for e in listing}
    except PermissionError:
        raise VenvtuiError(
            f"{abspath}: permission denied", "check the permissions of the directory"
        ) from None
    if "pyvenv.cfg" not in names and "conda-meta" not in names:
        # not an env (below): what else it holds changes nothing (for a kept answer: `narrow`)
        narrow(listing, _ENV_MARKERS)
    owner, source = _location_owner(abspath, ctx)
    env = make_environment(abspath, names=names, owner=owner, source=source, windows=ctx.windows)
    if env is None:
        hint = "an environment is a directory holding pyvenv.cfg (or conda-meta/)"
        stray = stray_cfg(names)
        if stray:
            shown = ", ".join(
                n + "/" if os.path.isdir(os.path.join(abspath, n)) else n for n in stray
            )
            raise NotAnEnvironmentError(
                f"{abspath} is a project directory ({shown}) with a stray pyvenv.cfg and no "
                "interpreter, not an environment",
                "its environment is probably inside it (e.g. .venv); move the stray pyvenv.cfg "
                "away",
            )
        if "conda-meta" in names:
            hint = "this is a conda base install (an interpreter); its envs live in envs/"
        else:
            hint += "; to search below it run `venvtui envs DIR`"
        raise NotAnEnvironmentError(f"{abspath} is not an environment", hint)
    return env


def env_size(path: str) -> int:
    """Bytes used by the files under `path` (not following symlinks; hard links counted
    once). Unreadable parts are skipped. Potentially slow: call it lazily."""
    total = 0
    seen: set[tuple[int, int]] = set()
    stack = [path]
    while stack:
        d = stack.pop()
        try:
            with os.scandir(d) as it:
                for e in it:
                    try:
                        st = e.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    if stat.S_ISDIR(st.st_mode):
                        stack.append(e.path)
                        continue
                    if st.st_nlink > 1:
                        key = (st.st_dev, st.st_ino)
                        if key in seen:
                            continue
                        seen.add(key)
                    total += st.st_size
        except OSError:
            continue
    return total
