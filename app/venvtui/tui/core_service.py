"""`CoreService`: the TUI's one typed facade over the core (discovery, health, resolver, writer).

Every call the TUI makes into the core is in this module, so a change of a core API is adapted
here only, and mypy checks each one (no `Any` crosses this seam). Statuses, stability kinds and
forecasts keep the core's words; `format.py` maps them to badges.

The core modules are imported inside the methods, and so are the view models past the table
rows: the app is built (and its first frame drawn) before the first core call, which always runs
in a thread worker, so the first frame never pays for importing the engines (~80 ms) nor for
building the views' dataclasses (~25 ms).

Environments get static health in the scan (no process spawned, `diagnose(confirm=False)`);
`confirm` runs each env's python (`diagnose(confirm=True)`), which the main screen does for every
row in the background.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

from venvtui.core.base.errors import VenvtuiError, WriteRefused
from venvtui.core.base.options import DEFAULT_OPTIONS, Options
from venvtui.tui.rows import EnvRow, InterpreterRow
from venvtui.tui.services import Cancelled, Progress

if TYPE_CHECKING:
    from venvtui.core.base.config import Config, RootAdded
    from venvtui.core.base.models import Environment, Interpreter
    from venvtui.core.breaks.health import Diagnosis
    from venvtui.core.breaks.status import Forecast
    from venvtui.core.breaks.whatif import Question, WhatIf
    from venvtui.core.installed.envs import WalkLimit
    from venvtui.core.installed.sources import Context
    from venvtui.core.write.plan import Plan
    from venvtui.core.write.plan import Progress as WriteProgress
    from venvtui.tui.views import (
        ApplyOutcome,
        CreateOptions,
        CreatePreview,
        Detail,
        FixView,
        ForecastView,
        Health,
        ImpactView,
        PackageHit,
        PackageView,
        PlanView,
        ScanReach,
        VerdictView,
    )

# Which forecast event is most likely to happen first: routine patch upgrades, then an alias
# re-pointed by a minor upgrade, then an uninstall, then a parent env deleted.
_LIKELIHOOD = {"patch-upgrade": 0, "minor-upgrade": 1, "uninstall": 2, "remove": 3, "env-delete": 4}
_SEVERITY = {"broken": 0, "misbound": 1, "drift": 2}


def _stamped(paths: Sequence[str]) -> frozenset[str]:
    """Hops whose path carries an X.Y.Z version (they vanish on the next patch upgrade)."""
    from venvtui.core.base.stability import version_stamped

    return frozenset(p for p in paths if version_stamped(p))


def next_break(forecasts: Sequence[Forecast]) -> Forecast | None:
    """The forecast that matters most: the likeliest event first, then the worst outcome, then
    the core's own order (the install the env runs through comes first)."""
    if not forecasts:
        return None
    ranked = sorted(
        enumerate(forecasts),
        key=lambda item: (
            _LIKELIHOOD.get(item[1].kind, 9),
            _SEVERITY.get(item[1].result, 9),
            item[0],
        ),
    )
    return ranked[0][1]


def interpreter_row(interp: Interpreter) -> InterpreterRow:
    from venvtui.core.base.stability import classify_path

    probe = interp.probe
    return InterpreterRow(
        key=interp.path,
        version=probe.version_full if probe else "?",
        implementation=probe.implementation if probe else "?",
        path=interp.path,
        sources=tuple(s.value for s in interp.sources),
        stability=classify_path(interp.real_path).kind,
        install_dir=interp.install_dir,
        error=interp.error if probe is None else None,
        interpreter=interp,
    )


