"""One API request that apply will send, as the plan shows it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reconciler.core.facts import APPCHAT_CREATE, APPCHAT_UPDATE

# The contract's key order of each body, so every output shows it the same way.
CREATE_BODY = ("chatid", "name", "owner", "userlist")
UPDATE_BODY = ("chatid", "name", "owner", "add_user_list", "del_user_list")
USER_LISTS = ("userlist", "add_user_list", "del_user_list")


@dataclass(frozen=True)
class Call:
    """The body is a plain dict (it goes straight to JSON); it takes no part
    in hashing."""

    method: str = "POST"
    path: str = APPCHAT_UPDATE
    body: dict[str, Any] = field(default_factory=dict, hash=False)

    @property
    def data(self) -> dict[str, Any]:
        order = CREATE_BODY if self.path == APPCHAT_CREATE else UPDATE_BODY
        body = {k: _copy(self.body[k]) for k in order if k in self.body}
        body.update({k: _copy(v) for k, v in self.body.items() if k not in body})
        return {"method": self.method, "path": self.path, "body": body}


def create(chat_id: str, name: str, owner: str, members) -> Call:
    return Call("POST", APPCHAT_CREATE, {"chatid": chat_id, "name": name, "owner": owner,
                                         "userlist": sorted(members)})


def update(chat_id: str, *, name: str | None = None, owner: str | None = None,
           add=(), remove=()) -> Call:
    """An appchat/update carrying only what is given."""
    body: dict[str, Any] = {"chatid": chat_id}
    if name is not None:
        body["name"] = name
    if owner is not None:
        body["owner"] = owner
    if add:
        body["add_user_list"] = sorted(add)
    if remove:
        body["del_user_list"] = sorted(remove)
    return Call("POST", APPCHAT_UPDATE, body)


def _copy(value: Any) -> Any:
    return list(value) if isinstance(value, (list, tuple)) else value
