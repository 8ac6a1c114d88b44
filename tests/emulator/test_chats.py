"""appchat/create, appchat/get and appchat/update rules, over HTTP."""

import pytest
from tests.helpers import RawApi

DIRECTORY = ["alice", "bob", "carol", "dave", "erin"]


@pytest.fixture
def emu(emulator_factory):
    return emulator_factory(seed={
        "users": DIRECTORY,
        "foreign_chats": [{"chatid": "legacy", "name": "Legacy", "owner": "alice", "userlist": ["alice", "bob"]}],
    })


@pytest.fixture
def api(emu):
    return RawApi(emu)


@pytest.fixture
def team(api):
    assert api.create("team", "Team", "alice", ["alice", "bob", "carol"])["errcode"] == 0
    return "team"


# -- create -------------------------------------------------------------------

def test_create_then_get_round_trip(api, emu):
    answer = api.create("team", "研发 Team", "bob", ["alice", "bob"])
    assert answer == {"errcode": 0, "errmsg": "ok", "chatid": "team"}
    info = api.get("team")
    assert info["errcode"] == 0
    assert info["chat_info"] == {"chatid": "team", "name": "研发 Team", "owner": "bob",
                                 "userlist": ["alice", "bob"], "chat_type": 0}
    assert emu.chat("team")["owner"] == "bob"


def test_create_without_chatid_makes_one_up(api):
    answer = api.create(None)
    assert answer["errcode"] == 0
    chatid = answer["chatid"]
    assert chatid.isalnum() and 1 <= len(chatid) <= 32
    assert api.get(chatid)["chat_info"]["userlist"] == ["alice", "bob"]


def test_create_without_owner_picks_a_member(api):
    assert api.create("team", owner=None, userlist=["carol", "dave"])["errcode"] == 0
    assert api.get("team")["chat_info"]["owner"] in {"carol", "dave"}


@pytest.mark.parametrize("chatid, code", [
    ("a" * 32, 0),
    ("a" * 33, 86205),
    ("has-dash", 86001),
    ("team\n", 86001),
    ("has space", 86001),
    ("中文", 86001),
    ("", 86001),
    (123, 86001),
])
def test_create_chat_id_rules(api, chatid, code):
    assert api.create(chatid)["errcode"] == code


def test_create_duplicate_is_86215(api, team):
    assert api.create(team)["errcode"] == 86215


def test_create_over_a_foreign_chat_is_86215(api):
    assert api.create("legacy")["errcode"] == 86215


@pytest.mark.parametrize("name, code", [("x" * 50, 0), ("字" * 50, 0), ("x" * 51, 86004), ("", 86004), (7, 86004)])
def test_create_name_rules(api, name, code):
    assert api.create("team", name=name)["errcode"] == code


@pytest.mark.parametrize("userlist, code", [
    (["alice"], 86006),
    ([], 86006),
    (["alice", "alice"], 86006),   # duplicates merge: one member
    (["alice", "bob"], 0),
])
def test_create_member_count(api, userlist, code):
    assert api.create("team", owner="alice", userlist=userlist)["errcode"] == code


def test_create_2000_members_ok_2001_not(emulator_factory):
    emu = emulator_factory()  # open directory: any well-formed id exists
    api = RawApi(emu)
    users = [f"u{i}" for i in range(2001)]
    assert api.create("big", owner="u0", userlist=users)["errcode"] == 86006
    assert api.create("big", owner="u0", userlist=users[:2000])["errcode"] == 0
    assert api.update("big", add_user_list=["u2000"])["errcode"] == 86006
    assert len(emu.chat("big")["userlist"]) == 2000


def test_create_userlist_missing_or_not_a_list(api):
    assert api.post("appchat/create", {"chatid": "team", "owner": "alice"})["errcode"] == 86006
    assert api.post("appchat/create", {"chatid": "team", "userlist": "alice,bob"})["errcode"] == 47001


def test_create_owner_not_member_is_86207(api):
    assert api.create("team", owner="carol", userlist=["alice", "bob"])["errcode"] == 86207


def test_create_malformed_owner_is_86005(api):
    assert api.create("team", owner="not valid!", userlist=["alice", "bob"])["errcode"] == 86005


def test_create_malformed_user_id_is_40003(api):
    assert api.create("team", owner="alice", userlist=["alice", "bad id"])["errcode"] == 40003
    assert api.create("team", owner="alice", userlist=["alice", "x" * 65])["errcode"] == 40003


def test_create_user_outside_directory_is_86216(api, emu):
    assert api.create("team", owner="alice", userlist=["alice", "zed"])["errcode"] == 86216
    assert emu.chat("team") is None


def test_open_directory_accepts_any_well_formed_id(emulator_factory):
    api = RawApi(emulator_factory())
    assert api.create("team", owner="anyone.1", userlist=["anyone.1", "some_body-2"])["errcode"] == 0


# -- get ------------------------------------------------------------------------

def test_get_unknown_is_86003(api):
    assert api.get("nosuchchat")["errcode"] == 86003


def test_get_foreign_is_86008(api):
    assert api.get("legacy")["errcode"] == 86008


@pytest.mark.parametrize("chatid, code", [("", 86001), ("bad-id", 86001), ("a" * 33, 86205)])
def test_get_invalid_chat_id(api, chatid, code):
    assert api.get(chatid)["errcode"] == code


def test_get_without_chatid_is_86001(api, emu):
    answer = api.http.get(emu.base_url + "appchat/get", params={"access_token": api.login()}).json()
    assert answer["errcode"] == 86001


