"""The directory endpoints as pure functions, like rules.py for chats: a
query and the org chart in, an answer or a Reject out.

What an ordinary self-built app sees (docs/directory.md):
only its visible range; a department outside it answers 60011, a user
outside it 60111, and tag/get leaves out what lies outside it."""

from __future__ import annotations

import hashlib
import re
from typing import Callable

from reconciler.core import facts as C
from reconciler.core.facts import ErrCode as E
from reconciler.core.userids import canonical

from .org import Org, User
from .rules import Reject

DEPARTMENT_SIMPLELIST, DEPARTMENT_GET = C.DEPARTMENT_SIMPLELIST, C.DEPARTMENT_GET
DEPARTMENT_LIST = "department/list"  # what wechatpy 1.8.18's department.get calls
USER_SIMPLELIST, USER_GET, TAG_GET = C.USER_SIMPLELIST, C.USER_GET, C.TAG_GET
PATHS = (DEPARTMENT_SIMPLELIST, DEPARTMENT_GET, DEPARTMENT_LIST, USER_SIMPLELIST, USER_GET, TAG_GET)

DEPARTMENT_NOT_FOUND = E.DEPARTMENT_NOT_FOUND
INVALID_DEPARTMENT_ID = E.INVALID_DEPARTMENT
INVALID_TAG = E.INVALID_TAG

_WHOLE_NUMBER = re.compile(r"[0-9]{1,10}")


def _number(query: dict, name: str) -> int | None | Reject:
    """The query parameter as a positive integer; None when absent or empty."""
    values = query.get(name)
    value = values[0].strip() if values else ""
    if not value:
        return None
    if not _WHOLE_NUMBER.fullmatch(value) or int(value) == 0:
        return Reject(INVALID_DEPARTMENT_ID if name != "tagid" else INVALID_TAG, f"invalid {name}")
    return int(value)


def _department(org: Org, dept_id) -> Reject | int:
    if isinstance(dept_id, Reject):
        return dept_id
    if dept_id is None:
        return Reject(INVALID_DEPARTMENT_ID, "invalid party id: id missing")
    if org.department(dept_id) is None:
        return Reject(DEPARTMENT_NOT_FOUND, "department not found")
    if not org.dept_visible(dept_id):
        return Reject(E.NO_PRIVILEGE, "no privilege to access/modify contact/party/agent")
    return dept_id


def _departments(org: Org, query: dict) -> Reject | list[int]:
    """The department in `id` with its sub-departments, or every visible one."""
    dept_id = _number(query, "id")
    if dept_id is None:
        return org.visible_departments()
    dept_id = _department(org, dept_id)
    return dept_id if isinstance(dept_id, Reject) else org.subtree(dept_id)


def open_userid(user: User) -> str:
    # Real open_userids are opaque and stable per user; so is this one.
    return "wo" + hashlib.sha256(canonical(user.userid).encode()).hexdigest()[:30]


def department_simplelist(org: Org, query: dict) -> Reject | dict:
    ids = _departments(org, query)
    if isinstance(ids, Reject):
        return ids
    found = (org.department(i) for i in ids)
    return {"department_id": [{"id": d.id, "parentid": d.parentid, "order": d.order} for d in found]}


def department_list(org: Org, query: dict) -> Reject | dict:
    ids = _departments(org, query)
    if isinstance(ids, Reject):
        return ids
    return {"department": [org.department(i).data() for i in ids]}


def department_get(org: Org, query: dict) -> Reject | dict:
    dept_id = _department(org, _number(query, "id"))
    if isinstance(dept_id, Reject):
        return dept_id
    return {"department": org.department(dept_id).data()}


def user_simplelist(org: Org, query: dict) -> Reject | dict:
    # `fetch_child` is no longer documented and `status` filters nothing a
    # self-built app relies on: both are accepted and ignored.
    dept_id = _department(org, _number(query, "department_id"))
    if isinstance(dept_id, Reject):
        return dept_id
    return {"userlist": [{"userid": u.userid, "name": u.name, "department": list(u.department),
                          "open_userid": open_userid(u)} for u in org.members(dept_id)]}


def user_get(org: Org, query: dict) -> Reject | dict:
    values = query.get("userid")
    userid = values[0] if values else ""
    if not userid:
        return Reject(E.INVALID_USERID, "invalid userid: userid missing")
    user = org.user(userid)
    if user is None or not org.user_visible(user):
        return Reject(E.USERID_NOT_FOUND, "userid not found")
    return user.data()


def tag_get(org: Org, query: dict) -> Reject | dict:
    tagid = _number(query, "tagid")
    tag = org.tag(tagid) if isinstance(tagid, int) else None
    if tag is None:
        return tagid if isinstance(tagid, Reject) else Reject(INVALID_TAG, "invalid tagid")
    users = [org.user(u) for u in tag.users]
    return {"tagname": tag.tagname,
            "userlist": [{"userid": u.userid, "name": u.name} for u in users if org.user_visible(u)],
            "partylist": [d for d in tag.departments if org.dept_visible(d)]}


_ENDPOINTS: dict[str, Callable[[Org, dict], Reject | dict]] = {
    DEPARTMENT_SIMPLELIST: department_simplelist,
    DEPARTMENT_GET: department_get,
    DEPARTMENT_LIST: department_list,
    USER_SIMPLELIST: user_simplelist,
    USER_GET: user_get,
    TAG_GET: tag_get,
}


def answer(path: str, query: dict, org: Org, err: Callable[[int, str], dict]) -> dict:
    """The JSON answer to a directory GET whose token and quota were checked."""
    result = _ENDPOINTS[path](org, query)
    if isinstance(result, Reject):
        return err(result.errcode, result.errmsg)
    return {"errcode": 0, "errmsg": "ok", **result}
