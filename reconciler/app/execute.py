"""Making a plan's changes, after the checks of app.preflight: execute()
works chat by chat, chats in parallel (bounded), each chat's calls in order,
and reports each outcome.

Why the results converge (docs/apply.md): apply from paths always plans
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

from reconciler.app.announce import announce_change
from reconciler.core.plan import Action, Change, Plan
from reconciler.core.policy import fit_quotas
from reconciler.core.report import APPLIED, FAILED, SKIPPED, ApplyReport, ChatOutcome
from reconciler.core.state import ChatState, apply_call, drift, state_of
from reconciler.wecom.errors import ChatNotFound, InvalidCredentials, RateLimited, WeComError, WriteOutcomeUnknown

log = logging.getLogger(__name__)

# Chats written at a time unless --concurrency pins it. Writes never adapt
# upwards: WeCom takes 1,000 chat changes an hour, which 8 at a time reach in
# seconds; the client's limit still holds them back when WeCom says 45033.
WRITE_CONCURRENCY = 8


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


def _failed(change: Change, made: int, errcode: int | None, message: str) -> ChatOutcome:
    return ChatOutcome(change.chat_id, change.action, FAILED, made, len(change.calls), errcode, message)


def _text(exc: WeComError) -> str:
    return exc.errmsg or str(exc)


def read_state(client: Any, chat_id: str) -> ChatState | None:
    """The chat as WeCom has it now; None when it does not exist."""
    try:
        return state_of(client.get_chat(chat_id))
    except ChatNotFound:
        return None


def _apply_one_safe(change: Change, client: Any, stop: _Stop, announce: bool, recheck: bool) -> ChatOutcome:
    try:
        return _apply_one(change, client, stop, announce, recheck)
    except Exception as exc:  # a surprise in one chat must not end the run for the others
        log.debug("unexpected error applying %s", change.chat_id, exc_info=True)
        return _failed(change, 0, None, f"unexpected {type(exc).__name__}: {exc}; read the chat before applying again")


def _apply_one(change: Change, client: Any, stop: _Stop, announce: bool, recheck: bool) -> ChatOutcome:
    if stop.is_set():
        return _skipped(change, f"not attempted: {stop.reason}")
    if recheck:
        # The read right before writing is what keeps a concurrent apply (or
        # a person in the WeCom app) from being overwritten with stale deltas.
        try:
            now = read_state(client, change.chat_id)
        except (RateLimited, InvalidCredentials) as exc:
            stop.set(_stop_reason(exc))
            return _skipped(change, f"not attempted: {stop.reason}")
        except WeComError as exc:
            return _failed(change, 0, exc.errcode, f"cannot read the chat before writing: {_text(exc)}")
        moved = drift(change.before, now)
        if moved:
            return _skipped(change, "stale: changed since it was planned: " + "; ".join(moved))
    made = 0
    state = change.before
    for call in change.calls:
        if stop.is_set():
            return _skipped(change, f"stopped after {made} of {len(change.calls)} calls: {stop.reason}", made)
        expected = apply_call(state, call)
        try:
            client.call(call.path, call.body)
        except WriteOutcomeUnknown as exc:
            # The request may have reached WeCom; only the chat itself can
            # say. Retrying blind could add someone twice (86216) or undo
            # nothing; reading is always safe.
            verdict = _settle_unknown(client, change.chat_id, expected)
            if verdict is not None:
                return _failed(change, made, exc.errcode, f"{exc}; {verdict}")
        except (RateLimited, InvalidCredentials) as exc:
            stop.set(_stop_reason(exc))
            return _failed(change, made, exc.errcode, _text(exc))
        except WeComError as exc:
            return _failed(change, made, exc.errcode, _text(exc))
        made += 1
        state = expected
    announcement = announce_change(client, change) if announce and change.action is Action.UPDATE else None
    return ChatOutcome(change.chat_id, change.action, APPLIED, made, len(change.calls), announcement=announcement)


def _settle_unknown(client: Any, chat_id: str, expected: ChatState) -> str | None:
    """None when a re-read shows the unanswered call took effect; otherwise
    what the user needs to know."""
    try:
        now = read_state(client, chat_id)
    except WeComError as exc:
        return f"the chat could not be re-read either ({exc}): its state is unknown; run apply again"
    if now == expected:
        log.info("%s: no answer to a write, but a re-read shows it took effect", chat_id)
        return None
    return "a re-read shows the call did not take effect; run apply again"


def _stop_reason(exc: WeComError) -> str:
    if isinstance(exc, RateLimited):
        return (f"WeCom rate limit (errcode {exc.errcode}): no further writes were started; "
                f"apply again once the block lifts (chat changes: up to an hour)")
    return f"WeCom rejected the credentials (errcode {exc.errcode}): no further writes were started"


def execute(plan: Plan, client: Any, *, concurrency: int | None = None, announce: bool = False,
            recheck: bool = True, on_done: Callable[[ChatOutcome], None] | None = None) -> ApplyReport:
    """Make the plan's calls, `concurrency` chats at a time (default
    WRITE_CONCURRENCY: writes do not adapt). Never raises for one chat's
    failure; returns one outcome per chat in `changes`, sorted by chat_id."""
    fits, deferred, notes = fit_quotas(plan.changes)
    stop = _Stop()
    outcomes: dict[str, ChatOutcome] = {}
    for change in deferred:
        outcomes[change.chat_id] = _skipped(change, "not attempted: over WeCom's quota for one run (see note)")
    pool = ThreadPoolExecutor(max_workers=max(1, concurrency or WRITE_CONCURRENCY), thread_name_prefix="apply")
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
    ordered = tuple(outcomes[c.chat_id] for c in plan.changes)
    return ApplyReport(ordered, tuple(notes), stop.reason)
