"""Memberships with an end date, for `appchat expiring`: those that end
within some days of today, and those already ended, sorted by date. Pure:
today is an input."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Sequence

from reconciler.core.model import DesiredChat, Grant

DEFAULT_WITHIN_DAYS = 14
MAX_WITHIN_DAYS = 3650  # ten years: the contract's bound on --within


@dataclass(frozen=True)
class Expiring:
    chat_id: str
    chat_name: str
    owner: str
    grant: Grant
    today: date

    @property
    def who(self) -> str:
        return self.grant.entry

    @property
    def days_left(self) -> int:
        """Days until the last day of the membership: 0 on it, negative once it ended."""
        return (self.grant.until - self.today).days

    @property
    def ended(self) -> bool:
        return self.days_left < 0

    @property
    def data(self) -> dict[str, Any]:
        g = self.grant
        return {"chat_id": self.chat_id, "chat_name": self.chat_name, "owner": self.owner, "user_id": self.who,
                "until": g.until.isoformat(), "days_left": self.days_left, "ended": self.ended,
                "reason": g.reason, "via": list(g.via), "source": str(g.source)}


def expiring(chats: Sequence[DesiredChat], today: date, within: int = DEFAULT_WITHIN_DAYS) -> list[Expiring]:
    # today + within may pass date.max (9998-12-31 + 3650 days): then no end is later
    last = today + timedelta(days=within) if (date.max - today).days > within else date.max
    found = [Expiring(chat.chat_id, chat.name, chat.owner, grant, today)
             for chat in chats for grant in chat.grants
             if grant.until is not None and grant.until <= last]
    return sorted(found, key=lambda e: (e.grant.until, e.chat_id, e.who))
