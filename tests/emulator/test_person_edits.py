"""POST /_emulator/chats/<id>: a person changes a chat in the WeCom client
(members, name, owner), which is how a test, a demo or a newcomer makes
drift by hand. Not an API call: not in the call log, no quota spent."""

from __future__ import annotations

import pytest
import requests

from tests.helpers import RawApi

SEED = {"users": ["alice", "bob", "carol", "dave", "mallory"],
        "chats": [{"chatid": "sre", "name": "SRE", "owner": "alice", "userlist": ["alice", "bob", "carol"]}],
        "foreign_chats": [{"chatid": "legacy", "name": "Old", "owner": "bob", "userlist": ["bob", "carol"]}]}


@pytest.fixture
def emu(emulator_factory):
    return emulator_factory(seed=SEED)


def _edit(emu, chat_id, body):
    return requests.post(emu.admin_url + f"chats/{chat_id}", json=body, timeout=10)


def test_add_remove_and_rename_over_http(emu):
    answer = _edit(emu, "sre", {"add": ["mallory"], "remove": ["carol"], "name": "SRE (old)"})
    assert answer.status_code == 200
    assert answer.json() == {"chatid": "sre", "name": "SRE (old)", "owner": "alice",
                             "userlist": ["alice", "bob", "mallory"], "foreign": False}
    # what the API reads afterwards
    info = RawApi(emu).get("sre")["chat_info"]
    assert (info["name"], sorted(info["userlist"])) == ("SRE (old)", ["alice", "bob", "mallory"])


def test_a_person_edit_is_not_an_api_call(emu):
    emu.set_limits(changes_per_hour=1)
    _edit(emu, "sre", {"add": ["dave"]})
    assert emu.calls() == []
    # the one change this hour is still there for the app
    assert RawApi(emu).update("sre", add_user_list=["mallory"])["errcode"] == 0


def test_new_owner_and_the_owner_leaving(emu):
    assert _edit(emu, "sre", {"owner": "bob", "remove": ["alice"]}).json()["owner"] == "bob"
    refused = _edit(emu, "sre", {"remove": ["bob"]})
    assert refused.status_code == 400 and "86005" in refused.json()["error"]


def test_another_apps_chat_can_be_changed_by_a_person(emu):
    assert _edit(emu, "legacy", {"add": ["dave"]}).json()["userlist"] == ["bob", "carol", "dave"]
    assert emu.chat("legacy")["foreign"] is True


@pytest.mark.parametrize("body, words", [
    ({"add": ["x y"]}, "40003"),
    ({"add": ["zed"]}, "86216"),               # not in the directory
    ({"remove": ["dave"]}, "86216"),           # not a member
    ({"name": ""}, "86004"),
    ({"remove": ["bob", "carol"]}, "86006"),   # one member left
    ({"members": ["alice"]}, "unknown field(s) members"),
])
def test_refused_edits_change_nothing(emu, body, words):
    before = emu.chat("sre")
    answer = _edit(emu, "sre", body)
    assert answer.status_code == 400 and words in answer.json()["error"]
    assert emu.chat("sre") == before


def test_unknown_chat_is_404(emu):
    assert _edit(emu, "nosuch", {"add": ["dave"]}).status_code == 404


def test_from_python(emu):
    assert emu.edit_chat("sre", add=["Dave"])["userlist"] == ["alice", "bob", "carol", "dave"]
    with pytest.raises(ValueError, match="86216"):
        emu.edit_chat("sre", remove=["zed"])
    assert emu.edit_chat("nosuch", add=["dave"]) is None
