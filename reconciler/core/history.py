"""`appchat history`'s questions of the ledger, over lines given oldest
first (app.ledger streams them): a user's or a chat's timeline, who was in
a chat at the end of a day, and the cause that last brought someone into a
chat (for `plan --ledger`). Pure; every function takes an iterable and
holds only what its answer needs, so a year of lines streams through.

A user id is matched as WeCom matches it, ignoring letter case; a chat id
exactly. Days are China Standard Time days, as the lines' times are written.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable, Iterator

from reconciler.core.userids import UserIds, UserMap, id_regex, same_user, canonical
from reconciler.core.ledger import JOINED, LEFT, PRESENT, RENAMED, LedgerLine


FORMAT_VERSION = 1


@dataclass(frozen=True)
class Query:
    user: str | None = None
    chat: str | None = None
    since: date | None = None
    until: date | None = None
    at: date | None = None

    def __post_init__(self) -> None:
        if self.at is not None and self.user is None and self.chat is None:
            raise ValueError("--at needs --chat CHAT_ID or a USER")
        if self.since and self.until and self.since > self.until:
            raise ValueError("--since is after --until")

    @property
    def data(self) -> dict[str, Any]:
        return {"user": self.user, "chat": self.chat,
                **{k: (getattr(self, k).isoformat() if getattr(self, k) else None) for k in ("since", "until", "at")}}

    def prefilter(self) -> tuple[bytes, tuple[bytes, ...]] | None:
        """A cheap test on a raw line before json.loads (matches() still
        decides): a regex (bytes) every matching line matches, and byte
        strings it also holds; None when every line may match. The user id
        is matched ignoring letter case, as WeCom does; the chat id exactly."""
        chat = ('"chat_id":' + json.dumps(self.chat)).encode("utf-8") if self.chat is not None else None
        if self.user is None:
            return (re.escape(chat), ()) if chat else None
        either = id_regex(self.user)
        return ('"user_id":"'.encode() + either.encode("utf-8") + b'"', (chat,) if chat else ())

    def months(self) -> tuple[str | None, str | None]:
        """The first and last YYYY-MM whose file can hold a matching line."""
        last = self.at or self.until
        return (self.since.isoformat()[:7] if self.since and not self.at else None,
                last.isoformat()[:7] if last else None)

    def matches(self, line: LedgerLine) -> bool:
        """A line of the timeline (the --at question replays instead)."""
        if self.chat is not None and line.chat_id != self.chat:
            return False
        if self.user is not None and (line.user_id is None or not same_user(line.user_id, self.user)):
            return False
        if self.since is not None and line.day < self.since.isoformat():
            return False
        return self.until is None or line.day <= self.until.isoformat()


def timeline(lines: Iterable[LedgerLine], query: Query) -> Iterator[LedgerLine]:
    return (line for line in lines if query.matches(line))


@dataclass(frozen=True)
class Membership:
    """Someone in a chat at the end of a day, and the line that brought them in."""

    chat_id: str
    chat_name: str | None
    user_id: str
    name: str | None
    since: str  # the `at` of that line
    cause: Any

    @property
    def data(self) -> dict[str, Any]:
        return {"chat_id": self.chat_id, "chat_name": self.chat_name, "user_id": self.user_id, "name": self.name,
                "since": self.since, "cause": self.cause}


def members_at(lines: Iterable[LedgerLine], day: date, chat: str | None = None,
               user: str | None = None) -> list[Membership]:
    """Who was in `chat` (or in which chats `user` was) at the end of `day`,
    as far as the ledger knows: its lines replayed up to that day. Sorted
    by chat id, then user id."""
    end = day.isoformat()
    held: dict[str, UserMap[Membership]] = {}
    names: dict[str, str | None] = {}
    for line in lines:
        if line.day > end:
            continue
        if chat is not None and line.chat_id != chat:
            continue
        if line.event == RENAMED:
            names[line.chat_id] = line.chat_name
            continue
        if line.user_id is None or (user is not None and not same_user(line.user_id, user)):
            continue
        if line.event in (JOINED, PRESENT):
            held.setdefault(line.chat_id, UserMap())[line.user_id] = Membership(
                line.chat_id, line.chat_name, line.user_id, line.name, line.at, line.cause)
        elif line.event == LEFT and line.chat_id in held:
            held[line.chat_id].pop(line.user_id, None)
    found = [m if m.chat_id not in names else Membership(m.chat_id, names[m.chat_id], m.user_id, m.name, m.since,
                                                         m.cause)
             for by_user in held.values() for m in by_user.values()]
    return sorted(found, key=lambda m: (m.chat_id, canonical(m.user_id)))


def former_causes(lines: Iterable[LedgerLine], wanted: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Any]:
    """(chat id, user id) -> the cause of the last line that brought that
    user into that chat (joined or present), for the pairs in `wanted`
    that have one. What `plan --ledger` names for a removal."""
    pairs: dict[str, list[str]] = {}
    for chat, user in wanted:
        pairs.setdefault(chat, []).append(user)
    asked = {chat: UserIds(users) for chat, users in pairs.items()}
    found: dict[tuple[str, str], Any] = {}
    for line in lines:
        if line.event in (JOINED, PRESENT) and line.user_id is not None and line.chat_id in asked:
            user = asked[line.chat_id].spelled(line.user_id)
            if user is not None:
                found[(line.chat_id, user)] = line.cause
    return found
