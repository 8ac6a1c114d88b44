"""Making a plan's changes, after the checks of reconciler.preflight (whose
names are importable from here too): execute() works chat by chat, chats in
parallel (bounded), each chat's calls in order, and reports each outcome.

Why the results converge (README, "apply"): apply from paths always plans
from live state, so an interrupted run is finished by running apply again:
chats already changed plan as unchanged, the rest plan again. A saved plan
re-reads its chats and is refused as stale once anything moved.

Why two applies at once cannot interleave into a wrong state: right before a
chat's first write the chat is read again and compared with the plan's
`before`; if another apply (or a person) changed it in between, the chat is
skipped as stale instead of being written from an outdated picture. The
calls themselves carry deltas (add/del lists, never a full member list), so
even in the remaining window between that read and the write a concurrent
change to other members is not undone.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any, Callable

from reconciler.announce import Announcement, announce_change
from reconciler.constants import APPCHAT_CREATE
from reconciler.plan import Call, Change, ChatState, Plan
from reconciler.preflight import (  # noqa: F401 - re-exported: the apply command and tests use them from here
    CREATE_COUNTS_AS_CHANGE,
    state_data,
    explain_drift,
    fit_quotas,
    guard_refusals,
    preflight,
    quota_cost,
    quota_notes,
    stale_refusals,
    state_of,
)
from reconciler.render.text import safe
from reconciler.wecom import ChatNotFound, InvalidCredentials, RateLimited, WeComError, WriteOutcomeUnknown

log = logging.getLogger(__name__)

APPLIED, FAILED, SKIPPED = "applied", "failed", "skipped"


# --------------------------------------------------------------------------- report


@dataclass(frozen=True)
class ChatOutcome:
    chat_id: str
    action: str  # "create" | "update"
    status: str  # applied | failed | skipped
    calls_made: int = 0  # write calls that succeeded
    calls_planned: int = 0
    errcode: int | None = None
    message: str = ""
    announcement: Announcement | None = None

    @property
    def data(self) -> dict[str, Any]:
        return {
            "chat_id": self.chat_id,
            "action": self.action,
            "status": self.status,
            "calls_made": self.calls_made,
            "calls_planned": self.calls_planned,
            "errcode": self.errcode,
            "message": self.message,
            "announcement": self.announcement.data if self.announcement else None,
        }


@dataclass(frozen=True)
class ApplyReport:
    outcomes: tuple[ChatOutcome, ...]  # sorted by chat_id
    notes: tuple[str, ...] = ()  # quota notes, said up front too
    stopped: str | None = None  # why writes stopped early (rate limit, credentials)

    def _with(self, status: str) -> list[ChatOutcome]:
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
        return all(o.status == APPLIED for o in self.outcomes)

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
            "outcomes": [o.data for o in self.outcomes],
            "notes": list(self.notes),
            "stopped": self.stopped,
            "summary": self.summary,
        }


def render_report_text(report: ApplyReport) -> str:
    lines = ["", "Apply results:"]
    for o in report.outcomes:
        calls = f"{o.calls_made}/{o.calls_planned} call{'s' if o.calls_planned != 1 else ''}"
        line = f"  {o.status:<8} {o.action:<6} {o.chat_id}  ({calls})"
        if o.errcode is not None:
            line += f"  errcode {o.errcode}"
        if o.message:
            line += f": {safe(o.message)}" if o.errcode is not None else f"  {safe(o.message)}"
        lines.append(line)
        if o.announcement:
            a = o.announcement
            detail = "" if a.status == "sent" else f" (errcode {a.errcode}): {safe(a.message)}"
            lines.append(f"           announcement {a.status}{detail}")
    for note in report.notes:
        lines.append(f"Note: {note}")
    if report.stopped:
        lines.append(f"Stopped early: {report.stopped}")
    s = report.summary
    lines.append(
        f"Apply finished: {s['applied']} applied, {s['failed']} failed, {s['skipped']} skipped "
        f"({s['calls']} write call{'s' if s['calls'] != 1 else ''})."
    )
    if not report.ok:
        lines.append("Run apply again to finish: it plans from live state and only makes what is still missing.")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- execution


@dataclass
class _Stop:
    """Shared by the workers: once set, no new write call starts."""

    event: threading.Event = field(default_factory=threading.Event)
    reason: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def set(self, reason: str) -> None:
        with self.lock:
            if self.reason is None:
                self.reason = reason
            self.event.set()

    def is_set(self) -> bool:
        return self.event.is_set()


def _skipped(change: Change, message: str, calls_made: int = 0) -> ChatOutcome:
    return ChatOutcome(change.chat_id, change.action, SKIPPED, calls_made, len(change.calls), message=message)


def _text(exc: WeComError) -> str:
    return exc.errmsg or str(exc)


def _apply_one_safe(change: Change, client: Any, stop: _Stop, announce: bool, recheck: bool) -> ChatOutcome:
    try:
        return _apply_one(change, client, stop, announce, recheck)
    except Exception as exc:  # a surprise in one chat must not end the run for the others
        log.debug("unexpected error applying %s", change.chat_id, exc_info=True)
        return ChatOutcome(change.chat_id, change.action, FAILED, 0, len(change.calls), None,
                           f"unexpected {type(exc).__name__}: {exc}; read the chat before applying again")


def _apply_one(change: Change, client: Any, stop: _Stop, announce: bool, recheck: bool) -> ChatOutcome:
    planned = len(change.calls)
    if stop.is_set():
        return _skipped(change, f"not attempted: {stop.reason}")
    if recheck:
        # The read right before writing is what keeps a concurrent apply (or
        # a person in the WeCom app) from being overwritten with stale deltas.
        try:
            now = state_of(client.get_chat(change.chat_id))
        except ChatNotFound:
            now = None
        except (RateLimited, InvalidCredentials) as exc:
            stop.set(_stop_reason(exc))
            return _skipped(change, f"not attempted: {stop.reason}")
        except WeComError as exc:
            return ChatOutcome(change.chat_id, change.action, FAILED, 0, planned, exc.errcode,
                               f"cannot read the chat before writing: {_text(exc)}")
        drift = explain_drift(change.before, now)
        if drift:
            return _skipped(change, "stale: changed since it was planned: " + "; ".join(drift))
    made = 0
    state = change.before
    for call in change.calls:
        if stop.is_set():
            return _skipped(change, f"stopped after {made} of {planned} calls: {stop.reason}", made)
        expected = state_after_call(state, call)
        try:
            client.call(call.path, call.body)
        except WriteOutcomeUnknown as exc:
            # The request may have reached WeCom; only the chat itself can
            # say. Retrying blind could add someone twice (86216) or undo
            # nothing; reading is always safe.
            verdict = _settle_unknown(client, change.chat_id, expected)
            if verdict is not None:
                return ChatOutcome(change.chat_id, change.action, FAILED, made, planned, exc.errcode,
                                   f"{exc}; {verdict}")
        except (RateLimited, InvalidCredentials) as exc:
            stop.set(_stop_reason(exc))
            return ChatOutcome(change.chat_id, change.action, FAILED, made, planned, exc.errcode, _text(exc))
        except WeComError as exc:
            return ChatOutcome(change.chat_id, change.action, FAILED, made, planned, exc.errcode, _text(exc))
        except Exception as exc:  # one chat's bug or surprise must not stop the others
            log.debug("unexpected error applying %s", change.chat_id, exc_info=True)
            return ChatOutcome(change.chat_id, change.action, FAILED, made, planned, None,
                               f"unexpected {type(exc).__name__}: {exc}")
        made += 1
        state = expected
    announcement = None
    if announce and change.action == "update":
        announcement = announce_change(client, change)
    return ChatOutcome(change.chat_id, change.action, APPLIED, made, planned, announcement=announcement)


def state_after_call(state: ChatState | None, call: Call) -> ChatState:
    """The chat as it is once `call` took effect (what a re-read must show)."""
    body = call.body
    if call.path == APPCHAT_CREATE or state is None:
        return ChatState(body.get("name", ""), body.get("owner", ""), tuple(body.get("userlist", ())))
    members = (set(state.members) | set(body.get("add_user_list", ()))) - set(body.get("del_user_list", ()))
    return ChatState(body.get("name", state.name), body.get("owner", state.owner), tuple(members))


def _settle_unknown(client: Any, chat_id: str, expected: ChatState) -> str | None:
    """None when a re-read shows the unanswered call took effect; otherwise
    what the user needs to know."""
    try:
        now = state_of(client.get_chat(chat_id))
    except ChatNotFound:
        now = None
    except WeComError as exc:
        return f"the chat could not be re-read either ({exc}): its state is unknown; run apply again"
    if state_data(now) == state_data(expected):
        log.info("%s: no answer to a write, but a re-read shows it took effect", chat_id)
        return None
    return "a re-read shows the call did not take effect; run apply again"


def _stop_reason(exc: WeComError) -> str:
    if isinstance(exc, RateLimited):
        return (f"WeCom rate limit (errcode {exc.errcode}): no further writes were started; "
                f"apply again once the block lifts (chat changes: up to an hour)")
    return f"WeCom rejected the credentials (errcode {exc.errcode}): no further writes were started"


def execute(plan: Plan, client: Any, *, concurrency: int = 8, announce: bool = False, recheck: bool = True,
            on_done: Callable[[ChatOutcome], None] | None = None) -> ApplyReport:
    """Make the plan's calls. Never raises for one chat's failure; returns
    one outcome per chat in `changes`, sorted by chat_id."""
    fits, deferred, notes = fit_quotas(plan.changes)
    stop = _Stop()
    outcomes: dict[str, ChatOutcome] = {}
    for change in deferred:
        outcomes[change.chat_id] = _skipped(change, "not attempted: over WeCom's quota for one run (see note)")
    pool = ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="apply")
    try:
        futures = {pool.submit(_apply_one_safe, c, client, stop, announce, recheck): c for c in fits}
        for future in as_completed(futures):
            outcome = future.result()
            outcomes[outcome.chat_id] = outcome
            if on_done:
                on_done(outcome)
    except BaseException:
        # Ctrl-C: start nothing new, let the calls in flight finish, then go.
        stop.set("interrupted")
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    ordered = tuple(outcomes[c.chat_id] for c in sorted(plan.changes, key=lambda c: c.chat_id))
    return ApplyReport(ordered, tuple(notes), stop.reason)
