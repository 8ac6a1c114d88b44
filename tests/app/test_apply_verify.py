"""Issue 12: after its calls, apply reads each changed chat back once; a chat
that is not then at the plan's `after` is a failure, named in the text and
JSON reports. Also the report of a chat left between its two calls, and the
executor's bound on how long it waits after a signal."""

from __future__ import annotations

import threading

import pytest

from reconciler.app import execute
from reconciler.app.session import plan_for
from reconciler.config import load
from reconciler.core.state import ChatState
from reconciler.wecom import client_from_env
from tests.app.support import chat, run, start_apply_env, state, writes
from tests.helpers import env_for

SEED = {"chats": [chat("sre", ["alice", "bob", "dave"], owner="alice", name="SRE"),
                  chat("ops", ["erin", "frank"], owner="erin", name="Ops")]}
DESIRED = [chat("sre", ["alice", "bob", "carol"], owner="alice", name="SRE"),
           chat("ops", ["erin", "frank", "gina"], owner="erin", name="Ops")]


@pytest.fixture
def emu(emulator_factory, monkeypatch, tmp_path):
    return start_apply_env(emulator_factory, monkeypatch, tmp_path, SEED, DESIRED)


def _after_write_to(emu, chat_id: str, action) -> None:
    """Run `action()` once, right after the first write to `chat_id` took effect."""
    done = threading.Event()

    def hook(event, method, path):
        if event == "reply" and path == "appchat/update" and not done.is_set():
            last = emu.calls()[-1] if emu.calls() else None
            if last is not None and last["body"].get("chatid") == chat_id:
                done.set()
                action()
    emu.add_hook(hook)


def test_every_applied_chat_is_read_back_and_verified(emu, capsys):
    emu.clear_calls()
    r = run(capsys, "apply", "--yes", "--format", "json", "chats")
    assert r.code == 0, r.err
    assert all(o["verified"] is True for o in r.json()["outcomes"])
    gets = [c["query"]["chatid"] for c in emu.calls() if c["path"] == "appchat/get"]
    # plan read, the re-read before writing, the read back after: three of each
    assert sorted(gets) == ["ops"] * 3 + ["sre"] * 3


def test_a_chat_that_is_not_at_after_when_read_back_fails_named(emu, capsys):
    # someone adds mallory in the WeCom client between the write and the read back
    _after_write_to(emu, "sre", lambda: emu.edit_chat("sre", add=["mallory"]))
    r = run(capsys, "apply", "--yes", "--concurrency", "1", "chats")
    assert r.code == 1
    assert ("  failed   update sre  (1/1 call)  read back after its calls, it is not the plan's `after`: "
            "also has mallory") in r.out
    assert "  applied  update ops  (1/1 call)" in r.out
    assert state(emu, "sre")["userlist"] == ["alice", "bob", "carol", "mallory"]


def test_the_json_report_names_it_too(emu, capsys):
    _after_write_to(emu, "ops", lambda: emu.edit_chat("ops", name="Renamed", remove=["frank"], add=["zoe"]))
    r = run(capsys, "apply", "--yes", "--concurrency", "1", "--format", "json", "chats")
    assert r.code == 1
    ops = next(o for o in r.json()["outcomes"] if o["chat_id"] == "ops")
    assert ops["status"] == "failed" and ops["verified"] is False and ops["calls_made"] == 1
    assert ops["message"] == ("read back after its calls, it is not the plan's `after`: also has zoe; lacks frank; "
                              "is named 'Renamed', not 'Ops'")


def test_a_read_back_that_fails_is_a_failure_not_a_silent_success(emu, capsys):
    _after_write_to(emu, "sre", lambda: emu.set_faults(script=[{"fault": "http", "status": 404,
                                                               "path": "appchat/get", "count": 1}]))
    r = run(capsys, "apply", "--yes", "--concurrency", "1", "--format", "json", "chats")
    assert r.code == 1
    sre = next(o for o in r.json()["outcomes"] if o["chat_id"] == "sre")
    assert sre["status"] == "failed" and sre["verified"] is False
    assert "its calls were answered, but reading it back failed" in sre["message"]
    assert state(emu, "sre")["userlist"] == ["alice", "bob", "carol"]  # the write itself landed
    emu.clear_calls()
    assert run(capsys, "apply", "--yes", "chats").code == 0 and writes(emu) == []  # nothing left to do


def test_letter_case_alone_is_not_a_difference_when_verifying():
    after = ChatState("Team", "alice", ("alice", "bob"))
    assert after.same_as(ChatState("Team", "Alice", ("Alice", "BOB")))
    assert not after.same_as(ChatState("team", "alice", ("alice", "bob")))  # names are not ids
    assert not after.same_as(ChatState("Team", "alice", ("alice", "bob", "carol")))
    assert not after.same_as(None)


def test_a_chat_left_between_its_two_calls_is_reported_so(emulator_factory, monkeypatch, tmp_path, capsys):
    # erin is not a member yet: she joins in one call and becomes owner in a second;
    # WeCom's change quota runs out between the two
    seed = {"chats": [chat("own", ["alice", "bob"], owner="alice", name="Own")]}
    emu = start_apply_env(emulator_factory, monkeypatch, tmp_path, seed,
                          [chat("own", ["alice", "erin"], owner="erin", name="Own")], changes_per_hour=1)
    r = run(capsys, "apply", "--yes", "chats")
    assert r.code == 1
    assert "  failed   update own  (1/2 calls)  errcode 45009" in r.out
    assert "Left between its calls: own (1/2 calls made): run apply again to finish it" in r.out
    assert state(emu, "own") == {"chatid": "own", "name": "Own", "owner": "alice", "userlist": ["alice", "bob", "erin"]}
    emu.set_limits(changes_per_hour=0)  # the hour is over
    r = run(capsys, "apply", "--yes", "--format", "json", "chats")
    assert r.code == 0 and r.json()["summary"]["partial"] == 0
    assert state(emu, "own") == {"chatid": "own", "name": "Own", "owner": "erin", "userlist": ["alice", "erin"]}


def test_after_the_grace_period_the_executor_stops_waiting(emulator_factory, tmp_path):
    """The bound on 'let the calls in flight end': a write slower than the grace
    period is left in flight and its chat reported unknown."""
    emu = emulator_factory(seed=SEED)
    emu.set_faults(script=[{"fault": "slow", "path": "appchat/update", "ms": 5000, "count": 10}])
    chats_dir = tmp_path / "chats"
    from tests.app.support import write_chats
    write_chats(tmp_path, DESIRED)
    desired = load([str(chats_dir)]).chats

    class FirstSignal:  # as app.interrupt.Signals after one SIGTERM, sent once the first write is on its way
        received: list = []
        writing = False
        first = property(lambda self: self.received[0] if self.received else None)
        forced = property(lambda self: len(self.received) >= 2)

    signals = FirstSignal()
    emu.add_hook(lambda event, method, path: signals.received.append("SIGTERM")
                 if event == "request" and path == "appchat/update" and not signals.received else None)
    with client_from_env(env_for(emu), read_only=False, concurrency=1) as client:
        plan = plan_for(desired, client, show_progress=False)
        report = execute.execute(plan, client, concurrency=1, signals=signals, grace=0.3)
    assert report.interrupted == "SIGTERM" and report.forced
    outcomes = {o.chat_id: o for o in report.outcomes}
    assert outcomes["ops"].status == "failed" and "call in flight" in outcomes["ops"].message
    assert outcomes["sre"].not_started
