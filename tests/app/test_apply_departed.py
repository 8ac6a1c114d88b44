"""People who have left (issue 20, items 2 and 3; contract, `apply`): an
appchat/update refused with 86216 or 40003 because of some of its user ids
is sent once more without them, the rest of the chat's change lands, and
the report names each refused id and why. A refused removal of someone who
left is a warning (exit 0); a refused addition is an error (exit 1) whose
message names the id and suggests --check-users, or after `apply --plan`
says to plan again. End to end over HTTP against the emulator, whose
--departed-removal-errcode switch gives either answer."""

from __future__ import annotations

import json

import pytest

from tests.app.support import chat, run, start_apply_env, state, writes

DIRECTORY = ["alice", "bob", "carol", "dave"]  # zoe has left: in the chat, no longer in the directory
SEED = {"users": DIRECTORY, "chats": [chat("team", ["alice", "bob", "zoe"], owner="alice"),
                                       chat("other", ["alice", "bob", "zoe"], owner="alice")]}


def _updates(emu) -> list[dict]:
    return [c for c in writes(emu) if c["path"] == "appchat/update"]


@pytest.mark.parametrize("errcode", [86216, 40003])
def test_a_departed_member_never_blocks_the_rest_of_the_chat(errcode, emulator_factory, monkeypatch, tmp_path,
                                                             capsys):
    emu = start_apply_env(emulator_factory, monkeypatch, tmp_path, SEED,
                          [chat("team", ["alice", "bob", "carol"], owner="alice"),
                           chat("other", ["alice", "carol"], owner="alice")],
                          departed_removal_errcode=errcode)
    r = run(capsys, "apply", "--yes", "--format", "json", "chats")
    assert r.code == 0, r.out  # a refused removal of someone who left is a warning
    outcomes = {o["chat_id"]: o for o in r.json()["outcomes"]}
    # the other changes of each chat landed; zoe stays, as WeCom would not remove her
    assert state(emu, "team")["userlist"] == ["alice", "bob", "carol", "zoe"]
    assert state(emu, "other")["userlist"] == ["alice", "carol", "zoe"]
    for chat_id in ("team", "other"):
        o = outcomes[chat_id]
        assert o["status"] == "applied" and o["verified"] is True
        assert [(x["user_id"], x["change"]) for x in o["refused"]] == [("zoe", "remove")]
        assert "zoe" in o["message"] and "user/get 60111" in o["refused"][0]["reason"]
    assert "warning: team: WeCom refused to remove zoe" in r.err
    # each chat: the refused call, then once more without zoe (never by halves)
    team = [c["body"] for c in _updates(emu) if c["body"]["chatid"] == "team"]
    assert team == [{"chatid": "team", "add_user_list": ["carol"], "del_user_list": ["zoe"]},
                    {"chatid": "team", "add_user_list": ["carol"]}]
    asked = sorted(c["query"]["userid"] for c in emu.calls() if c["path"] == "user/get")
    assert asked == sorted(["carol", "zoe", "bob", "carol", "zoe"])  # each id of each refused call


def test_the_text_report_names_the_departed_id(emulator_factory, monkeypatch, tmp_path, capsys):
    emu = start_apply_env(emulator_factory, monkeypatch, tmp_path, SEED,
                          [chat("team", ["alice", "bob", "carol"], owner="alice")],
                          departed_removal_errcode=86216)
    r = run(capsys, "apply", "--yes", "--target", "team", "chats")
    assert r.code == 0, r.err
    line = next(x for x in r.out.splitlines() if "team" in x and "applied" in x)
    assert "warning: WeCom refused to remove zoe: is not in WeCom's directory" in line
    assert "converged without these removals" in line
    assert state(emu, "team")["userlist"] == ["alice", "bob", "carol", "zoe"]


def test_a_removal_that_only_names_a_departed_member_sends_nothing_more(emulator_factory, monkeypatch,
                                                                        tmp_path, capsys):
    emu = start_apply_env(emulator_factory, monkeypatch, tmp_path, SEED,
                          [chat("team", ["alice", "bob"], owner="alice")], departed_removal_errcode=40003)
    r = run(capsys, "apply", "--yes", "--target", "team", "--format", "json", "chats")
    assert r.code == 0, r.err
    assert len(_updates(emu)) == 1  # the refused one; nothing is left to resend
    (o,) = r.json()["outcomes"]
    assert o["status"] == "applied" and o["refused"][0]["user_id"] == "zoe"


