"""The plan: what `appchat plan` shows and `appchat apply` executes.

A plan is a list of small Change values (after octoDNS's plan/change). Every
output — text, JSON, markdown, the saved plan file — is fed from the same
`.data` views, so they cannot disagree. `Plan.from_data` is the strict inverse
of `Plan.data`: the saved-plan reader relies on it to refuse anything that is
not a plan this program could have written.

Pure: no I/O, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Iterable, Mapping

from reconciler.constants import APPCHAT_CREATE, APPCHAT_UPDATE, PLAN_FORMAT_VERSION
from reconciler.model import ReadError
from reconciler.people import people_summary

ACTIONS = ("create", "update")
_CREATE_BODY = ("chatid", "name", "owner", "userlist")
_UPDATE_BODY = ("chatid", "name", "owner", "add_user_list", "del_user_list")
_USER_LISTS = ("userlist", "add_user_list", "del_user_list")


def _fail(where: str, message: str) -> None:
    raise ValueError(f"not a valid plan: {where}: {message}")


def _sorted_ids(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(values)))


@dataclass(frozen=True)
class ChatState:
    """A chat as the plan sees it, before or after. Members are kept sorted
    and unique whatever iterable they were given as."""

    name: str
    owner: str
    members: tuple[str, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "members", _sorted_ids(self.members))

    @property
    def data(self) -> dict[str, Any]:
        return {"name": self.name, "owner": self.owner, "members": list(self.members)}

    @classmethod
    def from_data(cls, data: Any, where: str = "state") -> ChatState:
        _check_keys(data, ("name", "owner", "members"), where)
        _check_str(data["name"], f"{where}.name")
        _check_str(data["owner"], f"{where}.owner")
        members = _check_id_list(data["members"], f"{where}.members")
        return cls(data["name"], data["owner"], members)


@dataclass(frozen=True)
class Call:
    """One API request apply will send. The body is a plain dict (it goes
    straight to JSON); it takes no part in hashing."""

    method: str = "POST"
    path: str = APPCHAT_UPDATE
    body: dict[str, Any] = field(default_factory=dict, hash=False)

    @property
    def data(self) -> dict[str, Any]:
        order = _CREATE_BODY if self.path == APPCHAT_CREATE else _UPDATE_BODY
        body = {k: _copy(self.body[k]) for k in order if k in self.body}
        body.update({k: _copy(v) for k, v in self.body.items() if k not in body})
        return {"method": self.method, "path": self.path, "body": body}

    @classmethod
    def from_data(cls, data: Any, where: str = "call") -> Call:
        _check_keys(data, ("method", "path", "body"), where)
        if data["method"] != "POST":
            _fail(f"{where}.method", f"expected \"POST\", got {data['method']!r}")
        path = data["path"]
        if path not in (APPCHAT_CREATE, APPCHAT_UPDATE):
            _fail(f"{where}.path", f"expected {APPCHAT_CREATE!r} or {APPCHAT_UPDATE!r}, got {path!r}")
        body = data["body"]
        if not isinstance(body, Mapping):
            _fail(f"{where}.body", "expected an object")
        allowed = _CREATE_BODY if path == APPCHAT_CREATE else _UPDATE_BODY
        unknown = sorted(set(body) - set(allowed))
        if unknown:
            _fail(f"{where}.body", f"unexpected key(s) {', '.join(unknown)} for {path}")
        required = _CREATE_BODY if path == APPCHAT_CREATE else ("chatid",)
        missing = [k for k in required if k not in body]
        if missing:
            _fail(f"{where}.body", f"missing key(s) {', '.join(missing)}")
        if path == APPCHAT_UPDATE and len(body) < 2:
            _fail(f"{where}.body", "an update call must change something")
        for key in ("chatid", "name", "owner"):
            if key in body:
                _check_str(body[key], f"{where}.body.{key}")
        for key in _USER_LISTS:
            if key in body:
                _check_id_list(body[key], f"{where}.body.{key}")
        return cls("POST", path, {k: _copy(v) for k, v in body.items()})


@dataclass(frozen=True)
class Change:
    """One chat that changes: its state before (None when created), after,
    and the calls that get it there, in order."""

    chat_id: str
    action: str
    source: str
    before: ChatState | None
    after: ChatState
    calls: tuple[Call, ...]
    warnings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"change {self.chat_id}: action must be create or update, not {self.action!r}")
        if (self.action == "create") != (self.before is None):
            raise ValueError(f"change {self.chat_id}: before must be None exactly when the chat is created")
        object.__setattr__(self, "calls", tuple(self.calls))
        object.__setattr__(self, "warnings", tuple(self.warnings))

    @cached_property
    def added(self) -> frozenset[str]:
        """Who joins: every member of a created chat, the new members of an update."""
        before = self.before.members if self.before else ()
        return frozenset(self.after.members) - frozenset(before)

    @cached_property
    def removed(self) -> frozenset[str]:
        if self.before is None:
            return frozenset()
        return frozenset(self.before.members) - frozenset(self.after.members)

    @property
    def data(self) -> dict[str, Any]:
        return {
            "chat_id": self.chat_id,
            "action": self.action,
            "source": self.source,
            "before": self.before.data if self.before else None,
            "after": self.after.data,
            "calls": [c.data for c in self.calls],
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_data(cls, data: Any, where: str = "change") -> Change:
        _check_keys(data, ("chat_id", "action", "source", "before", "after", "calls", "warnings"), where)
        chat_id = data["chat_id"]
        _check_str(chat_id, f"{where}.chat_id")
        where = f"{where} ({chat_id})"
        if data["action"] not in ACTIONS:
            _fail(f"{where}.action", f"expected create or update, got {data['action']!r}")
        _check_str(data["source"], f"{where}.source")
        if data["action"] == "create":
            if data["before"] is not None:
                _fail(f"{where}.before", "must be null for a created chat")
            before = None
        else:
            if data["before"] is None:
                _fail(f"{where}.before", "must be an object for an updated chat")
            before = ChatState.from_data(data["before"], f"{where}.before")
        after = ChatState.from_data(data["after"], f"{where}.after")
        calls_data = data["calls"]
        if not isinstance(calls_data, list) or not calls_data:
            _fail(f"{where}.calls", "expected a non-empty list")
        calls = tuple(Call.from_data(c, f"{where}.calls[{i}]") for i, c in enumerate(calls_data))
        for i, call in enumerate(calls):
            if call.body["chatid"] != chat_id:
                _fail(f"{where}.calls[{i}].body.chatid", f"names {call.body['chatid']!r}, not {chat_id!r}")
            wanted = APPCHAT_CREATE if (data["action"] == "create" and i == 0) else APPCHAT_UPDATE
            if call.path != wanted:
                _fail(f"{where}.calls[{i}].path", f"expected {wanted!r} for a {data['action']}")
        warnings = data["warnings"]
        if not isinstance(warnings, list) or not all(isinstance(w, str) for w in warnings):
            _fail(f"{where}.warnings", "expected a list of strings")
        return cls(chat_id, data["action"], data["source"], before, after, calls, tuple(warnings))


def read_error_data(error: ReadError) -> dict[str, Any]:
    return {"chat_id": error.chat_id, "errcode": error.errcode, "message": error.message}


def read_error_from_data(data: Any, where: str = "error") -> ReadError:
    _check_keys(data, ("chat_id", "errcode", "message"), where)
    _check_str(data["chat_id"], f"{where}.chat_id")
    code = data["errcode"]
    if code is not None and (not isinstance(code, int) or isinstance(code, bool)):
        _fail(f"{where}.errcode", f"expected an integer or null, got {code!r}")
    if not isinstance(data["message"], str):
        _fail(f"{where}.message", "expected a string")
    return ReadError(data["chat_id"], code, data["message"])


@dataclass(frozen=True)
class Plan:
    """Changes sorted by chat id, unchanged chat ids sorted, read errors
    sorted by chat id (sorted here, whatever order they were given in)."""

    changes: tuple[Change, ...] = ()
    unchanged: tuple[str, ...] = ()
    errors: tuple[ReadError, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "changes", tuple(sorted(self.changes, key=lambda c: c.chat_id)))
        object.__setattr__(self, "unchanged", tuple(sorted(self.unchanged)))
        object.__setattr__(self, "errors", tuple(sorted(self.errors, key=lambda e: e.chat_id)))
        seen: set[str] = set()
        for chat_id in [c.chat_id for c in self.changes] + list(self.unchanged) + [e.chat_id for e in self.errors]:
            if chat_id in seen:
                raise ValueError(f"chat {chat_id!r} appears more than once in the plan")
            seen.add(chat_id)

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    @property
    def creates(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.action == "create")

    @property
    def updates(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.action == "update")

    @property
    def summary(self) -> dict[str, int]:
        updates = self.updates
        return {
            "create": len(self.changes) - len(updates),
            "update": len(updates),
            "unchanged": len(self.unchanged),
            "errors": len(self.errors),
            # created chats' members are not counted: only existing chats gain or lose people
            "members_added": sum(len(c.added) for c in updates),
            "members_removed": sum(len(c.removed) for c in updates),
        }

    def change(self, chat_id: str) -> Change | None:
        return next((c for c in self.changes if c.chat_id == chat_id), None)

    @property
    def data(self) -> dict[str, Any]:
        return {
            "format_version": PLAN_FORMAT_VERSION,
            "changes": [c.data for c in self.changes],
            "unchanged": list(self.unchanged),
            "errors": [read_error_data(e) for e in self.errors],
            "summary": self.summary,
            "people": people_summary(self).data,  # issue 8: added after the contract's keys
        }

    @classmethod
    def from_data(cls, data: Any) -> Plan:
        """The strict inverse of `.data`. Top-level keys this version does not
        know are ignored (wrappers such as a saved file's digest live there);
        everything else must be exactly what `.data` writes, or ValueError
        says where it is not."""
        if not isinstance(data, Mapping):
            _fail("top level", f"expected an object, got {type(data).__name__}")
        missing = [k for k in ("format_version", "changes", "unchanged", "errors", "summary") if k not in data]
        if missing:
            _fail("top level", f"missing key(s) {', '.join(missing)}")
        version = data["format_version"]
        if version != PLAN_FORMAT_VERSION or isinstance(version, bool):
            _fail("format_version", f"expected {PLAN_FORMAT_VERSION}, got {version!r}")
        for key in ("changes", "unchanged", "errors"):
            if not isinstance(data[key], list):
                _fail(key, "expected a list")
        changes = tuple(Change.from_data(c, f"changes[{i}]") for i, c in enumerate(data["changes"]))
        ids = [c.chat_id for c in changes]
        if ids != sorted(ids) or len(set(ids)) != len(ids):
            _fail("changes", "must be sorted by chat_id, each chat once")
        unchanged = data["unchanged"]
        if not all(isinstance(u, str) for u in unchanged) or unchanged != sorted(set(unchanged)):
            _fail("unchanged", "expected a sorted list of distinct chat ids")
        errors = tuple(read_error_from_data(e, f"errors[{i}]") for i, e in enumerate(data["errors"]))
        error_ids = [e.chat_id for e in errors]
        if error_ids != sorted(error_ids):
            _fail("errors", "must be sorted by chat_id")
        try:
            plan = cls(changes, tuple(unchanged), errors)
        except ValueError as exc:
            _fail("top level", str(exc))
        if data["summary"] != plan.summary:
            _fail("summary", f"does not match the changes: expected {plan.summary}, got {data['summary']!r}")
        if "people" in data and data["people"] != people_summary(plan).data:
            _fail("people", "does not match the changes")
        return plan


# --- checks for from_data -------------------------------------------------

def _check_keys(data: Any, keys: tuple[str, ...], where: str) -> None:
    if not isinstance(data, Mapping):
        _fail(where, f"expected an object, got {type(data).__name__}")
    missing = [k for k in keys if k not in data]
    if missing:
        _fail(where, f"missing key(s) {', '.join(missing)}")
    extra = sorted(set(data) - set(keys))
    if extra:
        _fail(where, f"unexpected key(s) {', '.join(map(str, extra))}")


def _check_str(value: Any, where: str) -> None:
    if not isinstance(value, str) or not value:
        _fail(where, f"expected a non-empty string, got {value!r}")


def _check_id_list(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        _fail(where, "expected a list of user ids")
    if value != sorted(set(value)):
        _fail(where, "user ids must be sorted and distinct")
    return value


def _copy(value: Any) -> Any:
    return list(value) if isinstance(value, (list, tuple)) else value
