"""Load on the emulator: each request's latency (with jitter), the line a
capacity makes, and the figures that show how many requests came at once.

With a capacity of N, the emulator works on N API requests at a time, each
for its latency, and request N+1 waits in line: latency grows with the load,
as a saturated server's does (max_concurrent refuses it with 45033 instead;
a refusal is not work and skips the line). 0 is no limit. Capacity and
jitter are runtime fault settings, so they can change while requests wait."""

from __future__ import annotations

import random
import threading
from typing import Callable


class Load:
    def __init__(self, sleep: Callable[[float], None]) -> None:
        self._sleep = sleep
        self._cond = threading.Condition()
        self.serving = self.peak_serving = self.peak_in_flight = 0

    def serve(self, in_flight: int, settings, refused: bool, rng: random.Random,
              capacity_now: Callable[[], int]) -> None:
        """Wait for a place in line (unless `refused`), then sleep the
        request's latency. Always followed by leave(), even if it raises."""
        capacity = 0 if refused else settings.capacity
        with self._cond:
            self.peak_in_flight = max(self.peak_in_flight, in_flight)
            while capacity and self.serving >= capacity:
                self._cond.wait(0.5)
                capacity = capacity_now()
            self.serving += 1
            self.peak_serving = max(self.peak_serving, self.serving)
        latency = latency_seconds(settings.latency_ms, settings.latency_jitter_ms, rng)
        if latency:
            self._sleep(latency)

    def leave(self) -> None:
        with self._cond:
            self.serving -= 1
            self._cond.notify()

    def reset(self, in_flight: int) -> None:
        with self._cond:
            self.peak_in_flight, self.peak_serving = in_flight, self.serving

    def figures(self, in_flight: int) -> dict:
        """API requests in flight now, the most at once since the start (or
        the last reset), and the most worked on at once."""
        with self._cond:
            return {"in_flight": in_flight, "peak_in_flight": self.peak_in_flight,
                    "peak_serving": self.peak_serving}


def latency_seconds(latency_ms: int, jitter_ms: int, rng: random.Random) -> float:
    """One request's latency: uniform in latency ± jitter, never below 0."""
    if not jitter_ms:
        return latency_ms / 1000
    return max(0.0, latency_ms + rng.uniform(-jitter_ms, jitter_ms)) / 1000
