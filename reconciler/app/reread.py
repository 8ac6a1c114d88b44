"""Reading a chat again during apply: right before its first write, after a
write whose answer was lost (never a blind retry: app-chat updates are not
idempotent), and once after its calls to verify the result."""

from __future__ import annotations

import logging

from reconciler.core.refusal import plan_again
from reconciler.core.state import ChatState, difference, state_of
from reconciler.core.wecomapi import WeComApi
from reconciler.wecom.errors import ChatNotFound, WeComError

log = logging.getLogger(__name__)


def read_state(client: WeComApi, chat_id: str) -> ChatState | None:
    """The chat as WeCom has it now; None when it does not exist."""
    try:
        return state_of(client.get_chat(chat_id))
    except ChatNotFound:
        return None


def text_of(exc: WeComError) -> str:
    return exc.errmsg or str(exc)


def read_back(client: WeComApi, chat_id: str, target: ChatState) -> str | None:
    """None when the chat, read once after its calls, is `target` (the plan's
    `after`, less what WeCom refused); otherwise what the user needs to know."""
    try:
        now = read_state(client, chat_id)
    except WeComError as exc:
        return (f"its calls were answered, but reading it back failed ({text_of(exc)}): not verified; "
                f"`appchat plan` shows what it is now")
    if target.same_as(now):
        return None
    if now is None:
        return "read back after its calls, the chat does not exist"
    return "read back after its calls, it is not the plan's `after`: " + unlike(now, target)


def unlike(now: ChatState, after: ChatState) -> str:
    return difference(now, after, ignore_case=True).worded(
        "also has {ids}", "lacks {ids}", "is named {now!r}, not {wanted!r}", "is owned by {now}, not {wanted}")


def settle_unknown(client: WeComApi, chat_id: str, expected: ChatState, saved: bool = False) -> str | None:
    """None when a re-read shows the unanswered call took effect; otherwise
    what the user needs to know."""
    try:
        now = read_state(client, chat_id)
    except WeComError as exc:
        return f"the chat could not be re-read either ({exc}): its state is unknown; {plan_again(saved)}"
    if expected.same_as(now):
        log.info("%s: no answer to a write, but a re-read shows it took effect", chat_id)
        return None
    return f"a re-read shows the call did not take effect; {plan_again(saved)}"
