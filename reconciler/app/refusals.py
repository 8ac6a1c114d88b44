"""A write WeCom refused because of some of its user ids (86216 or 40003):
read the chat again and ask `user/get` for each id of the call, then send
the rest of the call once more (an update only; never by halves, never an
id the reviewed call did not carry), and say which ids were refused and why
(core.refusal). A create is not resent short of members: its refused ids
are named, and the chat fails."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from reconciler.core.call import Call
from reconciler.core.facts import APPCHAT_CREATE, APPCHAT_UPDATE, CHAT_CHANGES_PER_HOUR
from reconciler.core.writequotas import quota_cost
from reconciler.core.refusal import (OWNER, REFUSED_FOR_USERS, Refused, find_refused, ids_of, refusal_message,
                                     unexplained, without)
from reconciler.core.state import ChatState, InconsistentCall, apply_call
from reconciler.core.wecomapi import WeComApi
from reconciler.app.reread import read_state, settle_unknown, text_of
from reconciler.wecom.directoryreads import user_checks
from reconciler.wecom.errors import InvalidCredentials, RateLimited, WeComError, WriteOutcomeUnknown


class Budget:
    """The chat changes this run may still make within WeCom's hourly quota
    beyond the plan's own calls: what a resend spends (thread-safe)."""

    def __init__(self, changes) -> None:
        self._spare = CHAT_CHANGES_PER_HOUR - sum(quota_cost(c)[0] for c in changes)
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            if self._spare <= 0:
                return False
            self._spare -= 1
            return True


@dataclass
class Settled:
    """How a refused call ended: `state` is the chat now (expected), from
    which its remaining calls go on; `failure` when the chat must stop."""

    refused: list[Refused] = field(default_factory=list)
    state: ChatState | None = None
    sent: bool = False  # the resend was answered ok (or a re-read shows it took effect)
    failure: str | None = None


@dataclass(frozen=True)
class Landed:
    """What a chat's calls really did, the plan's change less the ids WeCom
    refused: what --announce tells the chat (who really joined and left)."""

    chat_id: str
    before: ChatState | None
    after: ChatState
    announce: bool = True

    @property
    def added(self) -> frozenset[str]:
        return self.after.member_set - (self.before.member_set if self.before else frozenset())

    @property
    def removed(self) -> frozenset[str]:
        return (self.before.member_set if self.before else frozenset()) - self.after.member_set


def refused_for_users(call: Call, exc: WeComError) -> bool:
    return exc.errcode in REFUSED_FOR_USERS and call.path in (APPCHAT_CREATE, APPCHAT_UPDATE)


def settle(client: WeComApi, chat_id: str, call: Call, exc: WeComError, budget: Budget, saved: bool) -> Settled:
    """After `call` was refused with `exc` (86216 or 40003). Raises
    RateLimited and InvalidCredentials for the caller to stop the run."""
    why = f"errcode {exc.errcode}: {text_of(exc)}"
    try:
        now = read_state(client, chat_id)
        checks = user_checks(client, ids_of(call.body))
    except (RateLimited, InvalidCredentials):
        raise
    except WeComError as err:
        return Settled(failure=f"{why}; the refused ids could not be looked up ({text_of(err)}): "
                               f"{unexplained(saved)}")
    if now is None and call.path == APPCHAT_UPDATE:
        return Settled(failure=f"{why}; read again, the chat does not exist: {unexplained(saved)}")
    refused = find_refused(call, now, checks)
    if not refused:
        return Settled(failure=f"{why}; {unexplained(saved)}")
    said = refusal_message(refused, saved)
    resend = without(call, refused)
    if resend is None:
        if call.path == APPCHAT_CREATE or any(r.change == OWNER for r in refused):
            return Settled(refused, failure=said)
        return Settled(refused, state=now)  # nothing else in the call: the chat is as it was
    try:
        expected = apply_call(now, resend)
    except InconsistentCall as err:
        return Settled(refused, failure=f"{said}; the rest of the call cannot be sent on the chat as it is now "
                                        f"({err})")
    if not budget.take():
        return Settled(refused, failure=f"{said}; the rest of the call was not resent: this run has spent WeCom's "
                                        f"hourly budget of chat changes")
    try:
        client.call(resend.path, resend.body)
    except WriteOutcomeUnknown as err:
        verdict = settle_unknown(client, chat_id, expected, saved)
        if verdict is not None:
            return Settled(refused, failure=f"{said}; resent without them: {err}; {verdict}")
    except (RateLimited, InvalidCredentials):
        raise
    except WeComError as err:
        return Settled(refused, failure=f"{said}; resent without them, WeCom refused again (errcode "
                                        f"{err.errcode}: {text_of(err)})")
    return Settled(refused, state=expected, sent=True)
