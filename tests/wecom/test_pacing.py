"""Client-side pacing and the back-off schedule, on a fake clock."""

import random
import threading

import pytest

from reconciler.wecom.pacing import SlidingWindowPacer, backoff_delay


class FakeClock:
    def __init__(self):
        self.now = 1000.0
        self.sleeps = []
        self._lock = threading.Lock()

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        with self._lock:
            self.sleeps.append(seconds)


def max_in_window(starts, window):
    starts = sorted(starts)
    best, j = 0, 0
    for i, s in enumerate(starts):
        while starts[j] <= s - window:
            j += 1
        best = max(best, i - j + 1)
    return best


def test_burst_up_to_limit_then_waits_for_the_window():
    clock = FakeClock()
    pacer = SlidingWindowPacer(limit=5, window=60, clock=clock, sleep=clock.sleep)
    waits = [pacer.acquire("appchat/get") for _ in range(5)]
    assert waits == [0, 0, 0, 0, 0] and clock.sleeps == []
    clock.now += 10
    assert pacer.acquire("appchat/get") == pytest.approx(50)
    assert clock.sleeps == [pytest.approx(50)]


def test_every_window_holds_at_most_the_limit():
    clock = FakeClock()
    pacer = SlidingWindowPacer(limit=7, window=60, clock=clock, sleep=clock.sleep)
    rng = random.Random(1)
    starts = []
    for _ in range(200):
        clock.now += rng.choice([0, 0, 0.5, 3, 20])
        starts.append(clock.now + pacer.reserve("p"))
    assert max_in_window(starts, 60) == 7
    assert starts == sorted(starts)


def test_paths_are_paced_independently():
    clock = FakeClock()
    pacer = SlidingWindowPacer(limit=2, window=60, clock=clock, sleep=clock.sleep)
    assert [pacer.reserve("gettoken"), pacer.reserve("gettoken")] == [0, 0]
    assert [pacer.reserve("appchat/get"), pacer.reserve("appchat/get")] == [0, 0]
    assert pacer.reserve("gettoken") == 60


def test_concurrent_reservations_never_overbook():
    clock = FakeClock()
    pacer = SlidingWindowPacer(limit=10, window=60, clock=clock, sleep=clock.sleep)
    starts, lock = [], threading.Lock()

    def worker():
        for _ in range(25):
            w = pacer.reserve("p")
            with lock:
                starts.append(clock.now + w)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(starts) == 200
    assert max_in_window(starts, 60) == 10
    # 200 calls at 10 per minute: the last starts 19 windows later
    assert max(starts) - clock.now == pytest.approx(19 * 60)


def test_default_stays_under_wecom_quota():
    pacer = SlidingWindowPacer()
    assert pacer.limit == 9500 and pacer.window == 60


@pytest.mark.parametrize("bad", [dict(limit=0), dict(window=0)])
def test_rejects_nonsense(bad):
    with pytest.raises(ValueError):
        SlidingWindowPacer(**bad)


class Fixed(random.Random):
    def __init__(self, value):
        super().__init__(0)
        self.value = value

    def random(self):
        return self.value


def test_backoff_doubles_with_equal_jitter_and_caps():
    low, high = Fixed(0.0), Fixed(0.999999)
    assert [backoff_delay(a, 0.5, 8, low) for a in range(6)] == [0.25, 0.5, 1, 2, 4, 4]
    assert [round(backoff_delay(a, 0.5, 8, high), 3) for a in range(6)] == [0.5, 1, 2, 4, 8, 8]
    rng = random.Random(7)
    for attempt in range(10):
        d = backoff_delay(attempt, 1, 15, rng)
        ceiling = min(15, 2 ** attempt)
        assert ceiling / 2 <= d <= ceiling


def test_backoff_jitter_spreads_threads_apart():
    rng = random.Random(3)
    assert len({backoff_delay(2, 0.5, 8, rng) for _ in range(20)}) == 20


def test_backoff_rejects_negative_attempt():
    with pytest.raises(ValueError):
        backoff_delay(-1, 1, 2)
