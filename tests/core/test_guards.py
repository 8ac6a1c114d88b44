"""The guards both ways (core.guards, the contract's `apply`): each case is
named after the invariant it protects. The plan is judged by one pure
function; the planner's warnings and apply's refusals are its words."""

from __future__ import annotations

import pytest

from reconciler.core import guards
from reconciler.core.guards import ADDITION_RATIO, ADDITIONS, DEFAULTS, REMOVAL_RATIO, Limits
from reconciler.core.model import DesiredChat, LiveChat, Source
from reconciler.core.planformat.reader import parse_plan
from reconciler.core.planner import make_plan
from reconciler.core.planformat.writer import plan_data

SRC = Source("chats/team.yaml", 6, 3)


def users(n, prefix="u"):
    return [f"{prefix}{i:04d}" for i in range(n)]


def chat_plan(current: int, removed: int = 0, added: int = 0, chat_id: str = "c1", extra=()):
    """A plan for one existing chat of `current` members that loses
    `removed` and gains `added` (and any `extra` (desired, live) pairs)."""
    everyone = users(current)
    owner = everyone[-1]
    keep = everyone[removed:] + users(added, prefix=f"{chat_id}n")
    desired = [DesiredChat(chat_id, "Chat", owner, frozenset(keep), True, SRC)] + [d for d, _ in extra]
    live = {chat_id: LiveChat(chat_id, "Chat", owner, frozenset(everyone)), **{d.chat_id: v for d, v in extra}}
    return make_plan(desired, live)


def rules(plan, limits=DEFAULTS):
    return [r.rule for r in plan.unsafe(limits)]


