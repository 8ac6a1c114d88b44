"""`appchat send`: the message arrives as given, and every limit is checked
before anything is sent (no call at all, not even gettoken)."""

from __future__ import annotations

import pytest

from tests.app.support import chat, run, use_emulator


@pytest.fixture
def emu(emulator_factory, monkeypatch):
    e = emulator_factory(seed={"chats": [chat("team", ["alice", "bob"], owner="alice")]})
    use_emulator(monkeypatch, e)
    return e


@pytest.mark.parametrize("flag, msgtype", [("--text", "text"), ("--markdown", "markdown")])
def test_send_delivers_the_message(emu, capsys, flag, msgtype):
    r = run(capsys, "send", "team", flag, "部署完成 **ok**")
    assert r.code == 0, r.err
    assert "Sent" in r.out
    (message,) = emu.messages("team")
    assert message["msgtype"] == msgtype
    assert message[msgtype]["content"] == "部署完成 **ok**"


def test_exactly_2048_bytes_is_sent(emu, capsys):
    text = "中" * 682 + "ab"  # 2046 + 2 bytes
    assert len(text.encode("utf-8")) == 2048
    assert run(capsys, "send", "team", "--text", text).code == 0
    assert emu.messages("team")[0]["text"]["content"] == text


@pytest.mark.parametrize("argv, message", [
    (["team", "--text", "中" * 683], "2049 bytes"),
    (["team", "--markdown", "x" * 2049], "2049 bytes"),
    (["team", "--text", ""], "empty"),
    (["team", "--markdown", "  \n "], "empty"),
    (["bad-id!", "--text", "hi"], "invalid chat id"),
])
def test_limits_are_checked_before_anything_is_sent(emu, capsys, argv, message):
    r = run(capsys, "send", *argv)
    assert r.code == 1
    assert message in r.err and "Nothing was sent" in r.err
    assert emu.calls() == []


def test_unknown_chat_fails_with_the_reason(emu, capsys):
    r = run(capsys, "send", "nosuchchat", "--text", "hi")
    assert r.code == 1
    assert "nosuchchat" in r.err
    assert emu.messages() == []


def test_missing_credentials_are_named(emu, capsys, monkeypatch):
    monkeypatch.delenv("WECOM_CORP_ID")
    r = run(capsys, "send", "team", "--text", "hi")
    assert r.code == 1 and "WECOM_CORP_ID" in r.err
    assert emu.calls() == []


def test_text_and_markdown_together_are_a_usage_error(emu, capsys):
    r = run(capsys, "send", "team", "--text", "a", "--markdown", "b")
    assert r.code == 1  # the contract keeps 2 for `plan --detailed-exitcode`
    assert emu.calls() == []


@pytest.mark.parametrize("flag", ["--image", "--file", "--message", "--news"])
def test_a_path_that_is_not_a_regular_file_is_refused_before_anything_is_sent(emu, capsys, tmp_path, flag):
    # issue 20: a FIFO hung forever (tests/e2e/test_hardening_local.py runs that one in a subprocess
    # under a timeout); a directory is the same refusal
    folder = tmp_path / "photo.jpg"
    folder.mkdir()
    r = run(capsys, "send", "team", flag, folder)
    assert r.code == 1
    assert f"{folder}: not a regular file (a FIFO, a device or a directory): not read" in r.err
    assert "Nothing was sent" in r.err and "Traceback" not in r.err
    assert emu.calls() == []
