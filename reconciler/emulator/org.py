"""The org chart a seed gives the emulator: departments, users, tags and the
app's visible range, with the indexes the directory endpoints need.

Immutable once built: the server swaps in a whole new Org on reset, so the
directory endpoints read it without the Api lock. Built only from a validated
seed (orgseed.parse); nothing here checks input."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from reconciler.core.userids import UserMap

ROOT = 1  # WeCom's root department: id 1, parentid 0


@dataclass(frozen=True)
class Department:
    id: int
    name: str
    parentid: int
    order: int = 0

    def data(self) -> dict:
        return {"id": self.id, "name": self.name, "parentid": self.parentid, "order": self.order}


@dataclass(frozen=True)
class User:
    userid: str
    name: str
    department: tuple[int, ...] = (ROOT,)
    status: int = 1  # 1 active, 2 disabled, 4 not yet activated

    def data(self) -> dict:
        return {"userid": self.userid, "name": self.name, "department": list(self.department),
                "status": self.status}


@dataclass(frozen=True)
class Tag:
    tagid: int
    tagname: str
    users: tuple[str, ...] = ()        # user ids as seeded (the user's own spelling)
    departments: tuple[int, ...] = ()

    def data(self) -> dict:
        return {"tagid": self.tagid, "tagname": self.tagname, "users": list(self.users),
                "departments": list(self.departments)}


# WeCom tells users apart ignoring letter case (create-member doc 90195):
# every comparison of user ids in the emulator (the directory, chats, seeds)
# goes through core.userids, as the client's do.


class Org:
    def __init__(self, departments: Iterable[Department], users: Iterable[User] = (),
                 tags: Iterable[Tag] = (), visible: Iterable[int] | None = None):
        self.departments: dict[int, Department] = {d.id: d for d in departments}
        self.users: UserMap[User] = UserMap((u.userid, u) for u in users)
        self.tags: dict[int, Tag] = {t.tagid: t for t in tags}
        self.visible_roots: tuple[int, ...] = (ROOT,) if visible is None else tuple(visible)
        children: dict[int, list[Department]] = {}
        for d in self.departments.values():
            children.setdefault(d.parentid, []).append(d)
        # Siblings in WeCom's display order: larger `order` first, then by id.
        self._children = {p: tuple(d.id for d in sorted(ds, key=lambda d: (-d.order, d.id)))
                          for p, ds in children.items()}
        self._members: dict[int, list[User]] = {}
        for u in self.users.values():
            for d in u.department:
                self._members.setdefault(d, []).append(u)
        self._visible = frozenset(d for top in self.visible_roots for d in self.subtree(top))
        # The visible departments whose ancestors are not visible, so each is listed once.
        self._visible_tops = tuple(t for t in sorted(set(self.visible_roots)) if not self._covered_by_ancestor(t))

    @classmethod
    def default(cls, users: Iterable[str] = ()) -> "Org":
        """One root department, "Company", holding `users` (plain ids)."""
        return cls([Department(ROOT, "Company", 0)], [User(u, u) for u in users])

    # -- the tree -------------------------------------------------------------

    def department(self, dept_id: int) -> Department | None:
        return self.departments.get(dept_id)

    def subtree(self, dept_id: int) -> list[int]:
        """dept_id and every department under it, parents before children."""
        out, stack = [], [dept_id]
        while stack:
            current = stack.pop()
            out.append(current)
            stack.extend(reversed(self._children.get(current, ())))
        return out

    def _covered_by_ancestor(self, dept_id: int) -> bool:
        parent = self.departments[dept_id].parentid
        while parent in self.departments:
            if parent in self._visible:
                return True
            parent = self.departments[parent].parentid
        return False

    # -- what the app may see -------------------------------------------------

    def dept_visible(self, dept_id: int) -> bool:
        """A department is visible when it or an ancestor is in the visible range."""
        return dept_id in self._visible

    def user_visible(self, user: User) -> bool:
        return any(d in self._visible for d in user.department)

    def visible_departments(self) -> list[int]:
        return [d for top in self._visible_tops for d in self.subtree(top)]

    # -- people ---------------------------------------------------------------

    def user(self, userid: str) -> User | None:
        return self.users.get(userid)

    def members(self, dept_id: int) -> list[User]:
        """The users directly in dept_id, in seed order."""
        return list(self._members.get(dept_id, ()))

    def tag(self, tagid: int) -> Tag | None:
        return self.tags.get(tagid)

    def data(self) -> dict:
        """The org in the seed's own form: orgseed.parse(org.data()) rebuilds it."""
        return {"departments": [d.data() for d in sorted(self.departments.values(), key=lambda d: d.id)],
                "users": [u.data() for u in self.users.values()],
                "tags": [t.data() for t in sorted(self.tags.values(), key=lambda t: t.tagid)],
                "visible": list(self.visible_roots)}


def directory_view(org: Org, closed: bool) -> dict:
    """What the admin surface shows: the org in the seed's form, and whether
    appchat refuses user ids outside `users` (a seed with `users` is closed)."""
    return {**org.data(), "closed": closed}
