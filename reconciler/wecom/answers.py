"""Reading WeCom's answers: a chat's `chat_info`, the message of an API
error, and what an attempt says about load (for the concurrency limit)."""

from __future__ import annotations

from typing import Any, Mapping

from reconciler.core.facts import APPCHAT_GET, ErrCode
from reconciler.core.model import LiveChat
from reconciler.wecom.errors import TransportError, describe
from reconciler.wecom.limiter import Outcome
from reconciler.wecom.transport import Failure


def load_signal(outcome: dict | Failure | None) -> Outcome:
    if isinstance(outcome, Failure):
        return Outcome.OVERLOADED if outcome.overload else Outcome.NEUTRAL
    if outcome is None:
        return Outcome.NEUTRAL
    return Outcome.REJECTED if outcome.get("errcode") == ErrCode.TOO_MANY_CONCURRENT else Outcome.OK


def api_message(method: str, path: str, chat_id: str | None, errcode: int, errmsg: str) -> str:
    where = f" for chat {chat_id}" if chat_id else ""
    return f"{path}{where}: WeCom error {errcode}: {describe(errcode, errmsg)}"


def parse_chat_info(data: Mapping[str, Any], chat_id: str) -> LiveChat:
    """appchat/get's answer -> LiveChat. Missing/odd fields are a TransportError
    (the answer is not what WeCom sends), never a KeyError."""
    info = data.get("chat_info")
    if not isinstance(info, Mapping):
        raise TransportError(f"appchat/get for chat {chat_id}: answer without chat_info", chat_id=chat_id,
                             path=APPCHAT_GET)
    users = info.get("userlist") or []
    if not isinstance(users, list) or not all(isinstance(u, str) for u in users):
        raise TransportError(f"appchat/get for chat {chat_id}: malformed userlist", chat_id=chat_id,
                             path=APPCHAT_GET)
    return LiveChat(chat_id=chat_id, name=str(info.get("name") or ""),
                    owner=str(info.get("owner") or ""), members=frozenset(users))
