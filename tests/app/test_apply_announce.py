"""`apply --announce`: one markdown message per updated chat, read back
from what the emulator's appchat/send accepted."""

from __future__ import annotations

import pytest

from tests.app.support import chat, run, state, start_apply_env, writes

SEED = {"chats": [
    chat("team", ["alice", "bob", "dave"], owner="alice", name="Team"),
    chat("quiet", ["alice", "bob"], owner="alice", name="Quiet"),
]}
DESIRED = [
    chat("team", ["alice", "bob", "carol", "erin"], owner="alice", name="Team"),  # +carol +erin -dave
    chat("quiet", ["alice", "bob"], owner="alice", name="Quiet"),                 # unchanged
    chat("fresh", ["gina", "hank"], owner="gina", name="Fresh"),                  # created
]


@pytest.fixture
def emu(emulator_factory, monkeypatch, tmp_path):
    return start_apply_env(emulator_factory, monkeypatch, tmp_path, SEED, DESIRED)


def test_updated_chat_is_told_who_joined_and_who_left(emu, capsys):
    r = run(capsys, "apply", "--yes", "--announce", "chats")
    assert r.code == 0, r.err
    messages = emu.messages()
    assert [m["chatid"] for m in messages] == ["team"]  # not the created chat, not the unchanged one
    message = messages[0]
    assert message["msgtype"] == "markdown"
    content = message["markdown"]["content"]
    assert "Team" in content
    assert "Joined (2): carol, erin" in content
    assert "Left (1): dave" in content
    assert "announcement sent" in r.out
    # the announcement came after the membership change it describes
    paths = [c["path"] for c in writes(emu) if c["body"]["chatid"] == "team"]
    assert paths == ["appchat/update", "appchat/send"]


def test_without_announce_nothing_is_sent(emu, capsys):
    assert run(capsys, "apply", "--yes", "chats").code == 0
    assert emu.messages() == []


def test_failed_announcement_is_reported_but_the_change_stands(emu, capsys):
    emu.set_faults(script=[{"fault": "errcode", "path": "appchat/send", "errcode": 45002}])
    r = run(capsys, "apply", "--yes", "--announce", "--format", "json", "chats")
    assert r.code == 0, r.err  # the membership change succeeded
    outcome = {o["chat_id"]: o for o in r.json()["outcomes"]}["team"]
    assert outcome["status"] == "applied"
    assert outcome["announcement"]["status"] == "failed" and outcome["announcement"]["errcode"] == 45002
    assert "announcement(s) could not be sent" in r.err
    assert state(emu, "team")["userlist"] == ["alice", "bob", "carol", "erin"]


def test_long_lists_are_cut_to_fit_2048_bytes(emulator_factory, monkeypatch, tmp_path, capsys):
    joiners = [f"new.member.with.a.long.id.{i:04d}" for i in range(300)]
    e = start_apply_env(emulator_factory, monkeypatch, tmp_path,
                        {"chats": [chat("big", ["alice", "bob"], owner="alice", name="大群")]},
                        [chat("big", ["alice", *joiners], owner="alice", name="大群")])
    r = run(capsys, "apply", "--yes", "--announce", "chats")
    assert r.code == 0, r.err
    (message,) = e.messages("big")
    content = message["markdown"]["content"]
    assert len(content.encode("utf-8")) <= 2048
    assert "Joined (300): new.member.with.a.long.id.0000" in content
    assert "more" in content and "Left (1): bob" in content
