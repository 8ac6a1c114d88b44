"""The fast JSON writer (render.jsontext) is json.dumps(indent=2,
ensure_ascii=False) byte for byte: every JSON view (plan, plan file, apply
report, who, history) is written through it, and scripts parse and diff them."""

from __future__ import annotations

import enum
import json

import pytest

from reconciler.render.escape import dump_json
from reconciler.render.jsontext import dumps_indented


class Kind(enum.IntEnum):
    ADD = 3


class Word(str, enum.Enum):
    UPDATE = "update"


VALUES = [
    {},
    [],
    "",
    0,
    None,
    True,
    {"a": [], "b": {}, "c": [[]], "d": [{}]},
    {"format_version": 1, "changes": [{"chat_id": "c1", "before": ["alice", "bob"], "after": ["alice"],
                                        "calls": [{"method": "POST", "body": {"del_user_list": ["bob"]}}]}],
     "unchanged": ["c2", "c3"], "summary": {"add": 0, "remove": 1}},
    {"name": "运维值班 \u202e \x00 \x1b \" \\ \n\t", "emoji": "😀", "lone": "\ud800"},
    [1, -2, 3.5, 1e100, -0.0, float("nan"), float("inf"), float("-inf"), 10 ** 30],
    (1, ("x", None), False),
    {1: "int key", 2.5: "float key", True: "bool key", None: "null key", "s": Kind.ADD, "w": Word.UPDATE},
    ["only", "strings", "in", "a", "list"],
    ["mixed", 1, None, ["nested", ["deeper"]], {"k": "v"}],
    {"deep": [[[[{"x": [1, [2, [3]]]}]]]]},
]


@pytest.mark.parametrize("value", VALUES, ids=range(len(VALUES)))
def test_the_fast_writer_is_json_dumps_indent_2_byte_for_byte(value):
    assert dumps_indented(value) == json.dumps(value, indent=2, ensure_ascii=False)


def test_what_json_cannot_carry_is_refused_as_json_dumps_refuses_it():
    for bad in ({"a": object()}, [1, {2, 3}], {("tuple", "key"): 1}):
        with pytest.raises(TypeError) as ours:
            dumps_indented(bad)
        with pytest.raises(TypeError) as theirs:
            json.dumps(bad, indent=2, ensure_ascii=False)
        assert str(ours.value) == str(theirs.value)


def test_a_circular_value_is_refused_as_json_dumps_refuses_it():
    loop: list = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular reference"):
        dumps_indented(loop)


def test_every_json_view_still_escapes_the_reordering_characters():
    assert dump_json({"name": "a\u202eb"}) == '{\n  "name": "a\\u202eb"\n}\n'
