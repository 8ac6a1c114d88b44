"""Desired chats + live chats -> Plan. A pure function (after peribolos):
membership diffs are plain set arithmetic, no I/O, no clock ("today" and
the directory are inputs).

The rules are the contract's "Plan JSON" section:
- a chat WeCom does not have (live None) is created with one appchat/create;
- a chat that differs gets one appchat/update carrying only what changes;
- when the new owner is not yet a member, two updates: the first only adds,
  the second makes them owner (and removes / renames). WeCom does not say
  whether `owner` may name someone added by the same call, so we don't.
- removing the current owner always sets `owner` in the same call: the
  desired owner is a member of the desired chat, so when the current owner
  is removed the desired owner is someone else and `owner` changes anyway;
- prune: false never removes the people the files do not name; a membership
  that ended, or a person `exclude` names, is named, and is removed;
- user ids are compared ignoring letter case, as WeCom does: a live `Alice`
  where the files say `alice` changes nothing;
- a chat that could not be read or resolved goes to `errors` and stops
  nothing else.

Every Change checks that its calls take `before` to `after` (core.state), so
a planner bug cannot produce a plan that does something else than it says.

A changed chat costs what changes (issue 25): `after` is the live members
plus who joins and leaves (core.members), and the sorted lists the plan
format shows are built when the plan is rendered or written. The desired
members hold one spelling per user (config keeps the chat's own).
"""

from __future__ import annotations

from datetime import date
from typing import Collection, Mapping, Sequence

from reconciler.core import call as calls
from reconciler.core import causes as why
from reconciler.core import guards
from reconciler.core.directory import Directory
from reconciler.core.expiry import Ending
from reconciler.core.facts import MAX_MEMBERS
from reconciler.core.membership import Resolution, resolve
from reconciler.core.model import USER, DesiredChat, LiveChat, LiveResult, ReadError
from reconciler.core.plan import Action, Change, Plan
from reconciler.core.state import ChatState, state_of
from reconciler.core.userids import UserIds, joins_and_leaves, same_user
from reconciler.core.wanted import Wanted, wanted_of


def make_plan(desired: Sequence[DesiredChat], live: Mapping[str, LiveResult], *,
              directory: Directory | None = None, today: date | None = None) -> Plan:
    """`live` must hold an entry for every desired chat id: LiveChat, None
    (WeCom answered 86003: create it) or ReadError. A missing entry is a bug
    in the caller, not a chat to create, so it raises. With a directory, the
    plan carries display names; a complete one (--check-users) also finds
    user ids nobody in the directory has, and live members who left."""
    changes: list[Change] = []
    unchanged: list[str] = []
    errors: list[ReadError] = []
    expiring = []
    wanted: dict[str, Wanted] = {}
    seen: set[str] = set()
    for want in sorted(desired, key=lambda d: d.chat_id):
        if want.chat_id in seen:
            raise ValueError(f"chat {want.chat_id!r} is desired twice")
        seen.add(want.chat_id)
        if want.chat_id not in live:
            raise ValueError(f"no live result for chat {want.chat_id!r} (pass None for a chat that does not exist)")
        resolved = resolve(want, directory, today)
        if isinstance(resolved, ReadError):
            errors.append(resolved)
            continue
        unknown = _unknown_users(want, directory, today)
        if unknown is not None:
            errors.append(unknown)
            continue
        have = live[want.chat_id]
        if not isinstance(have, ReadError):
            expiring.extend(resolved.ending)  # only chats the plan covers
            wanted[want.chat_id] = wanted_of(want, resolved)
        if isinstance(have, ReadError):
            errors.append(have)
        elif have is None:
            changes.append(_create(want, resolved, directory))
        elif isinstance(have, LiveChat):
            change = _update(want, resolved, have, directory)
            if change is None:
                unchanged.append(want.chat_id)
            else:
                changes.append(change)
        else:
            raise TypeError(f"live result for {want.chat_id!r} is a {type(have).__name__}")
    plan = Plan(tuple(changes), tuple(unchanged), tuple(errors), tuple(expiring), wanted=wanted, wanted_date=today)
    if directory is not None:
        plan = plan.with_names(_names(plan, directory))
    return plan


def _create(want: DesiredChat, resolved: Resolution, directory: Directory | None) -> Change:
    owner = _spelled(want.owner, resolved.members)
    after = ChatState(want.name, owner, resolved.members)
    call = calls.create(want.chat_id, want.name, owner, resolved.members)
    causes = why.joins(want, resolved.members, resolved.brought, directory)
    return Change(want.chat_id, Action.CREATE, str(want.source), None, after, (call,), announce=want.announce,
                  causes=causes)


