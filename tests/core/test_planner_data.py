"""plan_data(plan) is the contract's Plan JSON; core.planformat.reader.parse_plan is its strict
inverse and says clearly what is wrong with anything else."""

from __future__ import annotations

import copy

import pytest

from reconciler.core.model import DesiredChat, LiveChat, ReadError, Source
from reconciler.core.call import Call
from reconciler.core.plan import Change, Plan
from reconciler.core.state import ChatState
from reconciler.core.planformat.reader import parse_plan
from reconciler.core.planner import make_plan
from reconciler.core.planformat.writer import plan_data


def sample_plan() -> Plan:
    desired = [
        DesiredChat("sreoncall", "SRE On-call", "alice", frozenset({"alice", "bob", "carol"}), True,
                    Source("chats/sre.yaml", 6, 3)),
        DesiredChat("newchat", "New", "dave", frozenset({"erin", "dave"}), True, Source("chats/new.yaml", 2, 3)),
        DesiredChat("handover", "H", "zed", frozenset({"zed", "alice"}), True, Source("chats/h.yaml", 4, 3)),
        DesiredChat("otherchat", "O", "alice", frozenset({"alice", "bob"}), True, Source("chats/o.yaml", 1, 1)),
        DesiredChat("legacy", "L", "alice", frozenset({"alice", "bob"}), True, Source("chats/l.yaml", 1, 1)),
    ]
    live = {
        "sreoncall": LiveChat("sreoncall", "SRE On-call", "alice", frozenset({"alice", "bob"})),
        "newchat": None,
        "handover": LiveChat("handover", "H", "alice", frozenset({"alice", "bob"})),
        "otherchat": LiveChat("otherchat", "O", "alice", frozenset({"bob", "alice"})),
        "legacy": ReadError("legacy", 86008, "chat was not created by this app"),
    }
    return make_plan(desired, live)


def test_contract_example_exactly():
    """The example of the contract's Plan JSON section, reproduced key for key."""
    plan = make_plan(
        [DesiredChat("sreoncall", "SRE On-call", "alice", frozenset({"alice", "bob", "carol"}), True,
                     Source("chats/sre.yaml", 6, 3)),
         DesiredChat("otherchat", "O", "alice", frozenset({"alice", "bob"})),
         DesiredChat("legacy", "L", "alice", frozenset({"alice", "bob"}))],
        {"sreoncall": LiveChat("sreoncall", "SRE On-call", "alice", frozenset({"alice", "bob"})),
         "otherchat": LiveChat("otherchat", "O", "alice", frozenset({"alice", "bob"})),
         "legacy": ReadError("legacy", 86008, "chat was not created by this app")})
    data = plan_data(plan)
    people = data.pop("people")
    assert data == {
        "format_version": 1,
        "changes": [{
            "chat_id": "sreoncall",
            "action": "update",
            "source": "chats/sre.yaml:6",
            "before": {"name": "SRE On-call", "owner": "alice", "members": ["alice", "bob"]},
            "after": {"name": "SRE On-call", "owner": "alice", "members": ["alice", "bob", "carol"]},
            "calls": [{"method": "POST", "path": "appchat/update",
                       "body": {"chatid": "sreoncall", "add_user_list": ["carol"]}}],
            "warnings": [],
            # the contract's bullet below the example: each change has `causes`
            "causes": {"carol": {"kind": "listed", "entries": [{"entry": "carol", "source": "chats/sre.yaml:6"}]}},
        }],
        "unchanged": ["otherchat"],
        "errors": [{"chat_id": "legacy", "errcode": 86008, "message": "chat was not created by this app"}],
        "summary": {"create": 0, "update": 1, "unchanged": 1, "errors": 1,
                    "members_added": 1, "members_removed": 0},
    }
    assert people == [{"user_id": "carol", "joins": ["sreoncall"], "leaves": [],
                       "owner_gained": [], "owner_lost": []}]


