"""The secret and every access token stay out of plan's stdout, stderr, -v
log and saved plan, whatever fails: a good run, a wrong secret, an endpoint
that does not answer."""

from __future__ import annotations

import logging
import socket
from pathlib import Path

import pytest

from tests.cli.plan_fixtures import SEED, run, tokens_issued, wecom_env, write_files

MARKER = "MARKER-s3cret-7f3a9c-never-print"


@pytest.fixture
def emu(emulator_factory):
    return emulator_factory(seed=SEED, corp_secret=MARKER)


@pytest.fixture
def chats(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_files(tmp_path, with_legacy=True)
    return Path("chats")


def _assert_clean(text: str, secrets: set[str]) -> None:
    for secret in secrets:
        assert secret not in text


def test_marker_secret_and_tokens_absent_from_a_verbose_run(chats, emu, monkeypatch, capsys, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    wecom_env(monkeypatch, emu, WECOM_CORP_SECRET=MARKER)
    out_file = tmp_path / "plan.json"
    r = run(capsys, "plan", chats, "-v", "--format", "json", "--out", out_file)
    assert r.code == 1  # the foreign chat
    tokens = tokens_issued(emu)
    assert tokens, "the run must have used a token for this test to mean anything"
    everything = r.out + r.err + out_file.read_text(encoding="utf-8") + caplog.text
    _assert_clean(everything, {MARKER} | tokens)


def test_wrong_secret_exit_1_without_echoing_it(chats, emu, monkeypatch, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    wrong = "WRONG-" + MARKER
    wecom_env(monkeypatch, emu, WECOM_CORP_SECRET=wrong)
    emu.clear_calls()
    r = run(capsys, "plan", chats, "-v")
    assert r.code == 1
    assert "40001" in r.err or "credential" in r.err.lower()
    assert "Traceback" not in r.err
    _assert_clean(r.out + r.err + caplog.text, {wrong, MARKER})
    # one gettoken, never repeated with a wrong secret (WeCom blocks the IP)
    assert emu.call_counts().get("gettoken") == 1
    assert "appchat/get" not in emu.call_counts()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed when the block ends: connection refused


def test_unreachable_endpoint_exit_1_without_the_secret(chats, emu, monkeypatch, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    base = f"http://127.0.0.1:{_closed_port()}/cgi-bin/"
    wecom_env(monkeypatch, emu, WECOM_CORP_SECRET=MARKER, WECOM_API_BASE=base)
    r = run(capsys, "plan", chats, "-v", "--target", "sre")
    assert r.code == 1
    assert "Traceback" not in r.err
    _assert_clean(r.out + r.err + caplog.text, {MARKER})
    assert "corpsecret=" not in r.out + r.err


def test_faults_on_the_wire_name_chats_and_leak_nothing(chats, emu, monkeypatch, capsys, tmp_path, caplog):
    # A busy answer, a dropped connection, a non-JSON body and a 502, one
    # after the other: the client's retries absorb them, every chat is
    # planned (the foreign one under errors), and nothing leaks.
    caplog.set_level(logging.DEBUG)
    wecom_env(monkeypatch, emu, WECOM_CORP_SECRET=MARKER)
    emu.set_faults(script=[{"fault": kind, "path": "appchat/get"} for kind in ("busy", "drop", "garbage", "http")])
    out_file = tmp_path / "plan.json"
    r = run(capsys, "plan", chats, "-v", "--format", "json", "--out", out_file)
    assert r.code == 1  # the foreign chat
    data = r.json()
    assert [e["chat_id"] for e in data["errors"]] == ["legacy"]
    assert sorted(c["chat_id"] for c in data["changes"]) == ["big", "newchat", "ops", "sre"]
    assert data["unchanged"] == ["same"]
    assert sorted(c["fault"] for c in emu.calls() if c["fault"]) == ["busy", "drop", "garbage", "http"]
    _assert_clean(r.out + r.err + out_file.read_text(encoding="utf-8") + caplog.text,
                  {MARKER} | tokens_issued(emu))


def test_import_leaks_nothing_either(chats, emu, monkeypatch, capsys, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    wecom_env(monkeypatch, emu, WECOM_CORP_SECRET=MARKER)
    r = run(capsys, "import", "sre", "ops", "-v")
    assert r.code == 0, r.err
    r2 = run(capsys, "import", "sre", "ghost", "legacy", "-v")
    assert r2.code == 1
    wecom_env(monkeypatch, emu, WECOM_CORP_SECRET="WRONG-" + MARKER)
    r3 = run(capsys, "import", "sre", "-v")
    assert r3.code == 1
    _assert_clean(r.out + r.err + r2.out + r2.err + r3.out + r3.err + caplog.text,
                  {MARKER, "WRONG-" + MARKER} | tokens_issued(emu))