def _spelled(user: str, members: Collection[str]) -> str:
    """`user` as it is spelled among `members` (letter case may differ; only
    then are the members walked)."""
    if user in members:
        return user
    return UserIds(members).spelled(user, user)


def _update(want: DesiredChat, resolved: Resolution, have: LiveChat, directory: Directory | None) -> Change | None:
    """The change of a chat WeCom has, costing what changes: the two set
    differences that find it run at C speed over the chat, and everything
    after them (case matching, calls, `after`, the check) touches only the
    people who join or leave. `after` is the live set plus those changes
    (core.members), never a copy of the chat."""
    wanted, live = resolved.members, have.members
    added, removed = joins_and_leaves(wanted, live)  # letter case alone is no change
    if not want.prune:  # only what the files name leaves: an ended membership, an exclusion
        removed = {u for u in removed if u in resolved.ended or u in resolved.excluded}
    name = want.name if want.name != have.name else None
    owner = want.owner if not same_user(want.owner, have.owner) else None
    if not (added or removed or name or owner):
        return None
    before = state_of(have)
    target = before.view.changed(added, removed)
    owner_now = have.owner if owner is None else _spelled(want.owner, target)

    warnings: list[str] = []
    if owner is not None and owner_now not in live:
        # WeCom does not say whether `owner` may be someone the same call adds.
        plan_calls = (calls.update(want.chat_id, add=added),
                      calls.update(want.chat_id, name=name, owner=owner_now, remove=removed))
        peak = len(live) + len(added)
        if peak > MAX_MEMBERS:
            warnings.append(f"the first call adds before removing: {peak} members for a moment, "
                            f"more than WeCom's {MAX_MEMBERS}; it will fail")
    else:
        plan_calls = (calls.update(want.chat_id, name=name, owner=None if owner is None else owner_now,
                                   add=added, remove=removed),)
    expired = tuple(sorted((Ending.of(want.chat_id, g, u)  # under WeCom's spelling
                            for u in removed if (g := resolved.ended.get(u)) is not None), key=lambda e: e.who))
    # The guards' own words: `apply` refuses these chats (core.guards)
    warnings[:0] = [h.message for h in guards.chat_hits(want.chat_id, len(live), len(added), len(removed),
                                                          len(expired))]
    not_in_directory = None
    if directory is not None and directory.complete:
        not_in_directory = tuple(sorted(u for u in live if not directory.knows(u)))
    after = ChatState(want.name, owner_now, target)
    causes = {**why.joins(want, added, resolved.brought, directory),  # who joins and leaves only
              **why.leaves(want, removed, resolved.ended, resolved.excluded, directory)}
    return Change(want.chat_id, Action.UPDATE, str(want.source), before, after, plan_calls,
                  tuple(warnings), expired, not_in_directory, announce=want.announce, causes=causes)


def _unknown_users(want: DesiredChat, directory: Directory | None, today: date | None) -> ReadError | None:
    """With the whole directory read: the first user id written in the files
    that nobody in the directory has (a typo, or someone who left). An
    entry that has ended brings nobody in, so its id is not asked about: the
    contractor who left the company with their access is removed, not an
    error."""
    if directory is None or not directory.complete:
        return None
    written = {u: None for u in want.members}
    for grant in want.grants:
        if grant.kind == USER and not grant.ended(today):
            written.setdefault(grant.user, grant.source.located)
    for user in sorted(written):
        if directory.knows(user):
            continue
        chains = want.via.get(user, ())
        through = next((c for c in chains if c), None)
        where = f" (through {' > '.join('@' + g for g in through)})" if through else ""
        closest = directory.closest(user)
        hint = f"; did you mean {closest!r}?" if closest else ""
        return ReadError(want.chat_id, None, f"user {user!r}{where} is not in the directory{hint}",
                         written[user] or _written_at(want, user))
    return None


def _written_at(want: DesiredChat, user: str) -> str:
    """FILE:LINE:COL of the entry that writes `user` (through groups too);
    the chat's member list when no place is known."""
    where = want.written_at(user) if want.written_at is not None else None
    return (where or want.members_source or want.source).located


def _names(plan: Plan, directory: Directory) -> dict[str, str]:
    """Display names of every user id the plan mentions."""
    users: set[str] = set()
    for change in plan.changes:
        users.update(change.after.member_set)
        if change.before:
            users.update(change.before.member_set)
    users.update(e.who for e in plan.expiring if e.kind == USER)
    return {u: name for u in sorted(users) if (name := directory.name(u)) is not None}
