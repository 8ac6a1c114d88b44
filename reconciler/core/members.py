"""A chat's members as a base set and what changed in it.

The planner's `after` of a chat of 2,000 members that gains one is the live
set plus one: `Members(live, joined={"dave"})` says so without copying 2,000
names, and two views over the same base compare by their changes alone. So
the planner, and the check that a change's calls take its `before` to its
`after`, cost what changes, not what the chat holds. The full set
(`frozen()`) is built only when something asks for it: a sorted list to
render or write, a comparison with a chat read back from WeCom.

Pure: no I/O, no clock.
"""

from __future__ import annotations

from typing import Iterable, Iterator

EMPTY: frozenset[str] = frozenset()


class Members:
    """(base - left) | joined, where `joined` holds nobody of `base` and
    `left` nobody outside it. Immutable."""

    __slots__ = ("base", "joined", "left", "_frozen")

    def __init__(self, base: frozenset[str], joined: frozenset[str] = EMPTY, left: frozenset[str] = EMPTY) -> None:
        self.base = base
        # kept to the rule above (each costs what changes: the small side is walked)
        self.joined = joined - base if joined else EMPTY
        self.left = left & base if left else EMPTY
        self._frozen: frozenset[str] | None = None if (joined or left) else base

    @classmethod
    def of(cls, members: Iterable[str]) -> Members:
        """A view with no changes of any iterable (a frozenset is kept, not copied)."""
        if isinstance(members, Members):
            return members
        return cls(members if isinstance(members, frozenset) else frozenset(members))

    def __contains__(self, user: object) -> bool:
        return user in self.joined or (user in self.base and user not in self.left)

    def __len__(self) -> int:
        return len(self.base) - len(self.left) + len(self.joined)

    def __iter__(self) -> Iterator[str]:
        return iter(self.frozen())

    def frozen(self) -> frozenset[str]:
        """Every member, as one set: built once, on demand."""
        if self._frozen is None:
            self._frozen = (self.base - self.left) | self.joined
        return self._frozen

    def changed(self, add: Iterable[str] = (), remove: Iterable[str] = ()) -> Members:
        """These members once `add` joined and then `remove` left (the
        caller checked that whoever leaves is a member). Costs what changes."""
        joined, left, base = set(self.joined), set(self.left), self.base
        for user in add:
            if user in left:
                left.discard(user)
            elif user not in base:
                joined.add(user)
        for user in remove:
            if user in joined:
                joined.discard(user)
            elif user in base:
                left.add(user)
        return Members(base, frozenset(joined), frozenset(left))

    def since(self, earlier: Members) -> tuple[frozenset[str], frozenset[str]]:
        """(who joined, who left) between `earlier` and these members; cheap
        when `earlier` is the unchanged base of this view."""
        if earlier.base is self.base and not (earlier.joined or earlier.left):
            return self.joined, self.left
        now, then = self.frozen(), earlier.frozen()
        return now - then, then - now

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Members):
            if other.base is self.base:
                return self.joined == other.joined and self.left == other.left
            return self.frozen() == other.frozen()
        if isinstance(other, (set, frozenset)):
            return self.frozen() == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.frozen())

    def __repr__(self) -> str:
        return f"Members({sorted(self.frozen())!r})"
