"""How WeCom tells users apart: ignoring letter case.

Doc 90195: a user id is unique "ignoring case", so `Alice` and `alice` are
one user. This module is the one home of that rule, for the client, the
config rules and the emulator alike (tests/core/test_id_rules.py keeps it
so: nothing else folds a user id's case). A user id stays a plain `str` in
WeCom's spelling, for output, plan files and calls; whatever asks "is this
user among those" asks one of these, which fold inside:

- `same_user(a, b)`: one user?
- `UserIds`: a set of users, each kept under its first spelling.
- `UserMap`: a mapping from a user, in any spelling, to a value.
- `joins_and_leaves(wanted, live)`: a chat's difference, costing what differs.

Why not a `str` subclass whose `__eq__` and `__hash__` ignore case: every
set operation on such ids runs through Python-level methods, measured 11x
slower on the planner's set differences (docs/internals.md, "One user id").
These types fold each id once, in C (`str.lower`), and then compare plain
strings at set speed.

Pure: no I/O.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Mapping, MutableMapping, Sequence, Set
from typing import AbstractSet, TypeVar

V = TypeVar("V")


def _key(user: str) -> str:
    # User ids are ASCII (core.facts.USER_ID_PATTERN), so lower() is the fold.
    return user.lower()


def same_user(a: str, b: str) -> bool:
    """Whether `a` and `b` name one user."""
    return a == b or a.lower() == b.lower()


def canonical(user: str) -> str:
    """A sort key that orders users as WeCom tells them apart (`alice`,
    `Bob`, `carol`), the same for any spelling of one user."""
    return _key(user)


def written_folded(text: str) -> bool:
    """Whether every user id written in `text` is already in its folded
    form (no upper-case letter): then ids that differ as strings differ as
    users, and a loader may compare them as written (one pass, fast)."""
    return text.lower() == text


def id_regex(user_id: str) -> str:
    """A regex that matches `user_id` in any letter case (a raw pre-filter)."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in user_id)


def closest_user(user: str, among: UserIds, cutoff: float = 0.75) -> str | None:
    """The user of `among` whose id is closest to `user` ignoring case (a
    typo's likely meaning), as spelled there; None when none is close."""
    close = difflib.get_close_matches(_key(user), list(among._spelled), n=1, cutoff=cutoff)
    return among._spelled[close[0]] if close else None


def distinct_users(users: Sequence[str], unlike: Iterable[str] = ()) -> bool:
    """Whether `users` name each user once, and none of the users `unlike`
    names (a loader's fast path over a chat's list: one pass in C)."""
    seen = set(map(str.lower, users))
    if len(seen) != len(users):
        return False
    return not unlike or seen.isdisjoint(unlike._spelled if unlike.__class__ is UserIds else map(str.lower, unlike))


class UserIds(Set):
    """An immutable set of users as WeCom tells them apart. Iterating gives
    each user's first spelling; `in`, `==`, `-`, `&` and `|` ignore case."""

    __slots__ = ("_spelled",)

    def __init__(self, users: Iterable[str] = ()) -> None:
        if isinstance(users, UserIds):
            self._spelled: dict[str, str] = users._spelled
            return
        if not users:
            self._spelled = {}
            return
        seq = users if isinstance(users, (list, tuple)) else list(users)
        keys = list(map(str.lower, seq))
        self._spelled = dict(zip(keys, seq))
        if len(self._spelled) < len(seq):  # someone twice: the first spelling, in the first place
            self._spelled = dict.fromkeys(keys)
            self._spelled.update(zip(reversed(keys), reversed(seq)))

    @classmethod
    def _of(cls, spelled: dict[str, str]) -> UserIds:
        made = cls.__new__(cls)
        made._spelled = spelled
        return made

    def __contains__(self, user: object) -> bool:
        return isinstance(user, str) and user.lower() in self._spelled  # _key, inlined: the planner asks often

    def __iter__(self) -> Iterator[str]:
        return iter(self._spelled.values())

    def __len__(self) -> int:
        return len(self._spelled)

    def spelled(self, user: str, default: str | None = None) -> str | None:
        """`user` as spelled here, or `default` when not among these."""
        return self._spelled.get(_key(user), default)

    def pick(self, mapping: Mapping[str, V]) -> dict[str, V]:
        """The items of a plain mapping keyed by user ids whose user is among
        these (one pass, no call per item: a resolution asks it of every
        member a department brings in)."""
        spelled = self._spelled
        return {user: value for user, value in mapping.items() if user.lower() in spelled}

    def _other(self, other: Iterable[str]) -> dict[str, str]:
        return other._spelled if isinstance(other, UserIds) else UserIds(other)._spelled

    def __sub__(self, other: Iterable[str]) -> UserIds:
        if not other:
            return self
        theirs = self._other(other)
        return UserIds._of({k: u for k, u in self._spelled.items() if k not in theirs})

    def __and__(self, other: Iterable[str]) -> UserIds:
        theirs = self._other(other)
        return UserIds._of({k: u for k, u in self._spelled.items() if k in theirs})

    def __or__(self, other: Iterable[str]) -> UserIds:
        if not other:
            return self
        if not self._spelled:
            return UserIds(other)
        spelled = dict(self._spelled)  # these first, then the others' new ones; our spelling wins
        spelled.update(self._other(other))
        spelled.update(self._spelled)
        return UserIds._of(spelled)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, UserIds):
            return self._spelled.keys() == other._spelled.keys()
        if isinstance(other, (set, frozenset, Set)):
            return self._spelled.keys() == UserIds(other)._spelled.keys()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(frozenset(self._spelled))

    def isdisjoint(self, other: Iterable[str]) -> bool:
        return self._spelled.keys().isdisjoint(self._other(other))

    def __repr__(self) -> str:
        return f"UserIds({sorted(self._spelled.values())!r})"


