"""`via`: which chain of groups brings each member into a chat, for `who`.
Views worked out on first use, because only `who` reads them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from reconciler.config.groups import DIRECT, Expander, Member


def _shortest_first(chain: tuple[str, ...]) -> tuple:
    return len(chain), chain


class LazyVia(Mapping):
    """The `via` of a chat that uses groups: user -> the group chains that
    bring them in, worked out on first use. Only `who` reads it, and
    working it out for every chat was a third of a big load. The expander
    has every group it needs expanded already, and the chat's list was
    complete (no unknown group, no cycle), so the answer is the one the
    load would have got, and no error can come of it."""

    __slots__ = ("_expander", "_entries", "_map")

    def __init__(self, expander: Expander, entries: list[Member]):
        self._expander, self._entries = expander, entries
        self._map: dict[str, tuple[tuple[str, ...], ...]] | None = None

    def _chains(self) -> dict[str, tuple[tuple[str, ...], ...]]:
        if self._map is None:
            result = self._expander.entries(self._entries)
            self._map = {user: (DIRECT if () in chains else tuple(chains)) if len(chains) == 1
                         else tuple(sorted(chains, key=_shortest_first))
                         for user, chains in result.chains.items()}
        return self._map

    def __getitem__(self, user: str) -> tuple[tuple[str, ...], ...]:
        return self._chains()[user]

    def __iter__(self) -> Iterator[str]:
        return iter(self._chains())

    def __len__(self) -> int:
        return len(self._chains())


class DirectVia(Mapping):
    """The `via` of a chat whose members are all listed directly: every one
    maps to DIRECT. A view instead of a dict of 200 entries per chat (a
    10,000-chat load kept 2 million of them); iterates in written order,
    as the dict did."""

    __slots__ = ("_order", "_members")

    def __init__(self, order: list[str], members: frozenset[str]):
        self._order, self._members = order, members

    def __getitem__(self, user: str) -> tuple[tuple[str, ...], ...]:
        if user in self._members:
            return DIRECT
        raise KeyError(user)

    def __contains__(self, user: object) -> bool:
        return user in self._members

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._members)
