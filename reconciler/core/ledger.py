"""The membership ledger's lines (`apply --ledger DIR`, `history`): one JSON
object per membership change, in the keys and order of the contract. Pure:
app.ledger writes and reads the files, the clock is the caller's.

A line is written for each change apply verified, in the order its calls
made them (joined, owner, left, renamed), and `present` lines for the
members of a chat the ledger has not seen yet (cause `before the ledger`),
so that `history --at` can answer for any day after the first run.

The cause of each line comes from cause_for(), the one place that knows
what a plan says about why someone joins or leaves.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta, timezone
from typing import Any, Iterable, Mapping

from reconciler.core.plan import Action, Change

# WeCom's admins think in Beijing time: the ledger's months and days are its.
CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "CST")

JOINED, LEFT, OWNER, RENAMED, CREATED, PRESENT = "joined", "left", "owner", "renamed", "created", "present"
EVENTS = (JOINED, LEFT, OWNER, RENAMED, CREATED, PRESENT)
PERSONAL = frozenset({JOINED, LEFT, OWNER, PRESENT})  # events about one user
KEYS = ("at", "target", "chat_id", "chat_name", "event", "user_id", "name", "cause", "commit", "plan_digest")
BEFORE_THE_LEDGER = "before the ledger"


@dataclass(frozen=True)
class Stamp:
    """What every line of one apply shares."""

    target: Mapping[str, str] | None = None
    commit: str | None = None
    plan_digest: str | None = None


@dataclass(frozen=True)
class LedgerLine:
    at: str  # ISO 8601 with +08:00, to the second
    chat_id: str
    chat_name: str | None
    event: str
    user_id: str | None = None
    name: str | None = None
    cause: Any = None
    target: Mapping[str, str] | None = None
    commit: str | None = None
    plan_digest: str | None = None

    @property
    def day(self) -> str:
        """YYYY-MM-DD in China Standard Time (the time is written in it)."""
        return self.at[:10]

    @property
    def month(self) -> str:
        return self.at[:7]

    @property
    def data(self) -> dict[str, Any]:
        data = {"at": self.at, "target": dict(self.target) if self.target is not None else None,
                "chat_id": self.chat_id, "chat_name": self.chat_name, "event": self.event}
        if self.event in PERSONAL:
            data["user_id"], data["name"] = self.user_id, self.name
        data.update(cause=self.cause, commit=self.commit, plan_digest=self.plan_digest)
        return data

    def encode(self) -> bytes:
        """One whole line, newline included (compact, raw UTF-8)."""
        return (json.dumps(self.data, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


class BadLine(ValueError):
    """A line that is not a ledger line (cut short, edited by hand)."""


def line_from_data(data: Any) -> LedgerLine:
    if not isinstance(data, dict):
        raise BadLine("not a JSON object")
    for key in ("at", "chat_id", "event"):
        if not isinstance(data.get(key), str):
            raise BadLine(f"no {key}")
    if data["event"] not in EVENTS:
        raise BadLine(f"unknown event {data['event']!r}")
    if data["event"] in PERSONAL and not isinstance(data.get("user_id"), str):
        raise BadLine(f"a {data['event']} line without a user_id")
    return LedgerLine(at=data["at"], chat_id=data["chat_id"], chat_name=data.get("chat_name"),
                      event=data["event"], user_id=data.get("user_id"), name=data.get("name"),
                      cause=data.get("cause"), target=data.get("target"), commit=data.get("commit"),
                      plan_digest=data.get("plan_digest"))


def decode(raw: bytes) -> LedgerLine:
    try:
        return line_from_data(json.loads(raw))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadLine(str(exc) if isinstance(exc, BadLine) else "not JSON") from None


def cause_for(change: Change, user_id: str | None, event: str) -> Any:
    """Why `event` happens to `user_id` in `change`, as the plan knows it.

    The one place to wire the plan's `causes` (user id -> cause) into the
    ledger: when a change carries them, the user's entry is used as is.
    Until then, what the plan already knows (an ended membership, someone
    not in the directory), else a placeholder: `in the files` or `not in the
    files`."""
    causes = getattr(change, "causes", None)
    if causes and user_id is not None and user_id in causes:
        return causes[user_id]
    if event == LEFT:
        expired = next((e for e in change.expired if e.who == user_id), None)
        if expired is not None:
            return expired.why
        if change.not_in_directory and user_id in change.not_in_directory:
            return "not in the directory"
        return "not in the files"
    if event == PRESENT:
        return BEFORE_THE_LEDGER
    return f"in the files ({change.source})" if change.source else "in the files"


def change_lines(change: Change, at: str, stamp: Stamp, names: Mapping[str, str] | None = None,
                 not_made: Iterable[str] = ()) -> list[LedgerLine]:
    """The lines of one verified change, in the order its calls made them.
    `not_made`: user ids WeCom refused (their part of the change did not
    happen; a refused removal of someone who left leaves no `left` line)."""
    skip = set(not_made)
    names = names or {}
    chat_name = change.before.name if change.before else change.after.name

    def line(event: str, user: str | None = None) -> LedgerLine:
        return LedgerLine(at, change.chat_id, chat_name, event, user, names.get(user) if user else None,
                          cause_for(change, user, event), stamp.target, stamp.commit, stamp.plan_digest)

    if change.action is Action.CREATE:
        return ([line(CREATED)] + [line(JOINED, u) for u in change.after.members if u not in skip]
                + [line(OWNER, change.after.owner)])
    out: list[LedgerLine] = []
    for call in change.calls:
        body = call.body
        out += [line(JOINED, u) for u in body.get("add_user_list", ()) if u not in skip]
        if "owner" in body and body["owner"] not in skip:
            out.append(line(OWNER, body["owner"]))
        out += [line(LEFT, u) for u in body.get("del_user_list", ()) if u not in skip]
        if "name" in body:
            chat_name = body["name"]  # the renamed line, and those after it, carry the new name
            out.append(line(RENAMED))
    return out


def present_lines(chat_id: str, chat_name: str, members: Iterable[str], at: str, stamp: Stamp,
                  names: Mapping[str, str] | None = None) -> list[LedgerLine]:
    """The members of a chat first seen with a ledger, as they were before this run."""
    names = names or {}
    return [LedgerLine(at, chat_id, chat_name, PRESENT, u, names.get(u), BEFORE_THE_LEDGER, stamp.target,
                       stamp.commit, stamp.plan_digest) for u in sorted(members)]
