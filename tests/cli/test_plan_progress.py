"""The progress line: on stderr, only on a terminal, only for many chats; and
the shared read helper returns one result per chat id (86003 -> None)."""

from __future__ import annotations

import io

import pytest

from reconciler.app import session as reads
from reconciler.app.progress import PROGRESS_MIN_CHATS
from reconciler.core.model import LiveChat, ReadError
from tests.cli.plan_fixtures import wecom_env

N = 25


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def emu(emulator_factory):
    seed = {"chats": [{"chatid": f"c{i}", "name": f"Chat {i}", "owner": "alice",
                       "userlist": ["alice", f"user{i}"]} for i in range(N)],
            "foreign_chats": [{"chatid": "foreign", "name": "F", "owner": "alice", "userlist": ["alice", "bob"]}]}
    return emulator_factory(seed=seed)


@pytest.fixture
def client(emu, monkeypatch):
    wecom_env(monkeypatch, emu)
    with reads.open_client(concurrency=4) as c:
        yield c


def test_progress_line_on_a_terminal_for_many_chats(client):
    stream = Tty()
    ids = [f"c{i}" for i in range(N)]
    live = reads.read_live(client, ids, show_progress=True, stream=stream)
    assert sorted(live) == sorted(ids)
    assert all(isinstance(v, LiveChat) for v in live.values())
    text = stream.getvalue()
    assert f"reading chats {N}/{N}" in text  # the last state is always drawn
    assert "\n" not in text  # one updating line, not a log
    assert text.endswith("\r" + " " * len(f"reading chats {N}/{N}") + "\r")  # and it is cleared at the end


def test_no_progress_when_not_a_terminal(client):
    stream = io.StringIO()
    reads.read_live(client, [f"c{i}" for i in range(N)], show_progress=True, stream=stream)
    assert stream.getvalue() == ""


def test_no_progress_for_a_few_chats_or_when_the_caller_says_no(client):
    stream = Tty()
    reads.read_live(client, [f"c{i}" for i in range(PROGRESS_MIN_CHATS - 1)], show_progress=True,
                    stream=stream)
    reads.read_live(client, [f"c{i}" for i in range(N)], show_progress=False, stream=stream)
    assert stream.getvalue() == ""


def test_read_live_maps_missing_to_none_and_failures_to_read_errors(client, emu):
    emu.clear_calls()
    live = reads.read_live(client, ["c1", "nosuch", "foreign", "c1"], show_progress=False)
    assert list(live) == ["c1", "nosuch", "foreign"]  # duplicates read once
    assert isinstance(live["c1"], LiveChat) and live["c1"].members == frozenset({"alice", "user1"})
    assert live["nosuch"] is None
    assert isinstance(live["foreign"], ReadError) and live["foreign"].errcode == 86008
    assert emu.call_counts().get("appchat/get") == 3
