"""Plan each chat as its read arrives, so that once the last chat is read
only the tail is left: that chat's plan, putting the plans together (one
sort) and the output.

The reads (wecom's fan-out) hand each result to Pipeline.add in the reading
thread; the plan of one chat is the pure planner's plan of a one-chat list,
so the plan put together is the one `make_plan` makes of all of them at once
(every chat is planned independently of the others; the Plan sorts its
lists). With a directory to read, a chat is planned with it or not at all:
the results that arrive before the directory wait, and are planned as soon
as it is there (wecom.gate lets the directory's reads go first, so that is
early). Loading is never overlapped: no API call is made before every file
is valid.
"""

from __future__ import annotations

from concurrent.futures import Future
from datetime import date
from typing import Callable, Sequence

from reconciler.core.model import DesiredChat, LiveResult
from reconciler.core.plan import Plan

MakePlan = Callable[..., Plan]


class Pipeline:
    """Planner of chats in the order they arrive. `make` is the planner
    (core.planner.make_plan's signature); `directory` the directory read
    under way (None: the chats need none); `on_planned(chat_id)` is called
    after each chat is planned."""

    def __init__(self, desired: Sequence[DesiredChat], make: MakePlan, *, directory: Future | None = None,
                 today: date | None = None, on_planned: Callable[[str], None] | None = None) -> None:
        self._want: dict[str, DesiredChat] = {}
        for chat in desired:
            if chat.chat_id in self._want:
                raise ValueError(f"chat {chat.chat_id!r} is desired twice")
            self._want[chat.chat_id] = chat
        self._make, self._today, self._on_planned = make, today, on_planned
        self._reading = directory
        self._directory = None
        self._held: list[tuple[str, LiveResult]] = []
        self._planned: set[str] = set()
        self._parts: list[Plan] = []

    def add(self, chat_id: str, result: LiveResult) -> None:
        """One chat's read: planned now, or held until the directory is read."""
        if self._reading is not None:
            if not self._reading.done():
                self._held.append((chat_id, result))
                return
            self._directory_arrived()
        self._plan(chat_id, result)

    def finish(self) -> Plan:
        """The plan of every chat (waits for the directory if still reading)."""
        if self._reading is not None:
            self._directory_arrived()
        missing = [c for c in self._want if c not in self._planned]
        if missing:
            raise ValueError(f"no live result for chat {missing[0]!r} (pass None for a chat that does not exist)")
        return Plan.joined(self._parts)

    def _directory_arrived(self) -> None:
        reading, self._reading = self._reading, None
        self._directory = reading.result()  # its exception (refused credentials) ends the run here
        held, self._held = self._held, []
        for chat_id, result in held:
            self._plan(chat_id, result)

    def _plan(self, chat_id: str, result: LiveResult) -> None:
        if chat_id in self._planned:
            raise ValueError(f"chat {chat_id!r} was read twice")
        want = self._want[chat_id]
        one = self._make([want], {chat_id: result}, directory=self._directory, today=self._today)
        self._planned.add(chat_id)
        self._parts.append(one)
        if self._on_planned is not None:
            self._on_planned(chat_id)
