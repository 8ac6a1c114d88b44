"""Reading WeCom's answers: each endpoint's fields this project uses, the
message of an API error, and what an attempt says about load (for the
concurrency limit).

Every answer with errcode 0 is checked for the fields it is read for:
present, and of the right type. One that is not raises MalformedAnswer
naming the endpoint and the field; it is never read as an empty list, so
no one is removed because an answer was malformed. Fields the project does
not use are not looked at.
"""

from __future__ import annotations

from typing import Any, Mapping

from reconciler.core.directory import Department, Tag
from reconciler.core.facts import (APPCHAT_GET, DEPARTMENT_GET, DEPARTMENT_SIMPLELIST, GETTOKEN, MEDIA_UPLOAD,
                                   TAG_GET, USER_GET, USER_SIMPLELIST, ErrCode)
from reconciler.core.model import LiveChat
from reconciler.wecom.errors import MalformedAnswer, describe
from reconciler.wecom.limiter import Outcome
from reconciler.wecom.transport import Failure

_WORDS = {list: "a list", dict: "an object", str: "a string", int: "a whole number"}


def load_signal(outcome: dict | Failure | None) -> Outcome:
    if isinstance(outcome, Failure):
        return Outcome.OVERLOADED if outcome.overload else Outcome.NEUTRAL
    if outcome is None:
        return Outcome.NEUTRAL
    return Outcome.REJECTED if outcome.get("errcode") == ErrCode.TOO_MANY_CONCURRENT else Outcome.OK


def api_message(method: str, path: str, chat_id: str | None, errcode: int, errmsg: str) -> str:
    where = f" for chat {chat_id}" if chat_id else ""
    return f"{path}{where}: WeCom error {errcode}: {describe(errcode, errmsg)}"


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, float):
        return "a number"
    return _WORDS.get(type(value), type(value).__name__)


class _Answer:
    """One answer being read: `need` returns a field of the wanted type or
    raises MalformedAnswer naming the endpoint (and what was asked) and
    the field."""

    def __init__(self, endpoint: str, asked: str = "", chat_id: str | None = None) -> None:
        self.endpoint, self.asked, self.chat_id = endpoint, asked, chat_id

    def bad(self, field: str, problem: str) -> MalformedAnswer:
        where = f" ({self.asked})" if self.asked else ""
        return MalformedAnswer(f"{self.endpoint}{where}: malformed answer: {problem}",
                               path=self.endpoint, field=field, chat_id=self.chat_id)

    def need(self, data: Any, key: str, want: type, field: str | None = None, *, optional: bool = False) -> Any:
        field = field or key
        if not isinstance(data, Mapping) or key not in data:
            if optional and isinstance(data, Mapping):
                return None
            raise self.bad(field, f"no {field!r}")
        value = data[key]
        if not isinstance(value, want) or (want is int and isinstance(value, bool)):
            raise self.bad(field, f"{field!r} is {_kind(value)}, not {_WORDS[want]}")
        return value

    def items(self, data: Any, key: str, want: type) -> list:
        """A list field whose every item is of type `want`."""
        found = self.need(data, key, list)
        for i, item in enumerate(found):
            if not isinstance(item, want) or (want is int and isinstance(item, bool)):
                raise self.bad(f"{key}[{i}]", f"'{key}[{i}]' is {_kind(item)}, not {_WORDS[want]}")
        return found

    def text(self, data: Any, key: str, field: str, *, optional: bool = False) -> str | None:
        return self.need(data, key, str, field, optional=optional)


def parse_token(data: Mapping[str, Any]) -> tuple[str, float]:
    """gettoken -> (access_token, its lifetime in seconds)."""
    answer = _Answer(GETTOKEN)
    token = answer.need(data, "access_token", str)
    if not token:
        raise answer.bad("access_token", "'access_token' is empty")
    return token, float(answer.need(data, "expires_in", int))


def parse_chat_info(data: Mapping[str, Any], chat_id: str) -> LiveChat:
    """appchat/get -> LiveChat: `chat_info` with `name`, `owner` and `userlist`."""
    answer = _Answer(APPCHAT_GET, f"chat {chat_id}", chat_id)
    info = answer.need(data, "chat_info", dict)
    users = answer.need(info, "userlist", list, "chat_info.userlist")
    for i, user in enumerate(users):
        if not isinstance(user, str):
            raise answer.bad(f"chat_info.userlist[{i}]", f"'chat_info.userlist[{i}]' is {_kind(user)}, not a string")
    owner = answer.text(info, "owner", "chat_info.owner")
    name = answer.text(info, "name", "chat_info.name")
    return LiveChat(chat_id=chat_id, name=name, owner=owner, members=frozenset(users))


def parse_department_simplelist(data: Mapping[str, Any], root: int | None) -> list[Department]:
    """department/simplelist -> every department of the answer, each with an
    integer `id` and `parentid` (a department without them would silently
    drop its subtree's users)."""
    answer = _Answer(DEPARTMENT_SIMPLELIST, "every department" if root is None else f"department {root}")
    found = []
    for i, item in enumerate(answer.items(data, "department_id", dict)):
        ident = answer.need(item, "id", int, f"department_id[{i}].id")
        parent = answer.need(item, "parentid", int, f"department_id[{i}].parentid")
        found.append(Department(ident, parent))
    return found


def parse_department_get(data: Mapping[str, Any], dept: int) -> str:
    """department/get -> the department's name."""
    answer = _Answer(DEPARTMENT_GET, f"department {dept}")
    return answer.text(answer.need(data, "department", dict), "name", "department.name")


def _users(answer: _Answer, data: Mapping[str, Any]) -> list[tuple[str, str | None]]:
    found = []
    for i, user in enumerate(answer.items(data, "userlist", dict)):
        userid = answer.text(user, "userid", f"userlist[{i}].userid")
        if not userid:
            raise answer.bad(f"userlist[{i}].userid", f"'userlist[{i}].userid' is empty")
        found.append((userid, answer.text(user, "name", f"userlist[{i}].name", optional=True) or None))
    return found


def parse_user_simplelist(data: Mapping[str, Any], dept: int) -> list[tuple[str, str | None]]:
    """user/simplelist -> (userid, display name or None) of each user directly in `dept`."""
    return _users(_Answer(USER_SIMPLELIST, f"department {dept}"), data)


def parse_user_get(data: Mapping[str, Any], user_id: str) -> tuple[int, str | None]:
    """user/get -> (status, name or None): status 5 is someone who left."""
    answer = _Answer(USER_GET, f"user {user_id}")
    return answer.need(data, "status", int), answer.text(data, "name", "name", optional=True) or None


def parse_tag_get(data: Mapping[str, Any], tag_id: int) -> tuple[Tag, list[tuple[str, str | None]]]:
    """tag/get -> the Tag (its users and departments), and (userid, name) of its users."""
    answer = _Answer(TAG_GET, f"tag {tag_id}")
    users = _users(answer, data)
    departments = tuple(answer.items(data, "partylist", int))
    name = answer.text(data, "tagname", "tagname", optional=True) or ""
    return Tag(tag_id, name, tuple(u for u, _ in users), departments), users


def parse_media_upload(data: Mapping[str, Any]) -> str:
    """media/upload -> the media_id."""
    answer = _Answer(MEDIA_UPLOAD)
    media_id = answer.need(data, "media_id", str)
    if not media_id:
        raise answer.bad("media_id", "'media_id' is empty")
    return media_id
