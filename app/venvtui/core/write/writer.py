"""The writer: every change venvtui makes to an environment, as a plan first.

    plan = plan_create(CreateRequest(python, dest))   # or plan_repair / plan_rebuild / plan_delete
    print(plan.render())                               # the dry run (diffs for pyvenv.cfg edits)
    apply(plan)                                        # atomic; rolled back on any failure

The CLI (`venvtui create/repair/rebuild/delete`) and the TUI wizard both call these.
"""

from __future__ import annotations

from venvtui.core.write.create import CreateRequest, plan_create
from venvtui.core.write.plan import ApplyResult, Op, Plan, Progress, Verify, apply
from venvtui.core.write.repair import installed_dists, plan_delete, plan_rebuild, plan_repair

__all__ = [
    "ApplyResult",
    "CreateRequest",
    "Op",
    "Plan",
    "Progress",
    "Verify",
    "apply",
    "installed_dists",
    "plan_create",
    "plan_delete",
    "plan_rebuild",
    "plan_repair",
]
