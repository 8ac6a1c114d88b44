"""JSON Schema errors turned into messages a person can act on, at the
place in the file they are about (FILE:LINE:COL)."""

from __future__ import annotations

import difflib
import unicodedata
from typing import TYPE_CHECKING, Any, Iterator

from reconciler.config.diagnostics import Diagnostic, error
from reconciler.config.yamldata import at, is_yaml_trap, kind, node_at
from reconciler.config.yamlnodes import ParsedFile
from reconciler.core.facts import CHAT_ID_RULE, GROUP_NAME_RULE, USER_ID_RULE, forbidden_in_name

if TYPE_CHECKING:
    import jsonschema

TOP_KEYS = ("groups", "chats")
CHAT_KEYS = ("name", "owner", "members", "exclude", "prune", "announce")
ENTRY_KEYS = ("user", "group", "dept", "tag", "until", "reason", "may_be_empty")
_NOT_IN_EXCLUDE = ("until", "may_be_empty")  # config.entries says why they are not allowed there
_EXPECTED = {"object": "a mapping", "array": "a list", "string": "a string",
             "boolean": "true or false", "null": "empty", "integer": "a whole number"}
_LISTS = {"members": "the members", "exclude": "the exclude list"}


def what(path: tuple) -> str:
    """The thing at a data path, in words."""
    match path:
        case ():
            return "a chat file"
        case (top,):
            return str(top)
        case ("groups", g):
            return f"group {g!r}"
        case ("groups", g, _):
            return f"a member of group {g!r}"
        case ("groups", g, _, field):
            return f"{field} of a member entry of group {g!r}"
        case ("chats", c):
            return f"chat {c!r}"
        case ("chats", c, "members", _):
            return f"a member of chat {c!r}"
        case ("chats", c, "exclude", _):
            return f"an entry of the exclude list of chat {c!r}"
        case ("chats", c, "members" | "exclude" as where, _, field):
            return f"{field} of {'a member entry' if where == 'members' else 'an exclude entry'} of chat {c!r}"
        case ("chats", c, field):
            return f"{field} of chat {c!r}"
    return "/".join(map(str, path))


def _quote_hint(node: Any) -> str:
    if is_yaml_trap(node) and node.value != "":
        return f'; quote it: "{node.value}"'
    return ""


def bad_key(parsed: ParsedFile, path: tuple, key_node: Any) -> Diagnostic:
    match path:
        case ():
            name = "a top-level key"
        case ("groups",):
            name = "a group name"
        case ("chats",):
            name = "a chat id"
        case ("chats", c):
            name = f"a key of chat {c!r}"
        case _:
            name = f"a key in {what(path)}"
    return error(at(parsed.file, key_node),
                 f"{name} must be a string, got {kind(key_node)}{_quote_hint(key_node)}")


def translate(parsed: ParsedFile, err: "jsonschema.ValidationError") -> Iterator[Diagnostic]:
    path = tuple(err.absolute_path)
    key_node, node = node_at(parsed.root, path)
    here = at(parsed.file, node)
    keyword = err.validator
    if "dependentSchemas" in err.absolute_schema_path:
        return  # may_be_empty on a user or group entry: config.entries says it
    in_names = "propertyNames" in err.absolute_schema_path
    if in_names:  # the error is about a key of the mapping at `path`
        name = err.instance
        key_node, _ = node_at(parsed.root, path + (name,))
        where = at(parsed.file, key_node) if key_node is not None else here
        if path == ("chats",):
            yield error(where, f"invalid chat id {name!r}: use {CHAT_ID_RULE}")
        else:
            yield error(where, f"invalid group name {name!r}: use {GROUP_NAME_RULE}")
        return
    if keyword == "anyOf":  # a member entry: a string or a mapping; say what is wrong with the one written
        branch = 0 if isinstance(err.instance, str) else 1 if isinstance(err.instance, dict) else None
        if branch is None:
            yield error(here, f"{what(path)} must be {_expected(path, None)}, got {kind(node)}{_quote_hint(node)}")
            return
        for sub in err.context or ():
            if sub.relative_schema_path and sub.relative_schema_path[0] == branch:
                yield from translate(parsed, sub)
        return
    if keyword == "type":
        # "quote it" only helps where a string is wanted, not for prune or a list
        hint = _quote_hint(node) if "string" in err.validator_value else ""
        yield error(here, f"{what(path)} must be {_expected(path, err.validator_value)}, got {kind(node)}{hint}")
    elif keyword == "pattern" and path[:1] == ("chats",) and path[2:] == ("name",):
        yield error(here, bad_name_message(path[1], err.instance))
    elif keyword == "pattern":
        yield _pattern(here, path, err.instance)
    elif keyword in ("minLength", "maxLength"):
        if path[-1] == "reason":
            yield error(here, f"{what(path)} must be 1-200 characters, got {len(err.instance)}")
        else:
            yield error(here, f"the name of chat {path[1]!r} must be 1-50 characters, got {len(err.instance)}")
    elif keyword == "minimum":
        yield error(here, f"{what(path)} must be a positive whole number (a WeCom {path[-1]} id), got {err.instance}")
    elif keyword == "additionalProperties":
        yield from _unknown_keys(parsed, path, err, here)
    elif keyword == "required":
        where = at(parsed.file, key_node) if key_node is not None else here
        for name in err.validator_value:
            if name not in err.instance:
                yield error(where, f"{what(path)} has no {name!r}")
    elif keyword == "uniqueItems":
        yield from _duplicates(parsed, path, node)
    elif keyword in ("minItems", "minProperties", "oneOf"):
        return  # the member count rule says it after expansion; config.entries says what an entry lacks
    else:  # pragma: no cover - the schema uses no other keywords
        yield error(here, f"{what(path)}: {err.message}")


