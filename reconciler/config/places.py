"""Where each entry of a member list is written, kept cheaply: a Source per
plain user id would cost more than the ids themselves (a million of them in
a big load), and only an error that names one id (`--check-users`) ever
asks. So a list keeps either nothing but its geometry (a list lifted out of
the text: every item on one line, or one per line) or one packed integer
per entry, and builds the Source of an entry when it is asked for.

`WrittenAt` answers, for a chat, where a user id is written: in the chat's
own list, or inside the group (however nested) that brings it in."""

from __future__ import annotations

from array import array
from collections.abc import MutableMapping, Sequence

from reconciler.config.groups import GroupRef
from reconciler.core.model import USER, Entry, Source
from reconciler.core.userids import UserMap, same_user

_SHIFT = 32  # line << 32 | column, both 1-based


class Places:
    """Where the entries of one member list are written, by index."""

    __slots__ = ("file", "_packed", "_line", "_col", "_block", "_items")

    def __init__(self, file: str):
        self.file = file
        self._packed: array | None = None
        self._items: Sequence[str] | None = None
        self._line = self._col = 0
        self._block = False

    @classmethod
    def of_nodes(cls, file: str, nodes: Sequence) -> "Places":
        """One packed position per node (0-based marks)."""
        places = cls(file)
        places._packed = array("Q", [(n.start_mark.line + 1) << _SHIFT | (n.start_mark.column + 1) for n in nodes])
        return places

    @classmethod
    def of_lifted(cls, file: str, geometry: tuple[int, int, bool], items: Sequence[str]) -> "Places":
        """A list lifted out of the text: its first item's 0-based line and
        column, and whether the items are one per line (else `a, b` on one)."""
        places = cls(file)
        places._line, places._col, places._block = geometry
        places._items = items
        return places

    def append(self, node) -> None:
        if self._packed is None:
            self._packed = array("Q")
        self._packed.append((node.start_mark.line + 1) << _SHIFT | (node.start_mark.column + 1))

    def source(self, index: int) -> Source | None:
        if self._packed is not None:
            if index >= len(self._packed):
                return None
            packed = self._packed[index]
            return Source(self.file, packed >> _SHIFT, packed & ((1 << _SHIFT) - 1))
        if self._items is None or index >= len(self._items):
            return None
        if self._block:
            return Source(self.file, self._line + 1 + index, self._col + 1)
        col = self._col + sum(len(item) + 2 for item in self._items[:index])  # "a, b": ", " between
        return Source(self.file, self._line + 1, col + 1)


class WrittenAt:
    """user id -> where it is written for one chat: the first place, in
    written order, in the chat's own list or in a group it reaches (and,
    for a plan's causes, the groups it came through)."""

    __slots__ = ("_groups", "_entries", "_places")

    def __init__(self, groups, entries, places: Places | None):
        self._groups, self._entries, self._places = groups, entries, places

    def __call__(self, user: str) -> Source | None:
        found = _find(user, self._entries, self._places, self._groups, set(), ())
        return found[0] if found else None

    def locate_many(self, users: Sequence[str], walk: bool = False) -> dict[str, tuple[Source | None, tuple]]:
        """user -> (where it is written, the group chain it came through),
        for each of `users`: one search each, or with `walk` one walk of the
        list that stops once all are found, matching ids as spelled first
        and ignoring letter case only for those still missing (a Source is
        built only for the people asked about)."""
        if not walk:
            return {u: _find(u, self._entries, self._places, self._groups, set(), ()) or (None, ())
                    for u in users}
        out: dict[str, tuple[Source | None, tuple]] = {}
        for fold in (False, True):
            left = [u for u in users if u not in out]
            wanted = UserMap((u, u) for u in left) if fold else {u: u for u in left}
            if wanted:
                _walk(self._entries, self._places, self._groups, set(), (), wanted, out)
        return {u: out.get(u, (None, ())) for u in users}


def _find(user: str, entries, places: Places | None, groups, seen: set[str],
          chain: tuple) -> tuple[Source | None, tuple] | None:
    for i, entry in enumerate(entries):
        if entry.__class__ is str:
            if same_user(entry, user) and places is not None:
                return places.source(i), chain
        elif entry.__class__ is Entry:
            if entry.kind == USER and same_user(entry.user, user):
                return entry.source, chain
        elif entry.__class__ is GroupRef and entry.name not in seen and entry.name in groups:
            seen.add(entry.name)
            group = groups[entry.name]
            found = _find(user, group.entries, group.places, groups, seen, chain + (entry.name,))
            if found is not None:
                return found
    return None


def _walk(entries, places: Places | None, groups, seen: set[str], chain: tuple,
          wanted: MutableMapping[str, str], out: dict) -> None:
    """The first place and chain of each id in `wanted` (a dict: as spelled;
    a UserMap: in any letter case), in the order _find meets them; found
    ones leave `wanted`."""
    for i, entry in enumerate(entries):
        if not wanted:
            return
        if entry.__class__ is str:
            user = wanted.pop(entry, None)
            if user is not None:
                out[user] = (places.source(i) if places is not None else None, chain)
        elif entry.__class__ is Entry:
            if entry.kind == USER:
                user = wanted.pop(entry.user, None)
                if user is not None:
                    out[user] = (entry.source, chain)
        elif entry.__class__ is GroupRef and entry.name not in seen and entry.name in groups:
            seen.add(entry.name)
            group = groups[entry.name]
            _walk(group.entries, group.places, groups, seen, chain + (entry.name,), wanted, out)
