"""Reading WeCom's directory (通讯录) for a run: only what the chats need,
each department and each tag at most once, the reads in parallel.

- `tag/get` for each tag, and one `department/simplelist` without an id:
  every department the app can see, with parent ids, from which each
  subtree is worked out (one call instead of one per department an entry
  names); `department/simplelist?id=` only for a named department that is
  not in it, to learn whether it does not exist (60003) or the app cannot
  see it (60011);
- `user/simplelist?department_id=` for every department in those subtrees
  (the users directly in it: the recursion is ours, since `fetch_child` is
  no longer documented);
- with `everything` (--check-users): the users of every department the app
  can see, besides the tags (and a named department's reason for missing).

An entry WeCom answers with an error (60003 unknown department, 40068
unknown tag, 60011 outside the app's visible range) becomes a Problem in
the Directory: the chats using it are errors, the others go on. So does an answer that
says errcode 0 but lacks a field it is read for, or has it of the wrong type
(wecom.answers): never an empty department or tag. Refused credentials end
the run, as they do for chat reads.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Iterable

from reconciler.core.directory import Department, Directory, Needs, Problem, Tag
from reconciler.core.facts import DEPARTMENT_GET, DEPARTMENT_SIMPLELIST, TAG_GET, USER_GET, USER_SIMPLELIST
from reconciler.core.model import DEPT, TAG
from reconciler.core.refusal import UserCheck
from reconciler.core.wecomapi import WeComApi
from reconciler.wecom.answers import (parse_department_get, parse_department_simplelist, parse_tag_get,
                                      parse_user_get, parse_user_simplelist)
from reconciler.wecom.errors import InvalidCredentials, MalformedAnswer, TransportError, WeComError, describe


def read_directory(client: WeComApi, needs: Needs) -> Directory:
    reader = _Reader(client)
    reader.both(lambda: reader.tags(sorted(needs.tags)),
                lambda: reader.subtrees([None] if needs.departments or needs.everything else []))
    held = {d for tag in reader.tag_data.values() for d in tag.departments}
    named = needs.departments | held
    reader.subtrees(sorted(d for d in named if d not in reader.departments))  # to learn why it is missing
    if needs.everything:
        wanted = set(reader.departments)
    else:
        tree = Directory(dict(reader.departments))
        wanted = {d for root in named if root in reader.departments for d in tree.subtree(root)}
    reader.users(sorted(wanted))
    return Directory(dict(reader.departments), dict(reader.members), dict(reader.tag_data), dict(reader.names),
                     dict(reader.problems), complete=needs.everything and not reader.failed)


def department_names(client: WeComApi, ids: Iterable[int]) -> dict[int, str]:
    """department/get for each id, only where a name is shown (`who`); a
    department that cannot be read (or whose answer is malformed) keeps no name."""
    return _Reader(client).department_names(sorted(set(ids)))


def user_checks(client: WeComApi, user_ids: Iterable[str]) -> dict[str, UserCheck]:
    """`user/get` for each id (in parallel, paced like every read): what
    WeCom's directory says of it. An id WeCom refuses (60111...) carries the
    errcode; one that could not be asked carries why. Refused credentials
    end the run, as they do for chat reads."""
    def read(user_id: str) -> UserCheck:
        try:
            status, name = parse_user_get(client.get(USER_GET, {"userid": user_id}), user_id)
        except InvalidCredentials:
            raise
        except WeComError as exc:  # a malformed answer too: unreadable, never "present"
            if exc.errcode is None:
                return UserCheck(user_id, unreadable=str(exc))
            return UserCheck(user_id, errcode=exc.errcode)
        return UserCheck(user_id, status=status, name=name)

    ids = list(dict.fromkeys(user_ids))
    return dict(zip(ids, client.read_all(read, ids))) if ids else {}


class _Reader:
    def __init__(self, client: WeComApi) -> None:
        self.client = client
        self.departments: dict[int, Department] = {}
        self.members: dict[int, tuple[str, ...]] = {}
        self.tag_data: dict[int, Tag] = {}
        self.names: dict[str, str] = {}
        self.problems: dict[tuple[str, int], Problem] = {}
        self.failed = False  # a read got no answer: what was read is not the whole directory

    def _parallel(self, items: list, read: Callable[[Any], None]) -> None:
        # Under the client's one concurrency limit and pacer, shared with the
        # chat reads running at the same time; re-raises InvalidCredentials.
        if items:
            self.client.read_all(read, items)

    def both(self, first: Callable[[], None], second: Callable[[], None]) -> None:
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="directory") as pool:
            for future in [pool.submit(first), pool.submit(second)]:
                future.result()

    def _read(self, path: str, params: dict, kind: str, ident: int | None, parse: Callable[[dict], Any]) -> Any:
        """parse(the answer), or None when WeCom refused the read or answered
        what cannot be trusted (a Problem for the entry, when it has an id)."""
        try:
            return parse(self.client.get(path, params))
        except InvalidCredentials:
            raise
        except WeComError as exc:  # MalformedAnswer too: never read as an empty list
            # No answer at all (WeCom unreachable) is not the entry's fault: its
            # chats get the message every chat read got, one cause, one line.
            outage = isinstance(exc, TransportError) and not isinstance(exc, MalformedAnswer)
            self.failed = self.failed or outage or ident is None  # not the whole directory
            if ident is not None:
                self.problems[(kind, ident)] = (Problem(None, describe(exc.errcode, exc.errmsg), outage=True)
                                                if outage else Problem(exc.errcode, _message(kind, ident, exc)))
            return None

    def _named(self, users: list[tuple[str, str | None]]) -> None:
        for userid, name in users:
            if name:
                self.names.setdefault(userid, name)

    def tags(self, ids: Iterable[int]) -> None:
        def read(tag_id: int) -> None:
            answer = self._read(TAG_GET, {"tagid": tag_id}, TAG, tag_id, lambda a: parse_tag_get(a, tag_id))
            if answer is not None:
                self.tag_data[tag_id], users = answer
                self._named(users)
        self._parallel(list(ids), read)

    def subtrees(self, roots: list[int | None]) -> None:
        def read(root: int | None) -> None:
            found = self._read(DEPARTMENT_SIMPLELIST, {} if root is None else {"id": root}, DEPT, root,
                               lambda a: parse_department_simplelist(a, root))
            if found is None:
                return
            if root is not None and not any(d.id == root for d in found):
                self.problems[(DEPT, root)] = Problem(None, f"department {root} is not in WeCom's answer")
            for dept in found:
                self.departments.setdefault(dept.id, dept)
        self._parallel(roots, read)

    def department_names(self, ids: list[int]) -> dict[int, str]:
        names: dict[int, str] = {}

        def read(dept: int) -> None:
            name = self._read(DEPARTMENT_GET, {"id": dept}, DEPT, dept, lambda a: parse_department_get(a, dept))
            if name:
                names[dept] = name
        self._parallel(ids, read)
        return names

    def users(self, departments: list[int]) -> None:
        def read(dept: int) -> None:
            users = self._read(USER_SIMPLELIST, {"department_id": dept}, DEPT, dept,
                               lambda a: parse_user_simplelist(a, dept))
            if users is not None:
                self.members[dept] = tuple(u for u, _ in users)
                self._named(users)
        self._parallel(departments, read)


def _message(kind: str, ident: int, exc: WeComError) -> str:
    noun = "department" if kind == DEPT else "tag"
    if exc.errcode in (60003, 40068):
        return f"no {noun} {ident} in WeCom's directory ({exc.errcode})"
    if exc.errcode == 60011:
        return f"{noun} {ident} is outside the app's visible range (60011): ask an admin to widen it"
    text = describe(exc.errcode, exc.errmsg) if exc.errcode is not None else str(exc)
    return f"cannot read {noun} {ident}: {text}"
