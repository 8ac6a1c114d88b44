"""What the adaptive limit (wecom.limiter) measures: rounds of answers to
requests sent under one limit, and the latency when nothing queues.

A round is a cohort: the first `size` requests sent from a point on, judged
when all of them are answered. Not the first `size` answers: those are the
quickest of more requests (a request sent later and answered sooner
overtakes a slow one), so with noisy latency a round of them looks faster
than the load it measures, most of all right after a change.

A request counts in a round only if the load it met was the limit's: a
round that starts while requests sent before a cut are still out (their
queue still draining at the server) is a settling round, with no verdict.
"""

from __future__ import annotations

from dataclasses import dataclass

MIN_ROUND = 8        # a round's median needs a few answers, whatever the limit


@dataclass(frozen=True)
class Ticket:
    epoch: int       # cuts so far when the request was let through
    generation: int  # changes of the limit so far, then
    limit: int       # the limit, then
    in_flight: int   # requests in flight with this one
    seq: int = -1    # requests let through before it under an adaptive limit; -1: not counted


class Round:
    """The answers to the requests sent `first` to `first + size - 1` under
    one limit (hand-made tickets, seq -1, count whenever they come). With a
    `head`, the first `head` of them are judged on their own first."""

    def __init__(self, generation: int, first: int, size: int, start: float, settled: bool,
                 head: int = 0) -> None:
        self.generation, self.first, self.size, self.start = generation, first, size, start
        self.settled = settled  # no request sent before a cut was out when it began
        self.head = head
        self.deferred = False   # the head left it in doubt: the whole round decides
        self.rtts: list[float] = []
        self.early: list[float] = []  # answers to the head
        self.late: list[float] = []   # answers to the rest
        self.lost = 0           # answers without a latency (connection dropped, garbage)
        self.busiest = 0
        self.paced = False

    def counts(self, ticket: Ticket) -> bool:
        if ticket.generation != self.generation:
            return False        # sent under another limit: says nothing about this one
        return ticket.seq < 0 or self.first <= ticket.seq < self.first + self.size

    def add(self, ticket: Ticket, rtt: float, paced: bool) -> None:
        self.rtts.append(rtt)
        early = self.first + self.head > ticket.seq if ticket.seq >= 0 else len(self.early) < self.head
        (self.early if early else self.late).append(rtt)
        self.busiest = max(self.busiest, ticket.in_flight)
        self.paced = self.paced or paced

    @property
    def done(self) -> bool:
        return len(self.rtts) + self.lost >= self.size

    @property
    def head_done(self) -> bool:
        return bool(self.head) and len(self.early) + self.lost >= self.head

    def pending(self) -> int:
        """Answers still to come before the next verdict (for tests)."""
        return self.head - len(self.early) if self.head and not self.head_done else self.size - len(self.rtts)

    def median(self, rtts: list[float] | None = None) -> float | None:
        """The median latency (of the round, or of `rtts`); None when too few were answered."""
        rtts = sorted(self.rtts if rtts is None else rtts)
        if len(rtts) < min(self.size, MIN_ROUND) // 2 or not rtts:
            return None
        return rtts[len(rtts) // 2]

    def spread(self) -> float:
        """The middle half of the latencies, against their median: the noise."""
        rtts = sorted(self.rtts)
        n = len(rtts)
        return (rtts[(3 * n) // 4] - rtts[n // 4]) / rtts[n // 2] if n >= 4 and rtts[n // 2] > 0 else 0.0


class Baseline:
    """The latency when nothing queues: the lowest round median, where a new
    low counts only once the next round agrees (a lucky round alone would
    make every later round look queued). The first round sets it, and all
    the answers to requests sent under the first limit then refine it (a
    round of 8 alone is 10-20% off with noisy latency), and say how noisy
    latency is (`spread`)."""

    def __init__(self, start: float) -> None:
        self.value: float | None = None
        self.spread = 0.0                # the first limit's noise (Round.spread)
        self._last: float | None = None  # the previous settled round's median
        self._lowered = False            # a later low was confirmed
        self._first: Round | None = Round(0, 0, 1 << 62, start, settled=True)  # all sent under the first limit
        self._first_sent: int | None = None  # how many that was, once the limit moved

    def opening(self, ticket: Ticket, rtt: float | None) -> None:
        """An answer (`rtt` None: without a latency) to a counted request."""
        if self._first is not None and self._first.counts(ticket):
            if rtt is None:
                self._first.lost += 1
            else:
                self._first.add(ticket, rtt, False)

    def first_limit_left(self, sent: int) -> None:
        self._first_sent = sent

    def refine(self, done: Round) -> None:
        """Before the verdict on `done`: once every request sent under the
        first limit is answered, they replace its first round's estimate."""
        first = self._first
        if first is not None and self._first_sent is not None and len(first.rtts) + first.lost >= self._first_sent:
            self.spread, self._first = first.spread(), None
            median = first.median()
            if median is not None and not self._lowered:
                self.value = median
        elif self.value is None:
            self.spread = done.spread()

    def update(self, median: float) -> None:
        if self.value is None:
            self.value = median
        elif self._last is not None and max(median, self._last) < self.value:
            self.value, self._lowered = max(median, self._last), True
        self._last = median

    def adopt(self, median: float) -> None:
        """The network got slower (cutting did not bring latency down)."""
        self.value = self._last = median
