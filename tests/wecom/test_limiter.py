"""The adaptive concurrency limit, fed synthetic answers on a fake clock:
every decision is a function of the samples, so none of this waits."""

from __future__ import annotations

import pytest

from tests.helpers import FakeClock
from reconciler.wecom.limiter import MAX_LIMIT, AdaptiveLimit, FixedLimit, Outcome, Ticket


class Drive:
    """Plays rounds of answers into an AdaptiveLimit (as many as end the
    round under way), the clock moving one round trip per round."""

    def __init__(self, **kw):
        self.clock = FakeClock()
        self.limit = AdaptiveLimit(clock=self.clock, **kw)
        self.changes = []
        self.answers = 0

    def round(self, rtt: float, *, busiest: int | None = None, paced: bool = False, seconds: float | None = None):
        n = self.limit._round.pending()   # what ends the round (or its head) under way
        generation, start = self.limit.generation, self.limit.limit
        for _ in range(n):
            self.clock.advance((rtt if seconds is None else seconds) / n)
            self.sample(self.ticket(busiest or start), Outcome.OK, rtt, paced)
            if self.limit.generation != generation:
                break
        return self.limit.limit

    def rounds(self, count: int, rtt: float, **kw) -> list[int]:
        return [self.round(rtt, **kw) for _ in range(count)]

    def ticket(self, in_flight: int, epoch: int | None = None) -> Ticket:
        """A request sent now (or, with `epoch`, before the cuts since)."""
        return Ticket(self.limit.epoch if epoch is None else epoch, self.limit.generation, self.limit.limit,
                      in_flight)

    def sample(self, ticket: Ticket, outcome: Outcome, rtt: float = 0.1, paced: bool = False):
        self.answers += 1
        change = self.limit.on_sample(ticket, rtt, outcome, paced)
        if change:
            self.changes.append(change)
        return change


# ---------------------------------------------------------------- growth

def test_slow_start_doubles_from_8_each_round_while_latency_holds_up_to_the_maximum():
    d = Drive()
    assert d.limit.limit == 8
    assert d.rounds(7, rtt=0.25) == [16, 32, 64, 128, 256, 256, 256]
    assert d.limit.limit == MAX_LIMIT == d.limit.peak
    assert [c.reason.split(":")[0] for c in d.changes] == ["slow start"] * 5


def test_after_a_doubling_the_answers_to_the_requests_it_added_make_the_round():
    # one round trip a step: 8 answers at 8, then 8 at 16, 16 at 32, ...
    d = Drive()
    d.rounds(5, rtt=0.25)
    assert d.limit.limit == 256 and d.answers == 8 + 8 + 16 + 32 + 64


def test_latency_past_1_3x_the_lowest_ends_doubling_and_growth_continues_one_a_round():
    d = Drive()
    d.rounds(2, rtt=0.100)                   # 8 -> 16 -> 32, lowest 100 ms
    assert d.round(rtt=0.150) == 32          # 1.5x: a queue is forming: hold
    assert d.rounds(3, rtt=0.100) == [33, 34, 35]   # no more doubling, +1 a round
    assert d.changes[-1].reason.startswith("latency holds")


def test_latency_past_twice_the_lowest_cuts_towards_where_it_held():
    d = Drive()
    d.rounds(3, rtt=0.020)                   # 64, lowest 20 ms
    assert d.limit.limit == 64
    assert d.round(rtt=0.080) == 32          # 4x: halved at most
    assert "latency 80 ms against a lowest of 20 ms" in d.changes[-1].reason
    assert d.round(rtt=0.035) == 32          # 1.75x: holds
    assert d.round(rtt=0.020) == 33


def test_latency_that_cutting_did_not_bring_down_becomes_the_new_normal():
    # The network got slower (a route change, WeCom under load): fewer
    # requests at once do not help, so the limit must not spiral down to 1.
    d = Drive()
    d.rounds(2, rtt=0.020)                   # 32, lowest 20 ms
    assert d.round(rtt=0.100) == 16          # looks like our queue: cut
    # it did not help: 100 ms is the new lowest, and growth resumes from it
    assert d.rounds(4, rtt=0.100) == [17, 18, 19, 20]


def test_no_growth_while_the_limit_is_not_what_holds_reads_back():
    d = Drive()
    assert d.rounds(3, rtt=0.1, busiest=3) == [8, 8, 8]        # 3 of 8 in use: nothing to gain
    assert d.rounds(3, rtt=0.1, paced=True) == [8, 8, 8]       # the quota pacer held them back
    assert d.round(rtt=0.1) == 16


def test_doubling_stops_when_throughput_stops_rising():
    d = Drive()
    d.rounds(2, rtt=0.1)                     # 8 -> 16 -> 32 (each round takes 0.1 s)
    # twice as many at once, but the round takes twice as long: same throughput
    assert d.round(rtt=0.1, seconds=0.2) == 32
    assert d.round(rtt=0.1) == 33            # +1 from here on


