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
from contextlib import contextmanager
from typing import Callable, Iterator


class Load:
    def __init__(self, sleep: Callable[[float], None]) -> None:
        self._sleep = sleep
        self._cond = threading.Condition()
        self.serving = self.peak_serving = self.peak_in_flight = 0

    @contextmanager
    def request(self, in_flight: int, settings, refused: bool, rng: random.Random,
                capacity_now: Callable[[], int]) -> Iterator[None]:
        """A request's time on the server, the block being its work: unless
        `refused`, a place in line, waited for and held until the block
        ends; then the request's latency. A refusal only takes its latency:
        it neither waits nor keeps a real request waiting."""
        held = False
        try:
            with self._cond:
                self.peak_in_flight = max(self.peak_in_flight, in_flight)
                if not refused:
                    capacity = settings.capacity
                    while capacity and self.serving >= capacity:
                        self._cond.wait(0.5)
                        capacity = capacity_now()
                    self.serving += 1
                    held = True
                    self.peak_serving = max(self.peak_serving, self.serving)
            latency = latency_seconds(settings.latency_ms, settings.latency_jitter_ms, rng)
            if latency:
                self._sleep(latency)
            yield
        finally:
            if held:
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
