"""WeCom's frequency limits, counted in fixed windows of an injectable clock.

Fixed windows (minute, hour, day boundaries of the clock) rather than sliding
ones: WeCom blocks for the rest of the window, and tests can step a fake clock
across a boundary to see the block lift. A limit of 0 is no limit."""

from __future__ import annotations

from collections import defaultdict
from typing import Callable

MINUTE, HOUR, DAY = 60, 3600, 86400
MESSAGES_PER_MEMBER_PER_MINUTE = 200  # doc 90248: per member, from one app; excess dropped silently


class Quotas:
    def __init__(self, clock: Callable[[], float], *, calls_per_minute: int, calls_per_hour: int,
                 changes_per_hour: int, creates_per_day: int,
                 messages_per_minute: int = MESSAGES_PER_MEMBER_PER_MINUTE):
        self._clock = clock
        self.limits = {"calls_per_minute": calls_per_minute, "calls_per_hour": calls_per_hour,
                       "changes_per_hour": changes_per_hour, "creates_per_day": creates_per_day,
                       "messages_per_minute": messages_per_minute}
        self._counts: dict[tuple, int] = defaultdict(int)

    def set_limits(self, **limits: int) -> None:
        for key, value in limits.items():
            if key not in self.limits:
                raise ValueError(f"unknown limit {key!r}; known: {', '.join(sorted(self.limits))}")
            if not isinstance(value, int) or value < 0:
                raise ValueError(f"limit {key} must be a whole number >= 0")
            self.limits[key] = value

    def reset(self) -> None:
        self._counts.clear()

    def _window(self, kind: str, span: int, scope: str = "") -> tuple:
        return (kind, scope, int(self._clock() // span))

    def _over(self, key: tuple, limit: int) -> bool:
        return bool(limit) and self._counts[key] >= limit

    def take_call(self, path: str) -> bool:
        """Count one call to `path`; False when a per-API limit is exceeded."""
        minute = self._window("minute", MINUTE, path)
        hour = self._window("hour", HOUR, path)
        self._prune()
        if self._over(minute, self.limits["calls_per_minute"]) or self._over(hour, self.limits["calls_per_hour"]):
            return False
        self._counts[minute] += 1
        self._counts[hour] += 1
        return True

    def can_change(self) -> bool:
        return not self._over(self._window("changes", HOUR), self.limits["changes_per_hour"])

    def record_change(self) -> None:
        self._counts[self._window("changes", HOUR)] += 1

    def can_create(self) -> bool:
        return not self._over(self._window("creates", DAY), self.limits["creates_per_day"])

    def record_create(self) -> None:
        self._counts[self._window("creates", DAY)] += 1

    def deliver(self, members) -> list[str]:
        """Count one message to each member; the members past their
        per-minute limit, who do not get it (WeCom answers ok all the same)."""
        limit = self.limits["messages_per_minute"]
        missed = []
        for member in members:
            key = self._window("messages", MINUTE, member)
            if self._over(key, limit):
                missed.append(member)
            else:
                self._counts[key] += 1
        return missed

    def _prune(self) -> None:
        # Drop windows of the same kinds that are over, so memory stays flat.
        if len(self._counts) < 256:
            return
        now = self._clock()
        spans = {"minute": MINUTE, "hour": HOUR, "changes": HOUR, "creates": DAY, "messages": MINUTE}
        for key in [k for k in self._counts if k[2] < int(now // spans[k[0]])]:
            del self._counts[key]
