"""Timing policy of the WeCom client: client-side pacing and retry backoff.

Pure apart from the clock and sleep it is handed, so tests drive it with a
fake clock and never wait.
"""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from typing import Callable

Clock = Callable[[], float]
Sleep = Callable[[float], None]

# WeCom allows 10,000 calls a minute per API per corp (doc 90454); staying at
# 9,500 leaves room for clock skew between us and WeCom's counter and for the
# occasional call of other tools of the same corp (appchat/get is rarely used
# by anything else), so a large plan never meets 45009 yet reads 10,000 chats
# in about a minute.
DEFAULT_CALLS_PER_MINUTE = 9_500
WINDOW_SECONDS = 60.0


class SlidingWindowPacer:
    """At most `limit` calls in any `window` seconds, per key (API path).

    A sliding-window log rather than a token bucket: a bucket of 9,000 that
    refills at 150/s lets 18,000 calls through in the first minute, while the
    log keeps every window of 60 s (hence also every calendar minute, however
    WeCom counts) at or under the limit. Bursts up to the limit are allowed,
    so 10,000 reads take ~60 s instead of the 67 s an even spread would.

    Each acquire() reserves its slot under the lock and sleeps outside it, so
    concurrent callers queue in order without holding each other up.
    """

    def __init__(self, limit: int = DEFAULT_CALLS_PER_MINUTE, window: float = WINDOW_SECONDS,
                 clock: Clock = time.monotonic, sleep: Sleep = time.sleep) -> None:
        if limit < 1:
            raise ValueError("pacing limit must be at least 1 call per window")
        if window <= 0:
            raise ValueError("pacing window must be positive")
        self.limit = limit
        self.window = float(window)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        # key -> start times of the last `limit` calls (some may lie in the future: reserved)
        self._slots: dict[str, deque[float]] = {}

    def reserve(self, key: str) -> float:
        """Reserve the next slot for `key`; return how long the caller must wait."""
        with self._lock:
            now = self._clock()
            slots = self._slots.setdefault(key, deque(maxlen=self.limit))
            if len(slots) < self.limit:
                start = now
            else:
                # the call `limit` places back must have left the window
                start = max(now, slots[0] + self.window)
            slots.append(start)  # maxlen drops slots[0], which no later call needs
            return start - now

    def acquire(self, key: str) -> float:
        """Wait for a slot for `key`; return the time waited (0 when none)."""
        wait = self.reserve(key)
        if wait > 0:
            self._sleep(wait)
        return max(wait, 0.0)


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Delay before retry number `attempt` (0-based): exponential with "equal jitter".

    The ceiling doubles from `base` up to `cap`; the delay is drawn uniformly from
    its upper half, so retries never come sooner than half the schedule (the
    server gets its breather) and threads that failed together spread apart.
    """
    if attempt < 0:
        raise ValueError("attempt must be >= 0")
    ceiling = min(cap, base * (2 ** attempt))
    r = (rng or random).random()
    return ceiling / 2 + r * ceiling / 2
