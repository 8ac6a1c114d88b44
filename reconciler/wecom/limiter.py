"""How many WeCom requests may be in flight at once, found while reading.

WeCom publishes a quota per minute (the pacer keeps to it) but not how many
calls it takes at once: past that it answers 45033. And the number that
keeps the quota busy depends on the round trip: 8 in flight is plenty next
to WeCom and a quarter of what the quota allows from 200 ms away. So the
limit is learnt the way TCP learns a path's window, in rounds of about one
round trip (the answers to as many requests as the limit, at least
MIN_ROUND, sent first under it: wecom.rounds), judged by their median
against the lowest median seen (a new low counts when two rounds agree):

- slow start: from 8 the limit doubles every round while latency holds and
  throughput rises; the round after a doubling is the requests it added,
  unless their median is past what the first limit's noise explains: then
  as many more, sent with the full load in flight, decide;
- then +1 a round while latency holds;
- 45033, a timeout or HTTP 5xx cuts it at once (once per round: answers to
  requests sent before the cut do not cut again) to 90% of the limit the
  refused request was sent under, less one, or to the last limit that
  passed a whole round if lower (in slow start, the half before the
  doubling that went too far); latency above twice the lowest seen cuts
  it too, unless cutting did not bring latency down (then the network got
  slower, not us: that latency becomes the new normal). A round begun
  while requests sent before a cut were out (their queue draining) decides
  nothing;
- a 45033 also leaves a ceiling, one below the limit it came at: the limit
  climbs back to it and probes one past it only after 8 rounds, 16 after a
  failed probe, and so on; a probe passes after as many rounds as it waited,
  moves the ceiling up by one and halves the wait. So a server's hard cap
  costs a few dozen 45033 answers a run (most of them while first finding
  it), not one every few rounds, and a cap that went away is forgotten after
  a few probes.

AdaptiveLimit decides (no threads, the clock injected, so tests feed it
samples); wecom.gate.Limiter is the gate request threads wait at. FixedLimit
is `--concurrency N`: the same gate, a limit that never moves.
"""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass
from typing import Callable

from reconciler.wecom.rounds import MIN_ROUND, Baseline, Round, Ticket

__all__ = ["INITIAL_LIMIT", "MAX_LIMIT", "MIN_ROUND", "AdaptiveLimit", "Change", "FixedLimit", "Outcome", "Ticket"]

INITIAL_LIMIT = 8
MAX_LIMIT = 256      # ~1,000 reads/s at 250 ms: the 9,500-a-minute quota in 10 s
BACKOFF = 0.9        # cut to 90% (Netflix's AIMD default): the signal says where the edge is
GROW_BELOW = 1.3     # latency within 1.3x the lowest seen (+ SLACK) "holds"
CUT_ABOVE = 2.0      # twice the lowest: requests queue somewhere, fewer at once is as fast
SLACK = 0.005        # seconds: 1 ms against 2 ms is noise, not a queue
PROBE_ROUNDS = 8     # rounds at a 45033 ceiling before trying one more
MAX_PROBE_ROUNDS = 128


class Outcome(enum.Enum):
    """What one HTTP attempt says about the load."""
    OK = "ok"                  # an answer (any errcode but 45033): a latency sample
    REJECTED = "rejected"      # 45033: too many concurrent calls
    OVERLOADED = "overloaded"  # a timeout or HTTP 5xx
    NEUTRAL = "neutral"        # no verdict (connection refused or dropped, a garbage body)


@dataclass(frozen=True)
class Change:
    old: int
    new: int
    reason: str


class FixedLimit:
    """`--concurrency N`: N at a time, whatever happens."""

    adaptive = False

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("concurrency must be at least 1")
        self.limit = self.peak = self.maximum = limit
        self.epoch = self.generation = 0

    def ticket(self, in_flight: int) -> Ticket:
        return Ticket(0, 0, self.limit, in_flight)

    def on_sample(self, ticket: Ticket, rtt: float, outcome: Outcome, paced: bool = False) -> Change | None:
        return None


