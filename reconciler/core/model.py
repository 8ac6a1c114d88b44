"""The domain values every layer passes around: desired chats, live chats,
read errors. Immutable, so the planner can trust what it is given."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Mapping




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
KINDS = (USER, DEPT, TAG)  # what an Entry may name: one person, a department, a tag


@dataclass(frozen=True, slots=True)
class Entry:
    """One membership entry of a member list, from the file to the plan: a
    user id (`kind` USER, `user` set) or a department or tag id (`kind` DEPT
    or TAG, `unit` set), where it is written, and what it carries: its end
    date, its reason, the groups it came through, `may_be_empty`. The config
    layer builds it once, as it reads the entry; no layer after it parses an
    entry's text again. Plain user ids without an end date are not entries:
    they are DesiredChat.members (a string each, the cheapest there is)."""

    kind: str                  # USER | DEPT | TAG
    user: str | None           # the user id, for USER
    unit: int | None           # the department or tag id, for DEPT and TAG
    source: Source             # where the entry is written
    until: date | None = None  # the last day of the membership
    reason: str | None = None
    via: tuple[str, ...] = ()  # the groups it came through, outermost first
    # A `dept:`/`tag:` entry written with `may_be_empty: true`: bringing in
    # nobody is then no error for its chat.
    may_be_empty: bool = False
    # `{group: g, until: D}`: the group whose entry this is (the entry that
    # ends, at `source`); `user` or `unit` is one of what it brings in.
    group: str | None = None

    @classmethod
    def of_user(cls, user: str, source: Source, until: date | None = None, reason: str | None = None,
                via: tuple[str, ...] = (), group: str | None = None) -> "Entry":
        return cls(USER, user, None, source, until, reason, via, False, group)

    @classmethod
    def of_unit(cls, kind: str, unit: int, source: Source, until: date | None = None, reason: str | None = None,
                via: tuple[str, ...] = (), may_be_empty: bool = False) -> "Entry":
        """A `dept:` (kind DEPT) or `tag:` (kind TAG) entry."""
        return cls(kind, None, unit, source, until, reason, via, may_be_empty)

    @property
    def entry(self) -> str:
        """As written in a string entry: `alice`, `dept:12`, `tag:3`."""
        return self.user if self.user is not None else f"{self.kind}:{self.unit}"

    @property
    def written(self) -> tuple[str, str]:
        """(kind, text) of the entry as written in the file: a timed group
        entry is ("group", "@g"), anything else (kind, `entry`)."""
        return ("group", f"@{self.group}") if self.group is not None else (self.kind, self.entry)

    def ended(self, today: date | None) -> bool:
        return self.until is not None and today is not None and self.until < today


@dataclass(frozen=True)
class Exclusion:
    """A chat's `exclude:` once groups are expanded: user ids, and the
    department and tag entries only the directory can turn into users."""

    users: frozenset[str] = frozenset()
    refs: tuple[Entry, ...] = ()
    # user id -> where `exclude` writes it (in its list or a group's), built
    # only when asked: a plan names who it excludes, and where.
    written_at: Callable[[str], Source | None] | None = field(default=None, compare=False, hash=False, repr=False)

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
    grants: tuple[Entry, ...] = ()
    exclude: Exclusion = NO_EXCLUSION
    # Where the owner and the member list are written, for the errors that
    # only plan time can find (the owner not among the resolved members).
    owner_source: Source | None = field(default=None, compare=False)
    members_source: Source | None = field(default=None, compare=False)
    # user id -> where it is written (in the chat's list or a group's), built
    # only when asked: the errors that name one id (--check-users) use it, and
    # a plan's causes (its `locate_many` also says through which groups).
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