# -- update -----------------------------------------------------------------------

def test_update_adds_removes_and_renames(api, emu, team):
    answer = api.update(team, name="New name", add_user_list=["dave"], del_user_list=["carol"])
    assert answer == {"errcode": 0, "errmsg": "ok"}
    chat = emu.chat(team)
    assert chat["name"] == "New name"
    assert sorted(chat["userlist"]) == ["alice", "bob", "dave"]
    assert chat["owner"] == "alice"


def test_update_with_only_chatid_changes_nothing(api, emu, team):
    before = emu.chat(team)
    assert api.update(team)["errcode"] == 0
    assert emu.chat(team) == before


def test_update_adding_an_existing_member_is_harmless(api, emu, team):
    assert api.update(team, add_user_list=["bob"])["errcode"] == 0
    assert sorted(emu.chat(team)["userlist"]) == ["alice", "bob", "carol"]


def test_update_unknown_chat_is_86003(api):
    assert api.update("nosuch", name="x")["errcode"] == 86003


def test_update_foreign_chat_is_86008(api, emu):
    assert api.update("legacy", add_user_list=["carol"])["errcode"] == 86008
    assert emu.chat("legacy")["userlist"] == ["alice", "bob"]


def test_send_to_foreign_chat_is_86008(api):
    assert api.send("legacy")["errcode"] == 86008


def test_removing_a_non_member_is_86216(api, emu, team):
    assert api.update(team, del_user_list=["dave"])["errcode"] == 86216


def test_adding_a_user_outside_the_directory_is_86216(api, emu, team):
    assert api.update(team, add_user_list=["zed"])["errcode"] == 86216
    assert "zed" not in emu.chat(team)["userlist"]


def test_malformed_user_ids_in_update_are_40003(api, team):
    assert api.update(team, add_user_list=["bad id"])["errcode"] == 40003
    assert api.update(team, del_user_list=["bad/id"])["errcode"] == 40003


def test_same_user_added_and_removed_is_86007(api, team):
    assert api.update(team, add_user_list=["dave"], del_user_list=["dave"])["errcode"] == 86007


def test_removing_the_owner_needs_owner(api, emu, team):
    assert api.update(team, del_user_list=["alice"])["errcode"] == 86005
    assert emu.chat(team)["owner"] == "alice"
    assert api.update(team, owner="bob", del_user_list=["alice"])["errcode"] == 0
    assert emu.chat(team)["owner"] == "bob"
    assert "alice" not in emu.chat(team)["userlist"]


def test_new_owner_must_already_be_a_member(api, emu, team):
    # Conservative project rule: not even someone the same call adds.
    assert api.update(team, owner="dave")["errcode"] == 86207
    assert api.update(team, owner="dave", add_user_list=["dave"])["errcode"] == 86207
    assert "dave" not in emu.chat(team)["userlist"]
    assert api.update(team, add_user_list=["dave"])["errcode"] == 0
    assert api.update(team, owner="dave")["errcode"] == 0
    assert emu.chat(team)["owner"] == "dave"


def test_new_owner_cannot_be_leaving(api, team):
    assert api.update(team, owner="bob", del_user_list=["bob"])["errcode"] == 86207


def test_update_below_two_members_is_86006(api, emu, team):
    assert api.update(team, del_user_list=["bob", "carol"])["errcode"] == 86006
    assert len(emu.chat(team)["userlist"]) == 3


@pytest.mark.parametrize("name", ["", "y" * 51])
def test_update_bad_name_is_86004(api, emu, team, name):
    assert api.update(team, name=name)["errcode"] == 86004
    assert emu.chat(team)["name"] == "Team"


def test_member_left_directory_can_still_be_removed(emulator_factory):
    emu = emulator_factory(seed={"users": ["alice", "bob"], "chats": [
        {"chatid": "old", "name": "Old", "owner": "alice", "userlist": ["alice", "bob", "gone"]}]})
    api = RawApi(emu)
    assert api.update("old", del_user_list=["gone"])["errcode"] == 0
    assert api.update("old", add_user_list=["gone"])["errcode"] == 86216


@pytest.mark.parametrize("errcode", [86216, 40003])
def test_the_departed_switch_refuses_removing_someone_who_left(emulator_factory, errcode):
    emu = emulator_factory(departed_removal_errcode=errcode, seed={"users": ["alice", "bob", "carol"], "chats": [
        {"chatid": "old", "name": "Old", "owner": "alice", "userlist": ["alice", "bob", "gone"]}]})
    api = RawApi(emu)
    # the whole call is refused, as WeCom's update names no culprit
    assert api.update("old", add_user_list=["carol"], del_user_list=["gone"])["errcode"] == errcode
    assert sorted(emu.chat("old")["userlist"]) == ["alice", "bob", "gone"]
    assert api.update("old", del_user_list=["bob"])["errcode"] == 0  # someone still here goes as ever
    assert api.update("old", add_user_list=["zed"])["errcode"] == 86216  # an unknown addition, as before
    assert api.get("old")["chat_info"]["userlist"] == ["alice", "gone"]


def test_the_departed_switch_takes_only_the_two_plausible_answers(emulator_factory):
    with pytest.raises(ValueError, match="departed_removal_errcode"):
        emulator_factory(departed_removal_errcode=60111)


def test_a_failed_update_changes_nothing(api, emu, team):
    before = emu.chat(team)
    assert api.update(team, name="Renamed", add_user_list=["dave"], del_user_list=["zed"])["errcode"] == 86216
    assert emu.chat(team) == before
