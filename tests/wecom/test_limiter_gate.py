"""The gate request threads wait at (wecom.limiter.Limiter): it holds the
request past the limit until a release, and a raised limit lets in as many
more as it allows. The tests wait for requests to be held at the gate (its
condition counts them), never for a time to pass."""

from __future__ import annotations

import logging
import threading
import time

from tests.helpers import FakeClock
from reconciler.wecom.limiter import MIN_ROUND, AdaptiveLimit, FixedLimit, Limiter, Outcome


class CountingCondition(threading.Condition):
    """The gate's condition, counting the requests held at it: a test waits
    for them to be held, never for a time to pass."""

    waiting = 0

    def wait(self, timeout=None):
        self.waiting += 1
        try:
            return super().wait(timeout)
        finally:
            self.waiting -= 1


def counted(gate: Limiter) -> CountingCondition:
    gate._cond = CountingCondition()
    return gate._cond


def until(condition, limit: float = 60.0) -> bool:
    """Poll `condition` until it holds (True) or `limit` seconds pass: the
    limit is for a broken gate, so a loaded machine never reaches it."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


def held(cond: CountingCondition) -> int:
    with cond:
        return cond.waiting


def test_the_gate_lets_limit_through_and_the_next_waits_for_a_release():
    gate = Limiter(FixedLimit(2))
    cond = counted(gate)
    first, second = gate.acquire(), gate.acquire()
    assert (first.in_flight, second.in_flight) == (1, 2)
    let_in = threading.Event()

    def third():
        gate.acquire()
        let_in.set()

    t = threading.Thread(target=third, daemon=True)
    t.start()
    assert until(lambda: held(cond) == 1), "the third request never reached the gate"
    assert not let_in.is_set(), "a third request got in with a limit of 2"
    gate.release(first, 0.1, Outcome.OK)
    assert let_in.wait(60), "a release did not let the waiting request in"
    t.join(60)
    assert gate.figures() == {"mode": "fixed", "final": 2, "peak": 2}


def test_a_raised_limit_lets_waiting_requests_in_and_is_logged(caplog):
    caplog.set_level(logging.DEBUG, logger="reconciler.wecom.limiter")
    gate = Limiter(AdaptiveLimit(initial=1, clock=FakeClock()))
    cond = counted(gate)
    for _ in range(MIN_ROUND - 1):           # all but the last answer of a round at 1
        gate.release(gate.acquire(), 0.1, Outcome.OK)
    last = gate.acquire()
    got_in = [threading.Event() for _ in range(3)]
    for event in got_in:
        threading.Thread(target=lambda e=event: (gate.acquire(), e.set()), daemon=True).start()
    assert until(lambda: held(cond) == 3), "three requests should be held at a limit of 1"
    assert not any(e.is_set() for e in got_in), "a request got past a limit of 1"
    gate.release(last, 0.1, Outcome.OK)      # the round ends, latency held: 1 -> 2
    assert until(lambda: sum(e.is_set() for e in got_in) >= 2), "the raised limit let no one in"
    with cond:                               # two in flight, the third held: nobody releases
        assert (gate._in_flight, cond.waiting) == (2, 1), "the raised limit let in more than 2"
    assert sum(e.is_set() for e in got_in) == 2
    assert "concurrency limit 1 -> 2: slow start" in caplog.text
    assert gate.figures() == {"mode": "adaptive", "final": 2, "peak": 2}
