"""Issue 12: SIGINT and SIGTERM during apply, in a subprocess against an
emulator that answers slowly. The first signal (sent the moment the first
write has taken effect) starts no new chat and lets the chats under way
finish; the run prints its full report, in text and in JSON, and exits 1;
every chat is at its `before` or its `after`, the report says which, and a
re-run makes exactly the missing calls. A second signal exits at once,
while a call is still in flight, and still prints what is known."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from tests.app.support import (AFTER, BEFORE, DESIRED, SEED, ok_writes, run, state,
                               start_apply_env, writes)
from tests.helpers import env_for, subprocess_env

WRITES = ("appchat/create", "appchat/update")


@pytest.fixture
def emu(emulator_factory, monkeypatch, tmp_path):
    return start_apply_env(emulator_factory, monkeypatch, tmp_path, SEED, DESIRED, latency_ms=150)


def _start(emu, tmp_path, *argv) -> subprocess.Popen:
    env = subprocess_env({**env_for(emu), "APPCHAT_LOCK_DIR": str(tmp_path)})
    return subprocess.Popen([sys.executable, "-m", "reconciler", "apply", "--yes", "--concurrency", "2", *argv,
                             "chats"], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _signal_on(emu, event: str, proc_box: list, *signals: signal.Signals, gap: float = 0.3) -> None:
    """Send `signals` to the apply (one `gap` apart) when the first write
    reaches `event` ("request": sent; "reply": taken effect)."""
    fired = threading.Event()

    def hook(ev, method, path):
        if ev == event and path in WRITES and not fired.is_set():
            fired.set()
            os.kill(proc_box[0].pid, signals[0])   # at once: no thread to start on a busy machine

            def send():
                for sig in signals[1:]:
                    time.sleep(gap)    # the second lands while writes are in flight: they take 8 s
                    os.kill(proc_box[0].pid, sig)
            threading.Thread(target=send, daemon=True).start()
    emu.add_hook(hook)


def _quiet(emu) -> None:
    """Wait until requests already sent have been answered: none in flight,
    and the apply's connections closed on the server's side too (a request
    sent just before the exit may not have reached the emulator's handler)."""
    server = emu._require()
    deadline = time.monotonic() + 60
    while emu.in_flight() or server._open:
        assert time.monotonic() < deadline
        time.sleep(0.05)


def _where_each_chat_is(emu) -> dict[str, str]:
    where = {}
    for chat_id, after in AFTER.items():
        now = state(emu, chat_id)
        assert now in (BEFORE.get(chat_id), after), (chat_id, now)
        where[chat_id] = "after" if now == after else "before"
    return where


def _rerun_converges(emu, capsys, left: set[str]) -> None:
    emu.set_faults(clear=True)
    emu.clear_calls()
    r = run(capsys, "apply", "--yes", "chats")
    assert r.code == 0, r.out + r.err
    assert sorted(c["body"]["chatid"] for c in writes(emu)) == sorted(left)  # only what was left, once each
    assert all(c["errcode"] == 0 for c in writes(emu))
    assert all(state(emu, chat_id) == after for chat_id, after in AFTER.items())
    assert run(capsys, "plan", "--detailed-exitcode", "chats").code == 0


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_during_apply_reports_every_chat_and_the_rerun_converges(emu, capsys, tmp_path, sig, fmt):
    box: list = []
    _signal_on(emu, "reply", box, sig)
    proc = _start(emu, tmp_path, "--format", fmt)
    box.append(proc)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, err
    assert "Traceback" not in err
    assert f"error: interrupted by {sig.name}; run apply again to finish" in err
    _quiet(emu)
    where = _where_each_chat_is(emu)
    done = {c for c, w in where.items() if w == "after"}
    # no chat written twice, none refused
    assert sorted(c["body"]["chatid"] for c in ok_writes(emu)) == sorted(done)
    assert len(writes(emu)) == len(done)
    assert 1 <= len(done) < len(AFTER)
    if fmt == "json":
        report = json.loads(out)  # stdout is exactly one report
        assert report["interrupted"] == sig.name
        status = {o["chat_id"]: o["status"] for o in report["outcomes"]}
        assert {c for c, s in status.items() if s == "applied"} == done
        assert {c for c, s in status.items() if s == "skipped"} == set(AFTER) - done
        assert all(o["verified"] is True for o in report["outcomes"] if o["status"] == "applied")
        skipped = [o for o in report["outcomes"] if o["status"] == "skipped"]
        assert all(o["message"] == f"not attempted: interrupted by {sig.name}: no new chat was started"
                   for o in skipped)
        assert report["summary"] == {"applied": len(done), "failed": 0, "skipped": len(skipped),
                                     "calls": len(done), "announcements_failed": 0,
                                     "not_started": len(skipped), "partial": 0, "deferred": 0}
    else:
        assert (f"Interrupted by {sig.name}: {len(done)} applied, 0 failed, {len(AFTER) - len(done)} not started, "
                f"0 left between") in out
        for chat_id in done:
            assert f"applied  {'create' if chat_id.startswith('n') else 'update'} {chat_id}  (1/1 call)" in out
        not_started = sorted(set(AFTER) - done)
        assert f"{len(not_started)} chats (0/{len(not_started)} calls in all): {', '.join(not_started)}" in out
    _rerun_converges(emu, capsys, set(AFTER) - done)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_second_signal_exits_at_once_with_what_is_known(emu, capsys, tmp_path, fmt):
    # Writes answer after 8 s: the second signal lands while they are in flight.
    emu.set_faults(latency_ms=0, script=[{"fault": "slow", "path": p, "ms": 8000, "count": 100} for p in WRITES])
    box: list = []
    _signal_on(emu, "request", box, signal.SIGTERM, signal.SIGINT)
    proc = _start(emu, tmp_path, "--format", fmt)
    box.append(proc)
    out, err = proc.communicate(timeout=120)
    in_flight_at_exit = emu.in_flight()
    assert proc.returncode == 1, err
    assert in_flight_at_exit >= 1  # it did not wait for the call in flight
    assert "Traceback" not in err
    if fmt == "json":
        report = json.loads(out)
        assert report["interrupted"] == "SIGTERM"
        failed = [o for o in report["outcomes"] if o["status"] == "failed"]
        assert 1 <= len(failed) <= 2  # the chats whose write was in flight (2 workers)
        assert all("stopped at once with a call in flight (0 of 1 answered): its state is unknown" in o["message"]
                   for o in failed)
        assert all(o["status"] == "skipped" and o["calls_made"] == 0
                   for o in report["outcomes"] if o not in failed)
        in_flight = {o["chat_id"] for o in failed}
    else:
        assert "Stopped at once" in out and "stopped at once with a call in flight" in out
        in_flight = None
    # the writes that were in flight land after the process is gone; then the re-run finishes
    _quiet(emu)
    where = _where_each_chat_is(emu)
    done = {c for c, w in where.items() if w == "after"}
    if in_flight is not None:
        assert done == in_flight
    _rerun_converges(emu, capsys, set(AFTER) - done)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_before_the_first_write_refuses_and_writes_nothing(emu, tmp_path, sig):
    fired = threading.Event()
    box: list = []

    def hook(event, method, path):
        if event == "reply" and path == "appchat/get" and not fired.is_set():  # planning: still reading
            fired.set()
            os.kill(box[0].pid, sig)
    emu.add_hook(hook)
    proc = _start(emu, tmp_path, "--format", "json")
    box.append(proc)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1 and "Traceback" not in err
    assert f"error: refusing to apply: interrupted by {sig.name} before any write" in err
    assert "Nothing was applied." in err
    report = json.loads(out)
    assert report["refusals"] == [f"interrupted by {sig.name} before any write"] and report["outcomes"] == []
    assert report["interrupted"] == sig.name and "run apply again" not in err  # nothing to finish
    _quiet(emu)
    assert writes(emu) == []
    assert all(state(emu, c) == BEFORE.get(c) for c in AFTER)
