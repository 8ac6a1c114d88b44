"""The per-file check: the packaged JSON Schema, run with jsonschema, its
errors turned into located messages a person can act on.

jsonschema is imported only when a file needs it (the quick accept test
did not accept all of it): importing it and checking the schema cost a
quarter of a second, more than the rest of `appchat validate` on a small
valid file."""

from __future__ import annotations

import difflib
import json
import re
from functools import lru_cache
import pkgutil
from typing import TYPE_CHECKING, Any, Iterator

from reconciler.config.diagnostics import Diagnostic, error
from reconciler.config.yamldata import at, is_yaml_trap, kind, node_at
from reconciler.config.yamlnodes import ParsedFile

if TYPE_CHECKING:
    import jsonschema

SCHEMA_RESOURCE = "chats.schema.json"
TOP_KEYS = ("groups", "chats")
CHAT_KEYS = ("name", "owner", "members", "prune")
ID_CHARS = "1-64 characters of letters, digits, '-', '_', '.'"
_EXPECTED = {"object": "a mapping", "array": "a list", "string": "a string",
             "boolean": "true or false", "null": "empty"}


def schema_text() -> str:
    """The schema as shipped inside the installed package (pkgutil, not
    importlib.resources: the same loader call, a tenth of the import time)."""
    data = pkgutil.get_data("reconciler", f"data/{SCHEMA_RESOURCE}")
    if data is None:  # pragma: no cover - a loader that cannot read package data
        raise FileNotFoundError(f"reconciler/data/{SCHEMA_RESOURCE} is missing from the installed package")
    return data.decode("utf-8")


@lru_cache(maxsize=1)
def inlined_schema() -> dict:
    """The shipped schema with its $refs inlined. The file keeps them (editors
    show the shared descriptions); inlined, jsonschema takes half the time
    on a big file: resolving a $ref costs more than checking what it
    points at."""
    schema = json.loads(schema_text())
    return _inline_refs(schema, schema.get("$defs", {}))


@lru_cache(maxsize=1)
def validator() -> "jsonschema.Draft202012Validator":
    import jsonschema

    jsonschema.Draft202012Validator.check_schema(json.loads(schema_text()))
    return jsonschema.Draft202012Validator(inlined_schema())


def _python_pattern(pattern: str) -> str:
    # ECMA-262's `$` (what the schema means) is the end of the text; Python's
    # also matches before a final newline, which would let "bob\n" through.
    return pattern[:-1] + r"\Z" if pattern.endswith("$") else pattern


