"""The per-person summary (issue 8) against hand-built plans."""

from __future__ import annotations

from reconciler.core.model import ReadError
from reconciler.core.people import PersonChange, people_summary

from reconciler.core.planner import make_plan
from tests.builders import desired, live
from reconciler.core.planformat.writer import plan_data


def test_user_joining_some_chats_and_leaving_others():
    plan = make_plan(
        [desired("a", "alice bob", "alice"), desired("b", "alice bob carol", "alice"),
         desired("c", "alice carol", "alice"), desired("d", "alice carol", "alice")],
        {"a": live("a", "alice carol", "alice"), "b": live("b", "alice carol", "alice"),
         "c": live("c", "alice bob carol", "alice"), "d": live("d", "alice bob carol", "alice")})
    bob = plan.people.get("bob")
    assert bob == PersonChange("bob", joins=("a", "b"), leaves=("c", "d"))
    assert plan.people.get("carol") == PersonChange("carol", leaves=("a",))
    assert plan.people.get("alice") is None  # nothing changes for alice


def test_owner_handover_between_members_lists_both_and_no_membership_change():
    plan = make_plan([desired("a", "alice bob", "bob")], {"a": live("a", "alice bob", "alice")})
    people = plan.people
    assert people.data == [
        {"user_id": "alice", "joins": [], "leaves": [], "owner_gained": [], "owner_lost": ["a"]},
        {"user_id": "bob", "joins": [], "leaves": [], "owner_gained": ["a"], "owner_lost": []},
    ]


def test_owner_leaving_loses_ownership_and_the_chat():
    plan = make_plan([desired("a", "bob zed", "zed")], {"a": live("a", "alice bob", "alice")})
    people = plan.people
    assert people.get("alice") == PersonChange("alice", leaves=("a",), owner_lost=("a",))
    assert people.get("zed") == PersonChange("zed", joins=("a",), owner_gained=("a",))


def test_created_chat_counts_as_joins_and_ownership_gained():
    plan = make_plan([desired("new", "alice bob", "alice")], {"new": None})
    assert plan.people.data == [
        {"user_id": "alice", "joins": ["new"], "leaves": [], "owner_gained": ["new"], "owner_lost": []},
        {"user_id": "bob", "joins": ["new"], "leaves": [], "owner_gained": [], "owner_lost": []},
    ]


def test_user_only_in_groups_is_summarised_like_anyone_else():
    # carol is in the chat only through @oncall -> @sre; the planner sees expanded members
    via = {"alice": ((),), "bob": ((),), "carol": (("oncall", "sre"),)}
    plan = make_plan([desired("a", "alice bob carol", "alice", via=via)], {"a": live("a", "alice bob", "alice")})
    assert plan.people.get("carol") == PersonChange("carol", joins=("a",))


def test_offboarding_shows_every_chat_the_person_leaves():
    chats = [f"room{i}" for i in range(5)]
    plan = make_plan([desired(c, "alice carol", "alice") for c in chats],
                     {c: live(c, "alice bob carol", "alice") for c in chats})
    assert plan.people.data == [
        {"user_id": "bob", "joins": [], "leaves": chats, "owner_gained": [], "owner_lost": []}]


def test_prune_false_never_lists_leavers():
    plan = make_plan([desired("a", "alice carol", "alice", prune=False)], {"a": live("a", "alice bob", "alice")})
    assert [p.user_id for p in plan.people] == ["carol"]


def test_unchanged_and_unreadable_chats_contribute_nothing():
    plan = make_plan([desired("a", "alice bob", "alice"), desired("b", "alice bob", "alice")],
                     {"a": live("a", "alice bob", "alice"), "b": ReadError("b", 86008, "foreign")})
    assert len(plan.people) == 0 and people_summary(()).data == []


def test_sorted_by_user_and_removals_first_for_review():
    plan = make_plan([desired("a", "alice bob zed", "alice"), desired("b", "alice yan", "alice")],
                     {"a": live("a", "alice bob carol", "alice"), "b": live("b", "alice yan abe", "alice")})
    people = plan.people
    assert [p.user_id for p in people] == ["abe", "carol", "zed"]
    assert [p.user_id for p in people.removals_first()] == ["abe", "carol", "zed"]
    plan = make_plan([desired("a", "alice abe", "alice")], {"a": live("a", "alice zed", "alice")})
    assert [p.user_id for p in plan.people] == ["abe", "zed"]
    assert [p.user_id for p in plan.people.removals_first()] == ["zed", "abe"]


def test_plan_json_carries_people_after_summary():
    plan = make_plan([desired("a", "alice bob", "alice")], {"a": live("a", "alice carol", "alice")})
    data = plan_data(plan)
    assert list(data)[-2:] == ["summary", "people"]
    assert data["people"] == plan.people.data
