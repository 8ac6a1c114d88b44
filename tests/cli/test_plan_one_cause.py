"""Issue 12: one cause, one line. When WeCom is unreachable or refuses every
read for the same reason, the text and markdown plans say it once with the
count of chats it hit (and which); the plan JSON keeps one `errors` entry per
chat, as the contract fixes them. Over HTTP against the emulator."""

from __future__ import annotations

import socket

import pytest

from tests.app.support import chat, run, start_apply_env

IDS = [f"c{i:02d}" for i in range(12)]
SEED = {"chats": [chat(c, ["alice", "bob"], owner="alice") for c in IDS]}
DESIRED = [chat(c, ["alice", "bob", "carol"], owner="alice") for c in IDS]


@pytest.fixture
def emu(emulator_factory, monkeypatch, tmp_path):
    return start_apply_env(emulator_factory, monkeypatch, tmp_path, SEED, DESIRED)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_every_read_refused_alike_is_one_line_with_the_count(emu, capsys):
    emu.set_faults(script=[{"fault": "errcode", "errcode": 60020, "path": "appchat/get", "count": 100}])
    r = run(capsys, "plan", "chats")
    assert r.code == 1
    lines = [line for line in r.out.splitlines() if line.startswith("  ! ")]
    assert lines == [f"  ! 12 chats: 60020 caller IP not in the app's trusted IP list: {', '.join(IDS)}"]
    r = run(capsys, "plan", "--format", "markdown", "chats")
    items = [line for line in r.out.splitlines() if line.startswith("- ")]
    assert items == ["- **12 chats**: 60020 caller IP not in the app's trusted IP list: "
                     + ", ".join(f"<code>{c}</code>" for c in IDS)]
    r = run(capsys, "plan", "--format", "json", "chats")
    assert r.json()["errors"] == [{"chat_id": c, "errcode": 60020,
                                   "message": "caller IP not in the app's trusted IP list"} for c in IDS]


def test_an_unreachable_api_is_one_line_naming_the_host(emu, capsys, monkeypatch):
    port = _closed_port()
    monkeypatch.setenv("WECOM_API_BASE", f"http://127.0.0.1:{port}/cgi-bin/")
    from reconciler.app import session
    from reconciler.wecom import client_from_env
    import os
    monkeypatch.setattr(session, "open_client", lambda concurrency=8, read_only=True, environ=None:
                        client_from_env(os.environ, concurrency=concurrency, read_only=read_only,
                                        sleep=lambda s: None))
    r = run(capsys, "plan", "chats")
    assert r.code == 1
    lines = [line for line in r.out.splitlines() if line.startswith("  ! ")]
    assert lines == [f"  ! 12 chats: GET gettoken: cannot connect to 127.0.0.1:{port} (connection refused or "
                     f"host unreachable): {', '.join(IDS)}"]
    assert "corpsecret" not in r.out + r.err and "?" not in lines[0]


def test_different_causes_stay_apart_and_a_single_chat_is_named_as_before(emu, capsys):
    emu.set_faults(script=[{"fault": "errcode", "errcode": 86008, "path": "appchat/get", "count": 1}])
    r = run(capsys, "plan", "--concurrency", "1", "chats")
    lines = [line for line in r.out.splitlines() if line.startswith("  ! ")]
    assert lines == ["  ! c00: 86008 chat was not created by this app"]
