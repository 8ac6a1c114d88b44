"""Making a plan's changes, after the checks of app.preflight: execute()
works chat by chat, chats in parallel (bounded), each chat's calls in order,
and reports each outcome.

After its calls, each chat is read back once and compared with the plan's
`after`: a chat that does not match is a failure, named in the report
(reads are cheap next to WeCom's 1,000 changes an hour).

Interrupted (app.interrupt): the first SIGINT or SIGTERM starts no new
chat and lets the chats under way finish their calls, within GRACE_SECONDS;
a second signal, or the end of that time, stops at once, and the chats
whose call was in flight are reported failed with their state unknown.
Either way every chat of the plan is in the report.

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
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Callable

from reconciler.app.announce import announce_change
from reconciler.app.interrupt import Signals
from reconciler.core.plan import Action, Change, Plan
from reconciler.core.writequotas import fit_quotas
from reconciler.core.refusal import Refused, plan_again, refusal_message
from reconciler.core.report import APPLIED, FAILED, SKIPPED, ApplyReport, ChatResult
from reconciler.core.state import ChatState, InconsistentCall, apply_call, drift
from reconciler.core.wecomapi import WeComApi
from reconciler.app.refusals import Budget, Landed, refused_for_users, settle
from reconciler.app.reread import read_back, read_state, settle_unknown, text_of
from reconciler.render.announce import AnnounceTemplate
from reconciler.wecom.errors import InvalidCredentials, RateLimited, WeComError, WriteOutcomeUnknown

log = logging.getLogger(__name__)

# Chats written at a time unless --concurrency pins it. Writes never adapt
# upwards: WeCom takes 1,000 chat changes an hour, which 8 at a time reach in
# seconds; the client's limit still holds them back when WeCom says 45033.
WRITE_CONCURRENCY = 8


# How long the chats under way may take to finish after the first signal:
# the client's read timeout, so one call that hangs cannot hold the run.
GRACE_SECONDS = 30.0
_POLL_SECONDS = 0.1  # how often the main thread looks at the signals


@dataclass
class _Stop:
    """Shared by the workers. `set`: no further write call at all (rate
    limit, credentials); `interrupt`: no new chat, the ones under way go on."""

    event: threading.Event = field(default_factory=threading.Event)
    reason: str | None = None
    interrupted: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    # chat id -> write calls answered so far, for the chats whose first write was sent
    under_way: dict[str, int] = field(default_factory=dict)
    # Facts of the run the workers share: a saved plan's (its next step is
    # to plan again, never to re-run it), and what a resend may spend.
    saved: bool = False
    budget: Budget = field(default_factory=lambda: Budget(()))

    def set(self, reason: str) -> None:
        with self.lock:
            if self.reason is None:
                self.reason = reason
            self.event.set()

    def interrupt(self, reason: str) -> None:
        with self.lock:
            self.interrupted = self.interrupted or reason

    def is_set(self) -> bool:
        return self.event.is_set()

    def no_new_chat(self) -> str | None:
        """Why no chat may start now, or None."""
        return self.reason if self.event.is_set() else self.interrupted


def _skipped(change: Change, message: str, calls_made: int = 0) -> ChatResult:
    return ChatResult(change.chat_id, change.action, SKIPPED, calls_made, len(change.calls), message=message)


def _failed(change: Change, made: int, errcode: int | None, message: str, verified: bool | None = None,
            refused: tuple[Refused, ...] = ()) -> ChatResult:
    return ChatResult(change.chat_id, change.action, FAILED, made, len(change.calls), errcode, message,
                       verified=verified, refused=refused)


def _apply_one_safe(change: Change, client: WeComApi, stop: _Stop, announce: bool, recheck: bool,
                    template: AnnounceTemplate | None = None) -> ChatResult:
    try:
        return _apply_one(change, client, stop, announce, recheck, template)
    except Exception as exc:  # a surprise in one chat must not end the run for the others
        log.debug("unexpected error applying %s", change.chat_id, exc_info=True)
        made = stop.under_way.get(change.chat_id, 0)
        return _failed(change, made, None, f"unexpected {type(exc).__name__}: {exc}; read the chat, then "
                                           f"{plan_again(stop.saved)}")


def _apply_one(change: Change, client: WeComApi, stop: _Stop, announce: bool, recheck: bool,
               template: AnnounceTemplate | None = None) -> ChatResult:
    if stop.no_new_chat():
        return _skipped(change, f"not attempted: {stop.no_new_chat()}")
    if recheck:
        # The read right before writing is what keeps a concurrent apply (or
        # a person in the WeCom app) from being overwritten with stale deltas.
        try:
            now = read_state(client, change.chat_id)
        except (RateLimited, InvalidCredentials) as exc:
            stop.set(_stop_reason(exc))
            return _skipped(change, f"not attempted: {stop.reason}")
        except WeComError as exc:
            return _failed(change, 0, exc.errcode, f"cannot read the chat before writing: {text_of(exc)}")
        moved = drift(change.before, now)
        if moved:
            return _skipped(change, "stale: changed since it was planned: " + "; ".join(moved))
        if stop.no_new_chat():  # a signal while this chat was being read: it has not started
            return _skipped(change, f"not attempted: {stop.no_new_chat()}")
    made = 0
    state = change.before
    refused: list[Refused] = []  # ids WeCom refused (People who have left, docs/apply.md)
    code: int | None = None  # WeCom's errcode for them
    stop.under_way[change.chat_id] = 0
    for call in change.calls:
        if stop.is_set():
            return _skipped(change, f"stopped after {made} of {len(change.calls)} calls: {stop.reason}", made)
        try:
            expected = apply_call(state, call)
        except InconsistentCall as exc:  # only after a refusal: the chat is not where the plan thought
            return _failed(change, made, code, f"{refusal_message(refused, stop.saved)}; the next call was not "
                                               f"sent ({exc})", refused=tuple(refused))
        try:
            client.call(call.path, call.body)
        except WriteOutcomeUnknown as exc:
            # The request may have reached WeCom; only the chat itself can
            # say. Retrying blind could add someone twice (86216) or undo
            # nothing; reading is always safe.
            verdict = settle_unknown(client, change.chat_id, expected, stop.saved)
            if verdict is not None:
                return _failed(change, made, exc.errcode, f"{exc}; {verdict}")
        except (RateLimited, InvalidCredentials) as exc:
            stop.set(_stop_reason(exc))
            return _failed(change, made, exc.errcode, text_of(exc))
        except WeComError as exc:
            if not refused_for_users(call, exc):
                return _failed(change, made, exc.errcode, text_of(exc))
            try:
                settled = settle(client, change.chat_id, call, exc, stop.budget, stop.saved)
            except (RateLimited, InvalidCredentials) as again:
                stop.set(_stop_reason(again))
                return _failed(change, made, exc.errcode, text_of(exc))
            refused += settled.refused
            code = exc.errcode
            if settled.failure is not None:
                return _failed(change, made + settled.sent, exc.errcode, settled.failure, refused=tuple(refused))
            made += settled.sent
            stop.under_way[change.chat_id] = made
            state = settled.state
            continue
        made += 1
        stop.under_way[change.chat_id] = made
        state = expected
    return _verified(change, client, made, state, refused, code, stop.saved, announce, template)


def _verified(change: Change, client: WeComApi, made: int, state: ChatState, refused: list[Refused], code: int | None,
              saved: bool, announce: bool, template: AnnounceTemplate | None) -> ChatResult:
    """The outcome once the calls are made: read back against `state` (the
    plan's `after` less what WeCom refused); a refused addition fails the
    chat, a refused removal is a warning on an applied chat."""
    problem = read_back(client, change.chat_id, state if refused else change.after)
    errors = [r for r in refused if r.is_error]
    if problem is not None:
        message = f"{refusal_message(refused, saved)}; {problem}" if refused else problem
        return _failed(change, made, None, message, verified=False, refused=tuple(refused))
    if errors:
        return _failed(change, made, code, refusal_message(refused, saved), verified=True, refused=tuple(refused))
    done = Landed(change.chat_id, change.before, state, change.announce) if refused else change
    announcement = (announce_change(client, done, template) if announce and change.action is Action.UPDATE
                    else None)
    return ChatResult(change.chat_id, change.action, APPLIED, made, len(change.calls), announcement=announcement,
                       verified=True, message="warning: " + refusal_message(refused, saved) if refused else "",
                       refused=tuple(refused))


def _stop_reason(exc: WeComError) -> str:
    if isinstance(exc, RateLimited):
        return (f"WeCom rate limit (errcode {exc.errcode}): no further writes were started; "
                f"apply again once the block lifts (chat changes: up to an hour)")
    return f"WeCom rejected the credentials (errcode {exc.errcode}): no further writes were started"


def execute(plan: Plan, client: WeComApi, *, concurrency: int | None = None, announce: bool = False,
            recheck: bool = True, on_done: Callable[[ChatResult], None] | None = None,
            announce_template: AnnounceTemplate | None = None, signals: Signals | None = None,
            grace: float = GRACE_SECONDS, saved: bool = False) -> ApplyReport:
    """Make the plan's calls, `concurrency` chats at a time (default
    WRITE_CONCURRENCY: writes do not adapt). Never raises for one chat's
    failure; returns one outcome per chat in `changes`, sorted by chat_id.
    With `announce`, each updated chat that does not opt out is told who
    joined and left. With `signals`, a signal ends the run as the module's
    docstring says; the report is then `forced` when chats were left with a
    call in flight (their worker threads are not waited for: the caller must
    exit without joining them). `saved`: the plan came from a file, and a
    failure's next step is to plan again."""
    fits, deferred, notes = fit_quotas(plan.changes)
    stop = _Stop(saved=saved, budget=Budget(fits))
    outcomes: dict[str, ChatResult] = {}
    for change in deferred:
        outcomes[change.chat_id] = ChatResult(
            change.chat_id, change.action, SKIPPED, 0, len(change.calls), deferred=True,
            message=f"deferred: over WeCom's budget for one run (see note); {_later(saved)}")
    if signals is not None:
        signals.writing = True
    pool = ThreadPoolExecutor(max_workers=max(1, concurrency or WRITE_CONCURRENCY), thread_name_prefix="apply")
    forced = False
    try:
        pending = {pool.submit(_apply_one_safe, c, client, stop, announce, recheck, announce_template) for c in fits}
        deadline = None
        while pending:
            done, pending = wait(pending, timeout=_POLL_SECONDS, return_when=FIRST_COMPLETED)
            for future in done:
                outcome = future.result()
                outcomes[outcome.chat_id] = outcome
                if on_done:
                    on_done(outcome)
            if signals is not None and signals.first:
                if deadline is None:
                    stop.interrupt(f"interrupted by {signals.first}: no new chat was started")
                    deadline = time.monotonic() + grace
                if pending and (signals.forced or time.monotonic() >= deadline):
                    forced = True
                    break
    except BaseException:
        # Ctrl-C without Signals: start nothing new, let the calls in flight finish, then go.
        stop.set("interrupted")
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=not forced, cancel_futures=True)
    if forced:
        for change in fits:
            if change.chat_id not in outcomes:
                outcomes[change.chat_id] = _cut_short(change, stop)
    ordered = tuple(outcomes[c.chat_id] for c in plan.changes)
    interrupted = signals.first if signals is not None else None
    return ApplyReport(ordered, tuple(notes), stop.reason, interrupted=interrupted, forced=forced, saved=saved)


def _later(saved: bool) -> str:
    return "plan again after the quota window" if saved else "a later run applies it"


def _cut_short(change: Change, stop: _Stop) -> ChatResult:
    """A chat the run stopped waiting for: not started, or a call in flight."""
    made = stop.under_way.get(change.chat_id)
    if made is None:
        return _skipped(change, f"not attempted: {stop.interrupted}")
    return _failed(change, made, None, f"stopped at once with a call in flight ({made} of {len(change.calls)} "
                                       f"answered): its state is unknown; {plan_again(stop.saved)}")