def _pattern(here, path: tuple, value: str) -> Diagnostic:
    field = path[-1] if path and isinstance(path[-1], str) else None
    if len(path) == 3 and path[2] == "owner":
        return error(here, f"invalid user id {value!r} for the owner of chat {path[1]!r}: use {USER_ID_RULE}")
    if field == "until":
        return error(here, f"{what(path)} must be a date YYYY-MM-DD from 1900-01-01 to 9998-12-31, got {value!r}")
    if field == "group" or value.startswith("@"):
        return error(here, f"invalid group reference {value!r} in {_container(path)}: "
                           f"write '@' and a group name of {GROUP_NAME_RULE}")
    if value.startswith(("dept:", "tag:")):
        kind_of = value.split(":", 1)[0]
        noun = "department" if kind_of == "dept" else "tag"
        return error(here, f"invalid {noun} entry {value!r} in {_container(path)}: write {kind_of}:ID with "
                           f"the {noun}'s id, a positive whole number")
    return error(here, f"invalid user id {value!r} in {_container(path)}: use {USER_ID_RULE}")


def _unknown_keys(parsed: ParsedFile, path: tuple, err, here) -> Iterator[Diagnostic]:
    if path == ():
        allowed = TOP_KEYS
    elif len(path) == 2:
        allowed = CHAT_KEYS
    else:  # a member entry's mapping
        allowed = ENTRY_KEYS if "exclude" not in path else tuple(k for k in ENTRY_KEYS if k not in _NOT_IN_EXCLUDE)
    for name in err.instance:
        if name in allowed or (name in _NOT_IN_EXCLUDE and "exclude" in path):
            continue  # `until` or `may_be_empty` under exclude: config.entries says why they are not allowed
        extra_key, _ = node_at(parsed.root, path + (name,))
        where = at(parsed.file, extra_key) if extra_key is not None else here
        yield error(where, f"unknown key {name!r} in {what(path)} (expected {', '.join(allowed)})"
                           f"{_did_you_mean(name, allowed)}")


def _expected(path: tuple, types: Any) -> str:
    match path:
        case ("chats", _, "prune" | "announce"):
            return "true or false"
        case ("chats", _, "owner"):
            return "a string (a user id)"
        case ("chats", _, "members" | "exclude", _) | ("groups", _, _):
            return 'a string (a user id, "@group", "dept:ID" or "tag:ID") or a mapping (user: ID, until: DATE)'
        case (*_, "dept" | "tag" as which) if len(path) >= 4:
            return f"a whole number (a WeCom {'department' if which == 'dept' else 'tag'} id)"
        case (*_, "until") if len(path) >= 4:
            return "a date YYYY-MM-DD"
    types = types if isinstance(types, list) else [types]
    return " or ".join(_EXPECTED.get(t, t) for t in types if t != "null")


def _container(path: tuple) -> str:
    at_item = path[:-1] if path and isinstance(path[-1], str) and len(path) >= 5 else path
    if at_item[:1] == ("chats",) and len(at_item) >= 4:
        return f"{_LISTS.get(at_item[2], 'the members')} of chat {at_item[1]!r}"
    return what(at_item[:-1])


def _did_you_mean(name: str, allowed: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(str(name), allowed, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _duplicates(parsed: ParsedFile, path: tuple, node: Any) -> Iterator[Diagnostic]:
    seen: dict[Any, Any] = {}
    if path[:1] == ("chats",):
        list_name = f"{_LISTS.get(path[2], 'the members')} of {what(path[:2])}"
    else:
        list_name = what(path)
    for item in getattr(node, "value", []):
        value = getattr(item, "value", None)
        if not isinstance(value, str):
            continue
        key = (item.tag, value)
        if key in seen:
            first = seen[key].start_mark
            yield error(at(parsed.file, item),
                        f"{value!r} is listed twice in {list_name} (first at line {first.line + 1}, "
                        f"column {first.column + 1})")
        else:
            seen[key] = item


def bad_name_message(chat_id: str, name: str) -> str:
    char = forbidden_in_name(name) or "?"
    what = "a control character" if unicodedata.category(char) == "Cc" else "a bidirectional control character"
    label = unicodedata.name(char, "")
    return (f"the name of chat {chat_id!r} contains {what} (U+{ord(char):04X}{' ' + label if label else ''}), "
            f"which could hide or reorder text where the name is shown; remove it")