def _inline_refs(node: Any, defs: dict) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref", "")
        if ref.startswith("#/$defs/"):
            rest = {k: v for k, v in node.items() if k != "$ref"}
            return {**_inline_refs(defs[ref.removeprefix("#/$defs/")], defs), **_inline_refs(rest, defs)}
        return {k: _python_pattern(v) if k == "pattern" and isinstance(v, str) else _inline_refs(v, defs)
                for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [_inline_refs(v, defs) for v in node]
    return node


def check(parsed: ParsedFile) -> list[Diagnostic]:
    """Every schema error of one parsed file, located."""
    if parsed.root is None:
        return []
    out = [_bad_key(parsed, path, node) for path, node in parsed.bad_keys]
    valid, suspects = quick().suspects(parsed.data, parsed.checked)
    if valid:
        return out
    for err in validator().iter_errors(suspects):
        out.extend(_translate(parsed, err))
    return out


@lru_cache(maxsize=1)
def quick() -> "QuickCheck":
    return QuickCheck(inlined_schema())


class QuickCheck:
    """A fast accept test for the common case, a valid file. jsonschema
    walks the data node by node through its keyword machinery (about 6 s per
    million member entries); this walks it with the schema's own patterns
    and bounds, mostly in C (`map` of a compiled pattern over a member list).

    It only ever answers "certainly valid" for a group or chat: whatever it
    is unsure of goes to jsonschema, which stays the one source of the
    messages. Errors are independent between the entries of `groups` and
    `chats` (no keyword looks across them), so jsonschema is run on the file
    cut down to the entries the quick test did not accept: the same errors at
    the same paths, for a fraction of the work."""

    def __init__(self, schema: dict):
        props = schema["properties"]
        groups, chats = props["groups"], props["chats"]
        chat = chats["additionalProperties"]
        fields = chat["properties"]
        self.top_keys = frozenset(props)
        self.group_name = re.compile(groups["propertyNames"]["pattern"]).search
        self.group_item = re.compile(groups["additionalProperties"]["items"]["pattern"]).search
        self.chat_id = re.compile(chats["propertyNames"]["pattern"]).search
        self.chat_keys = frozenset(fields)
        self.required = frozenset(chat["required"])
        self.name_len = (fields["name"]["minLength"], fields["name"]["maxLength"])
        self.owner = re.compile(fields["owner"]["pattern"]).search
        self.member = re.compile(fields["members"]["items"]["pattern"]).search
        self.min_members = fields["members"]["minItems"]
        # What the accept test assumes of the schema; a change to it must
        # change this class too, not be silently ignored.
        assert schema["type"] == "object" and schema["additionalProperties"] is False
        assert groups["type"] == chats["type"] == ["object", "null"]
        assert groups["additionalProperties"]["uniqueItems"] and fields["members"]["uniqueItems"]
        assert chat["additionalProperties"] is False and fields["prune"]["type"] == "boolean"

    def suspects(self, data: Any, checked: set[int] | None = None) -> tuple[bool, Any]:
        """(True, None) when the file is certainly valid; else (False, the
        data to give jsonschema): the file with only the entries not
        accepted here. The ids of the member lists accepted are added to
        `checked`."""
        checked = checked if checked is not None else set()
        if type(data) is not dict or not data.keys() <= self.top_keys:
            return False, data
        cut: dict[str, Any] = {}
        clean = True
        for top, section in data.items():
            if section is None:
                cut[top] = section
                continue
            if type(section) is not dict:
                cut[top] = section
                clean = False
                continue
            if top == "groups":
                bad = {k: v for k, v in section.items() if not (self.group_name(k) and self._list_ok(v, self.group_item, 0, checked))}
            else:
                bad = {k: v for k, v in section.items() if not (self.chat_id(k) and self._chat_ok(v, checked))}
            cut[top] = bad
            clean = clean and not bad
        return (True, None) if clean else (False, cut)

    def _list_ok(self, items: Any, pattern: Any, min_items: int, checked: set[int]) -> bool:
        if type(items) is not list or len(items) < min_items:
            return False
        try:
            if not all(map(pattern, items)):
                return False
        except TypeError:  # not a string: jsonschema says what it is
            return False
        if len(set(items)) != len(items):
            return False
        checked.add(id(items))
        return True

    def _chat_ok(self, chat: Any, checked: set[int]) -> bool:
        if type(chat) is not dict or not chat.keys() <= self.chat_keys or not self.required <= chat.keys():
            return False
        name, owner = chat["name"], chat["owner"]
        if type(name) is not str or not self.name_len[0] <= len(name) <= self.name_len[1]:
            return False
        if type(owner) is not str or not self.owner(owner):
            return False
        if "prune" in chat and type(chat["prune"]) is not bool:
            return False
        return self._list_ok(chat["members"], self.member, self.min_members, checked)


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
        case ("chats", c):
            return f"chat {c!r}"
        case ("chats", c, "members", _):
            return f"a member of chat {c!r}"
        case ("chats", c, field):
            return f"{field} of chat {c!r}"
    return "/".join(map(str, path))


def _quote_hint(node: Any) -> str:
    if is_yaml_trap(node) and node.value != "":
        return f'; quote it: "{node.value}"'
    return ""


def _bad_key(parsed: ParsedFile, path: tuple, key_node: Any) -> Diagnostic:
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


def _translate(parsed: ParsedFile, err: jsonschema.ValidationError) -> Iterator[Diagnostic]:
    path = tuple(err.absolute_path)
    key_node, node = node_at(parsed.root, path)
    here = at(parsed.file, node)
    keyword = err.validator
    in_names = "propertyNames" in err.absolute_schema_path
    if in_names:  # the error is about a key of the mapping at `path`
        name = err.instance
        key_node, _ = node_at(parsed.root, path + (name,))
        where = at(parsed.file, key_node) if key_node is not None else here
        if path == ("chats",):
            yield error(where, f"invalid chat id {name!r}: use 1-32 characters of 0-9 a-z A-Z")
        else:
            yield error(where, f"invalid group name {name!r}: use {ID_CHARS}")
        return
    if keyword == "type":
        # "quote it" only helps where a string is wanted, not for prune or a list
        hint = _quote_hint(node) if "string" in err.validator_value else ""
        yield error(here, f"{what(path)} must be {_expected(path, err.validator_value)}, got {kind(node)}{hint}")
    elif keyword == "pattern":
        value = err.instance
        if len(path) == 3 and path[2] == "owner":
            yield error(here, f"invalid user id {value!r} for the owner of chat {path[1]!r}: use {ID_CHARS}")
        elif value.startswith("@"):
            yield error(here, f"invalid group reference {value!r} in {_container(path)}: "
                              f"write '@' and a group name of {ID_CHARS}")
        else:
            yield error(here, f"invalid user id {value!r} in {_container(path)}: use {ID_CHARS}")
    elif keyword in ("minLength", "maxLength"):
        yield error(here, f"the name of chat {path[1]!r} must be 1-50 characters, got {len(err.instance)}")
    elif keyword == "additionalProperties":
        allowed = TOP_KEYS if path == () else CHAT_KEYS
        for name in err.instance:
            if name in allowed:
                continue
            extra_key, _ = node_at(parsed.root, path + (name,))
            where = at(parsed.file, extra_key) if extra_key is not None else here
            expected = ", ".join(allowed)
            yield error(where, f"unknown key {name!r} in {what(path)} (expected {expected}){_did_you_mean(name, allowed)}")
    elif keyword == "required":
        where = at(parsed.file, key_node) if key_node is not None else here
        for name in err.validator_value:
            if name not in err.instance:
                yield error(where, f"{what(path)} has no {name!r}")
    elif keyword == "uniqueItems":
        yield from _duplicates(parsed, path, node)
    elif keyword == "minItems":
        return  # the member count rule says it, after group expansion
    else:  # pragma: no cover - the schema uses no other keywords
        yield error(here, f"{what(path)}: {err.message}")


def _expected(path: tuple, types: Any) -> str:
    match path:
        case ("chats", _, "prune"):
            return "true or false"
        case ("chats", _, "owner"):
            return "a string (a user id)"
        case ("chats", _, "members", _) | ("groups", _, _):
            return 'a string (a user id or "@group")'
    types = types if isinstance(types, list) else [types]
    return " or ".join(_EXPECTED.get(t, t) for t in types if t != "null")


def _container(path: tuple) -> str:
    return f"the members of {what(path[:-2])}" if path[:1] == ("chats",) else what(path[:-1])


def _did_you_mean(name: str, allowed: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(str(name), allowed, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _duplicates(parsed: ParsedFile, path: tuple, node: Any) -> Iterator[Diagnostic]:
    seen: dict[Any, Any] = {}
    list_name = f"the members of {what(path[:2])}" if path[:1] == ("chats",) else what(path)
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


