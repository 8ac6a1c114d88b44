"""The domain values every layer passes around: desired chats, live chats,
read errors. Immutable, so the planner can trust what it is given."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Mapping


def user_key(user_id: str) -> str:
    """What tells two user ids apart: WeCom ignores letter case (doc 90195),
    so `Alice` and `alice` are one user. Ids are ASCII, so lower() is enough."""
    return user_id.lower()


@dataclass(frozen=True, order=True)
class Source:
    """Where something was defined: FILE as reached from the command line."""

    file: str
    line: int  # 1-based
    col: int = 1  # 1-based

    def __str__(self) -> str:  # the contract's `source`: FILE:LINE
        return f"{self.file}:{self.line}"

    @property
    def located(self) -> str:  # the error prefix: FILE:LINE:COL
        return f"{self.file}:{self.line}:{self.col}"


USER, DEPT, TAG = "user", "dept", "tag"


@dataclass(frozen=True)
class Grant:
    """A membership that depends on the date or on the directory: a user id
    with an end date, or a department or tag (with or without one). Plain
    user ids without an end date are not grants: they are DesiredChat.members."""

    kind: str                # USER | DEPT | TAG
    value: str | int         # the user id, or the department or tag id
    source: Source           # where the entry is written
    until: date | None = None  # the last day of the membership
    reason: str | None = None
    via: tuple[str, ...] = ()  # the groups it came through, outermost first
    # A `dept:`/`tag:` entry written with `may_be_empty: true`: bringing in
    # nobody is then no error for its chat.
    may_be_empty: bool = False

    @property
    def entry(self) -> str:
        """As written in a string entry: `alice`, `dept:12`, `tag:3`."""
        return str(self.value) if self.kind == USER else f"{self.kind}:{self.value}"

    def ended(self, today: date | None) -> bool:
        return self.until is not None and today is not None and self.until < today


@dataclass(frozen=True)
class Exclusion:
    """A chat's `exclude:` once groups are expanded: user ids, and the
    department and tag entries only the directory can turn into users."""

    users: frozenset[str] = frozenset()
    refs: tuple[Grant, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.users or self.refs)


NO_EXCLUSION = Exclusion()


@dataclass(frozen=True)
class DesiredChat:
    chat_id: str
    name: str
    owner: str
    # The users every run brings in: listed directly or through groups, with
    # no end date and not from the directory; the static part of `exclude`
    # is already taken out.
    members: frozenset[str]
    prune: bool = True
    source: Source = Source("<memory>", 1, 1)
    # user id -> the group chains that bring the user in; () means listed
    # directly, ("oncall", "sre") means through @oncall which includes @sre.
    # Only `who` reads it; it does not take part in equality.
    via: Mapping[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict, compare=False, hash=False, repr=False)
    announce: bool = True  # False: `apply --announce` never sends this chat a message
    # Memberships resolved at plan time, from the date and the directory.
    grants: tuple[Grant, ...] = ()
    exclude: Exclusion = NO_EXCLUSION
    # Where the owner and the member list are written, for the errors that
    # only plan time can find (the owner not among the resolved members).
    owner_source: Source | None = field(default=None, compare=False)
    members_source: Source | None = field(default=None, compare=False)
    # user id -> where it is written (in the chat's list or a group's), built
    # only when asked: the errors that name one id (--check-users) use it.
    written_at: Callable[[str], Source | None] | None = field(default=None, compare=False, hash=False, repr=False)

    @property
    def uses_directory(self) -> bool:
        return any(g.kind != USER for g in self.grants) or bool(self.exclude.refs)


@dataclass(frozen=True)
class LiveChat:
    chat_id: str
    name: str
    owner: str
    members: frozenset[str]


@dataclass(frozen=True)
class ReadError:
    """A chat that could not be read or resolved (anything but 'does not
    exist'). `source` is FILE:LINE:COL of the entry at fault, for errors a
    chat file can fix (an unknown department, an owner who is not a member)."""

    chat_id: str
    errcode: int | None  # None when no WeCom answer came (network, bad body), or the files are at fault
    message: str
    source: str | None = None


# What the shell hands the planner for one chat id: the live chat, None when
# WeCom answered 86003 (missing, so it will be created), or the read error.
LiveResult = LiveChat | ReadError | None