class CoreService:
    """The real machine, through venvtui's core."""

    def __init__(
        self,
        *,
        env_roots: Sequence[str] | None = None,
        context: Context | None = None,
        core_options: Options = DEFAULT_OPTIONS,
    ) -> None:
        """`env_roots`: scan only these for environments; `context`: the environment, home,
        cwd and system root discovery reads (default: this process's); `core_options`: probe
        timeout and cache (`venvtui --no-cache`)."""
        self.env_roots = list(env_roots) if env_roots is not None else None
        self.context = context
        self.core_options = core_options
        # What the last scan found: the interpreters (a repair looks for a base among them)
        # and its reverse index over the environment models it was built from.
        self._interpreters: list[Interpreter] = []
        self._reverse: tuple[tuple[Environment, ...], dict[str, tuple[str, ...]]] | None = None
        self._reach: ScanReach | None = None

    # --- basics ----------------------------------------------------------------------------------
    def now(self) -> float:
        return time.time()

    def home_dir(self) -> str:
        return self.context.home if self.context else os.path.expanduser("~")

    def scan_roots(self) -> tuple[str, ...]:
        """Where environments are looked for (shown when none is found)."""
        if self.env_roots is not None:
            return tuple(self.env_roots)
        from venvtui.core.installed.envs import default_roots
        from venvtui.core.installed.sources import Context

        return tuple(r.path for r in default_roots(self.context or Context.current()))

    def default_destination(self) -> str:
        cwd = self.context.cwd if self.context else os.getcwd()
        for name in (".venv", ".venv-new"):
            candidate = os.path.join(cwd, name)
            if not os.path.lexists(candidate):
                return candidate
        return os.path.join(cwd, ".venv-venvtui")

    # --- discovery -------------------------------------------------------------------------------
    def iter_interpreters(self, cancelled: Cancelled) -> Iterator[InterpreterRow]:
        from venvtui.core.installed.interpreters import iter_interpreters

        self._interpreters = []
        for interp in iter_interpreters(
            cancel=cancelled, options=self.core_options, context=self.context
        ):
            self._interpreters.append(interp)
            yield interpreter_row(interp)

    def iter_environments(self, cancelled: Cancelled) -> Iterator[EnvRow]:
        from venvtui.core.breaks.batch import examine_each
        from venvtui.core.breaks.health import conclude
        from venvtui.core.installed.envs import iter_environments

        config, error = self._config()
        limits: list[WalkLimit] = []
        self._reach = None
        found = iter_environments(
            self.env_roots,
            cancel=cancelled,
            context=self.context,
            config=config,
            on_limit=limits.append,
        )
        # static health as each env is found, the envs on one install sharing its answers
        for env, ex in examine_each(found, options=self.core_options):
            d = ex if isinstance(ex, VenvtuiError) else conclude(ex, None)
            yield self._health_row(env, d, confirmed=False)
        self._reach = self._scan_reach(config, error, limits)

    def _config(self) -> tuple[Config, str]:
        """The user's config file (read at each scan), and why it could not be used."""
        from venvtui.core.base.config import Config, ConfigError, config_path, load_config

        try:
            return load_config(), ""
        except ConfigError as exc:
            return Config(path=config_path()), str(exc)

    def scan_reach(self) -> ScanReach:
        """Where the last environment scan looked (before any: where the next one will)."""
        if self._reach is None:
            config, error = self._config()
            return self._scan_reach(config, error, [])
        return self._reach

    def _scan_reach(self, config: Config, error: str, limits: Sequence[WalkLimit]) -> ScanReach:
        from venvtui.core.installed.envs import DEFAULT_DEPTH, central_roots, default_roots
        from venvtui.core.installed.sources import Context
        from venvtui.tui.views import ScanReach

        if self.env_roots is not None:
            walked = [os.path.abspath(os.path.expanduser(r)) for r in self.env_roots]
            depth, places = DEFAULT_DEPTH, []
        else:
            ctx = self.context or Context.current()
            roots = default_roots(ctx, None, config)
            walked = [r.path for r in roots if r.report_limits and os.path.isdir(r.path)]
            depth = next((r.depth for r in roots if r.report_limits), DEFAULT_DEPTH)
            places = [r.path for r in central_roots(ctx) if os.path.isdir(r.path)]
        return ScanReach(
            walked=tuple(dict.fromkeys(walked)),
            depth=depth,
            places=tuple(dict.fromkeys(places)),
            usual=self.env_roots is None,
            configured=config.scan_roots,
            config_path=config.path,
            limits=tuple(_cut_words(limit) for limit in limits),
            cut=tuple(limit.root for limit in limits),
            config_error=error,
        )

    def add_scan_root(self, folder: str) -> RootAdded:
        """Add `folder` to the config file's scan roots (the next scan walks it)."""
        from venvtui.core.base.config import add_scan_root

        added = add_scan_root(folder)
        if self.env_roots is not None and added.root not in self.env_roots:
            self.env_roots.append(added.root)  # roots named for this session: scan it too
        return added

    def find_package(
        self, name: str, envs: Sequence[EnvRow], cancelled: Cancelled
    ) -> Iterator[PackageHit]:
        """The environments of `envs` with distribution `name` installed (read from their
        dist-info, nothing is run), in the order given."""
        from venvtui.core.base.models import minor_of
        from venvtui.core.installed.dists import find, valid_name
        from venvtui.tui.views import PackageHit

        if not valid_name(name):
            raise VenvtuiError(
                f"{name!r} is not a package name", "letters and digits, with . _ - inside"
            )
        for row in envs:
            if cancelled():
                return
            try:
                dist = find(row.path, minor_of(row.version), name)
            except OSError:
                continue
            if dist is not None:
                yield PackageHit(
                    row.path,
                    dist.name,
                    dist.version,
                    dist.installer or "",
                    dist.editable or dist.local or "",
                )

    def env_row(self, env: Environment, *, confirm: bool = False) -> EnvRow:
        """The row for `env`: static health, or confirmed by running its python."""
        d: Diagnosis | VenvtuiError
        try:
            d = self._diagnose(env, confirm=confirm)
        except VenvtuiError as exc:
            d = exc
        return self._health_row(env, d, confirmed=confirm)

    def _health_row(
        self, env: Environment, d: Diagnosis | VenvtuiError, *, confirmed: bool
    ) -> EnvRow:
        if isinstance(d, VenvtuiError):  # not diagnosed
            return self._row(env, "uncertain", None, confirmed=confirmed)
        return self._row(env, d.status, next_break(d.forecast), confirmed=confirmed)

    def confirm(self, row: EnvRow) -> EnvRow:
        """`row` with its health observed by running the env's python."""
        return self.env_row(self._env(row), confirm=True)

    def _row(
        self, env: Environment, health: Health, brk: Forecast | None, *, confirmed: bool
    ) -> EnvRow:
        return EnvRow(
            key=env.path,
            path=env.path,
            creator=env.creator,
            owner=env.owner,
            version=_short_version(env.cfg_version),
            home=env.home or "",
            health=health,
            next_break=brk,
            mtime=env.mtime,
            confirmed=confirmed,
            environment=env,
        )

    def _diagnose(self, env: Environment, *, confirm: bool) -> Diagnosis:
        from venvtui.core.breaks.health import diagnose

        return diagnose(env, confirm=confirm, options=self.core_options)

    def dependents(
        self, interpreters: Sequence[InterpreterRow], envs: Sequence[EnvRow]
    ) -> dict[str, tuple[str, ...]]:
        """Interpreter key -> the environments that run through its install (the core's
        reverse index: home, link chain, or the stdlib they start on)."""
        from venvtui.core.breaks.whatif import dependents

        models = [r.interpreter for r in interpreters if r.interpreter is not None]
        env_models = tuple(e.environment for e in envs if e.environment is not None)
        found = {d.interpreter: d.environments for d in dependents(models, env_models)}
        self._reverse = (env_models, found)
        return found

    def _dependents_of(self, row: InterpreterRow, envs: Sequence[EnvRow]) -> tuple[str, ...]:
        """`row`'s dependents from the scan's reverse index when it was built over these very
        environments (the same models); else worked out for `row` alone."""
        env_models = [e.environment for e in envs if e.environment is not None]
        known = self._reverse
        if (
            known is not None
            and row.key in known[1]
            and len(known[0]) == len(env_models)
            and all(a is b for a, b in zip(known[0], env_models, strict=True))
        ):
            return known[1][row.key]
        from venvtui.core.breaks.whatif import dependents

        models = [row.interpreter] if row.interpreter is not None else []
        return next((d.environments for d in dependents(models, env_models)), ())

    def env_size(self, row: EnvRow) -> int | None:
        from venvtui.core.installed.envs import env_size

        try:
            return env_size(row.path)
        except (OSError, VenvtuiError):
            return None

    def load_env(self, path: str) -> EnvRow:
        from venvtui.core.installed.envs import load_environment

        return self.env_row(load_environment(path, context=self.context), confirm=True)

    def packages(self, row: EnvRow) -> tuple[PackageView, ...]:
        """The distributions installed in the env's site-packages (read from dist-info)."""
        from venvtui.core.base.models import minor_of
        from venvtui.core.write.writer import installed_dists
        from venvtui.tui.views import PackageView

        minor = minor_of(row.version)
        if minor is None:
            return ()
        return tuple(
            PackageView(d.name, d.version, d.editable or d.local or "", d.installer or "")
            for d in installed_dists(row.path, minor)
        )

    # --- detail ----------------------------------------------------------------------------------
    def interpreter_detail(self, row: InterpreterRow, envs: Sequence[EnvRow]) -> Detail:
        from venvtui.core.layout.symlinks import walk_chain
        from venvtui.core.startup.resolver import resolve
        from venvtui.tui.views import CreatorView, Detail

        interp = row.interpreter
        notes: list[str] = []
        if row.error:
            notes.append(f"probe failed: {row.error}")
        chain = (
            next((a.chain for a in interp.aliases if a.path == interp.path), None)
            if interp
            else None
        )
        if chain is None:
            chain = walk_chain(row.path)
        probe = interp.probe if interp else None
        facts: list[tuple[str, str]] = [("version", f"{row.implementation} {row.version}")]
        if probe is not None:
            facts += [
                ("sys.executable", probe.sys_executable),
                ("sys._base_executable", probe.base_executable or "(absent)"),
                ("prefix", probe.base_prefix),
            ]
        facts += [("install", row.install_dir), ("sources", ", ".join(row.sources))]
        if interp is not None and len(interp.aliases) > 1:
            facts.append(
                ("aliases", ", ".join(a.path for a in interp.aliases if a.path != interp.path))
            )
        creators: tuple[CreatorView, ...] = ()
        recommended = ""
        recommended_why: tuple[str, ...] = ()
        if probe is not None:
            try:
                res = resolve(row.path, probe, options=self.core_options)
            except VenvtuiError as exc:
                notes.append(f"resolve failed: {exc}")
            else:
                creators = tuple(
                    CreatorView(
                        name,
                        plan.home,
                        plan.executable,
                        plan.startup.status,
                        tuple(f"{w.rule}: {w.text}" for w in plan.why),
                    )
                    for name, plan in res.creators.items()
                )
                recommended = res.recommended.home
                recommended_why = tuple(f"{w.rule}: {w.text}" for w in res.recommended.why)
        deps = self._dependents_of(row, envs)
        impacts = self._impacts(row, [e for e in envs if e.key in deps], notes)
        return Detail(
            kind="interpreter",
            key=row.key,
            title=f"Python {row.version}  {row.path}",
            status=row.stability,
            chain=chain,
            stamped=_stamped(chain.paths),
            facts=tuple(facts),
            creators=creators,
            recommended=recommended,
            recommended_why=recommended_why,
            dependents=deps,
            impacts=impacts,
            notes=tuple(notes),
        )

    def _impacts(
        self, row: InterpreterRow, envs: list[EnvRow], notes: list[str]
    ) -> tuple[ImpactView, ...]:
        """Remove and upgrade (to the next patch the installer would lay down) of its install."""
        if not envs:
            return ()
        try:
            questions = self.whatif_questions(row, envs)
            return tuple(self.ask(q, envs) for q in questions if q.kind in ("remove", "upgrade"))
        except VenvtuiError as exc:
            notes.append(f"what-if failed: {exc}")
            return ()

    def whatif_questions(self, row: InterpreterRow, envs: Sequence[EnvRow]) -> tuple[Question, ...]:
        """The what-if questions for an interpreter (remove; upgrade to the next patch; re-point
        each link the user owns on the way to it), as `venvtui whatif` asks them."""
        from venvtui.core.breaks.whatif import questions_for

        return questions_for(row.path, _models(envs))

    def ask(self, question: Question, envs: Sequence[EnvRow]) -> ImpactView:
        """One what-if through the core's `ask` (the same computation as `venvtui whatif`)."""
        from venvtui.core.breaks.whatif import ask
        from venvtui.tui.views import ImpactView

        result: WhatIf = ask(question, _models(envs), options=self.core_options)
        return ImpactView(
            result.event.text,
            tuple((r.path, r.status_after, r.why) for r in result.environments),
        )

    def env_detail(self, row: EnvRow, interpreters: Sequence[InterpreterRow] = ()) -> Detail:
        """The env's detail; each fix in the TUI's words, naming `interpreters` (the scan's)
        where the core leaves the interpreter to the user."""
        from venvtui.tui.fixes import forecast_fix, minor_of, verdict_fix
        from venvtui.tui.views import Detail, ForecastView, VerdictView

        env = self._env(row)
        home = self.home_dir()
        minor = minor_of(row.version)
        notes: list[str] = []
        facts: list[tuple[str, str]] = [
            ("creator", f"{env.creator} ({env.owner})" if env.owner else env.creator),
            ("version", env.cfg_version or "?"),
            ("home", env.home or "(none recorded)"),
        ]
        verdicts: tuple[VerdictView, ...] = ()
        forecast: tuple[ForecastView, ...] = ()
        status: Health = row.health
        try:
            d = self._diagnose(env, confirm=True)
        except VenvtuiError as exc:
            notes.append(f"diagnosis failed: {exc}")
        else:
            status = d.status
            facts.append(("predicted", f"{d.static.status}: {d.static.summary()}"))
            if d.static.prefix:
                facts.append(("sys.base_prefix", d.static.prefix))
            obs = d.observed
            if obs is not None:
                seen = f"{obs.status}"
                if obs.error:
                    seen += f": {obs.error}"
                elif obs.base_prefix:
                    seen += f": Python {obs.version or '?'} on {obs.base_prefix}"
                facts.append(("confirmed", seen))
                if obs.executable:
                    facts.append(("sys.executable", obs.executable))
            views: list[VerdictView] = []
            for v in d.verdicts:
                text, key = verdict_fix(
                    v.action, v.fix, minor=minor, interpreters=interpreters, home=home
                )
                views.append(VerdictView(v.code, v.severity, v.summary, v.explanation, text, key))
            verdicts = tuple(views)
            forecasts: list[ForecastView] = []
            for f in d.forecast:
                text, key = forecast_fix(
                    f.before,
                    f.after,
                    minor=minor,
                    interpreters=interpreters,
                    home=home,
                    target=f.target,
                )
                forecasts.append(ForecastView(f.event, f.result, f.why, text, key))
            forecast = tuple(forecasts) + tuple(
                ForecastView(sv.event, "ok", "survives") for sv in d.survives
            )
        cfg_text = _read_cfg(os.path.join(env.path, "pyvenv.cfg"))
        for problem in env.cfg_problems:
            notes.append(f"pyvenv.cfg: {problem}")
        chain = env.chain
        return Detail(
            fix=_bound_fix(verdicts, forecast, row.next_break),
            kind="environment",
            key=row.key,
            title=row.path,
            status=status,
            chain=chain,
            stamped=_stamped(chain.paths) if chain else frozenset(),
            facts=tuple(facts),
            cfg_text=cfg_text,
            verdicts=verdicts,
            forecast=forecast,
            notes=tuple(notes),
        )

    # --- writes ----------------------------------------------------------------------------------
    def preview_create(self, options: CreateOptions) -> CreatePreview:
        from venvtui.core.write.writer import CreateRequest, plan_create
        from venvtui.tui.views import CreatePreview

        if not options.python:
            return CreatePreview(error="pick an interpreter")
        if not options.dest:
            return CreatePreview(error="choose a destination directory")
        if options.home_policy == "path" and not options.home_path:
            return CreatePreview(error="enter the base directory for the 'path' home policy")
        policy = options.home_path if options.home_policy == "path" else options.home_policy
        request = CreateRequest(
            python=options.python,
            dest=options.dest,
            home_policy=policy,
            prompt=options.prompt or None,
            system_site_packages=options.system_site_packages,
            seed=options.seed_pip,
            copies=options.copies,
        )
        try:
            plan = plan_create(request, self.core_options)
        except VenvtuiError as exc:
            return CreatePreview(error=f"{exc}" + (f" ({exc.hint})" if exc.hint else ""))
        details = plan.details
        cfg = next(
            (
                op.content
                for op in plan.ops
                if op.kind == "write" and os.path.basename(op.path) == "pyvenv.cfg"
            ),
            None,
        )
        return CreatePreview(
            home=str(details.get("home", "")),
            link_target=str(details.get("executable", "")),
            cfg_text=cfg.decode("utf-8", "replace") if cfg else "",
            warnings=tuple(plan.warnings),
            plan=_plan_view(plan),
        )

    def plan_repair(self, row: EnvRow, python: str | None = None) -> PlanView:
        from venvtui.core.write.writer import plan_repair

        return _plan_view(
            plan_repair(
                self._env(row),
                python,
                options=self.core_options,
                inventory=self._known_interpreters,
            )
        )

    def _known_interpreters(self) -> list[Interpreter]:
        """The interpreters the scan found (a scan of the machine when there was none yet)."""
        if self._interpreters:
            return list(self._interpreters)
        from venvtui.core.installed.interpreters import find_interpreters

        return find_interpreters(options=self.core_options, context=self.context)

    def plan_rebuild(self, row: EnvRow, python: str) -> PlanView:
        from venvtui.core.write.writer import plan_rebuild

        return _plan_view(plan_rebuild(self._env(row), python, options=self.core_options))

    def plan_fix(self, row: EnvRow, interpreters: Sequence[InterpreterRow]) -> PlanView:
        """The plan of the fix `f` performs (the one the detail names): the verdicts' repair
        or rebuild, else what the likeliest forecast says to do before it; with none of
        those, repair in place, or rebuild on the newest interpreter of the env's minor when
        no base of it is left to repair on (the core's repair refuses another minor)."""
        detail = self.env_detail(row, interpreters)
        fix = detail.fix
        if fix is not None and fix.verb == "rebuild" and fix.python:
            return self.plan_rebuild(row, fix.python)
        if fix is not None and fix.verb == "repair":
            return self.plan_repair(row, fix.python)
        try:
            return self.plan_repair(row, None)
        except WriteRefused:
            from venvtui.tui.fixes import candidate, minor_of

            minor = minor_of(row.version)
            found = candidate(interpreters, minor) if minor else None
            if found is None or minor_of(found.version) != minor:
                raise
            return self.plan_rebuild(row, found.path)

    def plan_delete(self, row: EnvRow) -> PlanView:
        from venvtui.core.write.writer import plan_delete

        return _plan_view(plan_delete(row.path))

    def apply(self, plan: PlanView, progress: Progress | None = None) -> ApplyOutcome:
        from venvtui.core.write.writer import apply
        from venvtui.tui.views import ApplyOutcome, WriteEvent

        if plan.handle is None:
            raise WriteRefused("nothing to apply", "plan the change first")
        if progress is None:
            result = apply(plan.handle)
        else:
            result = apply(plan.handle, on_progress=_events(progress))
            for line in result.log[-5:]:
                progress(WriteEvent("", line))
        from venvtui.tui.format import short_path

        home = self.home_dir()
        if plan.action == "delete":
            return ApplyOutcome(f"deleted {short_path(result.env, home)}", removed=plan.target)
        message = f"{plan.action}: {short_path(result.env, home)}"
        if result.backup:
            message += f" (backup in {short_path(result.backup, home)})"
        return ApplyOutcome(message, env_path=result.env)

    def _env(self, row: EnvRow) -> Environment:
        if row.environment is not None:
            return row.environment
        from venvtui.core.installed.envs import load_environment

        return load_environment(row.path, context=self.context)


