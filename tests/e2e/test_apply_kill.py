"""Kill apply mid-run (SIGKILL: no clean-up of any kind), then run it again:
it finishes the job with no duplicate or conflicting call. The emulator
answers slowly (200 ms) so the kill lands while writes are in flight."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.helpers import env_for, subprocess_env
from tests.app.support import (AFTER, BEFORE, DESIRED, SEED, ok_writes, run, state,
                               start_apply_env, writes)



@pytest.fixture
def emu(emulator_factory, monkeypatch, tmp_path):
    return start_apply_env(emulator_factory, monkeypatch, tmp_path, SEED, DESIRED, latency_ms=200)


def _start(emu, tmp_path, *argv) -> subprocess.Popen:
    env = subprocess_env({**env_for(emu), "APPCHAT_LOCK_DIR": str(tmp_path)})
    return subprocess.Popen([sys.executable, "-m", "reconciler", "apply", *argv], cwd=tmp_path, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _kill_after_writes(emu, proc: subprocess.Popen, writes_seen: int) -> None:
    deadline = time.monotonic() + 60
    while len(ok_writes(emu)) < writes_seen:
        assert proc.poll() is None, "apply finished before it could be killed"
        assert time.monotonic() < deadline, "apply made no writes"
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    # Requests already sent still complete on the server: wait until none is
    # in flight and the killed client's connections are closed on the
    # server's side too (each handler reads its EOF after its last answer),
    # not for the log to be still for a while (a busy machine stalls longer).
    server = emu._require()
    deadline = time.monotonic() + 60
    while emu.in_flight() or server._open:
        assert time.monotonic() < deadline, "the killed apply's requests never ended"
        time.sleep(0.02)


def _every_chat_is_before_or_after(emu) -> list[str]:
    """The chat ids already at their `after`; fails if any is neither."""
    done = []
    for chat_id, after in AFTER.items():
        now = state(emu, chat_id)
        assert now in (BEFORE.get(chat_id), after), (chat_id, now)
        if now == after:
            done.append(chat_id)
    return done


def _resume_and_check(emu, capsys, done_before: list[str]) -> None:
    emu.clear_calls()
    r = run(capsys, "apply", "--yes", "chats")
    assert r.code == 0, r.out + r.err
    resumed = sorted(c["body"]["chatid"] for c in writes(emu))
    # only what was left, each once, none refused
    assert resumed == sorted(set(AFTER) - set(done_before))
    assert all(c["errcode"] == 0 for c in writes(emu))
    for chat_id, after in AFTER.items():
        assert state(emu, chat_id) == after
    r = run(capsys, "plan", "--detailed-exitcode", "chats")
    assert r.code == 0, r.out + r.err


@pytest.mark.slow
def test_killed_apply_from_paths_resumes(emu, capsys, tmp_path):
    proc = _start(emu, tmp_path, "--yes", "--concurrency", "2", "chats")
    _kill_after_writes(emu, proc, 3)
    done = _every_chat_is_before_or_after(emu)
    assert 3 <= len(done) < len(AFTER)
    # no chat was written twice by the killed run
    first_run = [c["body"]["chatid"] for c in ok_writes(emu)]
    assert len(first_run) == len(set(first_run)) == len(done)
    _resume_and_check(emu, capsys, done)


@pytest.mark.slow
def test_killed_saved_plan_is_stale_then_paths_resume(emu, capsys, tmp_path):
    path = tmp_path / "plan.json"
    assert run(capsys, "plan", "--out", path, "chats").code == 0
    emu.clear_calls()
    proc = _start(emu, tmp_path, "--plan", str(path), "--concurrency", "2")
    _kill_after_writes(emu, proc, 2)
    done = _every_chat_is_before_or_after(emu)
    assert 2 <= len(done) < len(AFTER)
    # the saved plan no longer describes WeCom: refused whole, nothing written
    emu.clear_calls()
    r = run(capsys, "apply", "--plan", path)
    assert r.code == 1 and "stale" in r.err
    assert writes(emu) == []
    _resume_and_check(emu, capsys, done)
