"""Checks before the first write of an apply: the guards (mass removal and
mass addition, as the plan itself judges them: core.guards), the stale
check of a saved plan, and what fits WeCom's quotas.

Everything that can refuse the whole apply happens here, before the first
write, so a refusal never leaves WeCom half-changed. app.execute makes the
calls afterwards.
"""

from __future__ import annotations

from reconciler.core.model import LiveChat, ReadError
from reconciler.core.guards import DEFAULTS, Limits
from reconciler.core.plan import Plan
from reconciler.core.messagebudget import message_budget_warnings
from reconciler.core.writequotas import fit_quotas
from reconciler.core.state import drift, state_of
from reconciler.core.wecomapi import WeComApi


def guard_refusals(plan: Plan, *, limits: Limits = DEFAULTS, force: bool) -> list[str]:
    """What the guards refuse, or nothing when --force or none."""
    return [] if force else [r.text for r in plan.unsafe(limits)]


def stale_refusals(plan: Plan, client: WeComApi) -> list[str]:
    """Read every chat in `changes` again; any chat that is no longer in the
    plan's `before` state refuses the whole saved plan."""
    ids = [c.chat_id for c in plan.changes]
    if not ids:
        return []
    live = client.read_chats(ids)
    stale: list[str] = []
    unreadable: list[str] = []
    at_after = 0
    for change in plan.changes:
        result = live.get(change.chat_id)
        if isinstance(result, ReadError):
            code = f"errcode {result.errcode}" if result.errcode is not None else "no answer"
            unreadable.append(f"  {change.chat_id}: cannot be read to check it ({code}: {result.message})")
            continue
        now = state_of(result) if isinstance(result, LiveChat) else None
        moved = drift(change.before, now)
        if moved:
            if change.after.same_as(now):
                at_after += 1
            stale.append(f"  {change.chat_id} ({change.source}): " + "; ".join(moved))
    refusals = []
    if stale:
        msg = (f"the saved plan is stale: {len(stale)} chat{'s' if len(stale) != 1 else ''} changed since it "
               f"was made, so its calls no longer lead to its `after`:\n" + "\n".join(stale))
        if at_after:
            msg += (f"\n  ({at_after} of them already match the plan's `after`: an earlier apply of this plan "
                    f"got that far)")
        msg += "\nMake a new plan (`appchat plan --out FILE`) or apply from the chat files."
        refusals.append(msg)
    if unreadable:
        refusals.append("the saved plan cannot be checked against WeCom (stale check):\n" + "\n".join(unreadable))
    return refusals


def preflight(plan: Plan, client: WeComApi, *, limits: Limits = DEFAULTS, force: bool = False,
              saved: bool = False) -> list[str]:
    """All-or-nothing checks before the first write; an empty list means go.
    Quotas do not refuse: see quota_notes()."""
    refusals = guard_refusals(plan, limits=limits, force=force)
    if saved:
        refusals += stale_refusals(plan, client)
    return refusals


def quota_notes(plan: Plan) -> list[str]:
    return fit_quotas(plan.changes)[2]


def announcement_warnings(plan: Plan) -> list[str]:
    """`--announce` sends one message to each updated chat that does not opt
    out, to its members after the change: warn where WeCom's message budget
    would not hold them (core.messagebudget.message_budget_warnings)."""
    return message_budget_warnings((c.after.members for c in plan.updates if c.announce),
                                   "this run's announcements")
