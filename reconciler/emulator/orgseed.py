"""Reading the directory part of a seed: departments, users, tags, visible.

    departments:                # optional; absent = one root {id: 1, name: Company, parentid: 0}
      - {id: 1, name: Acme, parentid: 0}
      - {id: 2, name: 研发中心, parentid: 1, order: 10}
    users:                      # optional; present = a closed directory (86216 for anyone else)
      - alice                   # in department 1, named alice
      - {userid: bob, name: 鲍勃, department: [2], status: 1}
    tags:
      - {tagid: 1, tagname: oncall, users: [alice], departments: [2]}
    visible: [2]                # the app's visible range; absent = the whole company

Every mistake is a SeedError naming where it is (`seed: users[3]: ...`)."""

from __future__ import annotations

from reconciler.core import facts as C
from reconciler.core.userids import UserMap

from .org import ROOT, Department, Org, Tag, User

KEYS = ("departments", "users", "tags", "visible")
USER_STATUSES = {1: "active", 2: "disabled", 4: "not yet activated"}
_DEPARTMENT_KEYS = ("id", "name", "parentid", "order")
_USER_KEYS = ("userid", "name", "department", "status")
_TAG_KEYS = ("tagid", "tagname", "users", "departments")


class SeedError(ValueError):
    pass


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _mapping(item, where: str, allowed: tuple[str, ...], required: tuple[str, ...]) -> dict:
    if not isinstance(item, dict):
        raise SeedError(f"{where}: must be a mapping with {', '.join(allowed)}")
    unknown = set(item) - set(allowed)
    if unknown:
        raise SeedError(f"{where}: unknown keys {', '.join(sorted(map(str, unknown)))} "
                        f"(known: {', '.join(allowed)})")
    for key in required:
        if key not in item:
            raise SeedError(f"{where}: {key} is missing")
    return item


def _list(value, where: str, what: str) -> list:
    if not isinstance(value, list):
        raise SeedError(f"{where} must be a list of {what}")
    return value


