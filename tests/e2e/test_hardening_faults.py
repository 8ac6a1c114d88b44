"""Issue 7's fault matrix, end to end: `appchat plan` and `appchat apply`
(in this process, through cli.main) against the emulator over HTTP, one
parametrised test per fault. For each fault:

(a) plan either plans every chat or names the unreadable ones in `errors`
    (exit 1, named on stderr), and what it plans for the chats it could read
    is exactly the fault-free plan; never a traceback, never a write;
(b) apply leaves every chat at its `before` or its `after` (checked in the
    emulator's state of every chat), and the report agrees with that state;
(c) with the fault gone, one more apply converges and
    `plan --detailed-exitcode` exits 0.

The commands build their client from the environment with production
back-offs (0.5 s doubling, 45009 waits of up to 75 s, a 30 s read timeout);
here `reads.open_client` is swapped for the same client with short ones
(`fast_client`), so a case takes well under a second of waiting while every
other line of the command path runs as shipped. The 45009 case goes further:
the emulator runs on a fake clock and the client's sleeps move it, so a real
per-minute block lifts without waiting a minute.

Covered elsewhere, not repeated here: single scripted faults on one write
(before/after effect, each errcode) in tests/test_apply_faults.py; the
client's retry counts and back-off schedule per fault in
tests/test_client_http.py; a write rate-limit stop and its re-run in
tests/test_apply_converge.py::test_rate_limit_on_a_write_stops_cleanly_and_a_rerun_finishes.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

import pytest

from tests.helpers import FakeClock
from tests.app.support import chat, run, state, use_emulator, write_chats, writes

from reconciler.app import session as reads
from reconciler.wecom import client_from_env

# --------------------------------------------------------------------------- the world

# Six one-call updates (carol in, dave out), a two-call owner change, one
# create, two chats already right: enough requests that rate faults land.
UPDATES = [f"u{i}" for i in range(6)]
SEED_CHATS = ([chat(c, ["alice", "bob", "dave"], owner="alice") for c in UPDATES]
              + [chat("own", ["alice", "bob"], owner="alice", name="Owner change"),
                 chat("same0", ["alice", "bob"], owner="alice"),
                 chat("same1", ["bob", "carol"], owner="bob")])
DESIRED = ([chat(c, ["alice", "bob", "carol"], owner="alice") for c in UPDATES]
           + [chat("own", ["alice", "erin"], owner="erin", name="Owner change"),  # erin is not yet in: 2 calls
              chat("same0", ["alice", "bob"], owner="alice"),
              chat("same1", ["bob", "carol"], owner="bob"),
              chat("fresh", ["gina", "hank"], owner="gina")])
BEFORE = {c["chatid"]: c for c in SEED_CHATS}
AFTER = {c["chatid"]: c for c in DESIRED}
CHANGED = sorted(set(UPDATES) | {"own", "fresh"})
UNCHANGED = ["same0", "same1"]
# `own` needs two calls (the contract: a new owner who is not yet a member is
# added by one call and made owner by the next), so a fault between them can
# leave it half-way: erin added, alice still owner, bob still in. No tool can
# do better without a rollback WeCom cannot promise either; the re-run
# finishes it. Every one-call chat must be at `before` or `after`.
HALF_WAY = {"own": chat("own", ["alice", "bob", "erin"], owner="alice", name="Owner change")}


# --------------------------------------------------------------------------- the cases

class TickingClock(FakeClock):
    """Moves one second each time the emulator looks at it: a token's TTL
    becomes a number of requests, so it runs out mid-run, every run."""

    def __init__(self):
        super().__init__()
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            self.now += 1.0
            return self.now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds


@dataclass
class Case:
    emulator: dict = field(default_factory=dict)      # EmulatorConfig overrides
    faults: dict = field(default_factory=dict)        # set_faults() before each faulty run
    client: dict = field(default_factory=dict)        # WeComClient options on top of FAST
    invalidate_at: tuple = ()                         # revoke all tokens at these API requests (counted from 1)
    fake_time: bool = False                           # the client's sleeps move the emulator's clock
    shows: Callable[[list[dict]], bool] = lambda calls: True   # the fault really happened


def _answered(code):
    return lambda calls: any(c["errcode"] == code for c in calls)


def _fault(kind):
    return lambda calls: any(c["fault"] == kind for c in calls)


CASES = {
    # 42001 for real: a 40-tick TTL runs out every ten or so requests
    "token expiry mid-run": Case(emulator={"clock": TickingClock(), "token_ttl": 40},
                                 shows=lambda calls: _answered(42001)(calls)
                                 and sum(c["path"] == "gettoken" for c in calls) > 1),
    # 40014 for real: every token issued so far is revoked, once during plan,
    # twice during apply (spaced out: WeCom allows one re-fetch per call, and
    # a token revoked again before the retry lands fails that chat, rightly)
    "token invalidation mid-run": Case(invalidate_at=(4, 20, 35), shows=_answered(40014)),
    "bursts of -1": Case(faults={"busy_rate": 0.5}, shows=_answered(-1)),
    # 3 calls per API per (fake) minute: a real per-minute block on reads and writes
    "45009 per-minute blocks": Case(emulator={"clock": FakeClock(), "calls_per_minute": 3}, fake_time=True,
                                    shows=_answered(45009)),
    "45033 too many concurrent": Case(faults={"max_concurrent": 1, "latency_ms": 20, "overload_rate": 0.2},
                                      shows=_answered(45033)),
    "dropped connections": Case(faults={"drop_rate": 0.4}, shows=_fault("drop")),
    # answers after 2 s against a 0.5 s read timeout (a gap no busy machine
    # closes, and room for the other answers); slow writes still land, late
    "slower than the timeout": Case(faults={"slow_rate": 0.4, "slow_ms": 2000}, client={"timeout": (2.0, 0.5)},
                                    shows=_fault("slow")),
    "non-JSON body": Case(faults={"garbage_rate": 0.4}, shows=_fault("garbage")),
    "HTTP 5xx": Case(faults={"http_error_rate": 0.4, "http_error_status": 503},
                     shows=lambda calls: any(c["status"] == 503 for c in calls)),
    # the answer to a write is lost after it took effect (between the two calls of `own` too)
    "answers lost after the write": Case(faults={"script": [
        {"fault": "drop", "path": "appchat/update", "after": True, "count": 3},
        {"fault": "http", "status": 502, "path": "appchat/create", "after": True},
        {"fault": "garbage", "path": "appchat/update", "after": True, "count": 2}]},
        shows=lambda calls: sum(1 for c in calls if c["fault"]) >= 4),
    "everything at once": Case(faults={"busy_rate": 0.1, "drop_rate": 0.1, "garbage_rate": 0.1,
                                       "http_error_rate": 0.1, "overload_rate": 0.1},
                               invalidate_at=(6, 25), shows=lambda calls: len({c["fault"] for c in calls}) >= 4),
}

FAST = dict(timeout=(2.0, 2.0), backoff_base=0.005, backoff_cap=0.02,
            rate_limit_base=1.0, rate_limit_cap=15.0, rate_limit_wait=75.0)


# --------------------------------------------------------------------------- plumbing

def _install(monkeypatch, emu, case: Case) -> None:
    options = {**FAST, **case.client}
    if case.fake_time:
        clock = emu.config.clock
        options.update(clock=clock, sleep=clock.advance)

    def open_client(concurrency: int = 8, read_only: bool = True, environ=None):
        return client_from_env(os.environ if environ is None else environ, concurrency=concurrency,
                               read_only=read_only, **options)

    monkeypatch.setattr(reads, "open_client", open_client)
    if case.invalidate_at:
        seen = [0]
        lock = threading.Lock()

        def revoking(event, method, path):
            if event != "request":
                return
            with lock:
                seen[0] += 1
                if seen[0] in case.invalidate_at:
                    emu.set_faults(invalidate_tokens=True)
        emu.add_hook(revoking)


def _settle(emu, limit: float = 60.0) -> None:
    """Wait until no request is in the emulator (a slow write the client gave
    up on still lands): state is read only once nothing can change it."""
    deadline = time.monotonic() + limit
    while emu.in_flight() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not emu.in_flight(), "the emulator still has requests in flight"


def _every_chat_state(emu) -> dict:
    return {cid: state(emu, cid) for cid in sorted(set(emu.chat_ids()) | set(AFTER))}


def _expected_change(chat_id: str) -> dict:
    b, a = BEFORE.get(chat_id), AFTER[chat_id]
    shape = lambda c: {"name": c["name"], "owner": c["owner"], "members": sorted(c["userlist"])}  # noqa: E731
    return {"action": "update" if b else "create", "before": shape(b) if b else None, "after": shape(a)}


# --------------------------------------------------------------------------- the test

@pytest.mark.parametrize("name", list(CASES))
def test_fault_matrix(name, emulator_factory, monkeypatch, tmp_path, capsys):
    case = CASES[name]
    emu = emulator_factory(seed={"chats": SEED_CHATS}, **case.emulator)
    use_emulator(monkeypatch, emu)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("APPCHAT_LOCK_DIR", str(tmp_path))
    write_chats(tmp_path, DESIRED)
    _install(monkeypatch, emu, case)
    seen: list[dict] = []

    # (a) plan under the fault
    emu.clear_calls()
    emu.set_faults(**case.faults)
    r = run(capsys, "plan", "chats", "--format", "json", "--detailed-exitcode", "--concurrency", "4")
    _settle(emu)
    seen += emu.calls()
    assert "Traceback" not in r.err
    assert writes(emu) == [], "plan wrote"
    if r.out.strip():
        data = r.json()
        errors = [e["chat_id"] for e in data["errors"]]
        planned = [c["chat_id"] for c in data["changes"]]
        assert sorted(planned + data["unchanged"] + errors) == sorted(AFTER), "a chat went missing"
        assert set(planned) == set(CHANGED) - set(errors), "a readable chat was planned wrong"
        assert set(data["unchanged"]) == set(UNCHANGED) - set(errors)
        for c in data["changes"]:
            assert {k: c[k] for k in ("action", "before", "after")} == _expected_change(c["chat_id"]), c
        if errors:
            assert r.code == 1
            line = next(ln for ln in r.err.splitlines() if "could not be planned" in ln)
            assert all(cid in line for cid in errors), r.err
        else:
            assert r.code == 2, r.err
    else:  # nothing could be read at all (gettoken itself failed): one error line
        assert r.code == 1 and "error:" in r.err, r.err

    # (b) apply under the fault
    emu.clear_calls()
    emu.set_faults(clear=True, **case.faults)
    r = run(capsys, "apply", "chats", "--yes", "--format", "json", "--concurrency", "4")
    _settle(emu)
    seen += emu.calls()
    assert "Traceback" not in r.err
    assert r.code in (0, 1)
    now = _every_chat_state(emu)
    for cid, have in now.items():
        allowed = [BEFORE.get(cid), AFTER[cid], HALF_WAY.get(cid)]
        assert have in allowed, f"{cid} is neither before nor after: {have}"
    for cid in UNCHANGED:
        assert now[cid] == BEFORE[cid], f"{cid} needed no change but was touched"
    if r.out.strip():
        report = r.json()
        for o in report["outcomes"]:
            if o["status"] == "applied":
                assert now[o["chat_id"]] == AFTER[o["chat_id"]], o
            if o["status"] == "skipped" and o["calls_made"] == 0:
                assert now[o["chat_id"]] == BEFORE.get(o["chat_id"]), o
        if r.code == 0:
            assert all(o["status"] == "applied" for o in report["outcomes"])
            assert {o["chat_id"] for o in report["outcomes"]} == set(CHANGED)
        else:  # exit 1 says why: a chat not applied, or one that could not be read
            assert (any(o["status"] != "applied" for o in report["outcomes"]) or report["refusals"]
                    or "could not be planned" in r.err), r.out + r.err
    if r.code == 0:
        assert all(now[cid] == AFTER[cid] for cid in AFTER)
    assert case.shows(seen), f"the fault {name!r} never happened: the case tests nothing"

    # (c) the fault is gone: a re-run converges (45009: the block lifts with the minute)
    emu.set_faults(clear=True)
    if "token_ttl" in case.emulator:
        # A 40-tick token can expire again between a re-fetch and its retry
        # when other threads' requests tick the clock (under load, they do):
        # that chat fails, rightly, but the fault must be gone for (c).
        emu.set_limits(token_ttl=7200)
    monkeypatch.undo()  # tokens stay put; the fast client goes too: the re-run is the shipped command
    use_emulator(monkeypatch, emu)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("APPCHAT_LOCK_DIR", str(tmp_path))
    one_by_one = []
    if case.fake_time:
        # The limit stays, so waiting blocks out needs the clock the client's
        # sleeps move; and one reader, since several threads racing for 3 calls
        # a minute can each use up their 75 s of waiting (a chat named in
        # errors, as it should be: but convergence is the point here).
        _install(monkeypatch, emu, Case(fake_time=True))
        one_by_one = ["--concurrency", "1"]
    for attempt in range(3):
        if case.fake_time:
            emu.config.clock.advance(61)
        r = run(capsys, "apply", "chats", "--yes", "--format", "json", *one_by_one)
        assert "Traceback" not in r.err
        if r.code == 0 or not case.fake_time:
            break
    assert r.code == 0, r.out + r.err
    _settle(emu)
    assert _every_chat_state(emu) == {cid: AFTER[cid] for cid in _every_chat_state(emu)}
    r = run(capsys, "plan", "chats", "--detailed-exitcode", *one_by_one)
    assert r.code == 0, r.out + r.err


def test_emulator_prints_no_traceback_when_a_client_gives_up(tmp_path):
    """`appchat emulator` in a pipeline: a client that times out on a slow
    answer used to make the server print a BrokenPipeError traceback on
    stderr (socketserver's default handle_error) for every such request."""
    import signal
    import subprocess
    import sys

    import requests

    from tests.helpers import REPO, subprocess_env

    proc = subprocess.Popen([sys.executable, "-m", "reconciler", "emulator", "--port", "0", "--slow-rate", "1",
                             "--slow-ms", "1500", "--corp-id", "wwx", "--corp-secret", "sx"],
                            cwd=REPO, env=subprocess_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        base = proc.stdout.readline().split()[-1]
        for _ in range(3):   # 0.3 s against 1.5: a busy machine does not close the gap
            with pytest.raises(requests.exceptions.ReadTimeout):
                requests.get(base + "gettoken", params={"corpid": "wwx", "corpsecret": "sx"}, timeout=0.3)
        # the server answers into the closed sockets as each call is counted:
        # wait for the count, not for a time
        counts, deadline = {}, time.monotonic() + 60
        while counts.get("gettoken") != 3 and time.monotonic() < deadline:
            counts = requests.get(base.replace("/cgi-bin/", "/_emulator/") + "counts", timeout=10).json()
            time.sleep(0.05)
        assert counts.get("gettoken") == 3, counts
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=10)
    assert "Traceback" not in err, err
    assert "BrokenPipeError" not in err and "ConnectionResetError" not in err, err


def test_saved_plan_with_unreadable_chats_does_not_go_green(emulator_factory, monkeypatch, tmp_path, capsys):
    # A pipeline runs `plan --out` and `apply --plan` as two steps. When WeCom
    # could not be read at plan time (an outage), the saved plan has no
    # changes and every chat under `errors`; applying it must not report
    # success, or the outage reads as "WeCom matches the files".
    emu = emulator_factory(seed={"chats": SEED_CHATS})
    use_emulator(monkeypatch, emu)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("APPCHAT_LOCK_DIR", str(tmp_path))
    write_chats(tmp_path, DESIRED)
    _install(monkeypatch, emu, Case())
    emu.set_faults(http_error_rate=1.0, fault_paths=["appchat/get"])
    r = run(capsys, "plan", "chats", "--out", "plan.json")
    assert r.code == 1 and "could not be planned" in r.err
    emu.set_faults(clear=True)
    r = run(capsys, "apply", "--plan", "plan.json")
    assert writes(emu) == []
    assert r.code == 1, r.out + r.err
