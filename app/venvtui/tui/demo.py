"""Deterministic demo data: a small fictional machine with Homebrew, uv, pyenv and system
interpreters and a handful of environments, some healthy, some broken.

Used by snapshot tests, the screenshot script and `venvtui` demo runs. Nothing touches the disk;
writes only pretend to happen (the plan text is still shown).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import replace

from venvtui.core.errors import WriteRefused
from venvtui.core.models import Chain, Hop
from venvtui.tui.services import Cancelled
from venvtui.tui.views import (
    ApplyOutcome,
    CreateOptions,
    CreatePreview,
    CreatorView,
    Detail,
    EnvRow,
    ForecastView,
    ImpactView,
    InterpreterRow,
    PlanView,
    VerdictView,
)

HOME = "/home/dev"
BREW = "/home/linuxbrew/.linuxbrew"
UV = f"{HOME}/.local/share/uv/python"
PYENV = f"{HOME}/.pyenv/versions"
NOW = 1_767_225_600.0  # 2026-01-01T00:00:00Z
DAY = 86_400.0

CELLAR_312 = f"{BREW}/Cellar/python@3.12/3.12.1"
UV_313 = f"{UV}/cpython-3.13.0-linux-x86_64-gnu"


def _link(path: str, target: str) -> Hop:
    nxt = (
        target
        if os.path.isabs(target)
        else os.path.normpath(os.path.join(os.path.dirname(path), target))
    )
    return Hop(path=path, kind="link", target=target, next=nxt)


def _chain(*hops: Hop) -> Chain:
    return Chain(start=hops[0].path, hops=hops, realpath=hops[-1].path)


_INTERPRETERS: tuple[tuple[InterpreterRow, Chain], ...] = (
    (
        InterpreterRow(
            key=f"{CELLAR_312}/bin/python3.12",
            version="3.12.1",
            implementation="cpython",
            path=f"{BREW}/bin/python3.12",
            sources=("homebrew", "path"),
            stability="versioned",
            install_dir=CELLAR_312,
        ),
        _chain(
            _link(f"{BREW}/bin/python3.12", "../Cellar/python@3.12/3.12.1/bin/python3.12"),
            # Linuxbrew: the Cellar's bin/python3.12 is the real file (no framework build).
            Hop(path=f"{CELLAR_312}/bin/python3.12", kind="file"),
        ),
    ),
    (
        InterpreterRow(
            key=f"{UV_313}/bin/python3.13",
            version="3.13.0",
            implementation="cpython",
            path=f"{HOME}/.local/bin/python3.13",
            sources=("uv", "path"),
            stability="stable",
            install_dir=UV_313,
        ),
        _chain(
            _link(
                f"{HOME}/.local/bin/python3.13",
                f"{UV}/cpython-3.13-linux-x86_64-gnu/bin/python3.13",
            ),
            _link(f"{UV}/cpython-3.13-linux-x86_64-gnu/bin/python3.13", "python3.13"),
            Hop(
                path=f"{UV_313}/bin/python3.13",
                kind="file",
                dir_links=(
                    (f"{UV}/cpython-3.13-linux-x86_64-gnu", "cpython-3.13.0-linux-x86_64-gnu"),
                ),
            ),
        ),
    ),
    (
        InterpreterRow(
            key=f"{PYENV}/3.11.7/bin/python3.11",
            version="3.11.7",
            implementation="cpython",
            path=f"{PYENV}/3.11.7/bin/python3.11",
            sources=("pyenv",),
            stability="versioned",
            install_dir=f"{PYENV}/3.11.7",
        ),
        _chain(Hop(path=f"{PYENV}/3.11.7/bin/python3.11", kind="file")),
    ),
    (
        InterpreterRow(
            key="/usr/bin/python3.11",
            version="3.11.2",
            implementation="cpython",
            path="/usr/bin/python3.11",
            sources=("system", "path"),
            stability="stable",
            install_dir="/usr",
        ),
        _chain(Hop(path="/usr/bin/python3.11", kind="file", dir_links=(("/bin", "usr/bin"),))),
    ),
    (
        InterpreterRow(
            key=f"{PYENV}/3.10.13/bin/python3.10",
            version="3.10.13",
            implementation="cpython",
            path=f"{PYENV}/3.10.13/bin/python3.10",
            sources=("pyenv",),
            stability="versioned",
            install_dir=f"{PYENV}/3.10.13",
        ),
        _chain(Hop(path=f"{PYENV}/3.10.13/bin/python3.10", kind="file")),
    ),
    (
        InterpreterRow(
            key=f"{PYENV}/2.7.18/bin/python2.7",
            version="2.7.18",
            implementation="cpython",
            path=f"{PYENV}/2.7.18/bin/python2.7",
            sources=("pyenv",),
            stability="versioned",
            install_dir=f"{PYENV}/2.7.18",
        ),
        _chain(Hop(path=f"{PYENV}/2.7.18/bin/python2.7", kind="file")),
    ),
    (
        InterpreterRow(
            key="/opt/tools/python",
            version="?",
            implementation="?",
            path="/opt/tools/python",
            sources=("path",),
            stability="unknown",
            install_dir="/opt/tools",
            error="the interpreter did not answer in 5 s",
        ),
        _chain(Hop(path="/opt/tools/python", kind="file")),
    ),
)

_INTERP_BY_KEY = {row.key: (row, chain) for row, chain in _INTERPRETERS}


def _cfg(*pairs: tuple[str, str]) -> tuple[tuple[str, str], ...]:
    return pairs


_ENVS: tuple[tuple[EnvRow, Chain, tuple[tuple[str, str], ...], str], ...] = (
    (
        EnvRow(
            key=f"{HOME}/src/webapp/.venv",
            path=f"{HOME}/src/webapp/.venv",
            creator="venv",
            owner="project",
            version="3.12.1",
            home=f"{CELLAR_312}/bin",
            health="ok",
            forecast="breaks after brew upgrade python@3.12 + cleanup",
            mtime=NOW - 3 * DAY,
            size=48_300_000,
        ),
        _chain(
            _link(f"{HOME}/src/webapp/.venv/bin/python", "python3.12"),
            _link(f"{HOME}/src/webapp/.venv/bin/python3.12", f"{CELLAR_312}/bin/python3.12"),
            # Linuxbrew: the Cellar's bin/python3.12 is the real file (no framework build).
            Hop(path=f"{CELLAR_312}/bin/python3.12", kind="file"),
        ),
        _cfg(
            ("home", f"{CELLAR_312}/bin"),
            ("include-system-site-packages", "false"),
            ("version", "3.12.1"),
            ("executable", f"{CELLAR_312}/bin/python3.12"),
            ("command", f"{CELLAR_312}/bin/python3.12 -m venv {HOME}/src/webapp/.venv"),
        ),
        f"{CELLAR_312}/bin/python3.12",
    ),
    (
        EnvRow(
            key=f"{HOME}/src/api/.venv",
            path=f"{HOME}/src/api/.venv",
            creator="uv",
            owner="project",
            version="3.13.0",
            home=f"{UV}/cpython-3.13-linux-x86_64-gnu/bin",
            health="ok",
            forecast="",
            mtime=NOW - 1 * DAY,
            size=112_000_000,
        ),
        _chain(
            _link(
                f"{HOME}/src/api/.venv/bin/python",
                f"{UV}/cpython-3.13-linux-x86_64-gnu/bin/python3.13",
            ),
            _link(f"{UV}/cpython-3.13-linux-x86_64-gnu/bin/python3.13", "python3.13"),
            Hop(path=f"{UV_313}/bin/python3.13", kind="file"),
        ),
        _cfg(
            ("home", f"{UV}/cpython-3.13-linux-x86_64-gnu/bin"),
            ("implementation", "CPython"),
            ("uv", "0.13.9"),
            ("version_info", "3.13.0"),
            ("include-system-site-packages", "false"),
            ("prompt", "api"),
        ),
        f"{UV_313}/bin/python3.13",
    ),
    (
        EnvRow(
            key=f"{HOME}/.cache/pypoetry/virtualenvs/tool-x-py3.11",
            path=f"{HOME}/.cache/pypoetry/virtualenvs/tool-x-py3.11",
            creator="virtualenv",
            owner="poetry",
            version="3.11.7",
            home=f"{PYENV}/3.11.7/bin",
            health="ok",
            forecast="breaks on pyenv uninstall 3.11.7",
            mtime=NOW - 40 * DAY,
            size=23_500_000,
        ),
        _chain(
            _link(
                f"{HOME}/.cache/pypoetry/virtualenvs/tool-x-py3.11/bin/python",
                f"{PYENV}/3.11.7/bin/python3.11",
            ),
            Hop(path=f"{PYENV}/3.11.7/bin/python3.11", kind="file"),
        ),
        _cfg(
            ("home", f"{PYENV}/3.11.7/bin"),
            ("implementation", "CPython"),
            ("version_info", "3.11.7.final.0"),
            ("virtualenv", "21.15.11"),
            ("include-system-site-packages", "false"),
            ("base-prefix", f"{PYENV}/3.11.7"),
            ("base-exec-prefix", f"{PYENV}/3.11.7"),
            ("base-executable", f"{PYENV}/3.11.7/bin/python3.11"),
        ),
        f"{PYENV}/3.11.7/bin/python3.11",
    ),
    (
        EnvRow(
            key=f"{HOME}/src/legacy/.venv",
            path=f"{HOME}/src/legacy/.venv",
            creator="venv",
            owner="project",
            version="3.12.0",
            home=f"{BREW}/Cellar/python@3.12/3.12.0/bin",
            health="broken",
            forecast="",
            mtime=NOW - 200 * DAY,
            size=61_000_000,
        ),
        _chain(
            _link(f"{HOME}/src/legacy/.venv/bin/python", "python3.12"),
            _link(
                f"{HOME}/src/legacy/.venv/bin/python3.12",
                f"{BREW}/Cellar/python@3.12/3.12.0/bin/python3.12",
            ),
            Hop(path=f"{BREW}/Cellar/python@3.12/3.12.0/bin/python3.12", kind="missing"),
        ),
        _cfg(
            ("home", f"{BREW}/Cellar/python@3.12/3.12.0/bin"),
            ("include-system-site-packages", "false"),
            ("version", "3.12.0"),
            ("executable", f"{BREW}/Cellar/python@3.12/3.12.0/bin/python3.12"),
            (
                "command",
                f"{BREW}/Cellar/python@3.12/3.12.0/bin/python3.12 -m venv {HOME}/src/legacy/.venv",
            ),
        ),
        "",
    ),
    (
        EnvRow(
            key=f"{HOME}/src/scripts/venv",
            path=f"{HOME}/src/scripts/venv",
            creator="venv",
            owner="project",
            version="3.10.12",
            home="/usr/bin",
            health="drift",
            forecast="drifts when python3 is re-pointed",
            mtime=NOW - 90 * DAY,
            size=9_800_000,
        ),
        _chain(
            _link(f"{HOME}/src/scripts/venv/bin/python", "python3"),
            _link(f"{HOME}/src/scripts/venv/bin/python3", "/usr/bin/python3"),
            _link("/usr/bin/python3", "python3.11"),
            Hop(path="/usr/bin/python3.11", kind="file", dir_links=(("/bin", "usr/bin"),)),
        ),
        _cfg(
            ("home", "/usr/bin"),
            ("include-system-site-packages", "false"),
            ("version", "3.10.12"),
        ),
        "/usr/bin/python3.11",
    ),
    (
        EnvRow(
            key=f"{HOME}/.local/share/pipx/venvs/black",
            path=f"{HOME}/.local/share/pipx/venvs/black",
            creator="venv",
            owner="pipx",
            version="3.12.1",
            home=f"{HOME}/.local/bin",
            health="misbound",
            forecast="",
            mtime=NOW - 12 * DAY,
            size=15_200_000,
        ),
        _chain(
            _link(
                f"{HOME}/.local/share/pipx/venvs/black/bin/python", f"{HOME}/.local/bin/python3.12"
            ),
            Hop(path=f"{HOME}/.local/bin/python3.12", kind="file"),
        ),
        _cfg(
            ("home", f"{HOME}/.local/bin"),
            ("include-system-site-packages", "false"),
            ("version", "3.12.1"),
        ),
        f"{HOME}/.local/bin/python3.12",
    ),
)

_ENV_BY_KEY = {row.key: (row, chain, cfg, base) for row, chain, cfg, base in _ENVS}

_VERDICTS: dict[str, tuple[VerdictView, ...]] = {
    f"{HOME}/src/legacy/.venv": (
        VerdictView(
            "B1",
            "error",
            f"bin/python is dangling: {BREW}/Cellar/python@3.12/3.12.0/bin/python3.12 is gone",
            "The env's python links into Homebrew's versioned Cellar directory, which "
            "`brew cleanup` removed after the upgrade to 3.12.1.",
            "venvtui repair (re-points the links at opt/python@3.12, same minor; keeps packages)",
        ),
    ),
    f"{HOME}/src/scripts/venv": (
        VerdictView(
            "B4",
            "warning",
            "made for 3.10, now runs 3.11 (python3 was re-pointed)",
            "pyvenv.cfg says 3.10.12 but bin/python3 -> /usr/bin/python3 now runs 3.11.2; "
            "lib/python3.11/site-packages does not exist, so installed packages are invisible.",
            "venvtui rebuild --python /usr/bin/python3.11 (reinstalls the packages)",
        ),
    ),
    f"{HOME}/.local/share/pipx/venvs/black": (
        VerdictView(
            "B3",
            "warning",
            "starts, but its stdlib comes from another installation",
            f"home = {HOME}/.local/bin has no lib/python3.12/os.py; CPython falls back to the "
            "compiled-in prefix, so the env runs against /usr/local's stdlib.",
            "venvtui repair --python /home/linuxbrew/.linuxbrew/opt/python@3.12/bin/python3.12",
        ),
    ),
}


_STARTS: dict[str, tuple[tuple[str, str], ...]] = {
    "ok": (("predicted", "ok: starts on the install its bin/python reaches"), ("confirmed", "ok")),
    "broken": (
        ("predicted", "fails: bin/python dangles"),
        ("confirmed", "fails: bin/python: No such file or directory"),
    ),
    "drift": (
        ("predicted", "drift: runs 3.11, made for 3.10"),
        ("confirmed", "drift: Python 3.11.2 on /usr"),
    ),
    "misbound": (
        ("predicted", "misbound: home has no stdlib; falls back to /usr/local"),
        ("confirmed", "misbound: Python 3.12.1 on /usr/local"),
    ),
}


def _stamped(chain: Chain) -> frozenset[str]:
    import re

    pattern = re.compile(r"(^|[/-])\d+\.\d+\.\d+")
    return frozenset(h.path for h in chain.hops if pattern.search(h.path))


class DemoService:
    """A fixed, fictional machine. Deterministic: the same rows, details and plans every run."""

    def __init__(self, *, now: float = NOW) -> None:
        self._now = now
        self._created: dict[str, EnvRow] = {}
        self._deleted: set[str] = set()

    def now(self) -> float:
        return self._now

    def home_dir(self) -> str:
        return HOME

    def default_destination(self) -> str:
        return f"{HOME}/src/new-project/.venv"

    def iter_interpreters(self, cancelled: Cancelled) -> Iterator[InterpreterRow]:
        for row, _chain in _INTERPRETERS:
            if cancelled():
                return
            yield row

    def iter_environments(self, cancelled: Cancelled) -> Iterator[EnvRow]:
        for row, *_ in _ENVS:
            if cancelled():
                return
            if row.key not in self._deleted:
                yield replace(row, size=None)
        yield from self._created.values()

    def dependents(
        self, interpreters: Sequence[InterpreterRow], envs: Sequence[EnvRow]
    ) -> dict[str, tuple[str, ...]]:
        out: dict[str, tuple[str, ...]] = {}
        for interp in interpreters:
            deps = []
            for env in envs:
                entry = _ENV_BY_KEY.get(env.key)
                real = entry[1].realpath if entry else ""
                if env.home.startswith(interp.install_dir + "/") or real == interp.key:
                    deps.append(env.key)
            out[interp.key] = tuple(deps)
        return out

    def env_size(self, row: EnvRow) -> int | None:
        entry = _ENV_BY_KEY.get(row.key)
        return entry[0].size if entry else 1_000_000

    def interpreter_detail(self, row: InterpreterRow, envs: Sequence[EnvRow]) -> Detail:
        _, chain = _INTERP_BY_KEY[row.key]
        deps = self.dependents([row], envs)[row.key]
        facts = (
            ("version", f"{row.implementation} {row.version}"),
            ("invoked as", row.path),
            ("sys.executable", row.path),
            ("sys._base_executable", row.key if row.version != "2.7.18" else "(absent on 2.7)"),
            ("install", row.install_dir),
            ("sources", ", ".join(row.sources)),
        )
        creators: tuple[CreatorView, ...] = ()
        recommended = ""
        recommended_why: tuple[str, ...] = ()
        if row.key.startswith(CELLAR_312):
            opt = f"{BREW}/opt/python@3.12/bin"
            creators = (
                CreatorView(
                    "venv",
                    f"{CELLAR_312}/bin",
                    f"{CELLAR_312}/bin/python3.12",
                    "ok",
                    ("P2: venv records dirname(sys._base_executable), the realpath in the Cellar",),
                ),
                CreatorView(
                    "virtualenv",
                    f"{CELLAR_312}/bin",
                    f"{CELLAR_312}/bin/python3.12",
                    "ok",
                    ("P4: virtualenv records the system executable's directory",),
                ),
                CreatorView(
                    "uv",
                    f"{CELLAR_312}/bin",
                    f"{CELLAR_312}/bin/python3.12",
                    "ok",
                    ("P5: uv records dirname(sys._base_executable)",),
                ),
            )
            recommended = opt
            recommended_why = (
                "opt/python@3.12 is Homebrew's stable alias: it survives brew upgrade and cleanup",
            )
        elif row.key.startswith(UV_313):
            minor = f"{UV}/cpython-3.13-linux-x86_64-gnu/bin"
            creators = (
                CreatorView(
                    "venv",
                    f"{UV_313}/bin",
                    f"{UV_313}/bin/python3.13",
                    "ok",
                    ("P2: dirname(sys._base_executable) is the patch directory",),
                ),
                CreatorView(
                    "virtualenv",
                    f"{UV_313}/bin",
                    f"{UV_313}/bin/python3.13",
                    "ok",
                    ("P4: the system executable's directory",),
                ),
                CreatorView(
                    "uv",
                    minor,
                    f"{minor}/python3.13",
                    "ok",
                    ("P5: uv substitutes its minor-version link for standalone builds",),
                ),
            )
            recommended = minor
            recommended_why = ("uv's minor-version link survives `uv python upgrade`",)
        impacts: tuple[ImpactView, ...] = ()
        if deps:
            impacts = (
                ImpactView(
                    f"remove {row.install_dir}",
                    tuple(
                        (d, "broken", "bin/python points into the removed directory") for d in deps
                    ),
                ),
            )
            if row.stability == "versioned":
                major, minor_s, patch = row.version.split(".")
                impacts += (
                    ImpactView(
                        f"upgrade to {major}.{minor_s}.{int(patch) + 1}",
                        tuple((d, "broken", "home names the versioned directory") for d in deps),
                    ),
                )
        return Detail(
            kind="interpreter",
            key=row.key,
            title=f"Python {row.version}  {row.path}",
            status=row.stability,
            chain=chain,
            stamped=_stamped(chain),
            facts=facts,
            creators=creators,
            recommended=recommended,
            recommended_why=recommended_why,
            dependents=deps,
            impacts=impacts,
            notes=(f"probe failed: {row.error}",) if row.error else (),
        )

    def env_detail(self, row: EnvRow) -> Detail:
        entry = _ENV_BY_KEY.get(row.key)
        if entry is None:
            return Detail(kind="environment", key=row.key, title=row.path, status=row.health)
        _, chain, cfg, base = entry
        cfg_text = "".join(f"{k} = {v}\n" for k, v in cfg)
        forecast: tuple[ForecastView, ...] = ()
        if row.forecast:
            forecast = (
                ForecastView(row.forecast, "broken", "home names a version-stamped directory"),
            )
        return Detail(
            kind="environment",
            key=row.key,
            title=row.path,
            status=row.health,
            chain=chain,
            stamped=_stamped(chain),
            facts=(
                ("creator", f"{row.creator} ({row.owner})"),
                ("version", row.version),
                ("home", row.home),
                *_STARTS.get(row.health, ()),
                ("sys._base_executable", base or "(cannot start)"),
            ),
            cfg_text=cfg_text,
            verdicts=_VERDICTS.get(row.key, ()),
            forecast=forecast,
        )

    def load_env(self, path: str) -> EnvRow:
        if path in self._created:
            return self._created[path]
        return _ENV_BY_KEY[path][0]

    def preview_create(self, options: CreateOptions) -> CreatePreview:
        if not options.dest:
            return CreatePreview(error="choose a destination directory")
        entry = _INTERP_BY_KEY.get(options.python)
        if entry is None:
            return CreatePreview(error="pick an interpreter")
        row, _ = entry
        if row.version.startswith("2."):
            return CreatePreview(error="venv creation needs Python 3.3+; pick another interpreter")
        home = os.path.dirname(row.key)
        warnings: list[str] = []
        if options.home_policy == "stable" and row.key.startswith(CELLAR_312):
            home = f"{BREW}/opt/python@3.12/bin"
        elif options.home_policy == "path" and options.home_path:
            home = options.home_path
        elif row.stability == "versioned":
            warnings.append(
                "home names a versioned directory: the env breaks when that version is removed"
            )
        if options.copies and "uv" in row.sources:
            warnings.append(
                "copies of a standalone build cannot find their libpython; prefer symlinks"
            )
        link = os.path.join(home, os.path.basename(row.key))
        pairs = [
            ("home", home),
            ("include-system-site-packages", "true" if options.system_site_packages else "false"),
            ("version", row.version),
            ("executable", link),
            ("command", f"{link} -m venv {options.dest}"),
            ("venvtui", "0.1.0"),
        ]
        if options.prompt:
            pairs.append(("prompt", options.prompt))
        cfg_text = "".join(f"{k} = {v}\n" for k, v in pairs)
        plan = PlanView(
            action="create",
            target=options.dest,
            text=f"create {options.dest}\n  link bin/python -> {link}\n  write pyvenv.cfg\n",
            warnings=tuple(warnings),
            handle=options,
        )
        return CreatePreview(
            home=home, link_target=link, cfg_text=cfg_text, warnings=tuple(warnings), plan=plan
        )

    def plan_repair(self, row: EnvRow, python: str | None = None) -> PlanView:
        if row.health == "ok":
            raise WriteRefused(
                f"{row.path} is healthy; nothing to repair", "pick a broken environment"
            )
        target = python or f"{BREW}/opt/python@3.12/bin/python3.12"
        text = (
            f"repair {row.path}\n"
            f"  back up pyvenv.cfg and bin/python* links\n"
            f"  relink bin/python3.12 -> {target}\n"
            f"- home = {row.home}\n"
            f"+ home = {os.path.dirname(target)}\n"
        )
        return PlanView("repair", row.path, text, (), handle=row)

    def plan_rebuild(self, row: EnvRow, python: str) -> PlanView:
        text = f"rebuild {row.path} with {python}\n  reinstall 12 distributions\n"
        return PlanView("rebuild", row.path, text, (), handle=row)

    def plan_delete(self, row: EnvRow) -> PlanView:
        return PlanView(
            "delete", row.path, f"delete {row.path}\n  remove the directory tree\n", (), handle=row
        )

    def apply(self, plan: PlanView) -> ApplyOutcome:
        if plan.action == "delete":
            self._deleted.add(plan.target)
            self._created.pop(plan.target, None)
            return ApplyOutcome(f"deleted {plan.target}", removed=plan.target)
        if plan.action == "create" and isinstance(plan.handle, CreateOptions):
            opts = plan.handle
            row, _ = _INTERP_BY_KEY[opts.python]
            self._created[opts.dest] = EnvRow(
                key=opts.dest,
                path=opts.dest,
                creator="venvtui",
                owner="",
                version=row.version,
                home=os.path.dirname(row.key),
                health="ok",
                forecast="",
                mtime=self._now,
            )
            return ApplyOutcome(f"created {opts.dest}", env_path=opts.dest)
        return ApplyOutcome(f"{plan.action} {plan.target}: done", env_path=plan.target)