def test_key_order_is_the_contracts_with_people_appended():
    data = plan_data(sample_plan())
    assert list(data) == ["format_version", "changes", "unchanged", "errors", "summary", "people"]
    assert list(data["changes"][0]) == ["chat_id", "action", "source", "before", "after", "calls", "warnings",
                                        "causes"]
    assert list(data["changes"][0]["after"]) == ["name", "owner", "members"]
    assert list(data["changes"][0]["calls"][0]) == ["method", "path", "body"]
    assert list(data["summary"]) == ["create", "update", "unchanged", "errors", "members_added", "members_removed"]
    assert list(data["errors"][0]) == ["chat_id", "errcode", "message"]


def _user_lists(data):
    for change in data["changes"]:
        for state in (change["before"], change["after"]):
            if state:
                yield state["members"]
        for call in change["calls"]:
            for key in ("userlist", "add_user_list", "del_user_list"):
                if key in call["body"]:
                    yield call["body"][key]


def test_lists_are_sorted():
    data = plan_data(sample_plan())
    lists = list(_user_lists(data))
    assert len(lists) >= 8
    assert all(lst == sorted(set(lst)) for lst in lists)
    assert [c["chat_id"] for c in data["changes"]] == sorted(c["chat_id"] for c in data["changes"])
    assert [p["user_id"] for p in data["people"]] == sorted(p["user_id"] for p in data["people"])


def test_plan_sorts_whatever_order_it_is_given():
    a = Change("a", "create", "f:1", None, ChatState("A", "x", ("y", "x")),
               (Call("POST", "appchat/create", {"chatid": "a", "name": "A", "owner": "x", "userlist": ["x", "y"]}),))
    b = Change("b", "create", "f:2", None, ChatState("B", "x", ("x", "y")),
               (Call("POST", "appchat/create", {"chatid": "b", "name": "B", "owner": "x", "userlist": ["x", "y"]}),))
    plan = Plan((b, a), ("z", "m"), (ReadError("q", 1, "m"), ReadError("p", 1, "m")))
    assert [c.chat_id for c in plan.changes] == ["a", "b"]
    assert plan.unchanged == ("m", "z") and [e.chat_id for e in plan.errors] == ["p", "q"]
    assert a.after.members == ("x", "y")


def test_a_chat_twice_in_a_plan_is_refused():
    with pytest.raises(ValueError, match="more than once"):
        Plan((), ("a",), (ReadError("a", 1, "m"),))


def test_create_needs_no_before_and_update_needs_one():
    state = ChatState("A", "x", ("x", "y"))
    with pytest.raises(ValueError, match="before must be None"):
        Change("a", "create", "f:1", state, state, ())
    with pytest.raises(ValueError, match="before must be None"):
        Change("a", "update", "f:1", None, state, ())
    with pytest.raises(ValueError, match="action"):
        Change("a", "delete", "f:1", state, state, ())


def test_from_data_inverts_data():
    plan = sample_plan()
    assert parse_plan(plan_data(plan)) == plan
    assert plan_data(parse_plan(plan_data(plan))) == plan_data(plan)
    assert parse_plan(plan_data(Plan())) == Plan()


def test_from_data_ignores_unknown_top_level_keys_and_a_missing_people_key():
    data = plan_data(sample_plan())
    data["digest"] = "sha256:whatever"
    del data["people"]
    assert parse_plan(data) == sample_plan()


def _set(path, value):
    def mutate(data):
        *parents, last = path
        node = data
        for key in parents:
            node = node[key]
        node[last] = value
    return mutate


def _delete(path):
    def mutate(data):
        *parents, last = path
        node = data
        for key in parents:
            node = node[key]
        del node[last]
    return mutate


def _index(data, chat_id):
    return next(i for i, c in enumerate(data["changes"]) if c["chat_id"] == chat_id)


