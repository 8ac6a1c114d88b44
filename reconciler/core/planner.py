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

Every Change checks that its calls take `before` to `after` (core.state), so
a planner bug cannot produce a plan that does something else than it says.
"""

from __future__ import annotations

from typing import Mapping, Sequence

from reconciler.core import call as calls
from reconciler.core.facts import MAX_MEMBERS
from reconciler.core.model import DesiredChat, LiveChat, LiveResult, ReadError
from reconciler.core.plan import Action, Change, Plan
from reconciler.core.policy import is_mass_removal, mass_removal_message
from reconciler.core.state import ChatState, state_of


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
    after = ChatState(want.name, want.owner, frozenset(want.members))
    call = calls.create(want.chat_id, want.name, want.owner, after.members)
    return Change(want.chat_id, Action.CREATE, str(want.source), None, after, (call,), announce=want.announce)


def _update(want: DesiredChat, have: LiveChat) -> Change | None:
    target = want.members if want.prune else have.members | want.members
    added, removed = target - have.members, have.members - target
    name = want.name if want.name != have.name else None
    owner = want.owner if want.owner != have.owner else None
    if not (added or removed or name or owner):
        return None

    warnings: list[str] = []
    if owner is not None and owner not in have.members:
        # WeCom does not say whether `owner` may be someone the same call adds.
        plan_calls = (calls.update(want.chat_id, add=added),
                      calls.update(want.chat_id, name=name, owner=owner, remove=removed))
        peak = len(have.members) + len(added)
        if peak > MAX_MEMBERS:
            warnings.append(f"the first call adds before removing: {peak} members for a moment, "
                            f"more than WeCom's {MAX_MEMBERS}; it will fail")
    else:
        plan_calls = (calls.update(want.chat_id, name=name, owner=owner, add=added, remove=removed),)
    if is_mass_removal(len(have.members), len(removed)):
        warnings.insert(0, mass_removal_message(len(have.members), len(removed)))
    after = ChatState(want.name, want.owner, frozenset(target))
    return Change(want.chat_id, Action.UPDATE, str(want.source), state_of(have), after, plan_calls,
                  tuple(warnings), announce=want.announce)
