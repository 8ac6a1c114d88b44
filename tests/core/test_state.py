"""What a call does to a chat (apply_call), a change that must fold its
`before` into its `after`, and drift explained for a person."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import reconciler
from reconciler.app.reread import unlike
from reconciler.core.call import Call, create, update
from reconciler.core.plan import Action, Change, InconsistentPlan, _difference
from reconciler.core.planner import make_plan
from reconciler.core.state import ChatState, Difference, InconsistentCall, apply_call, difference, drift, state_of
from tests.builders import desired, live

TEAM = ChatState("Team", "alice", ("alice", "bob", "carol"))


@pytest.mark.parametrize("name, state, call, after", [
    ("create makes the chat of its body", None, create("t", "Team", "alice", ["bob", "alice"]),
     ChatState("Team", "alice", ("alice", "bob"))),
    ("an update adds and removes", TEAM, update("t", add=["dave"], remove=["carol"]),
     ChatState("Team", "alice", ("alice", "bob", "dave"))),
    ("an update renames and hands over", TEAM, update("t", name="New", owner="bob", remove=["alice"]),
     ChatState("New", "bob", ("bob", "carol"))),
    ("adding a member twice changes nothing", TEAM, update("t", add=["bob"]), TEAM),
])
def test_apply_call_reaches(name, state, call, after):
    assert apply_call(state, call) == after


@pytest.mark.parametrize("name, state, call, words", [
    ("create of a chat that exists", TEAM, create("t", "Team", "alice", ["alice", "bob"]), "exists"),
    ("update of a chat that does not exist", None, update("t", add=["dave"]), "does not exist"),
    ("removing a non-member", TEAM, update("t", remove=["zed"]), "zed, who is not a member"),
    ("adding and removing one person", TEAM, update("t", add=["bob"], remove=["bob"]), "adds and removes bob"),
    ("owner must stay: removed without a new one", TEAM, update("t", remove=["alice"]), "without naming a new one"),
    ("a new owner must already be a member", TEAM, update("t", owner="dave", add=["dave"]), "not a member before"),
    ("a new owner cannot be leaving", TEAM, update("t", owner="bob", remove=["bob"]), "not a member before"),
    ("create with an owner outside the list", None, Call("POST", "appchat/create",
     {"chatid": "t", "name": "T", "owner": "zed", "userlist": ["a", "b"]}), "not in its userlist"),
    ("send is not a membership call", TEAM, Call("POST", "appchat/send", {"chatid": "t"}), "does not change"),
])
def test_apply_call_refuses(name, state, call, words):
    with pytest.raises(InconsistentCall, match=words):
        apply_call(state, call)


def test_a_change_refuses_calls_that_remove_someone_after_does_not_lose():
    # The hostile edit of a saved plan: a call removes ben while `after` keeps him.
    before = ChatState("Ops", "alice", ("alice", "ben", "oli"))
    after = ChatState("Ops", "alice", ("alice", "ben"))
    with pytest.raises(InconsistentPlan, match="ops.*also remove ben"):
        Change("ops", Action.UPDATE, "f.yaml:1", before, after, (update("ops", remove=["oli", "ben"]),))
    assert Change("ops", Action.UPDATE, "f.yaml:1", before, after, (update("ops", remove=["oli"]),)).removed == {"oli"}


@pytest.mark.parametrize("name, calls, words", [
    ("no calls at all", (), "at least one call"),
    ("a call for another chat", (update("other", add=["dave"]),), "names another chat"),
    ("a call WeCom would refuse", (update("ops", remove=["zed"]),), "cannot be made"),
    ("a rename the after does not show", (update("ops", name="Other", add=["dave"]),), "name it 'Other'"),
])
def test_a_change_refuses_calls_that_do_not_reach_after(name, calls, words):
    before = ChatState("Ops", "alice", ("alice", "bob"))
    after = ChatState("Ops", "alice", ("alice", "bob", "dave"))
    with pytest.raises(InconsistentPlan, match=words):
        Change("ops", Action.UPDATE, "f.yaml:1", before, after, calls)


def test_an_unchanged_chat_has_no_drift_and_no_change():
    chat = live("q", ["alice", "bob"], owner="alice", name="x")
    before = state_of(chat)
    assert make_plan([desired("q", ["alice", "bob"], owner="alice", name="x")], {"q": chat}).changes == ()
    assert drift(before, state_of(chat)) == []
    assert drift(before, ChatState("x", "alice", ("alice",))) == ["members left since the plan: bob"]


def test_drift_explanation_names_every_difference():
    before = ChatState("Ops", "alice", ("alice", "bob", "carol"))
    now = ChatState("Ops!", "bob", ("alice", "bob", "dave"))
    text = "\n".join(drift(before, now))
    assert "name: 'Ops' -> 'Ops!' since the plan" in text
    assert "owner: 'alice' -> 'bob'" in text
    assert "joined since the plan: dave" in text
    assert "left since the plan: carol" in text
    assert "now exists" in drift(None, now)[0]
    assert "no longer exists" in drift(before, None)[0]


def test_each_call_of_a_two_call_change_is_a_step_towards_after():
    plan = make_plan([desired("t", ["bob", "zed"], owner="zed", name="New")],
                     {"t": live("t", ["alice", "bob"], owner="alice", name="Old")})
    change = plan.changes[0]
    middle = apply_call(change.before, change.calls[0])
    assert middle == ChatState("Old", "alice", ("alice", "bob", "zed"))  # the new owner joins first
    assert apply_call(middle, change.calls[1]) == change.after


def test_the_three_wordings_of_a_difference_name_exactly_what_difference_finds():
    """The plan's consistency check, apply's read back and the stale check
    word one difference (core.state.difference): the same people, the same
    name and owner, whatever the wording."""
    before = ChatState("Ops", "alice", ("Alice", "bob", "carol"))
    now = ChatState("Ops!", "bob", ("alice", "bob", "dave"))
    exact, folded = difference(now, before), difference(now, before, ignore_case=True)
    assert exact == Difference(("alice", "dave"), ("Alice", "carol"), ("Ops!", "Ops"), ("bob", "alice"))
    assert folded == Difference(("dave",), ("carol",), ("Ops!", "Ops"), ("bob", "alice"))
    assert not difference(now, now)
    assert not difference(before, ChatState("Ops", "ALICE", before.members), ignore_case=True)
    assert drift(before, now) == ["name: 'Ops' -> 'Ops!' since the plan", "owner: 'alice' -> 'bob' since the plan",
                                  "members joined since the plan: alice, dave",
                                  "members left since the plan: Alice, carol"]
    assert _difference(now, before) == ("they also add alice, dave; they also remove Alice, carol; "
                                        "they name it 'Ops!', not 'Ops'; they make 'bob' owner, not 'alice'")
    assert unlike(now, before) == "also has dave; lacks carol; is named 'Ops!', not 'Ops'; is owned by bob, not alice"


def _functions_of_two_chat_states():
    """(module, function, calls difference?) for every function of the
    package that takes two chat states."""
    root = Path(reconciler.__file__).parent
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                states = [a for a in node.args.args + node.args.kwonlyargs
                          if a.annotation is not None and "ChatState" in ast.unparse(a.annotation)]
                if len(states) >= 2:
                    calls = {n.func.id for n in ast.walk(node)
                             if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
                    yield path.relative_to(root).as_posix(), node.name, "difference" in calls


def test_one_difference_of_chat_states_lives_in_core_state():
    """Every function that takes two chat states and says how they differ
    goes through core.state.difference: no second set of comparisons (and no
    second engine such as DeepDiff) to drift apart from it."""
    found = list(_functions_of_two_chat_states())
    assert ("core/state.py", "difference", False) in found
    assert {(m, f) for m, f, _ in found} >= {("core/plan.py", "_difference"), ("app/reread.py", "unlike"),
                                             ("core/state.py", "drift")}
    assert [(m, f) for m, f, uses in found if not uses and f != "difference"] == []
    root = Path(reconciler.__file__).parent
    assert not [p for p in root.rglob("*.py") if "deepdiff" in p.read_text(encoding="utf-8").lower()]
