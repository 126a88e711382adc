"""`CoreService`: the TUI's data source on the real core (discovery, resolver, health, writer).

Every method runs in a TUI thread worker. Environments get static health in the scan (no
process spawned, `diagnose(confirm=False)`); the selected one is confirmed by running it
(`diagnose(confirm=True)`) when its detail is opened.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

from venvtui.core.errors import NotAnEnvironmentError, VenvtuiError, WriteRefused
from venvtui.core.models import Environment, Interpreter
from venvtui.core.safe_io import read_head
from venvtui.tui.services import Cancelled
from venvtui.tui.views import (
    ApplyOutcome,
    CreateOptions,
    CreatePreview,
    CreatorView,
    Detail,
    EnvRow,
    ForecastView,
    Health,
    ImpactView,
    InterpreterRow,
    PlanView,
    VerdictView,
)

_STAMP = re.compile(r"(^|[/-])\d+\.\d+\.\d+")
_STABILITY = {
    "fragile": "versioned",
    "stable": "stable",
    "drift-risk": "drifting",
    "neutral": "stable",
}
_START_TO_HEALTH: dict[str, Health] = {
    "ok": "ok",
    "fails": "broken",
    "misbound": "misbound",
    "drift": "drift",
}


def _text(value: Any) -> str:
    """A reason/why item as text (core `Reason` objects or plain strings)."""
    text = getattr(value, "text", None)
    rule = getattr(value, "rule", None)
    if isinstance(text, str):
        return f"{rule}: {text}" if rule else text
    return str(value)


def _stamped(paths: Sequence[str]) -> frozenset[str]:
    """Hops whose path carries an X.Y.Z version (they vanish on the next patch upgrade)."""
    return frozenset(p for p in paths if _STAMP.search(p))


def _stability(path: str) -> str:
    try:
        from venvtui.core.stability import classify_path
    except ImportError:
        return "unknown"
    return _STABILITY.get(classify_path(path).kind, "unknown")


def interpreter_row(interp: Interpreter) -> InterpreterRow:
    probe = interp.probe
    return InterpreterRow(
        key=interp.path,
        version=probe.version_full if probe else "?",
        implementation=probe.implementation if probe else "?",
        path=interp.path,
        sources=tuple(s.value for s in interp.sources),
        stability=_stability(interp.real_path),
        install_dir=interp.install_dir,
        error=interp.error if probe is None else None,
        interpreter=interp,
    )


class CoreService:
    """The real machine, through venvtui's core."""

    def __init__(self, *, env_roots: Sequence[str] | None = None) -> None:
        self.env_roots = list(env_roots) if env_roots is not None else None

    # --- basics ----------------------------------------------------------------------------------
    def now(self) -> float:
        return time.time()

    def home_dir(self) -> str:
        return os.path.expanduser("~")

    def default_destination(self) -> str:
        cwd = os.getcwd()
        for name in (".venv", ".venv-new"):
            candidate = os.path.join(cwd, name)
            if not os.path.lexists(candidate):
                return candidate
        return os.path.join(cwd, ".venv-venvtui")

    # --- discovery -------------------------------------------------------------------------------
    def iter_interpreters(self, cancelled: Cancelled) -> Iterator[InterpreterRow]:
        from venvtui.core.discovery import iter_interpreters

        for interp in iter_interpreters(cancel=cancelled):
            yield interpreter_row(interp)

    def iter_environments(self, cancelled: Cancelled) -> Iterator[EnvRow]:
        from venvtui.core.discovery import iter_environments

        for env in iter_environments(self.env_roots, cancel=cancelled):
            yield self.env_row(env)

    def env_row(self, env: Environment, *, confirm: bool = False) -> EnvRow:
        health, forecast = self._static_health(env, confirm=confirm)
        return EnvRow(
            key=env.path,
            path=env.path,
            creator=env.creator,
            owner=env.owner,
            version=_short_version(env.cfg_version),
            home=env.home or "",
            health=health,
            forecast=forecast,
            mtime=env.mtime,
            environment=env,
        )

    def _static_health(self, env: Environment, *, confirm: bool) -> tuple[Health, str]:
        if env.kind == "conda":
            return "unknown", ""
        health = _optional("venvtui.core.health")
        if health is not None:
            try:
                d = health.diagnose(env, confirm=confirm)
            except VenvtuiError:
                return "unknown", ""
            status: Health = (
                d.status if d.status in ("ok", "broken", "misbound", "drift") else "unknown"
            )
            events = [f.event for f in d.forecast if getattr(f, "result", "broken") != "ok"]
            return status, (min(events, key=len) if events else "")
        try:
            from venvtui.core.startup import predict_startup

            start = predict_startup(env.path)
        except (ImportError, VenvtuiError, OSError):
            return "unknown", ""
        return _START_TO_HEALTH.get(start.status, "unknown"), ""

    def dependents(
        self, interpreters: Sequence[InterpreterRow], envs: Sequence[EnvRow]
    ) -> dict[str, tuple[str, ...]]:
        """The reverse index from the health module (an env depends on an interpreter when it
        runs through its install: home, link chain, or the stdlib it starts on); without it, a
        lexical fallback on `home` and the link chain."""
        health = _optional("venvtui.core.health")
        models = [r.interpreter for r in interpreters if r.interpreter is not None]
        if health is not None and len(models) == len(interpreters):
            env_models = [e.environment for e in envs if e.environment is not None]
            return {
                d.interpreter: tuple(d.environments) for d in health.dependents(models, env_models)
            }
        out: dict[str, list[str]] = {row.key: [] for row in interpreters}
        installs = [
            (row.key, os.path.realpath(row.install_dir), row.install_dir)
            for row in interpreters
            if row.install_dir
        ]
        for env in envs:
            e = env.environment
            places = [env.home] if env.home else []
            if e is not None and e.chain is not None:
                places.extend(e.chain.paths)
                places.append(e.chain.realpath)
            real_places = {os.path.realpath(p) for p in places} | set(places)
            for key, real_dir, install_dir in installs:
                if real_dir in ("/", "/usr", os.path.expanduser("~")) and env.home:
                    # A shared prefix: only the exact interpreter counts, not the whole tree.
                    hit = any(
                        os.path.dirname(p) == os.path.join(real_dir, "bin") for p in real_places
                    )
                    hit = hit and any(
                        os.path.basename(p) == os.path.basename(key) for p in real_places
                    )
                else:
                    hit = any(_inside(p, real_dir) or _inside(p, install_dir) for p in real_places)
                if hit:
                    out[key].append(env.key)
        return {k: tuple(v) for k, v in out.items()}

    def env_size(self, row: EnvRow) -> int | None:
        from venvtui.core.discovery import env_size

        try:
            return env_size(row.path)
        except (OSError, VenvtuiError):
            return None

    def load_env(self, path: str) -> EnvRow:
        from venvtui.core.discovery import load_environment

        return self.env_row(load_environment(path))

    # --- detail ----------------------------------------------------------------------------------
    def interpreter_detail(self, row: InterpreterRow, envs: Sequence[EnvRow]) -> Detail:
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
            from venvtui.core.symlinks import walk_chain

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
                resolver = _optional("venvtui.core.resolver")
                if resolver is None:
                    raise ImportError("venvtui.core.resolver")
                res = resolver.resolve(row.path, probe)
                creators = tuple(
                    CreatorView(
                        name,
                        str(plan.home),
                        str(plan.executable),
                        str(plan.starts),
                        tuple(_text(w) for w in plan.why),
                    )
                    for name, plan in res.creators.items()
                )
                rec = res.recommended
                recommended = str(rec.home)
                recommended_why = tuple(_text(w) for w in rec.why)
            except ImportError:
                notes.append("the resolver is not available in this build")
            except VenvtuiError as exc:
                notes.append(f"resolve failed: {exc}")
        deps = self.dependents([row], envs).get(row.key, ())
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
        if not envs:
            return ()
        models = [e.environment for e in envs if e.environment is not None]
        health = _optional("venvtui.core.health")
        if health is None:
            return (
                ImpactView(
                    f"remove {row.install_dir}",
                    tuple((e.key, "broken", "depends on this install") for e in envs),
                ),
            )
        out: list[ImpactView] = []
        try:
            out.append(_impact(health.whatif_remove(row.install_dir, models)))
            parts = row.version.split(".")
            if len(parts) == 3 and parts[2].isdigit():
                nxt = f"{parts[0]}.{parts[1]}.{int(parts[2]) + 1}"
                out.append(_impact(health.whatif_upgrade(row.install_dir, nxt, models)))
        except VenvtuiError as exc:
            notes.append(f"what-if failed: {exc}")
        return tuple(out)

    def env_detail(self, row: EnvRow) -> Detail:
        env = row.environment
        if env is None:
            from venvtui.core.discovery import load_environment

            env = load_environment(row.path)
        notes: list[str] = []
        facts: list[tuple[str, str]] = [
            ("creator", f"{env.creator} ({env.owner})" if env.owner else env.creator),
            ("version", env.cfg_version or "?"),
            ("home", env.home or "(none recorded)"),
        ]
        verdicts: tuple[VerdictView, ...] = ()
        forecast: tuple[ForecastView, ...] = ()
        status: str = row.health
        health = _optional("venvtui.core.health")
        diagnosed = False
        if health is not None and env.kind == "venv":
            try:
                d = health.diagnose(env, confirm=True)
            except VenvtuiError as exc:
                notes.append(f"diagnosis failed: {exc}")
            else:
                diagnosed = True
                status = d.status
                static = d.static
                facts.append(("predicted", f"{static.status}: {static.summary()}"))
                if static.prefix:
                    facts.append(("sys.base_prefix", static.prefix))
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
                verdicts = tuple(
                    VerdictView(v.code, v.severity, v.summary, v.explanation, v.fix)
                    for v in d.verdicts
                )
                forecast = tuple(
                    ForecastView(
                        f.event,
                        f.result,
                        " ".join(p for p in (f.why, f.fix and f"fix: {f.fix}") if p),
                    )
                    for f in d.forecast
                ) + tuple(ForecastView(sv.event, "ok", "survives") for sv in d.survives)
        if not diagnosed:
            try:
                from venvtui.core.startup import predict_startup

                start = predict_startup(env.path)
                facts.append(
                    ("starts", f"{start.status}" + (f" ({start.code})" if start.code else ""))
                )
                facts.append(("sys._base_executable", start.base_executable or "(cannot start)"))
                if start.prefix:
                    facts.append(("sys.base_prefix", start.prefix))
                if start.status != "ok":
                    verdicts = tuple(
                        VerdictView(start.code or start.status, "error", _text(w))
                        for w in start.why[-1:]
                    )
                if status == "unknown":
                    status = _START_TO_HEALTH.get(start.status, "unknown")
            except (ImportError, VenvtuiError, OSError) as exc:
                notes.append(f"start-up prediction failed: {exc}")
        if env.kind == "venv":
            try:
                from venvtui.core.startup import predict_startup

                base_exe = predict_startup(env.path).base_executable
                if diagnosed:
                    facts.append(("sys._base_executable", base_exe or "(cannot start)"))
            except (VenvtuiError, OSError):
                pass
        cfg_text = _read_text(os.path.join(env.path, "pyvenv.cfg"))
        for problem in env.cfg_problems:
            notes.append(f"pyvenv.cfg: {problem}")
        chain = env.chain
        return Detail(
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
        if not options.python:
            return CreatePreview(error="pick an interpreter")
        if not options.dest:
            return CreatePreview(error="choose a destination directory")
        if options.home_policy == "path" and not options.home_path:
            return CreatePreview(
                error="enter the base directory or executable for the 'path' policy"
            )
        from venvtui.core.create import CreateRequest

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
            plan = _writer().plan_create(request)
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
            plan=PlanView("create", plan.env, plan.render(), tuple(plan.warnings), handle=plan),
        )

    def plan_repair(self, row: EnvRow, python: str | None = None) -> PlanView:
        env = self._env(row)
        plan = _writer().plan_repair(env, python)
        return PlanView("repair", plan.env, plan.render(), tuple(plan.warnings), handle=plan)

    def plan_rebuild(self, row: EnvRow, python: str) -> PlanView:
        env = self._env(row)
        plan = _writer().plan_rebuild(env, python)
        return PlanView("rebuild", plan.env, plan.render(), tuple(plan.warnings), handle=plan)

    def plan_delete(self, row: EnvRow) -> PlanView:
        plan = _writer().plan_delete(row.path)
        return PlanView("delete", plan.env, plan.render(), tuple(plan.warnings), handle=plan)

    def apply(self, plan: PlanView) -> ApplyOutcome:
        if plan.handle is None:
            raise WriteRefused("nothing to apply", "plan the change first")
        result = _writer().apply(plan.handle)
        if plan.action == "delete":
            return ApplyOutcome(f"deleted {result.env}", removed=plan.target)
        message = f"{plan.action}: {result.env}"
        if result.backup:
            message += f" (backup in {result.backup})"
        return ApplyOutcome(message, env_path=result.env)

    def _env(self, row: EnvRow) -> Environment:
        if row.environment is not None:
            return row.environment
        from venvtui.core.discovery import load_environment

        try:
            return load_environment(row.path)
        except NotAnEnvironmentError:
            raise


