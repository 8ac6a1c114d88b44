"""WeCom tells users apart ignoring letter case (create-member doc 90195), and
so does the emulator, over HTTP: `Alice` and `alice` are one user whether
they meet in one userlist, in an update, as an owner or in the directory."""

from __future__ import annotations

import pytest

from tests.helpers import RawApi


@pytest.fixture
def api(emulator):
    return RawApi(emulator)


def _members(api, chat_id="team"):
    info = api.get(chat_id)["chat_info"]
    return info["owner"], sorted(info["userlist"])


def test_one_userlist_with_two_spellings_is_one_member(api, emulator):
    assert api.create("team", "Team", "alice", ["Alice", "alice", "bob", "BOB"])["errcode"] == 0
    # the first spelling stays; the owner is the member as the chat spells it
    assert _members(api) == ("Alice", ["Alice", "bob"])
    # two spellings of one user are one member: below WeCom's minimum of 2
    assert api.create("solo", "Solo", "carol", ["carol", "Carol"])["errcode"] == 86006
    assert emulator.chat("solo") is None


def test_adding_a_member_in_another_case_changes_nothing(api, emulator):
    api.create("team", "Team", "Alice", ["Alice", "bob"])
    assert api.update("team", add_user_list=["alice", "BOB"])["errcode"] == 0
    assert _members(api) == ("Alice", ["Alice", "bob"])


def test_removing_in_another_case_removes_the_member(api):
    api.create("team", "Team", "bob", ["Alice", "bob", "carol"])
    assert api.update("team", del_user_list=["ALICE"])["errcode"] == 0
    assert _members(api) == ("bob", ["bob", "carol"])
    # gone now in every spelling: removing again is "not in the chat"
    assert api.update("team", del_user_list=["alice"])["errcode"] == 86216


def test_owner_in_another_case_is_the_member(api):
    api.create("team", "Team", "bob", ["Alice", "bob", "carol"])
    assert api.update("team", owner="ALICE")["errcode"] == 0
    assert _members(api) == ("Alice", ["Alice", "bob", "carol"])
    # adding and removing one user in two spellings is still a contradiction
    assert api.update("team", add_user_list=["Carol"], del_user_list=["carol"])["errcode"] == 86007
    # removing the owner under another spelling needs a new owner, like any removal of the owner
    assert api.update("team", del_user_list=["alice"])["errcode"] == 86005


def test_a_seeded_directory_admits_any_spelling_and_keeps_its_own(emulator_factory):
    emu = emulator_factory(seed={"users": ["Alice", "bob", "carol"]})
    api = RawApi(emu)
    assert api.create("team", "Team", "alice", ["alice", "BOB"])["errcode"] == 0
    # stored as the directory spells its users, as WeCom returns them
    assert _members(api) == ("Alice", ["Alice", "bob"])
    assert api.update("team", add_user_list=["CAROL"])["errcode"] == 0
    assert sorted(emu.chat("team")["userlist"]) == ["Alice", "bob", "carol"]
    assert api.update("team", add_user_list=["dave"])["errcode"] == 86216  # not in the directory, in any case


def test_seeded_chats_merge_spellings(emulator_factory):
    emu = emulator_factory(seed={"users": ["alice", "bob"],  # a seed naming one user twice is refused
                                 "chats": [{"chatid": "team", "name": "T", "owner": "BOB",
                                            "userlist": ["bob", "alice", "ALICE"]}]})
    assert emu.chat("team")["userlist"] == ["bob", "alice"]
    assert emu.chat("team")["owner"] == "bob"
    assert RawApi(emu).create("x", "X", "alice", ["ALICE", "Bob"])["errcode"] == 0
    assert sorted(emu.chat("x")["userlist"]) == ["alice", "bob"]  # the directory's first spelling
