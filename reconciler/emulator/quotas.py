"""WeCom's frequency limits and message budget, on an injectable clock.

Per-minute and per-hour limits count the calls of the last 60 s / 60 min (a
sliding window, counted per whole second of the clock). The call that finds
a limit reached starts a block of the window's length (60 s, 60 min) from
its own time, not to the clock's next minute: every call in it answers 45009,
refused calls do not lengthen it, and it ends with the counts at zero (every
counted call is older than the window by then). Daily limits count per
natural day in China Standard Time, so their block lasts the rest of that day.
Tests step a fake clock to see a block start and lift. A limit of 0 is no limit.
"""

from __future__ import annotations

from collections import deque
from typing import Callable, Iterable

from reconciler.core import facts as C
from reconciler.core.userids import UserMap


MINUTE, HOUR, DAY = 60, 3600, 86400

LIMIT_NAMES = ("calls_per_minute", "calls_per_hour", "calls_per_minute_per_ip", "calls_per_hour_per_ip",
               "changes_per_hour", "creates_per_day", "messages_per_minute", "messages_per_day",
               "person_times_per_minute")


class Window:
    """What was counted in the last `span` seconds, and a block that lasts
    `span` seconds from the call that found the limit reached (when `blocks`)."""

    __slots__ = ("span", "blocks", "_buckets", "_total", "_blocked_until")

    def __init__(self, span: int, blocks: bool = True):
        self.span, self.blocks = span, blocks
        self._buckets: deque[list] = deque()  # [whole second, count], oldest first
        self._total = 0
        self._blocked_until: float | None = None

    def _trim(self, now: float) -> None:
        oldest = int(now) - self.span  # a second this old or older is out of the window
        while self._buckets and self._buckets[0][0] <= oldest:
            self._total -= self._buckets.popleft()[1]

    def allows(self, now: float, limit: int, n: int = 1) -> bool:
        if not limit:
            return True
        if self._blocked_until is not None:
            if now < self._blocked_until:
                return False
            self._blocked_until = None
        self._trim(now)
        if self._total + n <= limit:
            return True
        if self.blocks:
            self._blocked_until = now + self.span
        return False

    def add(self, now: float, n: int = 1) -> None:
        second = int(now)
        if self._buckets and self._buckets[-1][0] == second:
            self._buckets[-1][1] += n
        else:
            self._buckets.append([second, n])
        self._total += n

    def idle(self, now: float) -> bool:
        self._trim(now)
        return not self._total and (self._blocked_until is None or now >= self._blocked_until)


class DayCount:
    """What was counted on the current natural day (China Standard Time)."""

    __slots__ = ("_day", "_count")

    def __init__(self):
        self._day, self._count = None, 0

    def _roll(self, now: float) -> None:
        day = int((now + C.WECOM_UTC_OFFSET_SECONDS) // DAY)
        if day != self._day:
            self._day, self._count = day, 0

    def allows(self, now: float, limit: int, n: int = 1) -> bool:
        self._roll(now)
        return not limit or self._count + n <= limit

    def add(self, now: float, n: int = 1) -> None:
        self._roll(now)
        self._count += n

    def idle(self, now: float) -> bool:
        self._roll(now)
        return not self._count


class Quotas:
    def __init__(self, clock: Callable[[], float], *, calls_per_minute: int, calls_per_hour: int,
                 changes_per_hour: int, creates_per_day: int,
                 calls_per_minute_per_ip: int = C.CALLS_PER_MINUTE_PER_IP,
                 calls_per_hour_per_ip: int = C.CALLS_PER_HOUR_PER_IP,
                 messages_per_minute: int = C.MESSAGES_PER_MEMBER_PER_MINUTE,
                 messages_per_day: int = C.MESSAGES_PER_MEMBER_PER_DAY,
                 person_times_per_minute: int = C.MESSAGE_PERSON_TIMES_PER_MINUTE):
        self._clock = clock
        self.limits = {"calls_per_minute": calls_per_minute, "calls_per_hour": calls_per_hour,
                       "calls_per_minute_per_ip": calls_per_minute_per_ip,
                       "calls_per_hour_per_ip": calls_per_hour_per_ip,
                       "changes_per_hour": changes_per_hour, "creates_per_day": creates_per_day,
                       "messages_per_minute": messages_per_minute, "messages_per_day": messages_per_day,
                       "person_times_per_minute": person_times_per_minute}
        self.reset()

    def set_limits(self, **limits: int) -> None:
        for key, value in limits.items():
            if key not in self.limits:
                raise ValueError(f"unknown limit {key!r}; known: {', '.join(sorted(self.limits))}")
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"limit {key} must be a whole number >= 0")
            self.limits[key] = value

    def reset(self) -> None:
        self._calls: dict[tuple, Window] = {}  # (scope, "api"|"ip", span) -> window
        self._changes = Window(HOUR)
        self._creates = DayCount()
        self._person_times = Window(MINUTE)
        self._members: UserMap[tuple[Window, DayCount]] = UserMap()  # each member's messages (no block)
        self._prune_at = 4096

    def _window(self, scope: str, kind: str, span: int) -> Window:
        key = (scope, kind, span)
        window = self._calls.get(key)
        if window is None:
            window = self._calls[key] = Window(span)
        return window

    def take_call(self, path: str, ip: str = "") -> bool:
        """Count one call to `path` from `ip`; False (nothing counted) when a
        per-API or per-IP limit is reached or blocks."""
        now = self._clock()
        windows = [(self._window(path, "api", MINUTE), self.limits["calls_per_minute"]),
                   (self._window(path, "api", HOUR), self.limits["calls_per_hour"]),
                   (self._window(ip, "ip", MINUTE), self.limits["calls_per_minute_per_ip"]),
                   (self._window(ip, "ip", HOUR), self.limits["calls_per_hour_per_ip"])]
        for window, limit in windows:
            if not window.allows(now, limit):
                return False
        for window, _ in windows:
            window.add(now)
        return True

    def can_change(self) -> bool:
        return self._changes.allows(self._clock(), self.limits["changes_per_hour"])

    def record_change(self) -> None:
        self._changes.add(self._clock())

    def can_create(self) -> bool:
        return self._creates.allows(self._clock(), self.limits["creates_per_day"])

    def record_create(self) -> None:
        self._creates.add(self._clock())

    def can_message(self, people: int) -> bool:
        """Room in the corp's person-times a minute for a message to `people`
        members (a chat of N counts N); counted when it is."""
        now = self._clock()
        if not self._person_times.allows(now, self.limits["person_times_per_minute"], people):
            return False
        self._person_times.add(now, people)
        return True

    def deliver(self, members: Iterable[str]) -> list[str]:
        """Count one message to each member; the members past their
        per-minute or per-day limit, who do not get it (WeCom answers ok all
        the same, and a message dropped is not counted)."""
        now = self._clock()
        per_minute, per_day = self.limits["messages_per_minute"], self.limits["messages_per_day"]
        missed = []
        for member in members:
            counts = self._members.get(member)
            if counts is None:
                counts = self._members[member] = (Window(MINUTE, blocks=False), DayCount())
            minute, day = counts
            if minute.allows(now, per_minute) and day.allows(now, per_day):
                minute.add(now)
                day.add(now)
            else:
                missed.append(member)
        if len(self._members) > self._prune_at:  # memory stays flat: forget members with nothing counted
            for key in [k for k, (m, d) in self._members.items() if m.idle(now) and d.idle(now)]:
                del self._members[key]
            self._prune_at = max(4096, 2 * len(self._members))
        return missed