# (invariant, mutation of plan_data(sample_plan()), fragment of the error message)
MALFORMED = [
    ("not an object", lambda d: d.clear() or d.update(x=1) and None, "missing key"),
    ("another format version", _set(["format_version"], 2), "format_version: expected 1"),
    ("format version true is not 1", _set(["format_version"], True), "format_version"),
    ("changes must be a list", _set(["changes"], {}), "changes: expected a list"),
    ("summary missing", _delete(["summary"]), "missing key(s) summary"),
    ("summary must match the changes", _set(["summary", "members_added"], 99), "summary: does not match"),
    ("people must match the changes", _set(["people"], []), "people: does not match"),
    ("unknown action", _set(["changes", 0, "action"], "delete"), "expected create or update"),
    ("unknown key in a change", _set(["changes", 0, "extra"], 1), "unexpected key(s) extra"),
    ("member lists must be sorted", _set(["changes", 0, "before", "members"], ["bob", "alice"]), "sorted"),
    ("member lists have no duplicates", _set(["changes", 0, "before", "members"], ["alice", "alice"]), "distinct"),
    ("members are strings", _set(["changes", 0, "after", "members"], ["alice", 7]), "list of user ids"),
    ("a create has no before", _set(["changes", 1, "before"], {"name": "n", "owner": "a", "members": ["a"]}),
     "must be null"),
    ("an update has a before", _set(["changes", 0, "before"], None), "must be an object"),
    ("calls must not be empty", _set(["changes", 0, "calls"], []), "non-empty list"),
    ("only POST", _set(["changes", 0, "calls", 0, "method"], "GET"), "expected \"POST\""),
    ("only create and update paths", _set(["changes", 0, "calls", 0, "path"], "appchat/send"), "appchat/send"),
    ("a call names its own chat", _set(["changes", 0, "calls", 0, "body", "chatid"], "other"), "names 'other'"),
    ("no unknown body keys", _set(["changes", 0, "calls", 0, "body", "userlist"], ["a", "b"]), "unexpected key"),
    ("call user lists sorted", _set(["changes", 0, "calls", 0, "body", "add_user_list"], ["zed", "bob"]), "sorted"),
    ("an update call must change something", _set(["changes", 0, "calls", 0, "body"], {"chatid": "handover"}),
     "must change something"),
    ("a create call carries the whole chat", _delete(["changes", 1, "calls", 0, "body", "userlist"]),
     "missing key(s) userlist"),
    ("changes sorted by chat id", lambda d: d["changes"].reverse(), "sorted by chat_id"),
    ("unchanged sorted", _set(["unchanged"], ["b", "a"]), "unchanged"),
    ("errcode is an integer or null", _set(["errors", 0, "errcode"], "86008"), "errcode"),
    ("a chat appears once", _set(["unchanged"], ["handover", "otherchat"]), "more than once"),
]


@pytest.mark.parametrize("case", MALFORMED, ids=[c[0] for c in MALFORMED])
def test_from_data_refuses_malformed_input_with_a_clear_message(case):
    _, mutate, fragment = case
    data = copy.deepcopy(plan_data(sample_plan()))
    assert [c["chat_id"] for c in data["changes"]] == ["handover", "newchat", "sreoncall"]
    mutate(data)
    with pytest.raises(ValueError) as info:
        parse_plan(data)
    assert str(info.value).startswith("not a valid plan:")
    assert fragment in str(info.value)


@pytest.mark.parametrize("value", [None, [], "plan", 1])
def test_from_data_refuses_non_objects(value):
    with pytest.raises(ValueError, match="expected an object"):
        parse_plan(value)


def test_added_and_removed():
    plan = sample_plan()
    handover, new, sre = plan.changes
    assert handover.added == {"zed"} and handover.removed == {"bob"}
    assert new.added == {"dave", "erin"} and new.removed == frozenset()
    assert sre.added == {"carol"} and sre.removed == frozenset()
    assert plan.change("newchat") is new and plan.change("nope") is None
    assert plan.has_changes and not Plan(unchanged=("a",)).has_changes


def test_read_concurrency_is_an_added_key_that_changes_no_other_and_is_not_compared():
    from dataclasses import replace

    plan = sample_plan()
    figures = {"mode": "adaptive", "final": 37, "peak": 64}
    read = replace(plan, read_concurrency=figures)
    data = plan_data(read)
    assert list(data) == list(plan_data(plan)) + ["read_concurrency"]
    assert {k: v for k, v in data.items() if k != "read_concurrency"} == plan_data(plan)
    assert data["read_concurrency"] == figures
    assert "read_concurrency" not in plan_data(plan)       # plans made without a read have no such key
    assert read == plan                              # how a plan was read is not what it does
    assert parse_plan(data) == plan                  # and a saved plan reads back without it