# ---------------------------------------------------------------- noisy latency

def sent(d: Drive, n: int) -> list[Ticket]:
    """`n` requests let through now, numbered as the gate numbers them."""
    return [d.limit.ticket(d.limit.limit) for _ in range(n)]


def test_a_round_is_the_requests_sent_first_not_the_answers_that_came_first():
    # 16 sent at a limit of 8: the first 8 are the round. The 8 sent after
    # them and answered sooner are the quick ones of more requests: taken
    # as the round, they made the latency look lower than it was.
    d = Drive()
    first, later = sent(d, 8), sent(d, 8)
    for ticket in later:
        d.sample(ticket, Outcome.OK, rtt=0.05)
    assert d.limit.limit == 8 and d.changes == []
    for ticket in first:
        d.sample(ticket, Outcome.OK, rtt=0.2)
    assert d.limit.limit == 16 and d.changes[-1].reason == "slow start: 200 ms, lowest 200 ms"


@pytest.mark.parametrize("rest, after", [(0.2, [16, 17]), (0.1, [32])])
def test_after_a_doubling_a_head_in_doubt_leaves_the_verdict_to_requests_sent_at_the_full_load(rest, after):
    d = Drive()
    for ticket, rtt in zip(sent(d, 8), [0.07, 0.08, 0.09, 0.10, 0.10, 0.11, 0.12, 0.13]):
        d.sample(ticket, Outcome.OK, rtt)    # 100 ms, +-30%: the noise of this server
    assert d.limit.limit == 16
    added, full = sent(d, 8), sent(d, 8)     # the 8 the doubling added, then 8 sent with 16 in flight
    for ticket in added:
        d.sample(ticket, Outcome.OK, rtt=0.12)
    # 1.2x: within 1.3x, but past what the noise explains: no verdict yet
    assert d.limit.limit == 16 and len(d.changes) == 1
    for ticket in full:
        d.sample(ticket, Outcome.OK, rtt=rest)
    # 2x: the server queues at 8 (no more doubling, +1 a round from here); 1x: it does not
    assert [d.limit.limit, *([d.round(rtt=0.1)] if rest > 0.1 else [])] == after


def test_after_a_cut_the_round_sent_while_the_old_queue_drains_decides_nothing():
    d = Drive()
    d.rounds(2, rtt=0.020)                   # 32, lowest 20 ms
    before = sent(d, 32)                     # in flight when latency cuts it
    assert d.round(rtt=0.100) == 16
    for ticket in before:                    # their queue drains
        d.sample(ticket, Outcome.OK, rtt=0.100)
    # the round begun meanwhile met that queue: it neither cuts again nor
    # makes its latency the new normal ...
    assert d.round(rtt=0.100) == 16
    # ... the next one does: cutting did not bring latency down
    assert d.rounds(2, rtt=0.100) == [17, 18]


def test_one_lucky_round_does_not_lower_the_lowest_latency_two_in_a_row_do():
    d = Drive()
    d.rounds(2, rtt=0.1)                     # 32, lowest 100 ms
    assert d.round(rtt=0.05) == 64           # a lucky round ...
    d.round(rtt=0.12)                        # ... and 120 ms is still 1.2x the lowest: no cut
    assert d.limit.limit >= 64 and all(c.new > c.old for c in d.changes), d.changes
    d = Drive()
    d.rounds(2, rtt=0.1)
    assert d.rounds(2, rtt=0.05) == [64, 128]    # twice in a row: the network got faster
    assert d.round(rtt=0.12) == 64           # 2.4x the new lowest: back to the half that held
    assert "latency 120 ms against a lowest of 50 ms" in d.changes[-1].reason


# ---------------------------------------------------------------- 45033, timeouts, 5xx

def refuse_burst(d: Drive, refused: int) -> None:
    """Requests sent at the current limit, `refused` of them answered 45033."""
    sent = d.ticket(d.limit.limit)
    for _ in range(refused):
        d.sample(sent, Outcome.REJECTED)


def test_a_45033_in_slow_start_cuts_once_back_to_the_half_that_passed():
    d = Drive()
    d.rounds(2, rtt=0.25)                    # 8 -> 16 -> 32: 16 passed a whole round
    refuse_burst(d, 12)                      # a dozen of the burst at 32 refused
    assert d.limit.limit == 16               # one cut, to what passed
    assert len(d.changes) == 3 and "45033 (too many concurrent calls) at a limit of 32" in d.changes[-1].reason


def test_refusals_before_any_round_passed_cut_to_90_percent_below_until_the_cap_is_found():
    d = Drive(initial=32)                    # against a cap of 20
    limits = []
    while d.limit.limit > 20:                # every limit above the cap meets a 45033
        refuse_burst(d, d.limit.limit - 20)
        limits.append(d.limit.limit)
    assert limits == [27, 23, 19]


