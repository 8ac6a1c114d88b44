"""The contract's Plan JSON: the plan format's plan_data as is (its key order is the contract's,
its lists are sorted), indented by 2, with a trailing newline."""

from __future__ import annotations

from reconciler.core.plan import Plan
from reconciler.render.escape import dump_json
from reconciler.core.planformat.writer import plan_data


def render_json(plan: Plan, colour: bool = False) -> str:
    return dump_json(plan_data(plan))
