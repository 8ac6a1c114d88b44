"""WeCom's directory (通讯录) as one run read it: departments, who is
directly in each, tags, display names, and what could not be read.

Pure: the client fills it (wecom.directoryreads), the planner asks it who a
`dept:`/`tag:` entry brings in. The recursion is ours: a department's users
are the direct users of it and of every department below it; a tag's users
are its own plus those of its departments, with their sub-departments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

from reconciler.core.userids import UserIds, UserMap, closest_user
from reconciler.core.model import DEPT, TAG, DesiredChat


@dataclass(frozen=True)
class Department:
    id: int
    parentid: int
    name: str | None = None  # read only where a name is shown


@dataclass(frozen=True)
class Tag:
    id: int
    name: str
    users: tuple[str, ...]
    departments: tuple[int, ...]


@dataclass(frozen=True)
class Problem:
    """Why an entry cannot be resolved: WeCom's errcode and a message."""

    errcode: int | None
    message: str
    # No answer came (WeCom unreachable): not the entry's fault. Its chats get
    # the one message every other chat read got, so the views say it once.
    outage: bool = False


@dataclass(frozen=True)
class Directory:
    departments: Mapping[int, Department] = field(default_factory=dict)
    members: Mapping[int, tuple[str, ...]] = field(default_factory=dict)  # dept id -> users directly in it
    tags: Mapping[int, Tag] = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)  # user id -> display name
    problems: Mapping[tuple[str, int], Problem] = field(default_factory=dict)  # (kind, id) -> why not
    complete: bool = False  # everything the app can see was read (--check-users)

    def _memo(self, name: str, make):
        # A frozen dataclass answers from __dict__: a plan asks for the same
        # departments again and again, one chat after another.
        value = self.__dict__.get(name)
        if value is None:
            value = self.__dict__[name] = make()
        return value

    def _children(self) -> dict[int, list[int]]:
        def make() -> dict[int, list[int]]:
            children: dict[int, list[int]] = {}
            for dept in self.departments.values():
                if dept.id != dept.parentid:
                    children.setdefault(dept.parentid, []).append(dept.id)
            return children
        return self._memo("_children_map", make)

    def subtree(self, root: int) -> list[int]:
        """`root` and every department below it that was read."""
        children = self._children()
        found, todo, seen = [], [root], set()
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            found.append(current)
            todo.extend(children.get(current, ()))
        return found

    def users(self, kind: str, ident: int) -> frozenset[str] | Problem:
        """Every user an entry `dept:ident` / `tag:ident` brings in."""
        answers = self._memo("_answers", dict)
        if (kind, ident) not in answers:
            answers[(kind, ident)] = self._users(kind, ident)
        return answers[(kind, ident)]

    def _users(self, kind: str, ident: int) -> frozenset[str] | Problem:
        problem = self.problems.get((kind, ident))
        if problem is not None:
            return problem
        if kind == DEPT:
            if ident not in self.departments:
                return Problem(None, f"department {ident} was not read")
            subtree = self.subtree(ident)
            # A sub-department whose users could not be read would quietly
            # shrink the entry: better no plan for the chat than a wrong one.
            broken = next((self.problems[(DEPT, d)] for d in subtree if (DEPT, d) in self.problems), None)
            if broken is not None:
                return broken
            return frozenset(u for d in subtree for u in self.members.get(d, ()))
        tag = self.tags.get(ident)
        if tag is None:
            return Problem(None, f"tag {ident} was not read")
        found = set(tag.users)
        for dept in tag.departments:
            inner = self.users(DEPT, dept)
            if isinstance(inner, Problem):  # as for a department: no plan rather than a wrong one
                return inner
            found |= inner
        return frozenset(found)

    def knows(self, user: str) -> bool:
        return user in self._known

    @property
    def _known(self) -> UserIds:
        return self._memo("_known_users", lambda: UserIds(u for users in self.members.values() for u in users))

    def closest(self, user: str) -> str | None:
        """The known id closest to `user` (a typo's likely meaning), or None.
        Remembered: one mistyped id in a group is asked about for every chat
        the group is in, and each answer scans the whole directory."""
        answers = self._memo("_closest", dict)
        if user not in answers:
            answers[user] = closest_user(user, self._known)
        return answers[user]

    def name(self, user: str) -> str | None:
        """The display name of `user`, whatever the letter case it is written in."""
        names = self._memo("_names_by_user", lambda: UserMap(self.names))
        return names.get(user)


@dataclass(frozen=True)
class Needs:
    """What a run must read: the departments whose subtree an entry names,
    the tags, and whether to read everything (--check-users)."""

    departments: frozenset[int] = frozenset()
    tags: frozenset[int] = frozenset()
    everything: bool = False

    def __bool__(self) -> bool:
        return bool(self.departments or self.tags or self.everything)


def needs(chats: Iterable[DesiredChat], check_users: bool = False) -> Needs:
    """The directory reads the selected chats need: none at all when no chat
    uses `dept:`/`tag:` and users are not checked (then a run makes exactly
    the calls it made before the directory existed)."""
    departments: set[int] = set()
    tags: set[int] = set()
    for chat in chats:
        for grant in (*chat.grants, *chat.exclude.refs):
            if grant.kind == DEPT:
                departments.add(grant.unit)
            elif grant.kind == TAG:
                tags.add(grant.unit)
    return Needs(frozenset(departments), frozenset(tags), check_users)
