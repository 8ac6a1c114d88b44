"""core.refusal: which ids of a refused write explain WeCom's 86216/40003,
what is left of the call without them, and what the user is told. Pure."""

from __future__ import annotations

from reconciler.core import call as calls
from reconciler.core.refusal import (ADD, OWNER, REMOVE, Refused, UserCheck, find_refused, ids_of, plan_again,
                                     refusal_message, without)
from reconciler.core.state import ChatState

NOW = ChatState("Team", "alice", ("alice", "bob", "zoe"))
LEFT = UserCheck("zoe", errcode=60111)


def _ok(user: str) -> UserCheck:
    return UserCheck(user, status=1, name=user.title())


def test_ids_of_a_call_are_every_listed_id_once_and_the_owner():
    call = calls.update("team", owner="bob", add=["carol"], remove=["zoe", "Carol"])
    assert ids_of(call.body) == ["carol", "zoe", "bob"]


def test_a_departed_removal_and_an_unknown_addition_are_found_and_nothing_else():
    call = calls.update("team", add=["carol", "ghost"], remove=["zoe", "bob"])
    checks = {"carol": _ok("carol"), "ghost": UserCheck("ghost", errcode=60111), "zoe": LEFT, "bob": _ok("bob")}
    found = find_refused(call, NOW, checks)
    assert [(r.user_id, r.change) for r in found] == [("ghost", ADD), ("zoe", REMOVE)]
    assert [r.is_error for r in found] == [True, False]


def test_status_5_is_someone_who_left_even_when_user_get_answers():
    call = calls.update("team", remove=["zoe"])
    (found,) = find_refused(call, NOW, {"zoe": UserCheck("zoe", status=5, name="Zoe")})
    assert found == Refused("zoe", REMOVE, "has left the company (user/get: status 5)", "Zoe")


def test_a_removal_of_someone_no_longer_in_the_chat_is_found_from_the_re_read():
    call = calls.update("team", remove=["dave"])
    (found,) = find_refused(call, NOW, {"dave": _ok("dave")})
    assert found.change == REMOVE and "not in the chat" in found.reason


def test_an_unreadable_user_is_never_blamed():
    call = calls.update("team", add=["carol"])
    assert find_refused(call, NOW, {"carol": UserCheck("carol", unreadable="timed out")}) == []


def test_the_resend_carries_only_what_the_call_carried_less_the_refused():
    call = calls.update("team", name="New", add=["carol", "ghost"], remove=["zoe"])
    refused = [Refused("ghost", ADD, "x"), Refused("zoe", REMOVE, "y")]
    assert without(call, refused).body == {"chatid": "team", "name": "New", "add_user_list": ["carol"]}


def test_nothing_is_resent_when_nothing_is_left_a_new_owner_was_refused_or_it_is_a_create():
    assert without(calls.update("team", remove=["zoe"]), [Refused("zoe", REMOVE, "y")]) is None
    owner = calls.update("team", owner="ghost", remove=["alice"])
    assert without(owner, [Refused("ghost", OWNER, "x")]) is None
    create = calls.create("fresh", "Fresh", "alice", ["alice", "bob", "ghost"])
    assert without(create, [Refused("ghost", ADD, "x")]) is None


def test_a_create_names_its_unknown_members():
    create = calls.create("fresh", "Fresh", "alice", ["alice", "ghost"])
    found = find_refused(create, None, {"alice": _ok("alice"), "ghost": UserCheck("ghost", errcode=60111)})
    assert [(r.user_id, r.change) for r in found] == [("ghost", ADD)]


def test_the_message_names_each_id_and_the_step_that_helps():
    added = refusal_message([Refused("ghost", ADD, "is not in WeCom's directory")], saved=False)
    assert "add ghost: is not in WeCom's directory" in added
    assert "--check-users" in added and added.endswith("run apply again")
    saved = refusal_message([Refused("ghost", ADD, "x")], saved=True)
    assert "plan again" in saved and "run apply again" not in saved
    removal = refusal_message([Refused("zoe", REMOVE, "has left", "Zoe")], saved=True)
    assert "remove zoe (Zoe): has left" in removal and "converged without" in removal
    assert "--check-users" not in removal
    assert plan_again(True) != plan_again(False)