def _optional(name: str) -> Any:
    """A core module that may be absent from this build, or None."""
    import importlib

    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        return None


def _writer() -> Any:
    """The writer module (`plan_create`, `plan_repair`, `plan_rebuild`, `plan_delete`, `apply`)."""
    try:
        from venvtui.core import writer

        return writer
    except ImportError as exc:
        raise WriteRefused("the writer is not available in this build", "use the CLI") from exc


def _impact(result: Any) -> ImpactView:
    """A core what-if result (event + environments with status_after/why) as a view."""
    event = getattr(result, "event", "") or ""
    event = getattr(event, "text", event)
    rows = []
    for item in getattr(result, "environments", ()) or ():
        env = getattr(item, "path", None) or getattr(getattr(item, "env", None), "path", "") or ""
        status = getattr(item, "status_after", None) or getattr(item, "status", "") or ""
        rows.append((str(env), str(status), _text(getattr(item, "why", ""))))
    return ImpactView(str(event), tuple(rows))


def _short_version(version: str | None) -> str:
    """virtualenv's version_info "3.11.7.final.0" as "3.11.7"; others unchanged."""
    if not version:
        return "?"
    return re.sub(r"\.final\.0$", "", version.strip())


def _inside(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


def _read_text(path: str) -> str | None:
    try:
        return read_head(path, 64 * 1024).decode("utf-8", "replace")
    except OSError:
        return None


def with_health(row: EnvRow, health: Health) -> EnvRow:
    return replace(row, health=health)