def test_a_refused_addition_lands_the_rest_and_fails_naming_the_id(emulator_factory, monkeypatch, tmp_path,
                                                                    capsys):
    emu = start_apply_env(emulator_factory, monkeypatch, tmp_path, SEED,
                          [chat("team", ["alice", "bob", "carol", "ghost", "zoe"], owner="alice")])
    r = run(capsys, "apply", "--yes", "--target", "team", "chats")
    assert r.code == 1  # the files need fixing
    assert state(emu, "team")["userlist"] == ["alice", "bob", "carol", "zoe"]  # carol joined all the same
    line = next(x for x in r.out.splitlines() if "team" in x and "failed" in x)
    assert "add ghost" in line and "--check-users" in line and "run apply again" in line
    assert "Fix the chat files where WeCom refused a user id" in r.out
    assert [c["body"] for c in _updates(emu)][-1] == {"chatid": "team", "add_user_list": ["carol"]}


def test_a_create_with_an_unknown_user_names_it_and_suggests_check_users(emulator_factory, monkeypatch,
                                                                          tmp_path, capsys):
    emu = start_apply_env(emulator_factory, monkeypatch, tmp_path, SEED,
                          [chat("fresh", ["alice", "ghost"], owner="alice")])
    r = run(capsys, "apply", "--yes", "--target", "fresh", "--format", "json", "chats")
    assert r.code == 1
    (o,) = r.json()["outcomes"]
    assert o["status"] == "failed" and o["errcode"] == 86216
    assert [(x["user_id"], x["change"]) for x in o["refused"]] == [("ghost", "add")]
    assert "ghost" in o["message"] and "--check-users" in o["message"]
    assert "run apply again" in o["message"]
    assert state(emu, "fresh") is None
    assert len([c for c in writes(emu) if c["path"] == "appchat/create"]) == 1  # a create is never resent short


def test_after_a_saved_plan_the_hint_is_to_plan_again(emulator_factory, monkeypatch, tmp_path, capsys):
    start_apply_env(emulator_factory, monkeypatch, tmp_path, SEED,
                    [chat("fresh", ["alice", "ghost"], owner="alice")])
    assert run(capsys, "plan", "--target", "fresh", "--out", "plan.json", "chats").code == 0
    r = run(capsys, "apply", "--plan", "plan.json")
    assert r.code == 1
    line = next(x for x in r.out.splitlines() if "fresh" in x and "failed" in x)
    assert "ghost" in line and "--check-users" in line and "plan again" in line
    assert "run apply again" not in r.out.lower()
    assert "this saved plan is not to be re-run" in r.out


def test_a_saved_plan_resends_only_ids_it_carried(emulator_factory, monkeypatch, tmp_path, capsys):
    emu = start_apply_env(emulator_factory, monkeypatch, tmp_path, SEED,
                          [chat("team", ["alice", "carol"], owner="alice")], departed_removal_errcode=86216)
    assert run(capsys, "plan", "--target", "team", "--out", "plan.json", "chats").code == 0
    planned = json.loads((tmp_path / "plan.json").read_text())["changes"][0]["calls"][0]["body"]
    r = run(capsys, "apply", "--plan", "plan.json", "--format", "json")
    assert r.code == 0, r.err
    resend = _updates(emu)[-1]["body"]
    assert resend == {"chatid": "team", "add_user_list": ["carol"], "del_user_list": ["bob"]}
    for key, ids in resend.items():
        assert key == "chatid" or set(ids) <= set(planned[key])
    assert state(emu, "team")["userlist"] == ["alice", "carol", "zoe"]


def test_a_resend_counts_against_the_hourly_budget_of_chat_changes():
    from types import SimpleNamespace

    from reconciler.app.refusals import Budget
    from reconciler.core.facts import CHAT_CHANGES_PER_HOUR

    def plan_of(n: int) -> list:
        return [SimpleNamespace(calls=[SimpleNamespace(path="appchat/update")] * n)]

    assert Budget(plan_of(CHAT_CHANGES_PER_HOUR)).take() is False  # the plan spends it all: no resend
    budget = Budget(plan_of(CHAT_CHANGES_PER_HOUR - 1))
    assert budget.take() is True and budget.take() is False
