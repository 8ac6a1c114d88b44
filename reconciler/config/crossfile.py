"""The rules that span files, as of a given day: chat ids and groups defined
once, groups expanded, the owner among the members, 2 to 2000 members, and
warnings for memberships that already ended. Builds the immutable desired
chats from what config.definitions collected in each file.

What only the directory can tell (who `dept:` and `tag:` bring in) waits for
plan time; every check that can be made offline is made here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from reconciler.config.diagnostics import Diagnostic, error, warning
from reconciler.config.groups import Expander, GroupDef, GroupRef, Member, used_groups
from reconciler.config.places import WrittenAt
from reconciler.config.definitions import ChatDef, FileDefs
from reconciler.config.via import DirectVia, LazyVia
from reconciler.core.membership import problems as membership_problems
from reconciler.core.userids import UserIds, distinct_users
from reconciler.core.model import NO_EXCLUSION, USER, DesiredChat, Entry, Exclusion


@dataclass
class Checked:
    """The desired chats the files define, every group's members, and what the rules found."""

    chats: tuple[DesiredChat, ...]
    groups: dict[str, frozenset[str]]
    errors: list[Diagnostic]
    warnings: list[Diagnostic]


def check(files: Iterable[FileDefs], today: date | None = None) -> Checked:
    """The cross-file rules over what `collect` found in each file, given in
    sorted file order (the first definition wins)."""
    errors: list[Diagnostic] = []
    warnings: list[Diagnostic] = []
    groups: dict[str, GroupDef] = {}
    chats: dict[str, ChatDef] = {}
    every_chat: list[ChatDef] = []  # with invalid ids and later duplicates
    for found in files:
        errors.extend(found.errors)
        every_chat.extend(found.chats)
        for group in found.groups:
            first = groups.setdefault(group.name, group)
            if first is not group:
                errors.append(error(group.source, f"group {group.name!r} is already defined at {first.source}"))
        for chat in filter(lambda c: c.id_ok, found.chats):
            first = chats.setdefault(chat.chat_id, chat)
            if first is not chat:
                errors.append(error(chat.source, f"chat id {chat.chat_id!r} is already defined at {first.source}"))

    expander = Expander(groups)
    expanded = {name: expander.group(name) for name in groups}
    desired = [d for chat in chats.values() if (d := _desired(chat, expander, today, errors)) is not None]
    for chat in every_chat:  # the others: their unknown groups are still errors
        if chat.refs and chats.get(chat.chat_id) is not chat:
            expander.members(chat.entries + chat.exclude)
    errors.extend(expander.errors)

    used = used_groups(groups, [chat.refs for chat in every_chat])
    for name, group in groups.items():
        if name not in used:
            warnings.append(warning(group.source, f"group {name!r} is not used by any chat"))
    lists = [g.entries for g in groups.values()] + [c.entries for c in every_chat]
    warnings.extend(_ended(lists, today))
    return Checked(tuple(sorted(desired, key=lambda c: c.chat_id)),
                   {name: frozenset(e.chains) for name, e in expanded.items()}, errors, warnings)


def _desired(chat: ChatDef, expander: Expander, today: date | None, errors: list[Diagnostic]) -> DesiredChat | None:
    if not chat.plain:
        users, grants, complete = expander.members(chat.entries)
        ex_users, ex_grants, ex_complete = expander.members(chat.exclude)
        if not (chat.complete and complete and ex_complete):
            # What is wrong has been reported; counting now would mislead, but
            # an owner the exclude list names is an error whatever else is.
            errors.extend(_excluded_owner(chat, ex_users, ex_grants))
            return None
        via: Mapping[str, Any] = LazyVia(expander, chat.entries)
        members = _one_spelling(users, chat.entries)
    elif chat.complete:  # everyone listed directly, each once in any letter case: nothing to expand or merge
        members = chat.member_set if chat.member_set is not None else frozenset(chat.entries)
        grants, ex_users, ex_grants = [], frozenset(), []
        via = DirectVia(chat.entries, members)
    else:
        return None
    # An excluded group may hold timed entries: excluded all the same.
    excluded = set(ex_users) | {g.user for g in ex_grants if g.kind == USER}
    ex_refs = tuple(g for g in ex_grants if g.kind != USER)
    # the usual chat excludes nobody: one shared value, two objects fewer per chat to keep and collect
    exclusion = NO_EXCLUSION if not (excluded or ex_refs) else Exclusion(
        frozenset(excluded), ex_refs, WrittenAt(expander.groups, chat.exclude, chat.exclude_places) if excluded else None)
    if excluded:
        out = UserIds(excluded)
        members = frozenset(u for u in members if u not in out)
    want = DesiredChat(chat.chat_id, chat.name, chat.owner, members, chat.prune, chat.source, via,
                       announce=chat.announce, grants=tuple(grants), exclude=exclusion,
                       owner_source=chat.owner_source, members_source=chat.members_source,
                       written_at=WrittenAt(expander.groups, chat.entries, chat.places))
    problems = _offline_checks(want, today)
    errors.extend(problems)
    return None if problems else want


def _excluded_owner(chat: ChatDef, ex_users: frozenset[str], ex_grants: list[Entry]) -> list[Diagnostic]:
    if chat.owner is None:
        return []
    out = UserIds([*ex_users, *(g.user for g in ex_grants if g.kind == USER)])
    if chat.owner not in out:
        return []
    want = DesiredChat(chat.chat_id, chat.name or "", chat.owner, frozenset(), source=chat.source,
                       owner_source=chat.owner_source)
    return [error(where, message) for where, message in
            membership_problems(want, (), (), excluded_owner=True, complete=False, when="")]


def _one_spelling(users: frozenset[str], written: list[Member]) -> frozenset[str]:
    """One spelling per user: groups may spell someone `Alice` where the
    chat says `alice` (WeCom ignores letter case); the chat's own wins."""
    if distinct_users(list(users)):
        return users
    return frozenset(UserIds([w for w in written if w.__class__ is str] + sorted(users)))


def _offline_checks(want: DesiredChat, today: date | None) -> list[Diagnostic]:
    """The owner among the members and 2 to 2000 members, as far as they can
    be known without the directory (core.membership's rule, as plan time
    applies it to the resolved members)."""
    timed = [g for g in want.grants if g.kind == USER]
    ended = [g for g in timed if g.ended(today)]
    members: frozenset[str] | set[str] = want.members  # each user once, in one spelling (_one_spelling)
    if len(ended) < len(timed):
        members = set(members) | {g.user for g in timed if not g.ended(today)}
    out = UserIds(want.exclude.users)  # an excluded timed entry is excluded all the same
    if out:
        members = {u for u in members if u not in out}
    when = "after group expansion, as of today" if ended else "after group expansion"
    found = membership_problems(want, members, ended, excluded_owner=want.owner in out,
                                complete=not want.uses_directory, when=when, distinct=members is want.members)
    return [error(where, message) for where, message in found]


def _ended(lists: list[list[Member]], today: date | None) -> list[Diagnostic]:
    """A warning for each entry whose membership already ended: it brings
    nobody in, and pre-commit nudges people to clean it up."""
    if today is None:
        return []
    found = []
    for members in lists:
        for entry in members:
            if isinstance(entry, (Entry, GroupRef)) and entry.until is not None and entry.until < today:
                reason = f" ({entry.reason})" if entry.reason else ""
                found.append(warning(entry.source, f"the membership of {entry.entry} ended {entry.until}{reason}: "
                                                   f"it brings nobody in any more; remove the entry"))
    return found


__all__ = ["check", "Checked", "Entry"]