def _events(progress: Progress) -> Callable[[WriteProgress], None]:
    """The writer's progress (each step as it starts, each line an installer prints) as the
    TUI's `WriteEvent`s."""

    from venvtui.tui.views import WriteEvent

    def report(p: WriteProgress) -> None:
        progress(WriteEvent(p.step, p.line))

    return report


def _cut_words(limit: WalkLimit) -> str:
    """What a walk bound left out, in the TUI's words (the CLI's message names its flags)."""
    if limit.max_dirs is not None:
        return f"stopped after listing {limit.max_dirs:,} directories"
    n = limit.not_entered
    levels = f"{limit.depth} level{'' if limit.depth == 1 else 's'}"
    return f"{n:,} director{'y' if n == 1 else 'ies'} deeper than {levels} not entered"


def _bound_fix(
    verdicts: Sequence[VerdictView], forecast: Sequence[ForecastView], brk: Forecast | None
) -> FixView | None:
    """What `f` performs: the first verdict's repair or rebuild; else, for an env that still
    works, what the likeliest forecast (the table's) says to do before it."""
    for v in verdicts:
        if v.action is not None and v.action.verb in ("repair", "rebuild"):
            return v.action
    if any(v.severity == "error" for v in verdicts):
        return None
    ranked = sorted(forecast, key=lambda f: brk is None or f.event != brk.event)
    return next((f.action for f in ranked if f.action is not None), None)


def _models(envs: Sequence[EnvRow]) -> list[Environment]:
    return [e.environment for e in envs if e.environment is not None]


def _plan_view(plan: Plan) -> PlanView:
    from venvtui.tui.views import PlanView

    return PlanView(plan.action, plan.env, plan.render(), tuple(plan.warnings), plan.steps(), plan)


def _short_version(version: str | None) -> str:
    """virtualenv's version_info "3.11.7.final.0" as "3.11.7"; others unchanged."""
    if not version:
        return "?"
    return re.sub(r"\.final\.0$", "", version.strip())


def _read_cfg(path: str) -> str | None:
    """pyvenv.cfg as text for display (bounded read; None when unreadable)."""
    from venvtui.core.base.safe_io import read_head

    try:
        return read_head(path, 64 * 1024).decode("utf-8", "replace")
    except OSError:
        return None
