"""Checks before the first write of an apply: the mass-removal guard, the
stale check of a saved plan, and what fits WeCom's quotas.

Everything that can refuse the whole apply happens here, before the first
write, so a refusal never leaves WeCom half-changed. reconciler.executor
makes the calls afterwards (and re-exports these names).
"""

from __future__ import annotations

from typing import Any, Sequence

from deepdiff import DeepDiff

from reconciler.constants import (
    APPCHAT_CREATE,
    APPCHAT_UPDATE,
    CHAT_CHANGES_PER_HOUR,
    CHAT_CREATES_PER_DAY,
    MASS_REMOVAL_MIN_MEMBERS,
    MASS_REMOVAL_RATIO,
)
from reconciler.model import LiveChat, ReadError
from reconciler.plan import Change, ChatState, Plan
from reconciler.planner import mass_removals

# WeCom counts every appchat/update call as one chat change and every
# appchat/create against the daily create quota (doc 90454, as the emulator
# does). Should a create turn out to count as a change too, the run meets a
# 45009 and stops cleanly: no harm, only a re-run later.
CREATE_COUNTS_AS_CHANGE = False


def state_of(live: LiveChat) -> ChatState:
    return ChatState(name=live.name, owner=live.owner, members=tuple(sorted(live.members)))


def state_data(state: ChatState | None) -> dict[str, Any] | None:
    return None if state is None else dict(state.data)


def explain_drift(before: ChatState | None, now: ChatState | None) -> list[str]:
    """What changed between the plan's `before` and the chat now, for a human
    (empty when nothing did)."""
    b, n = state_data(before), state_data(now)
    if b == n:
        return []
    if b is None:
        return [f"now exists (name {n['name']!r}, owner {n['owner']}, {len(n['members'])} members); the plan creates it"]
    if n is None:
        return ["no longer exists (or cannot be seen by this app); the plan updates it"]
    diff = DeepDiff(b, n, ignore_order=True, view="tree")
    joined: list[str] = []
    left: list[str] = []
    lines: list[str] = []
    for kind, levels in diff.items():
        for level in levels:
            path = level.path(output_format="list")
            key = path[0] if path else "?"
            if key == "members":
                if kind == "iterable_item_added":
                    joined.append(level.t2)
                elif kind == "iterable_item_removed":
                    left.append(level.t1)
                elif kind == "values_changed":
                    left.append(level.t1)
                    joined.append(level.t2)
                continue
            lines.append(f"{key}: {level.t1!r} -> {level.t2!r} (plan expected {level.t1!r})"
                         if kind == "values_changed" else f"{key}: changed ({kind})")
    if joined:
        lines.append("members joined since the plan: " + ", ".join(sorted(joined)))
    if left:
        lines.append("members left since the plan: " + ", ".join(sorted(left)))
    return lines


def guard_refusals(plan: Plan, *, ratio: float | None, force: bool) -> list[str]:
    """The mass-removal guard: named chats, or nothing when --force or none."""
    if force:
        return []
    ratio = MASS_REMOVAL_RATIO if ratio is None else ratio
    hits = mass_removals(plan, ratio=ratio, min_members=MASS_REMOVAL_MIN_MEMBERS)
    if not hits:
        return []
    named = ", ".join(f"{cid} (would remove {removed} of {count} members, {removed / count:.0%})"
                      for cid, count, removed in hits)
    return [
        f"mass-removal guard: {len(hits)} chat{'s' if len(hits) != 1 else ''} would lose more than "
        f"{ratio:.0%} of their members: {named}. Check the chat files; pass --force to apply anyway "
        f"or --max-removal-ratio to change the limit."
    ]


def stale_refusals(plan: Plan, client: Any) -> list[str]:
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
        drift = explain_drift(change.before, now)
        if drift:
            if now is not None and state_data(now) == state_data(change.after):
                at_after += 1
            stale.append(f"  {change.chat_id} ({change.source}): " + "; ".join(drift))
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


def preflight(plan: Plan, client: Any, *, ratio: float | None = None, force: bool = False,
              saved: bool = False) -> list[str]:
    """All-or-nothing checks before the first write; an empty list means go.
    Quotas do not refuse: see fit_quotas()."""
    refusals = guard_refusals(plan, ratio=ratio, force=force)
    if saved:
        refusals += stale_refusals(plan, client)
    return refusals


# --------------------------------------------------------------------------- quotas


def quota_cost(change: Change) -> tuple[int, int]:
    """(chat changes, creates) one chat's calls spend."""
    creates = sum(1 for c in change.calls if c.path == APPCHAT_CREATE)
    updates = sum(1 for c in change.calls if c.path == APPCHAT_UPDATE)
    return updates + (creates if CREATE_COUNTS_AS_CHANGE else 0), creates


def fit_quotas(changes: Sequence[Change], *, changes_per_hour: int | None = None,
               creates_per_day: int | None = None) -> tuple[list[Change], list[Change], list[str]]:
    """Split into (fits, deferred, notes). What fits: the first chats in
    chat_id order whose calls stay within both quotas; from the first chat that
    does not fit on, everything waits for a later run (a prefix, so which
    chats were left is easy to state and the next run simply continues).
    The budgets are WeCom's whole quotas: this tool cannot see what other
    apps or earlier runs spent, which is what the 45009 handling is for."""
    changes_per_hour = CHAT_CHANGES_PER_HOUR if changes_per_hour is None else changes_per_hour
    creates_per_day = CHAT_CREATES_PER_DAY if creates_per_day is None else creates_per_day
    ordered = sorted(changes, key=lambda c: c.chat_id)
    total_changes = sum(quota_cost(c)[0] for c in ordered)
    total_creates = sum(quota_cost(c)[1] for c in ordered)
    if total_changes <= changes_per_hour and total_creates <= creates_per_day:
        return ordered, [], []
    spent_changes = spent_creates = 0
    fits: list[Change] = []
    for i, change in enumerate(ordered):
        cost_changes, cost_creates = quota_cost(change)
        if spent_changes + cost_changes > changes_per_hour or spent_creates + cost_creates > creates_per_day:
            deferred = ordered[i:]
            break
        spent_changes += cost_changes
        spent_creates += cost_creates
        fits.append(change)
    else:  # pragma: no cover - the totals said something does not fit
        deferred = []
    notes = [
        f"this plan needs {total_changes} chat changes and {total_creates} chat creates; WeCom allows "
        f"{changes_per_hour} changes an hour and {creates_per_day} creates a day. This run applies the first "
        f"{len(fits)} chats in chat_id order (through {fits[-1].chat_id if fits else '-'}) and leaves "
        f"{len(deferred)} (from {deferred[0].chat_id}) for a later run: apply again after the quota window."
    ]
    return fits, deferred, notes


def quota_notes(plan: Plan) -> list[str]:
    return fit_quotas(plan.changes)[2]
