"""Who a desired chat holds on a given day: its static members, its grants
(memberships with an end date, departments and tags) resolved against the
directory, minus what `exclude` names. Pure: "today" and the directory are
inputs.

- An entry whose `until` is before today brings nobody in. A user it brought
  in whom no other entry still brings in has *ended*: the plan removes them
  and says why.
- Exclude always wins, after everything is expanded.
- The checks only the resolved list can answer live here: an unknown or
  invisible department or tag, one that brings in nobody (unless written
  `may_be_empty: true`: an empty answer is more often a fault than an
  empty team), the owner among the members, 2 to 2000.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Collection, Iterable, Mapping, Sequence

from reconciler.core.directory import Directory, Problem
from reconciler.core.expiry import ENDING_SOON_DAYS, Ending, last_day
from reconciler.core.facts import MAX_MEMBERS, MIN_MEMBERS
from reconciler.core.model import DEPT, TAG, USER, DesiredChat, Entry, ReadError, Source
from reconciler.core.userids import UserIds, UserMap, same_user

# The dates appchat takes (`--today`, `until`): far enough from Python's
# date.max that a date plus a week or plus --within (clamped) is still a date.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(9998, 12, 31)


@dataclass(frozen=True)
class Resolution:
    members: frozenset[str]
    ended: Mapping[str, Entry] = field(default_factory=UserMap)   # user -> the grant that ended
    ending: tuple[Ending, ...] = ()  # memberships that hold and end within ENDING_SOON_DAYS: plan warnings
    # user, as the entries spell them -> the live grants that bring them (causes.joins asks ignoring case)
    brought: Mapping[str, Sequence[Entry]] = field(default_factory=dict)
    excluded: UserIds = field(default_factory=UserIds)  # everyone `exclude` names


# Shared by every chat that has nothing to resolve (a Resolution is read, never changed).
_NOBODY_ENDED: UserMap[Entry] = UserMap()
_NOBODY_BROUGHT: dict[str, Sequence[Entry]] = {}
_NOBODY = UserIds()


def resolve(chat: DesiredChat, directory: Directory | None, today: date | None) -> Resolution | ReadError:
    """The chat's members as of `today`; a ReadError (with the entry's
    FILE:LINE:COL) when the chat cannot be planned."""
    if not chat.grants and not chat.exclude:  # the common case: nothing to resolve
        resolution = Resolution(chat.members, _NOBODY_ENDED, (), _NOBODY_BROUGHT, _NOBODY)
        if chat.owner in chat.members:  # config checked the rest of a static chat already
            return resolution
        return _check(chat, resolution, False) or resolution
    brought: dict[str, list[Entry]] = {}  # as each entry spells them: merged below, where spellings differ
    ended: UserMap[Entry] = UserMap()
    ending: list[Ending] = []
    soon = last_day(today, ENDING_SOON_DAYS) if today else None
    for grant in chat.grants:
        users = _users(grant, directory)
        if isinstance(users, Problem):
            if grant.ended(today):
                continue  # an entry that ended brings nobody in: a stale id in it is no error
            return _entry_error(chat, grant, users)
        if grant.ended(today):
            for user in users:  # the reason given is the entry that ended last
                before = ended.get(user)
                if before is None or grant.until > before.until:
                    ended[user] = grant
            continue
        if not users and grant.kind != USER and not grant.may_be_empty:
            return _entry_error(chat, grant, Problem(None, _EMPTY.format(noun=_NOUNS[grant.kind], kind=grant.kind,
                                                                         id=grant.unit)))
        for user in users:
            brought.setdefault(user, []).append(grant)
        if soon is not None and grant.until is not None and grant.until <= soon:
            ending.append(Ending.of(chat.chat_id, grant))
    excluded = UserIds(chat.exclude.users)
    for grant in chat.exclude.refs:
        users = _users(grant, directory)
        if isinstance(users, Problem):
            return _entry_error(chat, grant, users)
        excluded |= users
    # a static member keeps the files' spelling; exclude always wins, over grants too
    everyone = UserIds(brought)
    members = (UserIds(chat.members) | everyone) - excluded
    if len(everyone) < len(brought):  # someone spelled two ways by two entries: one list of entries
        merged: UserMap[list[Entry]] = UserMap()
        for user, grants in brought.items():
            merged.setdefault(user, []).extend(grants)
        brought = dict(merged.items())
    resolution = Resolution(
        frozenset(members),
        UserMap((user, grant) for user, grant in ended.items() if user not in members) if ended else _NOBODY_ENDED,
        tuple(ending), members.pick(brought), excluded)
    problem = _check(chat, resolution, chat.owner in excluded)
    return problem or resolution


_NOUNS = {DEPT: "department", TAG: "tag"}
_EMPTY = ("{noun} {id} has nobody in WeCom's answer, which is more often a fault or a lost visibility than an "
          "empty team, so the chat is not planned; if it may really be empty, write {{{kind}: {id}, "
          "may_be_empty: true}}")


def _users(grant: Entry, directory: Directory | None) -> frozenset[str] | Problem:
    if grant.kind == USER:
        return frozenset((grant.user,))
    if directory is None:
        return Problem(None, f"{grant.entry} needs the directory, which was not read")
    return directory.users(grant.kind, grant.unit)


def _entry_error(chat: DesiredChat, grant: Entry, problem: Problem) -> ReadError:
    if problem.outage:
        return ReadError(chat.chat_id, None, problem.message)
    return ReadError(chat.chat_id, problem.errcode, f"{grant.entry}: {problem.message}", grant.source.located)


def _check(chat: DesiredChat, resolved: Resolution, excluded_owner: bool) -> ReadError | None:
    found = problems(chat, resolved.members, resolved.ended.values(), excluded_owner=excluded_owner,
                     complete=True, when="once resolved", distinct=True)
    if not found:
        return None
    where, message = found[0]
    return ReadError(chat.chat_id, None, message, where.located)


def problems(chat: DesiredChat, members: Collection[str], ended: Iterable[Entry], *, excluded_owner: bool,
             complete: bool, when: str, distinct: bool = False) -> list[tuple[Source, str]]:
    """The owner among the members, and 2 to 2000 members: one rule for
    `validate` (with the members known without the directory; `complete`
    False while the directory still has a say) and for the plan (with the
    resolved members). `ended`: the entries that ended, which may explain a
    missing owner. `distinct`: `members` is a set whose ids differ in more
    than letter case (a chat's own list), so it counts as it is."""
    if distinct and chat.owner in members:  # the usual chat: no pass over its members
        count, owner_in = len(members), True
    else:
        users = UserIds(members)
        count, owner_in = len(users), chat.owner in users
    here = chat.owner_source or chat.source
    found = []
    if excluded_owner:
        found.append((here, f"owner {chat.owner!r} is excluded from chat {chat.chat_id!r} by its `exclude`; "
                            f"choose a new owner or exclude someone else"))
    elif not owner_in:
        gone = max((g for g in ended if g.kind == USER and same_user(g.user, chat.owner)),
                   key=lambda g: g.until, default=None)
        if gone is not None:
            found.append((here, f"the membership of owner {chat.owner!r} in chat {chat.chat_id!r} ended "
                                f"{gone.until} ({gone.source.located}): choose a new owner"))
        elif complete:
            found.append((here, f"owner {chat.owner!r} is not a member of chat {chat.chat_id!r}"))
    if complete and not MIN_MEMBERS <= count <= MAX_MEMBERS:
        found.append((chat.members_source or chat.source,
                      f"chat {chat.chat_id!r} has {count} member{'s' if count != 1 else ''} {when}; "
                      f"a chat needs {MIN_MEMBERS} to {MAX_MEMBERS}"))
    return found
