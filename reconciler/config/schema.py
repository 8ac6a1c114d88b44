"""The per-file check: the packaged JSON Schema, run with jsonschema, its
errors turned into located messages a person can act on.

jsonschema is imported only when a file needs it (the quick accept test
did not accept all of it): importing it and checking the schema cost a
quarter of a second, more than the rest of `appchat validate` on a small
valid file."""

from __future__ import annotations

import json
import re
from functools import lru_cache
import pkgutil
from typing import TYPE_CHECKING, Any, Container

from reconciler.config.diagnostics import Diagnostic
from reconciler.config.schemamessages import bad_key, translate
from reconciler.config.yamlnodes import ParsedFile

if TYPE_CHECKING:
    import jsonschema

SCHEMA_RESOURCE = "chats.schema.json"


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
    # The schema allows null for the empty file an editor sees in a file of
    # comments; that file never reaches this check (no root node), and an
    # explicit `~` document is refused as not a mapping.
    schema["type"] = "object"
    return _inline_refs(schema, schema.get("$defs", {}))


@lru_cache(maxsize=1)
def validator() -> "jsonschema.Draft202012Validator":
    import jsonschema

    jsonschema.Draft202012Validator.check_schema(json.loads(schema_text()))
    return jsonschema.Draft202012Validator(inlined_schema())


# The schema refuses the words YAML 1.1 reads as booleans as ids and names,
# even quoted, since a JSON Schema cannot see quotes. validate can: its own
# check (config.yamlwords) refuses them unquoted, so the check it runs here
# leaves them out, and a quoted "no" is a user id as the contract says.
NOT_A_BOOLEAN_WORD = "(?!(?:[yY][eE][sS]|[nN][oO]|[oO][nN]|[oO][fF][fF]|[tT][rR][uU][eE]|[fF][aA][lL][sS][eE])$)"
# `until` must be a day that exists: the schema says so with a calendar
# pattern; validate's own check (config.entries) says it better (the day
# that does not exist), so the check here is the form and the years only.
_LOOSE_DATE = "^(19[0-9]{2}|[2-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])-[0-9]{2}-[0-9]{2}$"


def _python_pattern(pattern: str) -> str:
    pattern = pattern.replace(NOT_A_BOOLEAN_WORD, "")
    if "-02-29)$" in pattern:  # the calendar pattern of `until`
        pattern = _LOOSE_DATE
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
    out = [bad_key(parsed, path, node) for path, node in parsed.bad_keys]
    valid, suspects = quick().suspects(parsed.data, parsed.checked, parsed.clean)
    if valid:
        return out
    for err in validator().iter_errors(suspects):
        out.extend(translate(parsed, err))
    return out


@lru_cache(maxsize=1)
def quick() -> "QuickCheck":
    return QuickCheck(json.loads(schema_text()))


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
        defs, props = schema["$defs"], schema["properties"]
        groups, chats = props["groups"], props["chats"]
        chat = defs["chat"]
        fields = chat["properties"]
        self.top_keys = frozenset(props)
        self.group_name = re.compile(_python_pattern(defs["groupName"]["pattern"])).search
        # A member list the quick test accepts holds strings only; a mapping
        # entry (an end date) goes to jsonschema.
        self.member = re.compile(_python_pattern(defs["memberString"]["pattern"])).search
        self.group_item = self.member
        self.chat_id = re.compile(_python_pattern(defs["chatId"]["pattern"])).search
        self.chat_keys = frozenset(fields) - {"exclude"}  # rare: jsonschema checks a chat with one
        self.required = frozenset(chat["required"])
        self.name_len = (fields["name"]["minLength"], fields["name"]["maxLength"])
        self.name_chars = re.compile(_python_pattern(fields["name"]["pattern"])).search
        self.owner = re.compile(_python_pattern(defs["userId"]["pattern"])).search
        self.min_members = fields["members"]["minItems"]
        self.flags = tuple(k for k, f in fields.items() if f.get("type") == "boolean")  # prune, announce
        # What the accept test assumes of the schema; a change to it must
        # change this class too, not be silently ignored.
        assert schema["type"] == ["object", "null"] and schema["additionalProperties"] is False
        assert groups["type"] == chats["type"] == ["object", "null"]
        assert groups["additionalProperties"] == {"$ref": "#/$defs/groupMembers"}
        assert chats["additionalProperties"] == {"$ref": "#/$defs/chat"}
        assert defs["groupMembers"]["uniqueItems"] and fields["members"]["uniqueItems"]
        assert defs["memberEntry"]["anyOf"][0] == {"$ref": "#/$defs/memberString"}
        assert fields["owner"] == {"$ref": "#/$defs/userId", "description": fields["owner"]["description"]}
        assert chat["additionalProperties"] is False and fields["prune"]["type"] == "boolean"

    def suspects(self, data: Any, checked: set[int] | None = None,
                 lifted: Container[int] = frozenset()) -> tuple[bool, Any]:
        """(True, None) when the file is certainly valid; else (False, the
        data to give jsonschema): the file with only the entries not
        accepted here. The ids of the member lists accepted are added to
        `checked`. `lifted`: the ids of lists whose items are known to be
        well-formed user ids, each once (ParsedFile.clean)."""
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
                bad = {k: v for k, v in section.items() if not (self.group_name(k) and self._list_ok(v, self.group_item, 0, checked, lifted))}
            else:
                bad = {k: v for k, v in section.items() if not (self.chat_id(k) and self._chat_ok(v, checked, lifted))}
            cut[top] = bad
            clean = clean and not bad
        return (True, None) if clean else (False, cut)

    def _list_ok(self, items: Any, pattern: Any, min_items: int, checked: set[int], lifted) -> bool:
        if type(items) is not list or len(items) < min_items:
            return False
        if id(items) in lifted:  # plain user ids, each once: they match `member` (tests/config/test_fastpath.py)
            checked.add(id(items))
            return True
        try:
            if not all(map(pattern, items)):
                return False
        except TypeError:  # not a string: jsonschema says what it is
            return False
        if len(set(items)) != len(items):
            return False
        checked.add(id(items))
        return True

    def _chat_ok(self, chat: Any, checked: set[int], lifted) -> bool:
        if type(chat) is not dict or not chat.keys() <= self.chat_keys or not self.required <= chat.keys():
            return False
        name, owner = chat["name"], chat["owner"]
        if type(name) is not str or not self.name_len[0] <= len(name) <= self.name_len[1]:
            return False
        if not self.name_chars(name):
            return False
        if type(owner) is not str or not self.owner(owner):
            return False
        if any(type(chat[k]) is not bool for k in self.flags if k in chat):
            return False
        return self._list_ok(chat["members"], self.member, self.min_members, checked, lifted)


