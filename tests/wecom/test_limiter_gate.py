"""The gate request threads wait at (wecom.gate.Limiter): it holds the
request past the limit until a release, a raised limit lets in as many
more as it allows, and a freed slot goes to the first line (directory
reads) before the other (chat reads), each first come, first served. The
tests wait for requests to be held at the gate (it counts them), never for
a time to pass."""

from __future__ import annotations

import logging
import threading
import time

from tests.helpers import FakeClock
from reconciler.wecom.gate import Limiter
from reconciler.wecom.limiter import MIN_ROUND, AdaptiveLimit, FixedLimit, Outcome


def until(condition, limit: float = 60.0) -> bool:
    """Poll `condition` until it holds (True) or `limit` seconds pass: the
    limit is for a broken gate, so a loaded machine never reaches it."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


def held(gate: Limiter) -> int:
    return gate.waiting()


def test_the_gate_lets_limit_through_and_the_next_waits_for_a_release():
    gate = Limiter(FixedLimit(2))
    first, second = gate.acquire(), gate.acquire()
    assert (first.in_flight, second.in_flight) == (1, 2)
    let_in = threading.Event()

    def third():
        gate.acquire()
        let_in.set()

    t = threading.Thread(target=third, daemon=True)
    t.start()
    assert until(lambda: held(gate) == 1), "the third request never reached the gate"
    assert not let_in.is_set(), "a third request got in with a limit of 2"
    gate.release(first, 0.1, Outcome.OK)
    assert let_in.wait(60), "a release did not let the waiting request in"
    t.join(60)
    assert gate.figures() == {"mode": "fixed", "final": 2, "peak": 2}


def test_a_raised_limit_lets_waiting_requests_in_and_is_logged(caplog):
    caplog.set_level(logging.DEBUG, logger="reconciler.wecom.limiter")
    gate = Limiter(AdaptiveLimit(initial=1, clock=FakeClock()))
    for _ in range(MIN_ROUND - 1):           # all but the last answer of a round at 1
        gate.release(gate.acquire(), 0.1, Outcome.OK)
    last = gate.acquire()
    got_in = [threading.Event() for _ in range(3)]
    for event in got_in:
        threading.Thread(target=lambda e=event: (gate.acquire(), e.set()), daemon=True).start()
    assert until(lambda: held(gate) == 3), "three requests should be held at a limit of 1"
    assert not any(e.is_set() for e in got_in), "a request got past a limit of 1"
    gate.release(last, 0.1, Outcome.OK)      # the round ends, latency held: 1 -> 2
    assert until(lambda: sum(e.is_set() for e in got_in) >= 2), "the raised limit let no one in"
    # two in flight, the third held: nobody releases
    assert (gate.figures()["final"], gate.waiting()) == (2, 1), "the raised limit let in more than 2"
    assert sum(e.is_set() for e in got_in) == 2
    assert "concurrency limit 1 -> 2: slow start" in caplog.text
    assert gate.figures() == {"mode": "adaptive", "final": 2, "peak": 2}


def _queue(gate: Limiter, order: list, name: str, first: bool) -> threading.Thread:
    """A request `name` that waits at the gate, then records its turn and holds its slot."""
    def run():
        gate.acquire(first=first)
        order.append(name)
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def test_a_freed_slot_goes_to_the_first_line_then_in_order_of_arrival():
    gate = Limiter(FixedLimit(1))
    holder = gate.acquire()
    order: list[str] = []
    threads = []
    for n, (name, first) in enumerate([("chat1", False), ("chat2", False), ("dept", True), ("tag", True)]):
        threads.append(_queue(gate, order, name, first))
        assert until(lambda: held(gate) == n + 1), f"{name} never reached the gate"
    for n in range(4):                       # one slot: each release lets exactly the next one in
        gate.release(holder, 0.1, Outcome.OK)  # (a fixed limit reads nothing of the ticket)
        assert until(lambda: len(order) == n + 1), "a release let nobody in"
        assert held(gate) == 3 - n
    for t in threads:
        t.join(60)
    assert order == ["dept", "tag", "chat1", "chat2"]


def test_a_request_that_arrives_while_others_wait_queues_behind_them():
    gate = Limiter(FixedLimit(1))
    holder = gate.acquire()
    order: list[str] = []
    waiting = _queue(gate, order, "waiting", False)
    assert until(lambda: held(gate) == 1)
    gate.release(holder, 0.1, Outcome.OK)    # the slot is handed to "waiting", not raced for
    assert until(lambda: order == ["waiting"])
    late = _queue(gate, order, "late", False)
    assert until(lambda: held(gate) == 1), "a late request got a slot that was handed over"
    assert order == ["waiting"]
    waiting.join(60)
    gate.release(holder, 0.1, Outcome.OK)
    late.join(60)
    assert order == ["waiting", "late"]
