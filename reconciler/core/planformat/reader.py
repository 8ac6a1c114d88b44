"""Reading a plan back from its JSON form: the strict inverse of the writer
(`plan_data`) for everything apply acts on. The keys only views read (`names`,
`expiring`, `read_concurrency`) are not read back: a saved plan's report
shows ids without names.

The saved-plan reader relies on it to refuse anything that is not a plan
this program could have written: a key too many or too few, an unsorted
list, a summary or people view that does not match the changes, and calls
that do not take a chat from its `before` to its `after` (Change refuses
those itself).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Mapping

from reconciler.core.call import CREATE_BODY, UPDATE_BODY, USER_LISTS, Call
from reconciler.core.expiry import Ending
from reconciler.core.facts import APPCHAT_CREATE, APPCHAT_UPDATE
from reconciler.core.model import ReadError, Source
from reconciler.core.plan import Action, Change, InconsistentPlan, Plan, Target
from reconciler.core.planformat import causes
from reconciler.core.planformat.version import UnknownVersion, check_version
from reconciler.core.state import ChatState

CONTRACT_KEYS = ("format_version", "changes", "unchanged", "errors", "summary")


class PlanFormatError(ValueError):
    """Not a plan this program could have written; says where."""


def _fail(where: str, message: str) -> None:
    raise PlanFormatError(f"not a valid plan: {where}: {message}")


def parse_plan(data: Any) -> Plan:
    """Top-level keys this version does not know are ignored (wrappers such
    as a saved file's digest live there); everything else must be exactly
    what the writer writes (`target` is optional here: a saved plan
    requires it, saved.read_saved). InconsistentPlan (a ValueError too) when a
    change's calls do not reach its `after`."""
    if not isinstance(data, Mapping):
        _fail("top level", f"expected an object, got {type(data).__name__}")
    missing = [k for k in CONTRACT_KEYS if k not in data]
    if missing:
        _fail("top level", f"missing key(s) {', '.join(missing)}")
    try:
        check_version(data)
    except UnknownVersion as exc:
        _fail("format_version", str(exc))
    for key in ("changes", "unchanged", "errors"):
        if not isinstance(data[key], list):
            _fail(key, "expected a list")
    changes = tuple(_change(c, f"changes[{i}]") for i, c in enumerate(data["changes"]))
    ids = [c.chat_id for c in changes]
    if ids != sorted(ids) or len(set(ids)) != len(ids):
        _fail("changes", "must be sorted by chat_id, each chat once")
    unchanged = data["unchanged"]
    if not all(isinstance(u, str) for u in unchanged) or unchanged != sorted(set(unchanged)):
        _fail("unchanged", "expected a sorted list of distinct chat ids")
    errors = tuple(_read_error(e, f"errors[{i}]") for i, e in enumerate(data["errors"]))
    error_ids = [e.chat_id for e in errors]
    if error_ids != sorted(error_ids):
        _fail("errors", "must be sorted by chat_id")
    target = _target(data["target"]) if "target" in data else None
    try:
        plan = Plan(changes, tuple(unchanged), errors, target=target)
    except ValueError as exc:
        _fail("top level", str(exc))
    if data["summary"] != plan.summary:
        _fail("summary", f"does not match the changes: expected {plan.summary}, got {data['summary']!r}")
    if "people" in data and data["people"] != plan.people.data:
        _fail("people", "does not match the changes")
    return plan


def _change(data: Any, where: str) -> Change:
    _check_keys(data, ("chat_id", "action", "source", "before", "after", "calls", "warnings"), where,
                optional=("expired", "not_in_directory", "announce", "causes"))
    chat_id = data["chat_id"]
    _check_str(chat_id, f"{where}.chat_id")
    where = f"{where} ({chat_id})"
    try:
        action = Action(data["action"])
    except ValueError:
        _fail(f"{where}.action", f"expected create or update, got {data['action']!r}")
    _check_str(data["source"], f"{where}.source")
    if action is Action.CREATE:
        if data["before"] is not None:
            _fail(f"{where}.before", "must be null for a created chat")
        before = None
    else:
        if data["before"] is None:
            _fail(f"{where}.before", "must be an object for an updated chat")
        before = _state(data["before"], f"{where}.before")
    after = _state(data["after"], f"{where}.after")
    calls_data = data["calls"]
    if not isinstance(calls_data, list) or not calls_data:
        _fail(f"{where}.calls", "expected a non-empty list")
    calls = tuple(_call(c, f"{where}.calls[{i}]") for i, c in enumerate(calls_data))
    for i, call in enumerate(calls):
        if call.body["chatid"] != chat_id:
            _fail(f"{where}.calls[{i}].body.chatid", f"names {call.body['chatid']!r}, not {chat_id!r}")
        wanted = APPCHAT_CREATE if (action is Action.CREATE and i == 0) else APPCHAT_UPDATE
        if call.path != wanted:
            _fail(f"{where}.calls[{i}].path", f"expected {wanted!r} for a {action.value}")
    warnings = data["warnings"]
    if not isinstance(warnings, list) or not all(isinstance(w, str) for w in warnings):
        _fail(f"{where}.warnings", "expected a list of strings")
    expired = tuple(_expired(e, f"{where}.expired[{i}]", chat_id) for i, e in enumerate(data.get("expired", [])))
    if "expired" in data and not expired:
        _fail(f"{where}.expired", "written only when someone's membership ended")
    gone = data.get("not_in_directory")
    if gone is not None:
        gone = tuple(_check_id_list(gone, f"{where}.not_in_directory"))
    if data.get("announce", False) is not False:
        _fail(f"{where}.announce", f"expected false (written only for a chat that opts out), got {data['announce']!r}")
    change = Change(chat_id, action, data["source"], before, after, calls, tuple(warnings), expired, gone,
                    announce="announce" not in data)
    if "causes" not in data:  # a plan saved before changes carried them
        return change
    try:
        found = causes.parse(data["causes"], change.added | change.removed)
    except ValueError as exc:
        _fail(where, str(exc))
    object.__setattr__(change, "causes", found)  # checked against who it adds and removes, once built
    return change


def _expired(data: Any, where: str, chat_id: str) -> Ending:
    _check_keys(data, ("user_id", "until", "reason", "source"), where)
    _check_str(data["user_id"], f"{where}.user_id")
    _check_str(data["source"], f"{where}.source")
    return Ending(chat_id, data["user_id"], *ending_fields(data, where))


def ending_fields(data: Mapping[str, Any], where: str) -> tuple[date, str | None, Source]:
    """The `until`, `reason` and `source` of a membership that ends, as a
    plan writes them (a change's `expired`, the plan's `expiring`)."""
    try:
        until = date.fromisoformat(data["until"])
    except (TypeError, ValueError):
        _fail(f"{where}.until", f"expected a date YYYY-MM-DD, got {data['until']!r}")
    if data["reason"] is not None and not isinstance(data["reason"], str):
        _fail(f"{where}.reason", "expected a string or null")
    return until, data["reason"], located(data["source"], f"{where}.source")


def located(text: str, where: str) -> Source:
    """The Source of FILE:LINE:COL (as a plan writes where an entry is),
    FILE itself possibly holding colons."""
    file, _, rest = text.rpartition(":")
    file, _, line = file.rpartition(":")
    if not (file and whole(line) and whole(rest)):
        _fail(where, f"expected FILE:LINE:COL, got {text!r}")
    return Source(file, int(line), int(rest))


def whole(text: str) -> bool:
    """ASCII digits, short enough to be a line, a column or an id."""
    return text.isascii() and text.isdecimal() and len(text) <= 18


def _state(data: Any, where: str) -> ChatState:
    _check_keys(data, ("name", "owner", "members"), where)
    _check_str(data["name"], f"{where}.name")
    _check_str(data["owner"], f"{where}.owner")
    return ChatState(data["name"], data["owner"], tuple(_check_id_list(data["members"], f"{where}.members")))


def _call(data: Any, where: str) -> Call:
    _check_keys(data, ("method", "path", "body"), where)
    if data["method"] != "POST":
        _fail(f"{where}.method", f"expected \"POST\", got {data['method']!r}")
    path = data["path"]
    if path not in (APPCHAT_CREATE, APPCHAT_UPDATE):
        _fail(f"{where}.path", f"expected {APPCHAT_CREATE!r} or {APPCHAT_UPDATE!r}, got {path!r}")
    body = data["body"]
    if not isinstance(body, Mapping):
        _fail(f"{where}.body", "expected an object")
    allowed = CREATE_BODY if path == APPCHAT_CREATE else UPDATE_BODY
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        _fail(f"{where}.body", f"unexpected key(s) {', '.join(unknown)} for {path}")
    required = CREATE_BODY if path == APPCHAT_CREATE else ("chatid",)
    missing = [k for k in required if k not in body]
    if missing:
        _fail(f"{where}.body", f"missing key(s) {', '.join(missing)}")
    if path == APPCHAT_UPDATE and len(body) < 2:
        _fail(f"{where}.body", "an update call must change something")
    for key in ("chatid", "name", "owner"):
        if key in body:
            _check_str(body[key], f"{where}.body.{key}")
    for key in USER_LISTS:
        if key in body:
            _check_id_list(body[key], f"{where}.body.{key}")
    return Call("POST", path, {k: list(v) if isinstance(v, list) else v for k, v in body.items()})


def _target(data: Any) -> Target:
    _check_keys(data, ("corp_id", "api_base"), "target")
    _check_str(data["corp_id"], "target.corp_id")
    _check_str(data["api_base"], "target.api_base")
    if not data["api_base"].endswith("/"):
        _fail("target.api_base", "must end with '/'")
    return Target(data["corp_id"], data["api_base"])


def _read_error(data: Any, where: str) -> ReadError:
    _check_keys(data, ("chat_id", "errcode", "message"), where, optional=("source",))
    _check_str(data["chat_id"], f"{where}.chat_id")
    code = data["errcode"]
    if code is not None and (not isinstance(code, int) or isinstance(code, bool)):
        _fail(f"{where}.errcode", f"expected an integer or null, got {code!r}")
    if not isinstance(data["message"], str):
        _fail(f"{where}.message", "expected a string")
    if "source" in data:
        _check_str(data["source"], f"{where}.source")
    return ReadError(data["chat_id"], code, data["message"], data.get("source"))


def _check_keys(data: Any, keys: tuple[str, ...], where: str, optional: tuple[str, ...] = ()) -> None:
    if not isinstance(data, Mapping):
        _fail(where, f"expected an object, got {type(data).__name__}")
    missing = [k for k in keys if k not in data]
    if missing:
        _fail(where, f"missing key(s) {', '.join(missing)}")
    extra = sorted(set(data) - set(keys) - set(optional))
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


__all__ = ["parse_plan", "PlanFormatError", "InconsistentPlan"]
