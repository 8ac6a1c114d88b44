"""The planner, table-driven over the rules of the contract's "Plan JSON"
section. Each case is named after the invariant it pins down."""

from __future__ import annotations

from functools import partial

import pytest

from reconciler.core.model import ReadError, Source

from reconciler.core.planformat.reader import parse_plan
from reconciler.core.planner import make_plan
from tests.builders import desired, live
from reconciler.core.planformat.writer import plan_data

SRC = Source("chats/team.yaml", 6, 3)


# Chat c1, "Chat", owned by alice, members alice and bob, unless a case says otherwise.
want = partial(desired, name="Chat", owner="alice", source=SRC)
have = partial(live, name="Chat", owner="alice")


def users(n, prefix="u"):
    return " ".join(f"{prefix}{i:03d}" for i in range(n))


def bodies(plan):
    return [c.data["body"] for c in plan.changes[0].calls]


# (invariant, desired, live, expected call bodies without chatid, expected after.members or None)
UPDATE_CASES = [
    ("nothing differs: no call, chat listed unchanged",
     want(), have(), [], None),
    ("member order and duplicates do not matter",
     want(members="bob alice"), have(members="alice bob"), [], None),
    ("an added member is one add_user_list",
     want(members="alice bob carol"), have(), [{"add_user_list": ["carol"]}], ["alice", "bob", "carol"]),
    ("a removed member is one del_user_list",
     want(members="alice carol"), have(members="alice bob carol"), [{"del_user_list": ["bob"]}],
     ["alice", "carol"]),
    ("adds and removes batch into one call",
     want(members="alice dave carol"), have(members="alice bob erin"),
     [{"add_user_list": ["carol", "dave"], "del_user_list": ["bob", "erin"]}], ["alice", "carol", "dave"]),
    ("a rename carries only name",
     want(name="New name"), have(name="Old name"), [{"name": "New name"}], ["alice", "bob"]),
    ("owner handover to an existing member is one call with owner",
     want(owner="bob"), have(owner="alice"), [{"owner": "bob"}], ["alice", "bob"]),
    ("owner must stay: removing the current owner sets owner in the same call",
     want(owner="bob", members="bob carol"), have(owner="alice", members="alice bob carol"),
     [{"owner": "bob", "del_user_list": ["alice"]}], ["bob", "carol"]),
    ("new owner not a member splits into two calls, first only adds",
     want(owner="carol", members="alice bob carol"), have(owner="alice", members="alice bob"),
     [{"add_user_list": ["carol"]}, {"owner": "carol"}], ["alice", "bob", "carol"]),
    ("split second call carries owner, del_user_list and name",
     want(name="N2", owner="carol", members="bob carol dave"), have(name="N1", owner="alice", members="alice bob"),
     [{"add_user_list": ["carol", "dave"]}, {"name": "N2", "owner": "carol", "del_user_list": ["alice"]}],
     ["bob", "carol", "dave"]),
    ("prune false never removes",
     want(members="alice carol", prune=False), have(members="alice bob"),
     [{"add_user_list": ["carol"]}], ["alice", "bob", "carol"]),
    ("prune false with nothing to add is unchanged",
     want(members="alice bob", prune=False), have(members="alice bob zed"), [], None),
    ("prune false still hands over ownership and keeps the old owner",
     want(owner="bob", members="bob carol", prune=False), have(owner="alice", members="alice bob carol"),
     [{"owner": "bob"}], ["alice", "bob", "carol"]),
    ("prune false with an outside new owner still splits",
     want(owner="carol", members="bob carol", prune=False), have(owner="alice", members="alice bob"),
     [{"add_user_list": ["carol"]}, {"owner": "carol"}], ["alice", "bob", "carol"]),
]


@pytest.mark.parametrize("case", UPDATE_CASES, ids=[c[0] for c in UPDATE_CASES])
def test_update_rules(case):
    _, desired, live, expected_bodies, expected_members = case
    plan = make_plan([desired], {desired.chat_id: live})
    if not expected_bodies:
        assert plan.changes == () and plan.unchanged == (desired.chat_id,)
        return
    (change,) = plan.changes
    assert change.action == "update"
    assert [{k: v for k, v in b.items() if k != "chatid"} for b in bodies(plan)] == expected_bodies
    assert all(b["chatid"] == desired.chat_id for b in bodies(plan))
    assert list(change.after.members) == expected_members
    assert change.before.members == tuple(sorted(live.members))
    assert change.after.owner == desired.owner and change.after.name == desired.name
    assert change.source == "chats/team.yaml:6"


