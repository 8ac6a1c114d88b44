"""The WeCom facts: one checker per kind of id, tied to the JSON Schema so
the files, the client and the emulator agree on what an id is."""

from __future__ import annotations

import json

import pytest

from reconciler.config.schema import schema_text
from reconciler.core import facts


def _without_boolean_words(node: dict) -> dict:
    """The schema's patterns without the words YAML 1.1 reads as booleans
    (config.yamlwords refuses them unquoted; the schema, blind to quotes,
    always), which every id and name pattern starts with."""
    from reconciler.config.schema import NOT_A_BOOLEAN_WORD

    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str) and NOT_A_BOOLEAN_WORD in value:
                value = value.replace(NOT_A_BOOLEAN_WORD, "")
            out[key] = _without_boolean_words(value)
        return out
    return [_without_boolean_words(v) for v in node] if isinstance(node, list) else node


def test_the_id_patterns_are_the_schemas():
    raw = json.loads(schema_text())["$defs"]
    for name in ("chatId", "userId", "groupName", "memberString"):
        assert raw[name]["pattern"].startswith("^(?!(?:[yY][eE][sS]|")
    defs = _without_boolean_words(raw)
    assert defs["chatId"]["pattern"] == facts.CHAT_ID_PATTERN
    assert defs["userId"]["pattern"] == facts.USER_ID_PATTERN
    assert defs["groupName"]["pattern"] == facts.GROUP_NAME_PATTERN
    # a member string is "@group", dept:ID, tag:ID, or a user id, each by its own rule
    assert defs["memberString"]["pattern"] == (f"^(@{facts.GROUP_NAME_PATTERN[1:-1]}|(dept|tag):"
                                               f"{facts.DIRECTORY_ID_PATTERN[1:-1]}|{facts.USER_ID_PATTERN[1:-1]})$")
    # and the mapping form {dept: ID} / {tag: ID} has the same bound as the string form
    assert int(facts.DIRECTORY_ID_PATTERN[1:-1].replace("[1-9][0-9]{0,9}", "9" * 10)) == facts.DIRECTORY_ID_MAX
    for mapping in (defs["memberMapping"], defs["excludeEntry"]["anyOf"][1]):
        assert mapping["properties"]["dept"]["maximum"] == mapping["properties"]["tag"]["maximum"] \
            == facts.DIRECTORY_ID_MAX


def test_the_forbidden_name_characters_are_the_schemas():
    name = _without_boolean_words(json.loads(schema_text()))["$defs"]["chat"]["properties"]["name"]
    assert name["pattern"] == f"^[^{facts.CHAT_NAME_FORBIDDEN}]*$"
    for char in ("\x00", "\x1f", "\x7f", "\x9f", "\u202a", "\u202e", "\u2066", "\u2069"):
        assert facts.forbidden_in_name(f"a{char}b") == char
    for char in (" ", "~", "\xa0", "\u2065", "\u202f", "\u206a", "中", "\U0001F600"):
        assert facts.forbidden_in_name(f"a{char}b") is None, repr(char)


@pytest.mark.parametrize("value, ok", [
    ("team", True), ("a" * 32, True), ("a" * 33, False), ("", False), ("team\n", False), ("te am", False),
    ("中文", False), (42, False), (None, False),
])
def test_is_chat_id(value, ok):
    assert facts.is_chat_id(value) is ok


@pytest.mark.parametrize("value, ok", [
    ("alice", True), ("chen.wei", True), ("a_b-c", True), ("x" * 64, True), ("x" * 65, False),
    ("zhang.san@corp", True), ("7eleven", True), ("Alice", True),  # WeCom's rule (doc 90195)
    ("-x", False), (".x", False), ("_x", False), ("@x", False),     # the first must be a letter or a digit
    ("bob\n", False), ("", False), ("a b", False), ("a:b", False), (7, False),
])
def test_is_user_id(value, ok):
    assert facts.is_user_id(value) is ok
