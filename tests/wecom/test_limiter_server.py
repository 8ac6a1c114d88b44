"""The concurrency limit against a simulated server (tests/wecom/simserver.py):
a pure model of latency against requests in flight on a fake clock, so what
the limit decides depends on the model alone, never on the machine's load.
The HTTP side (the same decisions against the emulator) is in
test_concurrency.py, which asserts only what holds whatever the load."""

from __future__ import annotations

import pytest

from tests.wecom.simserver import Server, simulate


def test_against_a_server_that_queues_the_limit_stops_at_the_first_doubling_that_queues():
    # The server works on 8 at a time: 16 in flight take twice as long, and
    # more would only queue. 16 keeps it busy; 32 would double the latency for nothing.
    run = simulate(Server(latency=0.06, capacity=8), 200)
    assert run.answered == 200
    assert run.limits == [8, 16] and run.peak_in_flight == 16 and run.peak_serving == 8
    assert run.seconds == pytest.approx(200 / 8 * 0.06)     # the server never idled


@pytest.mark.parametrize("seed", range(20))
def test_a_little_latency_noise_does_not_push_the_limit_past_the_queue(seed):
    run = simulate(Server(latency=0.06, jitter=0.005, capacity=8, seed=seed), 200)
    assert run.answered == 200 and run.peak == 16, run.limits


# Latency noise against the same server (8 at a time, 60 ms), over 200 seeds
# each: ±20 ms and ±30 ms (±33% and ±50%). Before the limit judged rounds as
# cohorts with a noise-aware doubling, 11 and 62 of the 200 seeds doubled to
# 32, seed 5 crept up to 28 after a cut and seed 31 sank to 3 (6.07 s
# against 4.5 s). Today no seed of these does; the bounds leave room for an
# unlucky seed or two (seeds 200-599 at ±30 ms: 2 of 400 reach 18).
NOISY = [0.02, 0.03]
SEEDS = range(200)
KNEE = 8                               # what the server works on at once
QUEUED = 2 * KNEE                      # the first doubling that queues: latency 2x, where the limit stops


def noisy_runs(jitter: float, reads: int = 600):
    return [simulate(Server(latency=0.06, jitter=jitter, capacity=KNEE, seed=seed), reads) for seed in SEEDS]


@pytest.mark.parametrize("jitter", NOISY)
def test_with_noisy_latency_the_limit_stops_within_one_step_of_the_first_doubling_that_queues(jitter):
    # One step past 16 (+1 while a noisy round looks as if latency held) is
    # the most a seed may reach: 17. A doubling past the queue (32) is what
    # noise used to cause; 195 of 200 seeds must stay at 17 or below.
    runs = noisy_runs(jitter)
    assert all(r.answered == 600 for r in runs)
    over = {seed: r.limits for seed, r in zip(SEEDS, runs) if r.peak > QUEUED + 1}
    assert len(over) <= 5, over
    assert all(r.peak_in_flight <= r.peak for r in runs)


@pytest.mark.parametrize("jitter", NOISY)
def test_with_noisy_latency_the_limit_never_creeps_back_above_the_queue_after_a_cut(jitter):
    # After a cut the first round still meets the queue the cut left (it
    # drains a round trip later): it must not be taken for a slower
    # network, whose latency would become the new normal and let the limit
    # climb +1 a round into an ever longer queue.
    after = {}
    for seed, run in zip(SEEDS, noisy_runs(jitter)):
        cut = next((i for i in range(1, len(run.limits)) if run.limits[i] < run.limits[i - 1]), None)
        if cut is not None:
            after[seed] = max(run.limits[cut:])
    assert after, "no seed cut the limit: the test proves nothing"
    assert max(after.values()) <= QUEUED, {s: m for s, m in after.items() if m > QUEUED}


@pytest.mark.parametrize("jitter", NOISY)
def test_with_noisy_latency_the_limit_never_sinks_below_half_the_queue_and_costs_little_time(jitter):
    # A lucky round taken for the no-queue latency makes every later round
    # look queued and cuts the limit below what keeps the server busy. The
    # server's own work bounds the time: 600 reads x 60 ms / 8 = 4.5 s, the
    # noise-free run's. Every seed stays at KNEE // 2 or more and within 10%
    # of that time (1.045x at worst today; seed 31 took 1.35x before).
    noise_free = simulate(Server(latency=0.06, capacity=KNEE), 600).seconds
    assert noise_free == pytest.approx(4.5)
    runs = noisy_runs(jitter)
    assert min(min(r.limits) for r in runs) >= KNEE // 2, [r.limits for r in runs if min(r.limits) < KNEE // 2]
    slow = {seed: round(r.seconds / noise_free, 3) for seed, r in zip(SEEDS, runs) if r.seconds > 1.1 * noise_free}
    assert not slow, slow


def test_while_latency_holds_the_limit_doubles_every_round_up_to_the_maximum():
    run = simulate(Server(latency=0.2, jitter=0.02), 300)
    assert run.answered == 300
    assert run.limits == [8, 16, 32, 64, 128, 256]
    assert run.peak_in_flight == 128        # 300 reads end before 256 fill up


def test_the_maximum_bounds_the_adaptive_limit():
    run = simulate(Server(latency=0.1), 80, initial=4, maximum=4)
    assert run.answered == 80 and run.limits == [4] and run.peak_in_flight == 4


def test_a_fixed_limit_is_used_in_full_and_never_moves():
    run = simulate(Server(latency=0.03, capacity=2, error_rate=0.2), 60, fixed=3)
    assert run.answered == 60 and run.failed > 0
    assert run.limits == [3] and run.peak_in_flight == 3


@pytest.mark.parametrize("reads", [150, 3000])
def test_under_a_45033_cap_no_read_is_lost_and_refusals_stay_few(reads):
    run = simulate(Server(latency=0.06, jitter=0.01, max_concurrent=5), reads)
    assert run.answered == reads, "a read was lost under the cap"
    assert run.peak_serving <= 5
    assert run.final <= 6, run.limits       # at the cap, or one past it while probing
    # the first burst (8 against a cap of 5) and a probe now and then; a limit
    # that kept bumping into the cap would be refused every few rounds
    assert run.refused <= 12, run.limits


def test_timeouts_and_5xx_cut_the_limit():
    run = simulate(Server(latency=0.05, error_rate=0.3), 60)
    assert run.answered == 60 and run.failed > 0
    assert run.final < 8, run.limits        # below where it started: the 5xx cut it
