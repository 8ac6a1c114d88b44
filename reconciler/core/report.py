"""What an apply did, chat by chat: the values app.execute produces and
render.report shows. Pure data.

Interrupted or stopped, a run still accounts for every chat of the plan:
applied, failed, not started (skipped before its first call), or partial
(left between its calls)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from reconciler.core.planformat.writer import read_error_data
from reconciler.core.refusal import Refused

FORMAT_VERSION = 1  # of the apply report's JSON (schemas/apply-report.schema.json)


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
class ChatResult:
    """What an apply did to one chat. (How a whole run ends, its exit code,
    is app.outcome's Outcome; the report's JSON keeps its key `outcomes`.)"""

    chat_id: str
    action: str  # "create" | "update"
    status: Status
    calls_made: int = 0  # write calls that succeeded
    calls_planned: int = 0
    errcode: int | None = None
    message: str = ""
    announcement: Announcement | None = None
    # Read back once after its calls: True when the chat then equalled the
    # plan's `after`, False when it did not (the result is then a failure),
    # None when it was not read back (no call made, or none succeeded).
    verified: bool | None = None
    # User ids WeCom refused (someone who left, someone not in the directory):
    # the rest of the chat's change was sent without them (core.refusal).
    refused: tuple[Refused, ...] = ()
    # Not attempted because WeCom's budget (1,000 chat changes an hour) was
    # spent by the chats before it: a later run applies it (status skipped).
    deferred: bool = False

    @property
    def warnings(self) -> list[Refused]:
        """Refused removals: the chat counts as converged without them."""
        return [r for r in self.refused if not r.is_error]

    @property
    def not_started(self) -> bool:
        """Nothing was written to the chat (skipped before its first call)."""
        return self.status == SKIPPED and self.calls_made == 0

    @property
    def partial(self) -> bool:
        """Left between its calls: some were made, not all."""
        return 0 < self.calls_made < self.calls_planned

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
            "verified": self.verified,
            "refused": [r.data for r in self.refused],
        }


@dataclass(frozen=True)
class ApplyReport:
    outcomes: tuple[ChatResult, ...] = ()  # sorted by chat_id; named as the JSON's key
    notes: tuple[str, ...] = ()  # quota notes, said up front too
    stopped: str | None = None  # why writes stopped early (rate limit, credentials)
    refusals: tuple[str, ...] = ()  # why nothing was applied at all
    # The signal that interrupted the run ("SIGTERM"), or None; `forced` when
    # a second signal (or the end of the grace period) ended it before the
    # calls in flight had answered: those chats are reported as unknown.
    interrupted: str | None = None
    forced: bool = False
    saved: bool = False  # applied from a plan file: the next step after a failure is to plan again
    # The located errors of invalid chat files that refused the run (each
    # {file, line, col, severity, message}), for the JSON report.
    diagnostics: tuple[Any, ...] = ()
    # The chats the plan could not read (core.model.ReadError): not applied,
    # and the run exits 1; the JSON says why, as the plan's `errors` do.
    unread: tuple[Any, ...] = ()

    def _with(self, status: Status) -> list[ChatResult]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def applied(self) -> list[ChatResult]:
        return self._with(APPLIED)

    @property
    def failed(self) -> list[ChatResult]:
        return self._with(FAILED)

    @property
    def skipped(self) -> list[ChatResult]:
        return self._with(SKIPPED)

    @property
    def not_started(self) -> list[ChatResult]:
        return [o for o in self.outcomes if o.not_started]

    @property
    def partial(self) -> list[ChatResult]:
        return [o for o in self.outcomes if o.partial]

    @property
    def deferred(self) -> list[ChatResult]:
        return [o for o in self.outcomes if o.deferred]

    @property
    def ok(self) -> bool:
        """Every chat reached its `after`, or (from paths) waits for a later
        run because WeCom's hourly budget was spent: the budget splits work
        across runs, it is not a failure. Other skipped chats are not ok (the
        desired state was not reached and a pipeline must not go green), and
        nor are deferred chats of a saved plan, which must be planned again."""
        return not self.refusals and all(o.status == APPLIED or (o.deferred and not self.saved)
                                         for o in self.outcomes)

    @property
    def announcements_failed(self) -> list[ChatResult]:
        return [o for o in self.outcomes if o.announcement and o.announcement.status != "sent"]

    @property
    def summary(self) -> dict[str, int]:
        return {
            "applied": len(self.applied),
            "failed": len(self.failed),
            "skipped": len(self.skipped),
            "calls": sum(o.calls_made for o in self.outcomes),
            "announcements_failed": len(self.announcements_failed),
            "not_started": len(self.not_started),
            "partial": len(self.partial),
            "deferred": len(self.deferred),
        }

    @property
    def error(self) -> str | None:
        """Why nothing was applied (the refusals in one line), or None."""
        return "; ".join(self.refusals) if self.refusals else None

    @property
    def data(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,  # added after the first keys: every JSON output has it
            "error": self.error,
            "diagnostics": [dict(d) for d in self.diagnostics],
            "refusals": list(self.refusals),
            "outcomes": [o.data for o in self.outcomes],
            "notes": list(self.notes),
            "stopped": self.stopped,
            "interrupted": self.interrupted,
            "summary": self.summary,
            "unread": [read_error_data(e) for e in self.unread],
            "deferred": [o.chat_id for o in self.deferred],
        }
