"""Desired chats + live chats -> Plan. A pure function (after peribolos):
membership diffs are plain set arithmetic, no I/O, no clock.

The rules are the contract's "Plan JSON" section:
- a chat WeCom does not have (live None) is created with one appchat/create;
- a chat that differs gets one appchat/update carrying only what changes;
- when the new owner is not yet a member, two updates: the first only adds,
  the second makes them owner (and removes / renames). WeCom does not say
  whether `owner` may name someone added by the same call, so we don't.
- removing the current owner always sets `owner` in the same call: the
  desired owner is a member of the desired chat, so when the current owner
  is removed the desired owner is someone else and `owner` changes anyway;
- prune: false never removes (after = live members | desired members);
- a chat that could not be read goes to `errors` and stops nothing else.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Mapping, Sequence

from reconciler.constants import (
    APPCHAT_CREATE,
    APPCHAT_UPDATE,
    MASS_REMOVAL_MIN_MEMBERS,
    MASS_REMOVAL_RATIO,
    MAX_MEMBERS,
)
from reconciler.model import DesiredChat, LiveChat, LiveResult, ReadError
from reconciler.plan import Call, Change, ChatState, Plan


def make_plan(desired: Sequence[DesiredChat], live: Mapping[str, LiveResult]) -> Plan:
    """`live` must hold an entry for every desired chat id: LiveChat, None
    (WeCom answered 86003: create it) or ReadError. A missing entry is a bug
    in the caller, not a chat to create, so it raises."""
    changes: list[Change] = []
    unchanged: list[str] = []
    errors: list[ReadError] = []
    seen: set[str] = set()
    for want in sorted(desired, key=lambda d: d.chat_id):
        if want.chat_id in seen:
            raise ValueError(f"chat {want.chat_id!r} is desired twice")
        seen.add(want.chat_id)
        if want.owner not in want.members:  # config refuses this; never plan a call WeCom would refuse (86207)
            raise ValueError(f"chat {want.chat_id!r}: owner {want.owner!r} is not among the members")
        if want.chat_id not in live:
            raise ValueError(f"no live result for chat {want.chat_id!r} (pass None for a chat that does not exist)")
        have = live[want.chat_id]
        if isinstance(have, ReadError):
            errors.append(have)
        elif have is None:
            changes.append(_create(want))
        elif isinstance(have, LiveChat):
            change = _update(want, have)
            if change is None:
                unchanged.append(want.chat_id)
            else:
                changes.append(change)
        else:
            raise TypeError(f"live result for {want.chat_id!r} is a {type(have).__name__}")
    return Plan(tuple(changes), tuple(unchanged), tuple(errors))


def _create(want: DesiredChat) -> Change:
    after = ChatState(want.name, want.owner, tuple(want.members))
    body = {"chatid": want.chat_id, "name": want.name, "owner": want.owner, "userlist": list(after.members)}
    return Change(want.chat_id, "create", str(want.source), None, after, (Call("POST", APPCHAT_CREATE, body),))


def _update(want: DesiredChat, have: LiveChat) -> Change | None:
    target = want.members if want.prune else have.members | want.members
    added = sorted(target - have.members)
    removed = sorted(have.members - target)
    rename = want.name != have.name
    new_owner = want.owner != have.owner
    if not (added or removed or rename or new_owner):
        return None

    def body(*, adds: bool, rest: bool) -> dict:
        b: dict = {"chatid": want.chat_id}
        if rest and rename:
            b["name"] = want.name
        if rest and new_owner:
            b["owner"] = want.owner
        if adds and added:
            b["add_user_list"] = added
        if rest and removed:
            b["del_user_list"] = removed
        return b

    warnings: list[str] = []
    if new_owner and want.owner not in have.members:
        calls = (Call("POST", APPCHAT_UPDATE, body(adds=True, rest=False)),
                 Call("POST", APPCHAT_UPDATE, body(adds=False, rest=True)))
        if len(have.members) + len(added) > MAX_MEMBERS:
            warnings.append(f"the first call adds before removing: {len(have.members) + len(added)} members "
                            f"for a moment, more than WeCom's {MAX_MEMBERS}; it will fail")
    else:
        calls = (Call("POST", APPCHAT_UPDATE, body(adds=True, rest=True)),)
    if _is_mass_removal(len(have.members), len(removed), MASS_REMOVAL_RATIO, MASS_REMOVAL_MIN_MEMBERS):
        warnings.insert(0, mass_removal_warning(len(have.members), len(removed)))
    before = ChatState(have.name, have.owner, tuple(have.members))
    after = ChatState(want.name, want.owner, tuple(target))
    return Change(want.chat_id, "update", str(want.source), before, after, calls, tuple(warnings))


def mass_removal_warning(current: int, removed: int) -> str:
    percent = round(removed * 100 / current, 1)
    return f"mass removal: removes {removed} of {current} members ({percent:g}%)"


def _is_mass_removal(current: int, removed: int, ratio: float | Fraction, min_members: int) -> bool:
    # Exact arithmetic, so that "exactly 30% passes" holds for every ratio a
    # user can type: Fraction("0.3") is 3/10, the float 0.3 is not.
    if current < min_members or current == 0:
        return False
    return Fraction(removed, current) > Fraction(str(ratio))


def mass_removals(plan: Plan, ratio: float = MASS_REMOVAL_RATIO,
                  min_members: int = MASS_REMOVAL_MIN_MEMBERS) -> list[tuple[str, int, int]]:
    """(chat_id, current member count, removed count) for every update that
    removes MORE than `ratio` of a chat with at least `min_members` members."""
    return [
        (c.chat_id, len(c.before.members), len(c.removed))
        for c in plan.updates
        if c.before is not None and _is_mass_removal(len(c.before.members), len(c.removed), ratio, min_members)
    ]
