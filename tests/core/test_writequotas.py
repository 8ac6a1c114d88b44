"""Fitting a plan into WeCom's write quotas."""

from __future__ import annotations

from reconciler.core.plan import Plan
from reconciler.core.planner import make_plan
from reconciler.core.writequotas import fit_quotas
from tests.builders import desired, live, sample_plan

def _many_creates(n: int) -> Plan:
    chats = [desired(f"c{i:04d}", ["alice", "bob"]) for i in range(n)]
    return make_plan(chats, {c.chat_id: None for c in chats})


def test_quota_split_takes_a_prefix_in_chat_id_order():
    plan = _many_creates(12)
    fits, deferred, notes = fit_quotas(plan.changes, changes_per_hour=100, creates_per_day=5)
    assert [c.chat_id for c in fits] == [f"c{i:04d}" for i in range(5)]
    assert [c.chat_id for c in deferred] == [f"c{i:04d}" for i in range(5, 12)]
    assert len(notes) == 1 and "first 5 chats" in notes[0] and "leaves 7" in notes[0]


def test_quota_split_counts_two_call_updates_twice():
    # a new owner who is not yet a member costs two update calls
    plan = make_plan([desired(f"u{i}", ["alice", "bob", "zed"], owner="zed") for i in range(3)],
                     {f"u{i}": live(f"u{i}", ["alice", "bob"], owner="alice") for i in range(3)})
    assert all(len(c.calls) == 2 for c in plan.changes)
    fits, deferred, _ = fit_quotas(plan.changes, changes_per_hour=5, creates_per_day=5)
    assert [c.chat_id for c in fits] == ["u0", "u1"] and [c.chat_id for c in deferred] == ["u2"]


def test_quota_split_within_limits_says_nothing():
    fits, deferred, notes = fit_quotas(sample_plan().changes)
    assert len(fits) == 2 and deferred == [] and notes == []

