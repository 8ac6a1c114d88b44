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


@pytest.mark.parametrize("seed", range(20))
def test_with_noisy_latency_the_limit_overshoots_a_queue_by_one_doubling_at_most(seed):
    # ±50% jitter hides the queue for a round now and then (the measured
    # latency of the round after 8 -> 16 can stay within 1.3x): one more
    # doubling, and the queue it builds cuts it back. What holds is the bound.
    run = simulate(Server(latency=0.06, jitter=0.03, capacity=8, seed=seed), 600)
    assert run.answered == 600
    assert run.peak <= 32 and run.peak_in_flight <= 32, run.limits


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