def _name(value, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SeedError(f"{where}: name must be a non-empty string")
    return value


def _department_ids(value, where: str, known: dict[int, Department]) -> tuple[int, ...]:
    ids = _list(value, where, "department ids")
    for dept in ids:
        if not _is_id(dept):
            raise SeedError(f"{where}: {dept!r} is not a department id (a positive integer)")
        if dept not in known:
            raise SeedError(f"{where}: unknown department {dept}")
    if len(set(ids)) != len(ids):
        raise SeedError(f"{where}: a department is listed twice")
    return tuple(ids)


def _departments(items, source: str) -> dict[int, Department]:
    if items is None:
        return {ROOT: Department(ROOT, "Company", 0)}
    departments: dict[int, Department] = {}
    for i, item in enumerate(_list(items, f"{source}: departments", "mappings")):
        where = f"{source}: departments[{i}]"
        item = _mapping(item, where, _DEPARTMENT_KEYS, ("id", "name", "parentid"))
        dept_id, parent, order = item["id"], item["parentid"], item.get("order", 0)
        if not _is_id(dept_id):
            raise SeedError(f"{where}: id must be a positive integer, not {dept_id!r}")
        if dept_id in departments:
            raise SeedError(f"{where}: department {dept_id} is defined twice")
        if not isinstance(parent, int) or isinstance(parent, bool) or parent < 0:
            raise SeedError(f"{where}: parentid must be a department id, not {parent!r}")
        if (dept_id == ROOT) != (parent == 0):
            raise SeedError(f"{where}: department {ROOT} is the root and only it has parentid 0")
        if not isinstance(order, int) or isinstance(order, bool) or order < 0:
            raise SeedError(f"{where}: order must be an integer >= 0")
        departments[dept_id] = Department(dept_id, _name(item["name"], where), parent, order)
    if ROOT not in departments:
        raise SeedError(f"{source}: departments: the root department (id {ROOT}, parentid 0) is missing")
    for i, dept in enumerate(departments.values()):
        if dept.id != ROOT and dept.parentid not in departments:
            raise SeedError(f"{source}: departments[{i}]: department {dept.id} has an unknown parent "
                            f"{dept.parentid}")
    _refuse_cycles(departments, source)
    return departments


def _refuse_cycles(departments: dict[int, Department], source: str) -> None:
    reaches_root = {ROOT}
    for start in departments:
        path: list[int] = []
        current = start
        while current not in reaches_root:
            if current in path:
                cycle = path[path.index(current):] + [current]
                raise SeedError(f"{source}: departments: a cycle of parents: "
                                f"{' -> '.join(map(str, cycle))} (every department must lead up to {ROOT})")
            path.append(current)
            current = departments[current].parentid
        reaches_root.update(path)


def _users(items, source: str, departments: dict[int, Department]) -> list[User]:
    users: UserMap[tuple[int, User]] = UserMap()
    for i, item in enumerate(_list(items, f"{source}: users", "user ids or mappings")):
        where = f"{source}: users[{i}]"
        if isinstance(item, str):
            item = {"userid": item}
        item = _mapping(item, where, _USER_KEYS, ("userid",))
        userid = item["userid"]
        if not C.is_user_id(userid):
            raise SeedError(f"{where}: invalid user id {userid!r} (1-64 letters, digits, _-@., "
                            f"beginning with a letter or a digit)")
        earlier = users.get(userid)
        if earlier:
            raise SeedError(f"{where}: user {userid!r} is already users[{earlier[0]}] "
                            f"({earlier[1].userid!r}; user ids ignore letter case)")
        name = _name(item.get("name", userid), where)
        dept = _department_ids(item.get("department", [ROOT]), f"{where}: department", departments)
        if not dept:
            raise SeedError(f"{where}: department must name at least one department")
        status = item.get("status", 1)
        if isinstance(status, bool) or status not in USER_STATUSES:
            known = ", ".join(f"{k} {v}" for k, v in USER_STATUSES.items())
            raise SeedError(f"{where}: status must be one of {known}, not {status!r} "
                            f"(someone who left is not in users at all)")
        users[userid] = (i, User(userid, name, dept, status))
    return [user for _, user in users.values()]


def _tags(items, source: str, departments: dict[int, Department], users: UserMap[User]) -> list[Tag]:
    tags: dict[int, Tag] = {}
    names: dict[str, int] = {}
    for i, item in enumerate(_list(items, f"{source}: tags", "mappings")):
        where = f"{source}: tags[{i}]"
        item = _mapping(item, where, _TAG_KEYS, ("tagid", "tagname"))
        tagid, tagname = item["tagid"], item["tagname"]
        if not _is_id(tagid):
            raise SeedError(f"{where}: tagid must be a positive integer, not {tagid!r}")
        if tagid in tags:
            raise SeedError(f"{where}: tag {tagid} is defined twice")
        if not isinstance(tagname, str) or not tagname.strip():
            raise SeedError(f"{where}: tagname must be a non-empty string")
        if tagname in names:
            raise SeedError(f"{where}: tagname {tagname!r} is already tag {names[tagname]}")
        members: dict[str, None] = {}
        for userid in _list(item.get("users", []), f"{where}: users", "user ids"):
            user = users.get(userid) if isinstance(userid, str) else None
            if user is None:
                raise SeedError(f"{where}: users: {userid!r} is not in the seed's users")
            if user.userid in members:
                raise SeedError(f"{where}: users: {userid!r} is listed twice")
            members[user.userid] = None
        dept = _department_ids(item.get("departments", []), f"{where}: departments", departments)
        tags[tagid] = Tag(tagid, tagname, tuple(members), dept)
        names[tagname] = tagid
    return list(tags.values())


def parse(seed: dict, source: str = "seed") -> tuple[frozenset | None, Org]:
    """The user ids appchat accepts (None: any well-formed id, when the seed
    has no `users`) and the org chart the directory endpoints serve."""
    departments = _departments(seed.get("departments"), source)
    users = _users(seed["users"], source, departments) if seed.get("users") is not None else []
    tags = _tags(seed.get("tags") or [], source, departments, UserMap((u.userid, u) for u in users))
    visible = seed.get("visible")
    if visible is not None:
        visible = _department_ids(visible, f"{source}: visible", departments)
    ids = None if seed.get("users") is None else frozenset(u.userid for u in users)
    return ids, Org(departments.values(), users, tags, visible)
