"""Memberships that end: one value, `Ending`, for the plan's warnings (those
that end within ENDING_SOON_DAYS of today), for the people a change removes
because their membership ended (its `expired`), and for `appchat expiring`
(those that end within DAYS, default 14, and those already ended, sorted by
date). The window is a parameter; the source is stored once, and each
output words it its own way. Pure: today is an input."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Sequence

from reconciler.core.model import USER, DesiredChat, Entry, Source

ENDING_SOON_DAYS = 7  # entries that end within this many days of today are warnings in the plan
DEFAULT_WITHIN_DAYS = 14
MAX_WITHIN_DAYS = 3650  # ten years: the contract's bound on --within


@dataclass(frozen=True)
class Ending:
    """A membership that ends on `until` (its last day), or ended: the entry
    that brings `who` into chat `chat_id`, why, and where it is written."""

    chat_id: str
    who: str              # the user id; or the entry (`dept:12`) when it brings in many
    until: date
    reason: str | None
    source: Source        # where the entry is written
    via: tuple[str, ...] = ()  # the groups it came through, outermost first
    kind: str = USER      # what `who` is: a user id (USER), or a DEPT or TAG entry
    # The entry that ends, as written: (kind, text), ("group", "@vendors") for
    # `{group: vendors, until: D}`; None when read back from a saved plan
    # (which does not record it), so it takes no part in equality.
    written: tuple[str, str] | None = field(default=None, compare=False)

    @classmethod
    def of(cls, chat_id: str, grant: Entry, who: str | None = None) -> Ending:
        """The ending of `grant` (which has an `until`), for `who` (default:
        the entry as written; then a DEPT or TAG entry's own kind)."""
        kind = grant.kind if who is None else USER
        return cls(chat_id, grant.entry if who is None else who, grant.until, grant.reason, grant.source, grant.via,
                   kind, grant.written)

    def days_left(self, today: date) -> int:
        """Days until the last day of the membership: 0 on it, negative once it ended."""
        return (self.until - today).days

    def ended(self, today: date) -> bool:
        return self.until < today

    @property
    def why(self) -> str:
        """`expired 2027-01-31: contractor, INC-42`"""
        return f"expired {self.until.isoformat()}" + (f": {self.reason}" if self.reason else "")

    @property
    def data(self) -> dict[str, Any]:
        """As the plan's `expiring` holds it (a change's `expired` leaves out
        the `chat_id`, the change's own)."""
        return {"chat_id": self.chat_id, "user_id": self.who, "until": self.until.isoformat(), "reason": self.reason,
                "source": self.source.located}


def last_day(today: date, within: int) -> date:
    """The last day of a window of `within` days from today; today + within
    may pass date.max (9998-12-31 + 3650 days): then no end is later."""
    return today + timedelta(days=within) if (date.max - today).days > within else date.max


def expiring(chats: Sequence[DesiredChat], today: date,
             within: int = DEFAULT_WITHIN_DAYS) -> list[tuple[DesiredChat, Ending]]:
    """Every membership that ends within `within` days of today, and those
    already ended, each with its chat, sorted by date."""
    last = last_day(today, within)
    found = [(chat, Ending.of(chat.chat_id, grant)) for chat in chats for grant in chat.grants
             if grant.until is not None and grant.until <= last]
    return sorted(found, key=lambda pair: (pair[1].until, pair[1].chat_id, pair[1].who))