# (invariant, current members, removed, added, the rules that refuse)
CASES = [
    # removal
    ("exactly 30% removed passes", 10, 3, 0, []),
    ("more than 30% removed is refused", 10, 4, 0, [REMOVAL_RATIO]),
    ("exactly 30% of 100 passes", 100, 30, 0, []),
    ("31 of 100 removed is refused", 100, 31, 0, [REMOVAL_RATIO]),
    ("30.1% removed is refused", 1000, 301, 0, [REMOVAL_RATIO]),
    ("a chat of 9 may lose 8", 9, 8, 0, []),
    ("a chat of exactly 10 is guarded against removal", 10, 8, 0, [REMOVAL_RATIO]),
    # addition, the mirror
    ("exactly double passes", 10, 0, 10, []),
    ("more than double is refused", 10, 0, 11, [ADDITION_RATIO]),
    ("exactly double of 100 passes", 100, 0, 100, []),
    ("one more than double of 100 is refused", 100, 0, 101, [ADDITION_RATIO]),
    ("a chat of 9 may grow past double", 9, 0, 500, []),
    ("a chat of exactly 10 is guarded against addition", 10, 0, 20, [ADDITION_RATIO]),
    # both ways at once: each guard names its own rule
    ("removing and adding too much trips both guards", 20, 10, 30, [REMOVAL_RATIO, ADDITION_RATIO]),
    ("the run's total passes at exactly 1,000", 1000, 0, 1000, []),
    ("refuse to add too many: 1,001 in one run", 1000, 0, 1001, [ADDITION_RATIO, ADDITIONS]),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_guard_rule(case):
    _, current, removed, added, refused = case
    plan = chat_plan(current, removed, added)
    (change,) = plan.changes
    assert (len(change.removed), len(change.added)) == (removed, added)
    assert rules(plan) == refused
    # plan shows the same chats as warnings, in the guard's own words
    per_chat = [h.message for h in guards.check(plan) if h.chat_id]
    assert [w for w in change.warnings if w.startswith("mass ")] == per_chat
    assert bool(per_chat) is bool(set(refused) - {ADDITIONS})


def test_refuse_to_add_too_many_across_chats_each_within_its_ratio():
    # 12 chats of 100 each gaining 90 (90%): no chat trips its ratio, the run's 1,080 does
    plans = [chat_plan(100, 0, 90, chat_id=f"c{i:02d}") for i in range(12)]
    plan = make_plan([], {})
    plan = type(plan)(tuple(c for p in plans for c in p.changes))
    assert plan.summary["members_added"] == 1080
    (refusal,) = plan.unsafe()
    assert refusal.rule == ADDITIONS and refusal.guard == "mass-addition"
    assert "would add 1,080 members to existing chats in all, more than 1,000" in refusal.text
    assert "c00 +90, c01 +90, c02 +90, c03 +90, c04 +90 and 7 more chats" in refusal.text
    assert "--max-additions" in refusal.text and "--force" in refusal.text
    # the run-wide line is in the plan's JSON too, with no chat
    (hit,) = plan_data(plan)["guards"]
    assert hit["chat_id"] is None and hit["count"] == 1080 and hit["option"] == "--max-additions"


def test_created_chats_count_for_neither_guard():
    everyone = users(1500)
    plan = make_plan([DesiredChat("new", "New", everyone[0], frozenset(everyone), True, SRC)], {"new": None})
    assert plan.unsafe(Limits(0.0, 0.0, 0, 0)) == ()


@pytest.mark.parametrize("limits, refused", [
    (Limits(removal_ratio=0.5), []),
    (Limits(removal_ratio=0.4), []),  # exactly the ratio passes, whatever the ratio
    (Limits(removal_ratio=0.39), [REMOVAL_RATIO]),
    (Limits(removal_ratio=0.0), [REMOVAL_RATIO]),
    (Limits(min_members=11), []),
])
def test_removal_limits_are_parameters(limits, refused):
    assert rules(chat_plan(10, 4, 0), limits) == refused


@pytest.mark.parametrize("limits, refused", [
    (Limits(addition_ratio=1.5), []),
    (Limits(addition_ratio=1.4), []),  # exactly the ratio passes
    (Limits(addition_ratio=1.39), [ADDITION_RATIO]),
    (Limits(addition_ratio=2.0, additions=14), []),  # exactly the total passes
    (Limits(addition_ratio=2.0, additions=13), [ADDITIONS]),
    (Limits(addition_ratio=2.0, additions=0), [ADDITIONS]),
])
def test_addition_limits_are_parameters(limits, refused):
    assert rules(chat_plan(10, 0, 14), limits) == refused


def test_defaults_are_the_contracts():
    assert (DEFAULTS.removal_ratio, DEFAULTS.addition_ratio, DEFAULTS.additions, DEFAULTS.min_members) == \
        (0.3, 1.0, 1000, 10)
    assert Limits.of(None, None, None) == DEFAULTS
    assert Limits.of(0.5, None, 7) == Limits(0.5, 1.0, 7)


def test_the_refusal_names_each_chat_and_what_it_would_have_done():
    plan = chat_plan(10, 0, 25, chat_id="incident")
    (refusal,) = plan.unsafe()
    assert refusal.text.startswith("mass-addition guard: 1 chat would gain more than 100% of its current members: "
                                   "incident (mass addition: adds 25 to 10 members (250%)).")
    assert refusal.data["hits"][0] == {"guard": "mass-addition", "option": "--max-addition-ratio",
                                       "chat_id": "incident", "members": 10, "count": 25,
                                       "message": "mass addition: adds 25 to 10 members (250%)"}
    removal = chat_plan(10, 4).unsafe()[0].text
    assert removal == ("mass-removal guard: 1 chat would lose more than 30% of its members: c1 (mass removal: "
                       "removes 4 of 10 members (40%)). Check the chat files; pass --force to apply anyway or "
                       "--max-removal-ratio to change the limit.")


def test_a_saved_plan_is_judged_as_the_plan_it_was():
    plan = chat_plan(10, 4, 11)
    again = parse_plan(plan_data(plan))
    assert again.unsafe() == plan.unsafe() and rules(again) == [REMOVAL_RATIO, ADDITION_RATIO]


def test_a_plan_without_guard_hits_has_no_guards_key():
    assert "guards" not in plan_data(chat_plan(10, 3, 10))
