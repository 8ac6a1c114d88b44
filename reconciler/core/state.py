"""A chat at one moment, and what one API call does to it.

`apply_call` is the one statement of what appchat/create and appchat/update
do, shared by the planner (whose calls must reach `after`), the plan reader
(a saved plan whose calls do not is refused) and apply (what a re-read must
show after each call). The emulator keeps its own rules on purpose: it is
the referee, and must not share a bug with the player.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Iterable, Mapping, Protocol

from reconciler.core.facts import APPCHAT_CREATE, APPCHAT_UPDATE
from reconciler.core.model import LiveChat, user_key


@dataclass(frozen=True)
class ChatState:
    """A chat as a plan sees it, before or after. Members are kept sorted and
    unique whatever iterable they were given as."""

    name: str
    owner: str
    members: tuple[str, ...]

    def __post_init__(self) -> None:
        members = self.members
        if isinstance(members, frozenset):
            self.__dict__["member_set"] = members  # known already: the cached property need not build it
            unique = members
        else:
            unique = members if isinstance(members, set) else set(members)
        object.__setattr__(self, "members", tuple(sorted(unique)))

    @cached_property
    def member_set(self) -> frozenset[str]:
        return frozenset(self.members)

    @property
    def data(self) -> dict[str, Any]:
        return {"name": self.name, "owner": self.owner, "members": list(self.members)}

    def same(self, name: str, owner: str, members: frozenset[str]) -> bool:
        return self.name == name and self.owner == owner and self.member_set == members

    def same_as(self, other: ChatState | None) -> bool:
        """The same chat as WeCom tells users apart: ignoring letter case."""
        if other is None:
            return False
        if self == other:
            return True
        return (self.name == other.name and user_key(self.owner) == user_key(other.owner)
                and {user_key(u) for u in self.members} == {user_key(u) for u in other.members})


def state_of(live: LiveChat) -> ChatState:
    return ChatState(live.name, live.owner, frozenset(live.members))


class CallLike(Protocol):
    path: str
    body: Mapping[str, Any]


class InconsistentCall(ValueError):
    """A call that cannot be made on the chat as it is (or that WeCom would
    refuse), or a sequence of calls that does not reach the state claimed."""


# (name, owner, members) of a chat while calls are folded into it: sets, so a
# plan of 10,000 changes is checked without sorting every step.
Raw = tuple[str, str, frozenset]


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
    return None if state is None else (state.name, state.owner, state.member_set)


def _step(state: Raw | None, call: CallLike) -> Raw:
    body = call.body
    if call.path == APPCHAT_CREATE:
        if state is not None:
            raise InconsistentCall("appchat/create on a chat that exists")
        members = frozenset(body.get("userlist", ()))
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
    absent = sorted(dels - current)
    if absent:
        raise InconsistentCall("removes " + ", ".join(absent) + ", who " + ("is" if len(absent) == 1 else "are")
                               + " not a member")
    owner = body.get("owner", current_owner)
    if "owner" in body and (owner not in current or owner in dels):
        raise InconsistentCall(f"makes {owner!r} owner, who is not a member before the call")
    if current_owner in dels and "owner" not in body:
        raise InconsistentCall(f"removes the owner {current_owner!r} without naming a new one")
    return body.get("name", name), owner, (current | adds) - dels


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


def difference(now: ChatState, wanted: ChatState, *, ignore_case: bool = False) -> Difference:
    """What differs between two states of a chat; `ignore_case`: members and
    owner as WeCom tells users apart (user_key), the name as written."""
    key = user_key if ignore_case else str
    have, want = {key(m) for m in now.members}, {key(m) for m in wanted.members}
    return Difference(
        tuple(m for m in now.members if key(m) not in want),  # members are sorted already
        tuple(m for m in wanted.members if key(m) not in have),
        (now.name, wanted.name) if now.name != wanted.name else None,
        (now.owner, wanted.owner) if key(now.owner) != key(wanted.owner) else None)


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
