"""What an apply did, chat by chat: the values app.execute produces and
render.report shows. Pure data."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any


class Status(str, Enum):
    APPLIED = "applied"
    FAILED = "failed"
    SKIPPED = "skipped"

    def __str__(self) -> str:
        return self.value


APPLIED, FAILED, SKIPPED = Status.APPLIED, Status.FAILED, Status.SKIPPED


@dataclass(frozen=True)
class Announcement:
    status: str  # "sent" | "failed"
    errcode: int | None = None
    message: str = ""

    @property
    def data(self) -> dict[str, Any]:
        return {"status": self.status, "errcode": self.errcode, "message": self.message}


@dataclass(frozen=True)
class ChatOutcome:
    chat_id: str
    action: str  # "create" | "update"
    status: Status
    calls_made: int = 0  # write calls that succeeded
    calls_planned: int = 0
    errcode: int | None = None
    message: str = ""
    announcement: Announcement | None = None

    @property
    def data(self) -> dict[str, Any]:
        return {
            "chat_id": self.chat_id,
            "action": str(self.action),
            "status": str(self.status),
            "calls_made": self.calls_made,
            "calls_planned": self.calls_planned,
            "errcode": self.errcode,
            "message": self.message,
            "announcement": self.announcement.data if self.announcement else None,
        }


EMPTY_SUMMARY = {"applied": 0, "failed": 0, "skipped": 0, "calls": 0, "announcements_failed": 0}


@dataclass(frozen=True)
class ApplyReport:
    outcomes: tuple[ChatOutcome, ...] = ()  # sorted by chat_id
    notes: tuple[str, ...] = ()  # quota notes, said up front too
    stopped: str | None = None  # why writes stopped early (rate limit, credentials)
    refusals: tuple[str, ...] = ()  # why nothing was applied at all

    def _with(self, status: Status) -> list[ChatOutcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def applied(self) -> list[ChatOutcome]:
        return self._with(APPLIED)

    @property
    def failed(self) -> list[ChatOutcome]:
        return self._with(FAILED)

    @property
    def skipped(self) -> list[ChatOutcome]:
        return self._with(SKIPPED)

    @property
    def ok(self) -> bool:
        """Every chat reached its `after`. Skipped chats are not ok: the
        desired state was not reached and a pipeline must not go green."""
        return not self.refusals and all(o.status == APPLIED for o in self.outcomes)

    @property
    def announcements_failed(self) -> list[ChatOutcome]:
        return [o for o in self.outcomes if o.announcement and o.announcement.status != "sent"]

    @property
    def summary(self) -> dict[str, int]:
        return {
            "applied": len(self.applied),
            "failed": len(self.failed),
            "skipped": len(self.skipped),
            "calls": sum(o.calls_made for o in self.outcomes),
            "announcements_failed": len(self.announcements_failed),
        }

    @property
    def data(self) -> dict[str, Any]:
        return {
            "refusals": list(self.refusals),
            "outcomes": [o.data for o in self.outcomes],
            "notes": list(self.notes),
            "stopped": self.stopped,
            "summary": self.summary,
        }
