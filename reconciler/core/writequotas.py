"""WeCom's write quotas: fitting a plan into them (1,000 chat changes an
hour, the daily chat creates). (The message budget is core.messagebudget;
the guards that refuse a plan, mass removal and mass addition, are
core.guards.)

Pure: plans in, decisions out.
"""

from __future__ import annotations

from typing import Iterable

from reconciler.core.facts import APPCHAT_CREATE, APPCHAT_UPDATE, CHAT_CHANGES_PER_HOUR, CHAT_CREATES_PER_DAY

# WeCom counts every appchat/update call as one chat change and every
# appchat/create against the daily create quota (doc 90454, as the emulator
# does). Should a create turn out to count as a change too, the run meets a
# 45009 and stops cleanly: no harm, only a re-run later.


def quota_cost(change) -> tuple[int, int]:
    """(chat changes, creates) one chat's calls spend."""
    creates = sum(1 for c in change.calls if c.path == APPCHAT_CREATE)
    updates = sum(1 for c in change.calls if c.path == APPCHAT_UPDATE)
    return updates, creates


def fit_quotas(changes: Iterable, *, changes_per_hour: int | None = None,
               creates_per_day: int | None = None) -> tuple[list, list, list[str]]:
    """Split into (fits, deferred, notes). What fits: the first chats in
    chat_id order whose calls stay within both quotas; from the first chat that
    does not fit on, everything waits for a later run (a prefix, so which
    chats were left is easy to state and the next run simply continues).
    The budgets are WeCom's whole quotas: this tool cannot see what other
    apps or earlier runs spent, which is what the 45009 handling is for."""
    changes_per_hour = CHAT_CHANGES_PER_HOUR if changes_per_hour is None else changes_per_hour
    creates_per_day = CHAT_CREATES_PER_DAY if creates_per_day is None else creates_per_day
    ordered = sorted(changes, key=lambda c: c.chat_id)
    costs = [quota_cost(c) for c in ordered]
    total_changes = sum(c for c, _ in costs)
    total_creates = sum(c for _, c in costs)
    if total_changes <= changes_per_hour and total_creates <= creates_per_day:
        return ordered, [], []
    spent_changes = spent_creates = 0
    fits = 0
    for cost_changes, cost_creates in costs:
        if spent_changes + cost_changes > changes_per_hour or spent_creates + cost_creates > creates_per_day:
            break
        spent_changes += cost_changes
        spent_creates += cost_creates
        fits += 1
    kept, deferred = ordered[:fits], ordered[fits:]
    notes = [
        f"this plan needs {total_changes} chat changes and {total_creates} chat creates; WeCom allows "
        f"{changes_per_hour} changes an hour and {creates_per_day} creates a day. This run applies the first "
        f"{len(kept)} chats in chat_id order (through {kept[-1].chat_id if kept else '-'}) and leaves "
        f"{len(deferred)} (from {deferred[0].chat_id}) for a later run: apply again after the quota window."
    ]
    return kept, deferred, notes