class AdaptiveLimit:
    adaptive = True

    def __init__(self, initial: int = INITIAL_LIMIT, minimum: int = 1, maximum: int = MAX_LIMIT, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if not 1 <= minimum <= initial <= maximum:
            raise ValueError("need 1 <= minimum <= initial <= maximum")
        self.limit = self.peak = initial
        self.minimum, self.maximum = minimum, maximum
        self.epoch = 0       # cuts: an overload sent before the last cut does not cut again
        self.generation = 0  # changes: a round measures only requests sent under its limit
        self._clock = clock
        self._sent = 0       # tickets handed out (their seq)
        self._out = 0        # of those, not answered yet
        self._draining = 0   # of those, sent before the last cut
        self._ssthresh = maximum            # doubling until the first sign of congestion
        self._baseline = Baseline(clock())  # the no-queue latency
        self._ceiling: int | None = None    # below the lowest limit a 45033 came at
        self._probe_rounds = PROBE_ROUNDS
        self._rounds_at_ceiling = 0
        self._probing = 0                   # rounds survived past the ceiling; 0 = not probing
        self._latency_cut_at: float | None = None  # median when latency last cut the limit
        self._last_rate: float | None = None
        self._doubled = False
        self._passed: int | None = None  # the limit of the last round that ended without a cut
        self._new_round()

    def ticket(self, in_flight: int) -> Ticket:
        """The ticket of a request let through now, `in_flight` with it."""
        self._sent += 1
        self._out += 1
        return Ticket(self.epoch, self.generation, self.limit, in_flight, self._sent - 1)

    # ---- samples ---------------------------------------------------------

    def on_sample(self, ticket: Ticket, rtt: float, outcome: Outcome, paced: bool = False) -> Change | None:
        """One HTTP attempt ended; the change of limit it brings, if any.
        `paced`: the quota pacer held the request back, so the limit was
        not what bounded it (no growth from such a round)."""
        if ticket.seq >= 0:
            self._out -= 1
            if ticket.epoch != self.epoch and self._draining:
                self._draining -= 1
            self._baseline.opening(ticket, rtt if outcome is Outcome.OK else None)
        if outcome in (Outcome.REJECTED, Outcome.OVERLOADED):
            return self._overload(ticket, outcome is Outcome.REJECTED)
        if not self._round.counts(ticket):
            # Sent under an older limit: right after 16 -> 32 the answers of the
            # first 16 say nothing about 32 (the queue 32 makes builds later).
            return None
        if outcome is Outcome.OK:
            self._round.add(ticket, rtt, paced)
        elif ticket.seq >= 0:
            self._round.lost += 1
        else:
            return None
        if self._round.head_done and not self._round.deferred:
            return self._end_round(early=True)
        return self._end_round() if self._round.done else None

    def _overload(self, ticket: Ticket, rejected: bool) -> Change | None:
        # One less than the limit it was sent under: all the client knows. Not
        # the in-flight count at the send (requests sent in one burst reach
        # the server in any order), nor a count of refusals (retries and
        # refills mix in); a few cuts in a row find the edge.
        below = max(self.minimum, ticket.limit - 1)
        if rejected:
            self._ceiling = below if self._ceiling is None else min(self._ceiling, below)
        why = "45033 (too many concurrent calls)" if rejected else "a timeout or HTTP 5xx"
        why = f"{why} at a limit of {ticket.limit}"
        if ticket.epoch != self.epoch:
            # sent before the last cut, which already answered it; a 45033
            # still says where the server's edge is
            if rejected and self.limit > self._ceiling:
                return self._cut(self._ceiling, why)
            return None
        if rejected and self._probing:
            self._probe_rounds = min(self._probe_rounds * 2, MAX_PROBE_ROUNDS)
        new = int(min(self.limit, below) * BACKOFF)
        if self._passed is not None:
            new = min(new, self._passed)  # in slow start: back to the half that passed
        return self._cut(max(self.minimum, new), why)

    def _cut(self, new: int, reason: str) -> Change | None:
        self.epoch += 1
        self._draining = self._out  # their queue drains before a round measures the new limit
        self._ssthresh = new
        self._probing = self._rounds_at_ceiling = 0
        self._doubled = False
        change = self._set(new, reason)
        if change is None:
            self._new_round()
        return change

    # ---- rounds ----------------------------------------------------------

    def _new_round(self) -> None:
        # After a doubling, the requests it added (sent at once, meeting a
        # queue if the server queues at the old limit) decide: one round
        # trip a step, not two; if they leave it in doubt, as many more do.
        head = max(self.limit // 2, MIN_ROUND) if self._doubled else 0
        self._round = Round(self.generation, self._sent, 2 * head or max(self.limit, MIN_ROUND), self._clock(),
                            settled=not self._draining, head=head)

    def _end_round(self, early: bool = False) -> Change | None:
        done = self._round
        median = done.median(done.early if early else done.late if done.head else None)
        self._baseline.refine(done)
        if early:
            # Surely no queue: within the lowest's own noise (the middle half
            # of the first limit's latencies, as a share of their median):
            # 1.2x with +-10% jitter, 1x with +-30% or more.
            baseline = self._baseline.value or 0.0
            sure = baseline * max(1.0, GROW_BELOW - self._baseline.spread) + SLACK
            if median is None or sure < median <= baseline * GROW_BELOW + SLACK:
                # A queue the noise could hide: the rest of the round, sent
                # with the full load in flight, decides.
                done.deferred = True
                return self._end_round() if done.done else None
        if median is None or not done.settled:
            # no verdict: too few answers, or the queue of a cut still drained
            self._doubled = False
            self._new_round()
            return None
        elapsed = self._clock() - done.start  # (a deferred round's halves met different loads: no rate)
        rate = len(done.rtts) / elapsed if elapsed > 0 and not done.deferred else None
        if self._probing and done.busiest >= self.limit:
            # A probe passes after as many whole rounds without a 45033 as it
            # waited for (2 at least: a refusal comes back a round trip after
            # it was sent; and the server may count fewer in flight than we
            # do, so one lucky round proves little). Then the ceiling moves up
            # to here and the next try comes twice as soon; once one round is
            # all it waits, the ceiling is gone.
            self._probing += 1
            if self._probing > max(2, self._probe_rounds):
                self._probing, self._ceiling, self._rounds_at_ceiling = 0, self.limit, 0
                self._probe_rounds //= 2
                if self._probe_rounds < 1:
                    self._ceiling, self._probe_rounds = None, PROBE_ROUNDS
        self._passed = self.limit
        generation = self.generation
        change = self._decide(median, rate)
        self._last_rate = rate
        if self.generation == generation and self._round is done:
            self._new_round()
        return change

    def _decide(self, median: float, rate: float | None) -> Change | None:
        doubled, self._doubled = self._doubled, False
        if self._latency_cut_at is not None:
            if median > self._latency_cut_at * 0.9:
                # fewer in flight (and their queue drained: a settled round)
                # did not bring latency down: it is the network's, not a
                # queue of ours; measure from here
                self._baseline.adopt(median)
            self._latency_cut_at = None
        self._baseline.update(median)
        baseline = self._baseline.value or 0.0
        if median > baseline * CUT_ABOVE + SLACK:
            new = max(self.minimum, int(self.limit * max(0.5, baseline * GROW_BELOW / median)))
            if doubled:
                new = min(new, self.limit // 2)  # the doubling went too far: back to the half that held
            if new >= self.limit:
                return None
            self._latency_cut_at = median
            return self._cut(new, f"latency {median * 1000:.0f} ms against a lowest of {baseline * 1000:.0f} ms")
        if median > baseline * GROW_BELOW + SLACK:
            self._ssthresh = min(self._ssthresh, self.limit)  # a queue is forming: no more doubling
            return None
        if self._round.paced or self._round.busiest * 2 < self.limit:
            return None  # the limit was not what held the reads back
        doubling = self.limit < self._ssthresh
        if doubling:
            if (doubled and rate is not None and self._last_rate is not None
                    and len(self._round.rtts) >= 16 and rate < self._last_rate * 1.1):
                self._ssthresh = self.limit
                return None  # twice as many at once, no more done: the bottleneck is elsewhere
            new, reason = min(self.limit * 2, self._ssthresh, self.maximum), "slow start"
        else:
            new, reason = self.limit + 1, "latency holds"
        if self._ceiling is not None and new > self._ceiling:
            if self.limit < self._ceiling:
                new = self._ceiling
            elif self._probing:
                return None  # a probe is under way: its verdict first
            else:
                self._rounds_at_ceiling += 1
                if self._rounds_at_ceiling < self._probe_rounds or self.limit >= self.maximum:
                    return None
                new, reason = self.limit + 1, f"probing past the 45033 ceiling of {self._ceiling}"
                self._rounds_at_ceiling, self._probing = 0, 1
        self._doubled = doubling
        return self._set(min(new, self.maximum), f"{reason}: {median * 1000:.0f} ms, "
                                                 f"lowest {baseline * 1000:.0f} ms")

    def _set(self, new: int, reason: str) -> Change | None:
        old, self.limit = self.limit, new
        self.peak = max(self.peak, new)
        if new == old:
            return None
        if not self.generation:
            self._baseline.first_limit_left(self._sent)
        self.generation += 1
        self._new_round()
        return Change(old, new, reason)
