"""`apply --announce`: one markdown message per updated chat, read back
from what the emulator's appchat/send accepted."""

from __future__ import annotations

import json
import shutil

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


# -- announce: false in a chat file, and --announce-template -------------------

OPTED_OUT = """\
chats:
  team:
    name: Team
    owner: alice
    members: [alice, bob, carol, erin]
    announce: false
  quiet:
    name: Quiet
    owner: alice
    members: [alice, bob, zoe]
"""


def test_a_chat_that_opts_out_is_not_announced_to(emu, capsys, tmp_path):
    (tmp_path / "chats" / "chats.yaml").write_text(OPTED_OUT, encoding="utf-8")
    r = run(capsys, "apply", "--yes", "--announce", "chats")
    assert r.code == 0, r.err
    assert state(emu, "team")["userlist"] == ["alice", "bob", "carol", "erin"]  # the change itself is made
    assert [m["chatid"] for m in emu.messages()] == ["quiet"]


def test_a_saved_plan_keeps_the_opt_out_without_the_chat_files(emu, capsys, tmp_path):
    (tmp_path / "chats" / "chats.yaml").write_text(OPTED_OUT, encoding="utf-8")
    assert run(capsys, "plan", "--out", "plan.json", "chats").code == 0
    saved = json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))
    assert {c["chat_id"]: c.get("announce") for c in saved["changes"]} == {"quiet": None, "team": False}
    shutil.rmtree(tmp_path / "chats")  # apply --plan never reads them
    r = run(capsys, "apply", "--plan", "plan.json", "--announce")
    assert r.code == 0, r.err
    assert [m["chatid"] for m in emu.messages()] == ["quiet"]


def test_a_saved_plan_whose_opt_out_was_edited_away_is_refused(emu, capsys, tmp_path):
    (tmp_path / "chats" / "chats.yaml").write_text(OPTED_OUT, encoding="utf-8")
    assert run(capsys, "plan", "--out", "plan.json", "chats").code == 0
    path = tmp_path / "plan.json"
    path.write_text(path.read_text(encoding="utf-8").replace('"announce": false', '"announce": true'),
                    encoding="utf-8")
    emu.clear_calls()
    r = run(capsys, "apply", "--plan", "plan.json", "--announce")
    assert r.code == 1 and "edited" in r.err
    assert emu.calls() == []


def test_a_template_words_the_announcement(emu, capsys, tmp_path):
    (tmp_path / "announce.md").write_text("**{chat}** 成员变动\n新成员：{joined}\n离开：{left}\n改名：{renamed}\n",
                                          encoding="utf-8")
    r = run(capsys, "apply", "--yes", "--announce-template", "announce.md", "chats")  # implies --announce
    assert r.code == 0, r.err
    [message] = emu.messages()
    assert message["markdown"]["content"] == "**Team** 成员变动\n新成员：carol, erin\n离开：dave"


@pytest.mark.parametrize("template, phrase", [
    ("Hello {name}", ":1:7: unknown placeholder '{name}'"),
    (None, ": cannot read it"),
    (b"\xff\xfe", ": not UTF-8 text"),
])
def test_a_template_that_cannot_be_used_stops_apply_before_any_call(emu, capsys, tmp_path, template, phrase):
    if template is not None:
        path = tmp_path / "announce.md"
        path.write_bytes(template if isinstance(template, bytes) else template.encode("utf-8"))
    r = run(capsys, "apply", "--yes", "--announce-template", "announce.md", "--format", "json", "chats")
    assert r.code == 1
    assert f"--announce-template announce.md{phrase}" in r.err and "Nothing was applied" in r.err
    assert r.json()["refusals"] and r.json()["outcomes"] == []
    assert emu.calls() == []