def test_after_a_45033_the_limit_stays_at_its_ceiling_and_probes_past_it_rarely():
    d = Drive(initial=20)
    refuse_burst(d, 1)                       # refused at 20: ceiling 19, 90% of it
    assert d.limit.limit == 17
    assert d.rounds(2, rtt=0.25) == [18, 19]
    assert d.rounds(8, rtt=0.25) == [19] * 7 + [20]   # 8 rounds at the ceiling, then one probe
    assert "probing past the 45033 ceiling of 19" in d.changes[-1].reason
    refuse_burst(d, 1)                       # the cap is still there: back to what passed
    assert d.limit.limit == 17
    assert d.rounds(2, rtt=0.25) == [18, 19]
    assert d.rounds(16, rtt=0.25) == [19] * 15 + [20]   # the next probe waits twice as long


def test_climbing_back_after_a_slow_start_overshoot_stops_at_the_cap():
    d = Drive()
    d.rounds(2, rtt=0.25)                    # 32
    refuse_burst(d, 12)                      # 16, ceiling 31
    assert d.rounds(5, rtt=0.25) == [17, 18, 19, 20, 21]
    refuse_burst(d, 1)                       # 21 is one too many: ceiling 20, back to 18
    assert d.limit.limit == 18
    assert d.rounds(4, rtt=0.25) == [19, 20, 20, 20]


def test_probes_that_pass_raise_the_ceiling_and_come_sooner_until_it_is_forgotten():
    d = Drive(initial=20)
    refuse_burst(d, 1)                       # 17, ceiling 19
    assert d.rounds(10, rtt=0.25)[-1] == 20  # back at 19, 8 rounds there, then a probe
    # A probe passes after as many whole rounds as it waited (every slot
    # used, no 45033): 8 at 20. Its limit is then the ceiling, and the next
    # probe waits, and must hold, half as long: 4 rounds, 2, then 1, and one
    # that needed no wait forgets the ceiling (+1 a round from there).
    assert d.rounds(21, rtt=0.25) == [20] * 10 + [21] * 5 + [22] * 2 + [23] * 2 + [24, 25]
    assert d.changes[-1].reason.startswith("latency holds")


def test_timeouts_and_5xx_cut_without_leaving_a_ceiling():
    outcome = Outcome.OVERLOADED
    d = Drive()
    d.rounds(3, rtt=0.1)                     # 64
    d.sample(d.ticket(64), outcome)
    assert d.limit.limit == 32               # back to the 32 that passed
    d.sample(d.ticket(60, d.limit.epoch - 1), outcome)   # sent before the cut: already answered
    assert d.limit.limit == 32
    assert d.rounds(40, rtt=0.1)[-3:] == [70, 71, 72]    # +1 a round, and no ceiling holds it


def test_answers_to_requests_sent_under_an_older_limit_do_not_count_in_the_round():
    d = Drive()
    d.rounds(2, rtt=0.1)                     # 32
    before = d.ticket(32)
    refuse_burst(d, 1)                       # cut to 16
    for _ in range(100):                     # slow answers sent before the cut
        d.sample(before, Outcome.OK, rtt=5.0)
    assert d.limit.limit == 16 and len(d.changes) == 3
    grown = d.ticket(16)
    assert d.round(rtt=0.1) == 17            # a round of requests sent at 16
    for _ in range(100):                     # answers sent at 16 say nothing about 17
        d.sample(grown, Outcome.OK, rtt=5.0)
    assert d.limit.limit == 17


def test_neutral_outcomes_change_nothing():
    d = Drive()
    for _ in range(50):
        d.sample(d.ticket(8), Outcome.NEUTRAL)
    assert d.limit.limit == 8 and d.changes == []


def test_the_limit_stays_between_minimum_and_maximum():
    d = Drive(initial=2, minimum=2, maximum=5)
    for _ in range(5):
        d.sample(d.ticket(2), Outcome.OVERLOADED)
    assert d.limit.limit == 2
    d.rounds(5, rtt=0.1)
    assert d.limit.limit == 5
    with pytest.raises(ValueError):
        AdaptiveLimit(initial=9, maximum=8)


def test_a_fake_clock_that_never_moves_is_no_division_by_zero():
    limit = AdaptiveLimit(clock=lambda: 0.0)
    for _ in range(40):
        limit.on_sample(Ticket(limit.epoch, limit.generation, limit.limit, limit.limit), 0.0, Outcome.OK)
    assert limit.limit > 8


def test_a_fixed_limit_never_moves():
    fixed = FixedLimit(4)
    for outcome in Outcome:
        assert fixed.on_sample(Ticket(0, 0, 4, 4), 9.0, outcome) is None
    assert fixed.limit == fixed.peak == fixed.maximum == 4
    with pytest.raises(ValueError):
        FixedLimit(0)