def test_update_body_keys_in_api_order():
    plan = make_plan([want(name="N2", owner="bob", members="bob carol")],
                     {"c1": have(name="N1", owner="alice", members="alice bob")})
    assert list(plan.changes[0].calls[0].data["body"]) == ["chatid", "name", "owner", "add_user_list", "del_user_list"]


def test_missing_chat_is_created_with_one_create_call():
    plan = make_plan([want(members="carol alice bob")], {"c1": None})
    (change,) = plan.changes
    assert change.action == "create" and change.before is None
    assert change.after.data == {"name": "Chat", "owner": "alice", "members": ["alice", "bob", "carol"]}
    assert [c.data for c in change.calls] == [{
        "method": "POST", "path": "appchat/create",
        "body": {"chatid": "c1", "name": "Chat", "owner": "alice", "userlist": ["alice", "bob", "carol"]},
    }]
    assert list(change.calls[0].data["body"]) == ["chatid", "name", "owner", "userlist"]


def test_created_chat_members_not_counted_in_summary():
    plan = make_plan([want("c1", members="alice bob carol"), want("c2", members="alice bob carol")],
                     {"c1": None, "c2": have("c2", members="alice bob dave")})
    assert plan.summary == {"create": 1, "update": 1, "unchanged": 0, "errors": 0,
                            "members_added": 1, "members_removed": 1}


def test_errors_never_stop_other_chats():
    err = ReadError("b", 86008, "chat was not created by this app")
    plan = make_plan([want("a", members="alice bob carol"), want("b"), want("c"), want("d")],
                     {"a": have("a"), "b": err, "c": None, "d": have("d")})
    assert [c.chat_id for c in plan.changes] == ["a", "c"]
    assert plan.unchanged == ("d",)
    assert plan.errors == (err,)
    assert plan.summary["errors"] == 1


def test_transport_error_without_errcode_is_listed():
    err = ReadError("a", None, "connection refused")
    plan = make_plan([want("a")], {"a": err})
    assert plan_data(plan)["errors"] == [{"chat_id": "a", "errcode": None, "message": "connection refused"}]


def test_changes_and_unchanged_sorted_by_chat_id_whatever_the_input_order():
    desired = [want(i, members="alice bob carol") for i in ("zz", "aa", "mm")] + [want("bb"), want("ab")]
    live = {"zz": have("zz"), "aa": None, "mm": have("mm"), "bb": have("bb"), "ab": have("ab")}
    plan = make_plan(desired, live)
    assert [c.chat_id for c in plan.changes] == ["aa", "mm", "zz"]
    assert plan.unchanged == ("ab", "bb")


def test_live_chats_not_desired_are_ignored():
    plan = make_plan([want("a")], {"a": have("a"), "other": have("other", members="x y")})
    assert plan.unchanged == ("a",) and plan.changes == ()


def test_missing_live_entry_is_a_caller_bug_not_a_create():
    with pytest.raises(ValueError, match="no live result for chat 'a'"):
        make_plan([want("a")], {})


def test_same_chat_desired_twice_is_refused():
    with pytest.raises(ValueError, match="desired twice"):
        make_plan([want("a"), want("a")], {"a": None})


def test_owner_outside_the_members_is_refused_not_planned():
    # config refuses such a file; a chat whose members come from the directory
    # can only be checked at plan time, so the planner makes it a located error
    plan = make_plan([want(owner="zed")], {"c1": None})
    assert plan.changes == ()
    assert [(e.chat_id, e.errcode) for e in plan.errors] == [("c1", None)]
    assert "owner 'zed' is not a member" in plan.errors[0].message and plan.errors[0].source


def test_empty_input_is_an_empty_plan():
    plan = make_plan([], {})
    assert not plan.has_changes
    assert plan.summary == {"create": 0, "update": 0, "unchanged": 0, "errors": 0,
                            "members_added": 0, "members_removed": 0}


# The mass-removal and mass-addition rules: tests/core/test_guards.py


def test_split_that_would_exceed_2000_members_warns():
    everyone = users(2000)
    new = want(owner="newboss", members=" ".join(everyone.split()[1:]) + " newboss")
    plan = make_plan([new], {"c1": have(owner="u000", members=everyone)})
    (change,) = plan.changes
    assert len(change.calls) == 2
    assert any("2001 members" in w for w in change.warnings)


def test_plan_round_trips_through_data():
    plan = make_plan([want("a", members="alice bob carol"), want("b"), want("c", owner="bob")],
                     {"a": None, "b": ReadError("b", -1, "busy"), "c": have("c")})
    assert parse_plan(plan_data(plan)) == plan
