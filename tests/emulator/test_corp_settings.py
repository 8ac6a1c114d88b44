"""The corp's own settings over HTTP: an admin's member cap below 2000
(86006 past it) and an app not visible to the root department (48002 on
create), and what `appchat apply` says when it meets them."""

from __future__ import annotations

import pytest

from reconciler.emulator import Emulator, EmulatorConfig
from tests.helpers import RawApi, env_for, run_cli

PEOPLE = [f"u{i}" for i in range(8)]


def test_a_member_cap_below_2000_refuses_a_create_or_an_addition_past_it(emulator_factory):
    emu = emulator_factory(member_cap=5)
    api = RawApi(emu)
    assert api.create("big", owner="u0", userlist=PEOPLE[:6])["errcode"] == 86006
    assert emu.chat("big") is None
    assert api.create("team", owner="u0", userlist=PEOPLE[:5])["errcode"] == 0
    assert api.update("team", add_user_list=["u5"])["errcode"] == 86006
    assert emu.chat("team")["userlist"] == PEOPLE[:5]
    assert api.update("team", add_user_list=["u5"], del_user_list=["u1"])["errcode"] == 0  # still 5


def test_a_chat_over_a_cap_set_later_may_lose_members_but_not_grow(emulator_factory):
    seed = {"chats": [{"chatid": "old", "name": "Old", "owner": "u0", "userlist": PEOPLE[:7]}]}
    emu = emulator_factory(member_cap=5, seed=seed)
    api = RawApi(emu)
    assert api.update("old", del_user_list=["u6"])["errcode"] == 0
    assert api.update("old", add_user_list=["u7"], del_user_list=["u5"])["errcode"] == 86006
    assert emu.chat("old")["userlist"] == PEOPLE[:6]


@pytest.mark.parametrize("cap", [4, 2001, True])
def test_a_member_cap_outside_5_to_2000_is_refused(cap):
    with pytest.raises(ValueError, match="between 5 and 2000"):
        Emulator(EmulatorConfig(member_cap=cap))


def test_the_member_cap_option_outside_its_range_is_one_line_and_exit_1():
    code, out, err = run_cli(["emulator", "--member-cap", "3"], timeout=30)
    assert code == 1 and out == ""
    assert err.strip().splitlines() == ["appchat emulator: error: member cap 3: a corp admin sets it between 5 and 2000"]


def test_an_app_not_visible_to_the_root_department_cannot_create_chats(emulator_factory):
    seed = {"chats": [{"chatid": "old", "name": "Old", "owner": "u0", "userlist": PEOPLE[:2]}]}
    emu = emulator_factory(visible_to_root=False, seed=seed)
    api = RawApi(emu)
    assert api.create("team", owner="u0", userlist=PEOPLE[:2])["errcode"] == 48002
    assert emu.chat_ids() == ["old"]
    # Only create is documented to answer 48002: the rest of the chat API still answers.
    assert api.get("old")["errcode"] == 0
    assert api.update("old", add_user_list=["u2"])["errcode"] == 0


def _chat_file(tmp_path, members) -> str:
    (tmp_path / "chats").mkdir()
    listed = ", ".join(members)
    (tmp_path / "chats" / "team.yaml").write_text(
        f"chats:\n  team:\n    name: Team\n    owner: {members[0]}\n    members: [{listed}]\n", encoding="utf-8")
    return str(tmp_path / "chats")


def test_apply_against_an_app_not_visible_to_the_root_fails_the_create_with_48002(emulator_factory, tmp_path):
    emu = emulator_factory(visible_to_root=False)
    code, out, err = run_cli(["apply", "--yes", _chat_file(tmp_path, PEOPLE[:3])], env_for(emu))
    assert code == 1
    assert "failed   create team" in out and "errcode 48002" in out
    assert emu.chat_ids() == []


def test_apply_past_the_admins_member_cap_fails_that_chat_with_86006(emulator_factory, tmp_path):
    emu = emulator_factory(member_cap=5)
    code, out, err = run_cli(["apply", "--yes", _chat_file(tmp_path, PEOPLE[:6])], env_for(emu))
    assert code == 1
    assert "failed   create team" in out and "errcode 86006" in out
    assert emu.chat_ids() == []
