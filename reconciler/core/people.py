"""A plan's changes person by person: what reviewers ask ("what does this
plan do to Alice?"). A created chat counts as a join for every member and as
ownership gained for its owner. (Which chats one person is in, `who`'s
answer, is core.userchats.)

Pure. Takes changes by shape (chat_id, added, removed, before, after), so
the plan can hold its own summary without the two modules importing each
other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Iterator


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
