"""Plans -> the plan format's JSON data: what `plan --format json` prints
(`plan_data`, whose key order is the contract's) and what `plan --out`
saves (saved_data). reader.parse_plan is its strict inverse.

The values a plan holds write their own small parts (`ChatState.data`,
`Call.data`, `Ending.data`, the People summary, a guard's hits, `Target`):
they are shared with other outputs. Which parts make a plan, in which
order and when, is decided here alone.
"""

from __future__ import annotations

from typing import Any

from reconciler.core import guards
from reconciler.core.model import ReadError
from reconciler.core.plan import Change, Plan
from reconciler.core.planformat.digest import digest
from reconciler.core.planformat.record import record_data
from reconciler.core.planformat.version import FORMAT_VERSION


def plan_data(plan: Plan) -> dict[str, Any]:
    data = {
        "format_version": FORMAT_VERSION,
        "changes": [change_data(c) for c in plan.changes],
        "unchanged": list(plan.unchanged),
        "errors": [read_error_data(e) for e in plan.errors],
        "summary": dict(plan.summary),
        "people": plan.people.data,  # added after the contract's keys (docs/plans.md#plan-json)
        **({"expiring": [e.data for e in plan.expiring]} if plan.expiring else {}),
        # what the guards would refuse at their default limits, only when they would (docs/plans.md#plan-json)
        **({"guards": [h.data for h in hits]} if (hits := guards.check(plan)) else {}),
        **({"names": dict(plan.names)} if plan.names is not None else {}),
        # only in plans made from a live read (docs/plans.md#plan-json)
        **({"read_concurrency": dict(plan.read_concurrency)} if plan.read_concurrency else {}),
    }
    if plan.target is not None:  # added after the contract's keys (docs/plans.md#plan-json)
        data["target"] = plan.target.data
    return data


def change_data(change: Change) -> dict[str, Any]:
    data = {
        "chat_id": change.chat_id,
        "action": change.action.value,
        "source": change.source,
        "before": change.before.data if change.before else None,
        "after": change.after.data,
        "calls": [c.data for c in change.calls],
        "warnings": list(change.warnings),
        "causes": {user: change.causes[user] for user in sorted(change.causes)},  # core.causes
        # written only for a chat that opts out, so `apply --plan` keeps its
        # choice without reading the chat files, and other plans stay as they were
        **({} if change.announce else {"announce": False}),
    }
    # Added keys, present only when they say something: a plan that uses
    # neither end dates nor --check-users reads exactly as before.
    if change.expired:
        data["expired"] = [{k: v for k, v in e.data.items() if k != "chat_id"} for e in change.expired]
    if change.not_in_directory is not None:
        data["not_in_directory"] = list(change.not_in_directory)
    return data


def read_error_data(error: ReadError) -> dict[str, Any]:
    data = {"chat_id": error.chat_id, "errcode": error.errcode, "message": error.message}
    if error.source is not None:
        data["source"] = error.source
    return data


def saved_data(plan: Plan, generated_by: str) -> dict[str, Any]:
    """What `plan --out` writes: the plan's data, what the files wanted
    (`apply --plan FILE PATH...` compares), the digest and `generated_by`."""
    if plan.target is None:
        raise ValueError("a plan is saved only with the target it was made against")
    data = plan_data(plan)
    if plan.wanted is not None:
        data["wanted"] = record_data(plan.wanted, plan.wanted_date)
    data["digest"] = digest(data["changes"], data["target"], data.get("wanted"))
    data["generated_by"] = generated_by
    return data


__all__ = ["plan_data", "change_data", "read_error_data", "saved_data"]