class UserMap(MutableMapping[str, V]):
    """A mapping from users, in any spelling, to values. Iterating gives
    each user as first spelled; setting a user spelled otherwise replaces
    the value and keeps that first spelling."""

    __slots__ = ("_values", "_spelled")

    def __init__(self, items: Mapping[str, V] | Iterable[tuple[str, V]] = ()) -> None:
        self._values: dict[str, V] = {}
        self._spelled: dict[str, str] = {}
        if items:
            for user, value in (items.items() if isinstance(items, Mapping) else items):
                self[user] = value

    @classmethod
    def of(cls, mapping: Mapping[str, V]) -> UserMap[V]:
        """A UserMap of a plain mapping keyed by user ids, in one C-speed
        pass; where two keys spell one user, the first spelling and the
        last value stay (merge them before, where that matters)."""
        made = cls()
        keys = list(map(str.lower, mapping))
        made._values = dict(zip(keys, mapping.values()))
        made._spelled = dict(zip(reversed(keys), reversed(list(mapping))))
        if len(made._spelled) == len(mapping):
            made._spelled = dict(zip(keys, mapping))  # nobody twice: in the mapping's order
        return made

    def __getitem__(self, user: str) -> V:
        try:
            return self._values[_key(user)]
        except KeyError:
            raise KeyError(user) from None

    def __setitem__(self, user: str, value: V) -> None:
        key = _key(user)
        self._spelled.setdefault(key, user)
        self._values[key] = value

    def __delitem__(self, user: str) -> None:
        key = _key(user)
        if key not in self._values:
            raise KeyError(user)
        del self._values[key], self._spelled[key]

    def __contains__(self, user: object) -> bool:
        return isinstance(user, str) and _key(user) in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._spelled.values())

    def __len__(self) -> int:
        return len(self._values)

    def get(self, user: str, default: V | None = None) -> V | None:
        return self._values.get(user.lower(), default) if self._values else default  # _key, inlined

    def pop(self, user: str, *default: V) -> V:
        key = _key(user)
        if key in self._values:
            del self._spelled[key]
            return self._values.pop(key)
        if default:
            return default[0]
        raise KeyError(user)

    def setdefault(self, user: str, default: V) -> V:
        key = user.lower()  # _key, inlined: a loader asks once per member
        if key not in self._values:
            self._spelled[key] = user
            self._values[key] = default
            return default
        return self._values[key]

    def spelled(self, user: str, default: str | None = None) -> str | None:
        """`user` as first spelled here, or `default` when not here."""
        return self._spelled.get(_key(user), default)

    def users(self) -> UserIds:
        return UserIds._of(dict(self._spelled))

    def __repr__(self) -> str:
        return f"UserMap({dict(self.items())!r})"


def joins_and_leaves(wanted: AbstractSet[str], live: AbstractSet[str]) -> tuple[set[str], set[str]]:
    """(who of `wanted` is not in `live`, who of `live` is not in `wanted`),
    as WeCom tells users apart, each under its own side's spelling. Each
    side holds one spelling per user (a chat's list, a resolved file).

    Costs what differs, not what the chat holds: the two plain set
    differences run in C, and only the ids in them are folded. A user
    spelled differently on the two sides is in both raw differences, so
    matching those two finds every such pair."""
    joins, leaves = set(wanted - live), set(live - wanted)
    if joins and leaves:
        theirs = dict(zip(map(str.lower, leaves), leaves))
        same = [(user, theirs[key]) for user, key in zip(joins, map(str.lower, joins)) if key in theirs]
        for user, spelled in same:
            joins.discard(user)
            leaves.discard(spelled)
    return joins, leaves
