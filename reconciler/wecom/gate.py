"""The gate request threads wait at: at most `limit` requests in flight
(the limit a wecom.limiter policy sets), the others waiting in line.

Two lines, each first come, first served:

- the first line: reads other work waits for (the directory, which every
  chat with `dept:`/`tag:` needs before it can be planned; a new token);
- the other line: everything else (chat reads, writes).

A freed slot goes to the head of the first line if anyone is in it, else to
the head of the other. It is handed over, not raced for: a request that
arrives while others wait queues behind them, so with a cap shared by chat
reads and directory reads the directory is not starved by the chat reads
that keep refilling the line, and it finishes early instead of last. The
directory is a few hundred reads at most, so the chat reads are not starved
either.
"""

from __future__ import annotations

import logging
import threading
from collections import deque

from reconciler.wecom.limiter import AdaptiveLimit, FixedLimit, Outcome, Ticket

log = logging.getLogger("reconciler.wecom.limiter")


class _Waiter:
    __slots__ = ("lock", "ticket")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.lock.acquire()  # released by the hand-over
        self.ticket: Ticket | None = None


class Limiter:
    """acquire() waits until a slot is handed over; release() reports how
    the request went, which may move the limit, and hands the slot on."""

    def __init__(self, limit: AdaptiveLimit | FixedLimit) -> None:
        self._limit = limit
        self._lock = threading.Lock()
        self._in_flight = 0
        self._first: deque[_Waiter] = deque()
        self._other: deque[_Waiter] = deque()

    @property
    def limit(self) -> int:
        return self._limit.limit

    @property
    def maximum(self) -> int:
        return self._limit.maximum

    def waiting(self) -> int:
        """Requests waiting for a slot now (for tests: wait until they are held)."""
        with self._lock:
            return len(self._first) + len(self._other)

    def acquire(self, first: bool = False) -> Ticket:
        """A slot; `first` puts the request in the first line."""
        with self._lock:
            if self._in_flight < self._limit.limit and not (self._first or self._other):
                return self._take()
            waiter = _Waiter()
            (self._first if first else self._other).append(waiter)
        waiter.lock.acquire()
        assert waiter.ticket is not None
        return waiter.ticket

    def release(self, ticket: Ticket, rtt: float, outcome: Outcome, paced: bool = False) -> None:
        with self._lock:
            self._in_flight -= 1
            change = self._limit.on_sample(ticket, rtt, outcome, paced)
            while self._in_flight < self._limit.limit and (self._first or self._other):
                waiter = (self._first or self._other).popleft()
                waiter.ticket = self._take()
                waiter.lock.release()
        if change is not None:
            log.debug("concurrency limit %d -> %d: %s", change.old, change.new, change.reason)

    def _take(self) -> Ticket:
        self._in_flight += 1
        return self._limit.ticket(self._in_flight)

    def figures(self) -> dict:
        """For the plan JSON and -v: how the limit was set and where it ended."""
        with self._lock:
            mode = "adaptive" if self._limit.adaptive else "fixed"
            return {"mode": mode, "final": self._limit.limit, "peak": self._limit.peak}
