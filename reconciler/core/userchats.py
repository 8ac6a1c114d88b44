"""The chats one person is in, `who`'s answer: what offboarding asks
("which chats is Bob in?"). By the files (and through which groups), and,
given live chats, by WeCom. (A plan's changes person by person are
core.people's.)

Pure.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Mapping, Sequence

from reconciler.core.model import USER, DesiredChat, Entry, LiveChat, LiveResult, ReadError
from reconciler.core.userids import UserIds, same_user

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
    rows = []
    for chat in chats:
        static = UserIds(chat.members).spelled(user)
        own = [g for g in chat.grants if g.kind == USER and same_user(g.user, user)]
        directory = [g for u, gs in (brought or {}).get(chat.chat_id, {}).items() if same_user(u, user)
                     for g in gs if g.kind != USER]
        live_grants = tuple(g for g in own if not g.ended(today)) + tuple(directory)
        ended = tuple(g for g in own if g.ended(today))
        in_files = static is not None or bool(live_grants)
        via = tuple(chat.via.get(static, ())) if static is not None else ()
        row = Row(chat.chat_id, chat.name, str(chat.source), in_files,
                  in_files and same_user(chat.owner, user), via, grants=live_grants, ended=ended)
        if live is not None:
            got = live.get(chat.chat_id)
            if isinstance(got, LiveChat):
                member = user in UserIds(got.members)
                row = replace(row, live=MEMBER if member else NOT_MEMBER, live_owner=same_user(got.owner, user))
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
    return sorted(name for name, members in groups.items() if user in UserIds(members))


@dataclass(frozen=True)
class WhoAnswer:
    """Everything `who` shows about one user."""

    user: str
    rows: tuple[Row, ...]
    groups: tuple[str, ...]  # the groups that hold the user
    live: bool  # whether WeCom was read too
    departments: Mapping[int, str] | None = None  # department id -> name, for the dept: entries shown
    name: str | None = None  # the user's display name, when the directory was read
