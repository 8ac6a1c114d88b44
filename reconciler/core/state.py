"""A chat at one moment, and what one API call does to it.

`apply_call` is the one statement of what appchat/create and appchat/update
do, shared by the planner (whose calls must reach `after`), the plan reader
(a saved plan whose calls do not is refused) and apply (what a re-read must
show after each call). The emulator keeps its own rules on purpose: it is
the referee, and must not share a bug with the player.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Protocol

from reconciler.core.facts import APPCHAT_CREATE, APPCHAT_UPDATE
from reconciler.core.members import Members
from reconciler.core.model import LiveChat
from reconciler.core.userids import UserIds, same_user


class ChatState:
    """A chat as a plan sees it, before or after: its name, owner and members
    (any iterable of user ids, or a core.members view). `members` is the
    sorted tuple the plan format shows, built on first use: the planner and
    the check of a change's calls work on `view` (core.members), which costs
    what changes. Immutable; equal when name, owner and the member set are."""

    __slots__ = ("name", "owner", "view", "_sorted")

    def __init__(self, name: str, owner: str, members: Iterable[str] | Members) -> None:
        set_ = object.__setattr__
        set_(self, "name", name)
        set_(self, "owner", owner)
        set_(self, "view", Members.of(members))
        set_(self, "_sorted", None)

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError(f"ChatState is immutable: cannot set {key}")

    @property
    def members(self) -> tuple[str, ...]:
        """Sorted and unique: built once, when something shows or writes it."""
        if self._sorted is None:
            object.__setattr__(self, "_sorted", tuple(sorted(self.view.frozen())))
        return self._sorted

    @property
    def member_set(self) -> frozenset[str]:
        return self.view.frozen()

    @property
    def size(self) -> int:
        """How many members, without listing them."""
        return len(self.view)

    @property
    def data(self) -> dict[str, Any]:
        return {"name": self.name, "owner": self.owner, "members": list(self.members)}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ChatState):
            return NotImplemented
        return self.name == other.name and self.owner == other.owner and self.view == other.view

    def __hash__(self) -> int:
        return hash((self.name, self.owner, self.view))

    def __repr__(self) -> str:
        return f"ChatState(name={self.name!r}, owner={self.owner!r}, members={self.members!r})"

    def same(self, name: str, owner: str, members: Members) -> bool:
        return self.name == name and self.owner == owner and self.view == members

    def same_as(self, other: ChatState | None) -> bool:
        """The same chat as WeCom tells users apart: ignoring letter case."""
        if other is None:
            return False
        if self == other:
            return True
        return (self.name == other.name and same_user(self.owner, other.owner)
                and UserIds(self.member_set) == UserIds(other.member_set))


def state_of(live: LiveChat) -> ChatState:
    return ChatState(live.name, live.owner, frozenset(live.members))


class CallLike(Protocol):
    path: str
    body: Mapping[str, Any]


class InconsistentCall(ValueError):
    """A call that cannot be made on the chat as it is (or that WeCom would
    refuse), or a sequence of calls that does not reach the state claimed."""


# (name, owner, members) of a chat while calls are folded into it: a members
# view, so a change's calls are checked at the cost of what they change,
# without copying or sorting the chat.
Raw = tuple[str, str, Members]


def apply_call(state: ChatState | None, call: CallLike) -> ChatState:
    """The chat once `call` took effect on `state` (None: it does not exist).

    Stricter than WeCom where WeCom's documentation is silent, as the
    emulator is: a new owner must already be a member, and nobody is added
    and removed by the same call."""
    name, owner, members = _step(_raw(state), call)
    return ChatState(name, owner, members)


def fold(state: ChatState | None, calls: Iterable[CallLike]) -> Raw | None:
    """(name, owner, members) of `state` after every call in order."""
    raw = _raw(state)
    for call in calls:
        raw = _step(raw, call)
    return raw


def _raw(state: ChatState | None) -> Raw | None:
    return None if state is None else (state.name, state.owner, state.view)


def _step(state: Raw | None, call: CallLike) -> Raw:
    body = call.body
    if call.path == APPCHAT_CREATE:
        if state is not None:
            raise InconsistentCall("appchat/create on a chat that exists")
        members = Members.of(body.get("userlist", ()))
        owner = body.get("owner", "")
        if owner not in members:
            raise InconsistentCall(f"appchat/create names owner {owner!r}, who is not in its userlist")
        return body.get("name", ""), owner, members
    if call.path != APPCHAT_UPDATE:
        raise InconsistentCall(f"{call.path} does not change a chat's members")
    if state is None:
        raise InconsistentCall("appchat/update on a chat that does not exist yet")
    name, current_owner, current = state
    adds, dels = set(body.get("add_user_list", ())), set(body.get("del_user_list", ()))
    if adds & dels:
        raise InconsistentCall("adds and removes " + ", ".join(sorted(adds & dels)) + " in one call")
    absent = sorted(d for d in dels if d not in current)
    if absent:
        raise InconsistentCall("removes " + ", ".join(absent) + ", who " + ("is" if len(absent) == 1 else "are")
                               + " not a member")
    owner = body.get("owner", current_owner)
    if "owner" in body and (owner not in current or owner in dels):
        raise InconsistentCall(f"makes {owner!r} owner, who is not a member before the call")
    if current_owner in dels and "owner" not in body:
        raise InconsistentCall(f"removes the owner {current_owner!r} without naming a new one")
    return body.get("name", name), owner, current.changed(adds, dels)


@dataclass(frozen=True)
class Difference:
    """How chat state `now` differs from `wanted`: the one statement of a
    difference of chat states. The plan's consistency check, apply's read
    back and the stale check each word it their own way."""

    extra: tuple[str, ...] = ()    # members `now` has and `wanted` lacks, sorted
    missing: tuple[str, ...] = ()  # members `wanted` has and `now` lacks, sorted
    name: tuple[str, str] | None = None   # (now's, wanted's) when they differ
    owner: tuple[str, str] | None = None  # (now's, wanted's) when they differ

    def __bool__(self) -> bool:
        return bool(self.extra or self.missing or self.name or self.owner)

    def worded(self, extra: str, missing: str, name: str, owner: str) -> str:
        """This difference in one line, in the caller's words: `extra` and
        `missing` format {ids}, `name` and `owner` format {now} and {wanted}."""
        parts = [form.format(ids=", ".join(ids)) for form, ids in ((extra, self.extra), (missing, self.missing)) if ids]
        parts += [form.format(now=pair[0], wanted=pair[1]) for form, pair in ((name, self.name), (owner, self.owner))
                  if pair]
        return "; ".join(parts)


def difference(now: ChatState, wanted: ChatState, *, ignore_case: bool = False) -> Difference:
    """What differs between two states of a chat; `ignore_case`: members and
    owner as WeCom tells users apart (core.userids), the name as written."""
    if ignore_case:
        have, want = UserIds(now.members), UserIds(wanted.members)
        same_owner = same_user(now.owner, wanted.owner)
    else:
        have, want = frozenset(now.members), frozenset(wanted.members)
        same_owner = now.owner == wanted.owner
    return Difference(
        tuple(m for m in now.members if m not in want),  # members are sorted already
        tuple(m for m in wanted.members if m not in have),
        (now.name, wanted.name) if now.name != wanted.name else None,
        (now.owner, wanted.owner) if not same_owner else None)


def drift(before: ChatState | None, now: ChatState | None) -> list[str]:
    """What changed between `before` and `now`, for a person (empty when
    nothing did)."""
    if before == now or (before is not None and before.same_as(now)):
        return []
    if before is None:
        return [f"now exists (name {now.name!r}, owner {now.owner}, {len(now.members)} members); "
                "the plan creates it"]
    if now is None:
        return ["no longer exists (or cannot be seen by this app); the plan updates it"]
    moved = difference(now, before)
    lines = []
    if moved.name:
        lines.append(f"name: {before.name!r} -> {now.name!r} since the plan")
    if moved.owner:
        lines.append(f"owner: {before.owner!r} -> {now.owner!r} since the plan")
    if moved.extra:
        lines.append("members joined since the plan: " + ", ".join(moved.extra))
    if moved.missing:
        lines.append("members left since the plan: " + ", ".join(moved.missing))
    return lines
