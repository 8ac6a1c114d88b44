"""When WeCom refuses a write because of some of its user ids (86216 or
40003: someone who left, someone not in the directory, a removal of someone
no longer in the chat), which ids those are, what is left of the call
without them, and what to tell the user. Pure: app.refusals does the reads.

appchat/update names no culprit (unlike message/send's `invaliduser`), so
the ids are found by reading the chat again and asking `user/get` for each
id of the refused call, never by trying halves (docs/apply.md, "People who
have left"). The resend carries only ids the reviewed call carried.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from reconciler.core.call import Call
from reconciler.core.facts import APPCHAT_CREATE, ErrCode

from reconciler.core.state import ChatState
from reconciler.core.userids import UserIds

# The answers that may mean "one of these user ids": the whole call is refused.
REFUSED_FOR_USERS = frozenset({ErrCode.MEMBER_NOT_ALLOWED, ErrCode.INVALID_USERID})
# What user/get answers for an id that is not (or no longer) in the directory
# the app sees: 60111 left, deleted or outside the visible range; 60011 no
# privilege; 40003 invalid. Status 5 is someone who has left.
ABSENT_ERRCODES = frozenset({ErrCode.USERID_NOT_FOUND, ErrCode.NO_PRIVILEGE, ErrCode.INVALID_USERID})
LEFT_STATUS = 5

ADD, REMOVE, OWNER = "add", "remove", "owner"
CHECK_USERS = "`appchat plan --check-users` names every id not in the directory"


@dataclass(frozen=True)
class UserCheck:
    """What `user/get` said about one id: `errcode` when it refused (60111...),
    else the user's `status` and `name`; `unreadable` when no answer came."""

    user_id: str
    errcode: int | None = None
    status: int | None = None
    name: str | None = None
    unreadable: str | None = None

    @property
    def absent(self) -> bool:
        return self.errcode in ABSENT_ERRCODES or self.status == LEFT_STATUS

    @property
    def why(self) -> str:
        if self.status == LEFT_STATUS:
            return "has left the company (user/get: status 5)"
        if self.errcode == ErrCode.NO_PRIVILEGE:
            return "is outside the app's visible range (user/get 60011)"
        return f"is not in WeCom's directory: left, deleted or outside the app's visible range (user/get {self.errcode})"


@dataclass(frozen=True)
class Refused:
    """One id WeCom refused, the part of the call it was in, and why."""

    user_id: str
    change: str  # ADD, REMOVE or OWNER
    reason: str
    name: str | None = None

    @property
    def is_error(self) -> bool:
        """A refused addition (or new owner) means the files need fixing; a
        refused removal is a warning: the chat counts as converged without it."""
        return self.change != REMOVE

    @property
    def data(self) -> dict[str, Any]:
        return {"user_id": self.user_id, "change": self.change, "reason": self.reason, "name": self.name}

    @property
    def text(self) -> str:
        who = f"{self.user_id} ({self.name})" if self.name else self.user_id
        return f"{self.change} {who}: {self.reason}"


def ids_of(body: Mapping[str, Any]) -> list[str]:
    """Every user id a create or update call carries, each once, in order."""
    ids = [user for key in ("userlist", "add_user_list", "del_user_list") for user in body.get(key) or ()]
    return list(UserIds(ids + ([body["owner"]] if body.get("owner") else [])))


def find_refused(call: Call, now: ChatState | None, checks: Mapping[str, UserCheck]) -> list[Refused]:
    """The ids of `call` that explain WeCom's refusal, given the chat as read
    again (`now`) and user/get's answer per id (`checks`, keyed by id)."""
    body = call.body
    members = UserIds(now.members if now is not None else ())
    found: list[Refused] = []
    adds = body.get("userlist" if call.path == APPCHAT_CREATE else "add_user_list") or ()
    for user in adds:
        check = checks.get(user)
        if check is not None and check.absent:
            found.append(Refused(user, ADD, check.why, check.name))
    for user in body.get("del_user_list") or ():
        check = checks.get(user)
        if user not in members:
            found.append(Refused(user, REMOVE, "is not in the chat (any more)", check.name if check else None))
        elif check is not None and check.absent:
            found.append(Refused(user, REMOVE, check.why, check.name))
    owner = body.get("owner")
    check = checks.get(owner) if owner else None
    if check is not None and check.absent and not any(r.user_id == owner for r in found):
        found.append(Refused(owner, OWNER, check.why, check.name))
    return found


def without(call: Call, refused: list[Refused]) -> Call | None:
    """`call` without the refused ids: only what it already carried. None when
    nothing is left to send (or when it cannot be sent: its new owner was
    refused, or it is a create, which is never sent short of members)."""
    if call.path == APPCHAT_CREATE or any(r.change == OWNER for r in refused):
        return None
    out = UserIds(r.user_id for r in refused)
    body: dict[str, Any] = {}
    for key, value in call.body.items():
        if key in ("add_user_list", "del_user_list"):
            kept = [u for u in value if u not in out]
            if kept:
                body[key] = kept
        else:
            body[key] = value
    if set(body) <= {"chatid"}:
        return None
    return Call(call.method, call.path, body)


def plan_again(saved: bool) -> str:
    """The next step after a failure that another run can fix."""
    if saved:
        return "plan again (`appchat plan --out FILE`) and apply the new plan, not this one again"
    return "run apply again"


def refusal_message(refused: list[Refused], saved: bool) -> str:
    """What the report says about a chat's refused ids: each named with why,
    and, when an addition was refused, the step that helps."""
    text = "WeCom refused to " + "; ".join(r.text for r in refused)
    if any(r.is_error for r in refused):
        text += f". Fix the chat files ({CHECK_USERS}), then {plan_again(saved)}"
    else:
        text += "; the chat counts as converged without these removals"
    return text


def unexplained(saved: bool) -> str:
    """The hint for a refusal whose ids could not be found."""
    return (f"no id of the call could be blamed ({CHECK_USERS}); check the chat files, then "
            f"{plan_again(saved)}")
