"""A simulated WeCom for the concurrency limit: a pure model of latency
against requests in flight, on a fake clock. The limit's decisions are then
a function of the model alone, tested whatever the machine's load.

The model is the emulator's (reconciler/emulator/load.py and api.py) without
threads or sleeps: the server works on `capacity` requests at a time (0: no
limit), each for `latency` seconds (uniform in ± `jitter`, drawn from a
seeded generator), and the rest wait in line in the order they came. With
`max_concurrent`, a request that arrives with that many already held is
answered 45033 after its latency, holding no place. A share `error_rate` of
the answers is an HTTP 5xx. The client is wecom.calls' loop: it sends while
the gate lets it (the real Limiter, on the fake clock), feeds each answer's
round trip to the gate, and sends a refused or failed read again.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections import deque
from dataclasses import dataclass, field

from tests.helpers import FakeClock
from reconciler.wecom.gate import Limiter
from reconciler.wecom.limiter import AdaptiveLimit, FixedLimit, Outcome, Ticket


@dataclass(frozen=True)
class Server:
    latency: float               # seconds a request takes when it is worked on at once
    jitter: float = 0.0
    capacity: int = 0            # worked on at once; the rest queue; 0 = no limit
    max_concurrent: int = 0      # held at once; more are refused with 45033; 0 = no limit
    error_rate: float = 0.0      # share of answers that are HTTP 5xx
    seed: int = 20


@dataclass
class Run:
    answered: int = 0            # reads answered OK: every read, at the end
    refused: int = 0             # 45033 answers
    failed: int = 0              # 5xx answers
    peak_in_flight: int = 0      # the most the client had in flight at once
    peak_serving: int = 0        # the most the server worked on at once
    seconds: float = 0.0         # simulated time the reads took
    limits: list[int] = field(default_factory=list)  # the limit, each time it changed (the first included)
    final: int = 0
    peak: int = 0


def simulate(server: Server, reads: int, *, fixed: int | None = None, **adaptive) -> Run:
    """`reads` reads through a Limiter (FixedLimit(fixed), or an
    AdaptiveLimit(**adaptive) on the simulation's clock) against `server`."""
    clock = FakeClock(0.0)
    policy = FixedLimit(fixed) if fixed is not None else AdaptiveLimit(clock=clock, **adaptive)
    gate, rng, run = Limiter(policy), random.Random(server.seed), Run(limits=[policy.limit])
    order = itertools.count()
    answers: list[tuple[float, int, bool, Ticket, float]] = []   # (when, order, held a place, ticket, sent)
    line: deque[tuple[Ticket, float]] = deque()
    pending, in_flight, held, serving = reads, 0, 0, 0

    def took() -> float:
        return max(0.0, server.latency + rng.uniform(-server.jitter, server.jitter))

    def work(ticket: Ticket, sent: float) -> None:
        nonlocal serving
        serving += 1
        run.peak_serving = max(run.peak_serving, serving)
        heapq.heappush(answers, (clock.now + took(), next(order), True, ticket, sent))

    while True:
        while pending and in_flight < gate.limit:
            ticket = gate.acquire()              # never waits: fewer than the limit are in flight
            pending, in_flight = pending - 1, in_flight + 1
            run.peak_in_flight = max(run.peak_in_flight, in_flight)
            if server.max_concurrent and held >= server.max_concurrent:
                heapq.heappush(answers, (clock.now + took(), next(order), False, ticket, clock.now))
                continue
            held += 1
            if server.capacity and serving >= server.capacity:
                line.append((ticket, clock.now))
            else:
                work(ticket, clock.now)
        if not answers:
            break
        clock.now, _, was_held, ticket, sent = heapq.heappop(answers)
        in_flight -= 1
        if was_held:
            held, serving = held - 1, serving - 1
            if line:
                work(*line.popleft())
            outcome = Outcome.OVERLOADED if rng.random() < server.error_rate else Outcome.OK
        else:
            outcome = Outcome.REJECTED
        gate.release(ticket, clock.now - sent, outcome)
        if outcome is Outcome.OK:
            run.answered += 1
        else:
            pending += 1
            run.refused += outcome is Outcome.REJECTED
            run.failed += outcome is Outcome.OVERLOADED
        if gate.limit != run.limits[-1]:
            run.limits.append(gate.limit)
    run.seconds, run.final, run.peak = clock.now, gate.limit, policy.peak
    return run
