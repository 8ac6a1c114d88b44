"""The per-person views. Reviewers ask "what does this plan do to Alice?",
offboarding asks "which chats is Bob in?".

- people_summary(changes): a plan's changes person by person. A created chat
  counts as a join for every member and as ownership gained for its owner.
- membership(user, chats, live): `who`'s rows, the chats a user is in
  according to the files (and through which groups) and, given live chats,
  according to WeCom.

Pure. Takes changes by shape (chat_id, added, removed, before, after), so
the plan can hold its own summary without the two modules importing each
other.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Iterable, Iterator, Mapping, Sequence

from reconciler.core.facts import user_key
from reconciler.core.model import USER, DesiredChat, Entry, LiveChat, LiveResult, ReadError


@dataclass(frozen=True)
class PersonChange:
    user_id: str
    joins: tuple[str, ...] = ()          # chat ids, sorted
    leaves: tuple[str, ...] = ()
    owner_gained: tuple[str, ...] = ()
    owner_lost: tuple[str, ...] = ()

    @property
    def data(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "joins": list(self.joins),
            "leaves": list(self.leaves),
            "owner_gained": list(self.owner_gained),
            "owner_lost": list(self.owner_lost),
        }


@dataclass(frozen=True)
class PeopleSummary:
    people: tuple[PersonChange, ...] = ()  # sorted by user id

    def __iter__(self) -> Iterator[PersonChange]:
        return iter(self.people)

    def __len__(self) -> int:
        return len(self.people)

    def get(self, user_id: str) -> PersonChange | None:
        return next((p for p in self.people if p.user_id == user_id), None)

    def removals_first(self) -> tuple[PersonChange, ...]:
        """Review order: whoever leaves a chat first, then the rest, each by user id."""
        return tuple(sorted(self.people, key=lambda p: (not p.leaves, p.user_id)))

    @property
    def data(self) -> list[dict[str, Any]]:
        return [p.data for p in self.people]


def people_summary(changes: Iterable[Any]) -> PeopleSummary:
    """`changes` sorted by chat id (as a plan holds them), so every list is too."""
    joins: dict[str, list[str]] = {}
    leaves: dict[str, list[str]] = {}
    gained: dict[str, list[str]] = {}
    lost: dict[str, list[str]] = {}
    for change in changes:
        for user in change.added:
            joins.setdefault(user, []).append(change.chat_id)
        for user in change.removed:
            leaves.setdefault(user, []).append(change.chat_id)
        old_owner = change.before.owner if change.before else None
        if change.after.owner != old_owner:
            gained.setdefault(change.after.owner, []).append(change.chat_id)
            if old_owner is not None:
                lost.setdefault(old_owner, []).append(change.chat_id)
    users = sorted(set(joins) | set(leaves) | set(gained) | set(lost))
    return PeopleSummary(tuple(
        PersonChange(u, tuple(joins.get(u, ())), tuple(leaves.get(u, ())),
                     tuple(gained.get(u, ())), tuple(lost.get(u, ())))
        for u in users
    ))


# ---------------------------------------------------------------- who

# Live states of one chat for one person.
MEMBER, NOT_MEMBER, MISSING, UNREADABLE = "member", "not_member", "missing", "unreadable"


@dataclass(frozen=True)
class Row:
    """One chat in `who`'s answer."""

    chat_id: str
    name: str
    source: str  # FILE:LINE of the chat in the files
    in_files: bool
    owner: bool  # owner according to the files
    via: tuple[tuple[str, ...], ...]  # () = listed directly
    live: str | None = None  # None without --live
    live_owner: bool | None = None
    error: ReadError | None = None
    grants: tuple[Entry, ...] = ()  # memberships with an end date, dept:/tag: entries that bring the user in
    ended: tuple[Entry, ...] = ()   # memberships that ended (shown even when another one still holds)
    # Offline: the chat's dept:/tag: entries that may bring the user in, which
    # only the directory (`--live`) can resolve.
    unresolved: tuple[Entry, ...] = ()

    @property
    def agrees(self) -> bool | None:
        if self.live is None:
            return None
        if self.live in (MISSING, UNREADABLE):
            return False  # such rows are always in the files
        return self.in_files == (self.live == MEMBER) and (self.owner == bool(self.live_owner))


def membership(user: str, chats: Sequence[DesiredChat], live: Mapping[str, LiveResult] | None = None,
               brought: Mapping[str, Mapping[str, tuple[Entry, ...]]] | None = None,
               today: date | None = None) -> list[Row]:
    """One row per chat the user is in, in the files or (with live) in WeCom.
    Only chats named in the files can be seen live: there is no list API.
    `brought` (chat id -> user -> grants, from resolving against the
    directory) adds the dept:/tag: entries only the directory can answer."""
    key = user_key(user)
    rows = []
    for chat in chats:
        static = next((m for m in chat.members if user_key(m) == key), None)
        own = [g for g in chat.grants if g.kind == USER and user_key(g.user) == key]
        directory = [g for u, gs in (brought or {}).get(chat.chat_id, {}).items() if user_key(u) == key
                     for g in gs if g.kind != USER]
        live_grants = tuple(g for g in own if not g.ended(today)) + tuple(directory)
        ended = tuple(g for g in own if g.ended(today))
        in_files = static is not None or bool(live_grants)
        via = tuple(chat.via.get(static, ())) if static is not None else ()
        row = Row(chat.chat_id, chat.name, str(chat.source), in_files,
                  in_files and user_key(chat.owner) == key, via, grants=live_grants, ended=ended)
        if live is not None:
            got = live.get(chat.chat_id)
            if isinstance(got, LiveChat):
                member = any(user_key(m) == key for m in got.members)
                row = replace(row, live=MEMBER if member else NOT_MEMBER, live_owner=user_key(got.owner) == key)
            elif isinstance(got, ReadError):
                row = replace(row, live=UNREADABLE, error=got)
            else:  # None: WeCom says the chat does not exist
                row = replace(row, live=MISSING)
            if not in_files and row.live != MEMBER and not ended:
                continue
        elif not in_files and not ended:
            maybe = () if brought is not None else tuple(
                g for g in chat.grants if g.kind != USER and not g.ended(today))
            if not maybe:
                continue
            row = replace(row, unresolved=maybe)
        rows.append(row)
    return rows


def groups_of(user: str, groups: Mapping[str, frozenset[str]]) -> list[str]:
    """The groups (nested ones expanded) that hold `user`, sorted."""
    key = user_key(user)
    return sorted(name for name, members in groups.items() if any(user_key(m) == key for m in members))


@dataclass(frozen=True)
class WhoAnswer:
    """Everything `who` shows about one user."""

    user: str
    rows: tuple[Row, ...]
    groups: tuple[str, ...]  # the groups that hold the user
    live: bool  # whether WeCom was read too
    departments: Mapping[int, str] | None = None  # department id -> name, for the dept: entries shown
    name: str | None = None  # the user's display name, when the directory was read
