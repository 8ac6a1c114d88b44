"""The fast paths of the loader give exactly what the slow ones give: the
schema's quick accept check never lets through what jsonschema rejects,
jsonschema on the cut-down file finds the same errors as on the whole file,
and a mistake deep inside a long valid file still gets its located line."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.config import flowlists, load, schema, yamlnodes
from reconciler.core.facts import is_user_id

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ID_CHARS = "use 1-64 characters of letters, digits, '_', '-', '@', '.', beginning with a letter or a digit"


def big_file(bad_chat: int, bad_member: int, bad: str, chats: int = 300, members: int = 200) -> str:
    """`chats` valid chats of `members` each, in flow style, with the
    member `bad_member` of chat `bad_chat` replaced by `bad`."""
    lines = ["chats:"]
    for n in range(chats):
        listed = [f"u{n}x{m}" for m in range(members)]
        if n == bad_chat:
            listed[bad_member] = bad
        lines += [f"  c{n}:", f"    name: Chat {n}", f"    owner: u{n}x0", f"    members: [{', '.join(listed)}]"]
    return "\n".join(lines) + "\n"


def column_of(text: str, line: int, needle: str) -> int:
    return text.splitlines()[line - 1].index(needle) + 1


@pytest.mark.parametrize("bad, message", [
    ("b c", f"invalid user id 'b c' in the members of chat 'c250': {ID_CHARS}"),
    ("no", "a member of chat 'c250' must be a string (a user id, \"@group\", \"dept:ID\" or \"tag:ID\") or a mapping (user: ID, until: DATE), got `no`, which YAML "
           "reads as a boolean; quote it: \"no\""),
    ("'@'", "invalid group reference '@' in the members of chat 'c250': write '@' and a group name of "
            "1-64 characters of letters, digits, '-', '_', '.'"),
])
def test_a_mistake_deep_in_a_member_list_is_located(tmp_path: Path, bad: str, message: str):
    text = big_file(250, 150, bad)
    (tmp_path / "a.yaml").write_text(text, encoding="utf-8")
    result = load([str(tmp_path / "a.yaml")])
    line = 2 + 250 * 4 + 3  # "chats:", 250 chats of 4 lines, then c250's members line
    col = column_of(text, line, bad + ",")
    assert [str(e) for e in result.errors] == [f"{tmp_path / 'a.yaml'}:{line}:{col}: error: {message}"]
    assert len(result.chats) == 299  # only the chat with the mistake is left out


def test_a_duplicate_deep_in_a_member_list_is_located(tmp_path: Path):
    text = big_file(250, 150, "u250x3")
    (tmp_path / "a.yaml").write_text(text, encoding="utf-8")
    result = load([str(tmp_path / "a.yaml")])
    line = 2 + 250 * 4 + 3
    first = column_of(text, line, "u250x3,")
    second = text.splitlines()[line - 1].index("u250x3,", first) + 1
    assert [str(e) for e in result.errors] == [
        f"{tmp_path / 'a.yaml'}:{line}:{second}: error: 'u250x3' is listed twice in the members of chat "
        f"'c250' (first at line {line}, column {first})"]


def test_valid_chats_next_to_an_invalid_one_still_load(tmp_path: Path):
    (tmp_path / "a.yaml").write_text(big_file(5, 3, "b c", chats=10, members=5), encoding="utf-8")
    result = load([str(tmp_path / "a.yaml")])
    assert len(result.errors) == 1
    assert [c.chat_id for c in result.chats] == sorted(f"c{n}" for n in range(10) if n != 5)


@pytest.mark.parametrize("text, got", [("~", "`~`, which YAML reads as null"), ("[a]", "a list"),
                                       ("hello", "the string 'hello'")])
def test_a_file_that_is_not_a_mapping_is_not_taken_for_valid(tmp_path: Path, text: str, got: str):
    (tmp_path / "a.yaml").write_text(text + "\n", encoding="utf-8")
    result = load([str(tmp_path / "a.yaml")])
    assert [str(e) for e in result.errors] == [f"{tmp_path / 'a.yaml'}:1:1: error: a chat file must be a mapping, "
                                               f"got {got}"]


# ---- the quick check against jsonschema, on data near the schema's edges ----

MEMBER = st.one_of(
    st.sampled_from(["a", "b", "@g", "@", "@@g", "a b", "a\n", "é", "x" * 64, "x" * 65, "@" + "x" * 64, ""]),
    st.from_regex(r"\A@?[A-Za-z0-9_.\-]{1,6}\Z"),
    st.none(), st.booleans(), st.integers(), st.lists(st.just("a"), max_size=2), st.just({"a": 1}),
)
KEY = st.one_of(st.sampled_from(["ab", "g", "a-b", "x" * 33, "x" * 65, "é", "", "a\n"]),
                st.from_regex(r"\A[0-9a-zA-Z]{1,4}\Z"))
NAME = st.one_of(st.text(max_size=3), st.just("x" * 50), st.just("x" * 51), st.none(), st.integers())
CHAT = st.one_of(
    st.fixed_dictionaries({"name": NAME, "owner": MEMBER, "members": st.one_of(st.lists(MEMBER, max_size=5), MEMBER)},
                          optional={"prune": st.one_of(st.booleans(), st.integers(0, 1), st.none()),
                                    "announce": st.one_of(st.booleans(), st.integers(0, 1), st.just("no")),
                                    "memebrs": st.just([])}),
    st.dictionaries(st.sampled_from(["name", "owner", "members", "prune", "announce"]), MEMBER, max_size=4),
    MEMBER,
)
SECTION = st.one_of(st.none(), st.lists(st.just("a"), max_size=1), MEMBER)
FILE = st.one_of(
    st.fixed_dictionaries({}, optional={
        "groups": st.one_of(st.dictionaries(KEY, st.one_of(st.lists(MEMBER, max_size=5), MEMBER), max_size=3), SECTION),
        "chats": st.one_of(st.dictionaries(KEY, CHAT, max_size=3), SECTION),
        "other": st.just(1),
    }),
    MEMBER,
)


def errors_of(data) -> set[tuple]:
    return {(tuple(e.absolute_path), tuple(e.absolute_schema_path), e.message)
            for e in schema.validator().iter_errors(data)}


@SETTINGS
@given(FILE)
def test_the_quick_check_accepts_only_what_jsonschema_accepts(data):
    valid, suspects = schema.quick().suspects(data)
    if valid:
        assert errors_of(data) == set()
    else:
        assert errors_of(suspects) == errors_of(data)


@SETTINGS
@given(st.lists(st.from_regex(r"\A(@[A-Za-z0-9_.\-]{1,8}|[A-Za-z0-9][A-Za-z0-9_.@\-]{0,7}|(dept|tag):[1-9][0-9]{0,3})\Z"),
                min_size=1, max_size=30, unique=True))
def test_a_valid_member_list_takes_the_quick_path(members):
    checked: set[int] = set()
    data = {"chats": {"ab": {"name": "X", "owner": "a", "members": members}}}
    assert schema.quick().suspects(data, checked) == (True, None)
    assert id(members) in checked


# ---- via: the views built for speed behave as the dict did --------------------------------------

def test_via_of_a_chat_listed_directly(tmp_path: Path):
    (tmp_path / "a.yaml").write_text("chats:\n  ab:\n    name: X\n    owner: c\n    members: [c, a, b]\n",
                                     encoding="utf-8")
    chat = load([str(tmp_path)]).chats[0]
    assert list(chat.via) == ["c", "a", "b"]  # written order, as the dict had it
    assert chat.via == {"a": ((),), "b": ((),), "c": ((),)} and len(chat.via) == 3
    assert chat.via.get("zed") is None and "zed" not in chat.via
    with pytest.raises(KeyError):
        chat.via["zed"]
    with pytest.raises(TypeError):
        chat.via["zed"] = ()  # type: ignore[index]


def test_via_of_a_chat_with_groups(tmp_path: Path):
    (tmp_path / "a.yaml").write_text(
        "groups:\n  g: [a, '@h']\n  h: [b, d]\nchats:\n  ab:\n    name: X\n    owner: a\n"
        "    members: [c, '@g', b]\n", encoding="utf-8")
    result = load([str(tmp_path)])
    assert result.ok
    chat = result.chats[0]
    assert chat.members == {"a", "b", "c", "d"}
    assert list(chat.via) == ["c", "a", "b", "d"]
    assert chat.via == {"c": ((),), "a": (("g",),), "b": ((), ("g", "h")), "d": (("g", "h"),)}
    with pytest.raises(TypeError):
        chat.via["zed"] = ()  # type: ignore[index]


# ---- one-line member lists lifted out of the text before composing ------------------------------

LIFT_CASES = {
    "plain": "chats:\n  ab:\n    name: X\n    owner: a\n    members: [a, b, c]\n",
    "traps_stay": "chats:\n  ab:\n    name: X\n    owner: a\n    members: [a, no, 007, nina, null]\n",
    "duplicate_item": "chats:\n  ab:\n    name: X\n    owner: a\n    members: [a, b, a]\n",
    "in_block_scalar": "chats:\n  ab:\n    name: |\n      members: [a, b]\n    owner: a\n    members: [a, b]\n",
    "in_folded_scalar": "chats:\n  ab:\n    name: >\n      members: [a, b]\n    owner: a\n    members: [a, b]\n",
    "in_quoted_string": "chats:\n  ab:\n    name: \"x\n      members: [a, b]\"\n    owner: a\n    members: [a, b]\n",
    "duplicate_key": "chats:\n  ab:\n    name: X\n    owner: a\n    members: [a, b]\n    members: [c, d]\n",
    "crlf": "chats:\r\n  ab:\r\n    name: X\r\n    owner: a\r\n    members: [a, b]\r\n",
    "cr_only": "chats:\r  ab:\r    name: X\r    owner: a\r    members: [a, b]\r  cd:\r    name: Y\r    owner: c\r    members: [c, d]\r",
    "inside_flow": "chats:\n  ab:\n    name: X\n    owner: a\n    members: [a, b]\n  cd: [\n    members: [a, b]\n  ]\n",
    "aliased_parent": "base: &b\n  name: X\n  owner: a\n  members: [a, b]\nchats:\n  ab: *b\n  cd: *b\n",
    "too_deep": "a:\n" + "".join("  " * i + f"  k{i}:\n" for i in range(9)) + "  " * 10 + "members: [a, b]\n",
    "syntax_error_after": "chats:\n  ab:\n    name: X\n    owner: a\n    members: [a, b]\n  cd: [a, b\n",
    "groups": "groups:\n  g: [a, b]\nchats:\n  ab:\n    name: X\n    owner: a\n    members: ['@g', c]\n",
    "unknown_key": "chats:\n  ab:\n    name: X\n    owner: a\n    memebrs: [a, b]\n    members: [a, b]\n",
    "non_ascii_before": "chats:\n  ab:\n    name: 名前\n    owner: a\n    members: [a, b]\n",
    "explicit_tag": "chats:\n  ab:\n    name: X\n    owner: a\n    members: !!seq [a, b]\n",
    "block": "chats:\n  ab:\n    name: X\n    owner: a\n    members:\n      - a\n      - b\n  cd:\n    name: Y\n"
             "    owner: c\n    members:\n    - c\n    - d\n",
    "block_at_end_no_newline": "chats:\n  ab:\n    name: X\n    owner: a\n    members:\n      - a\n      - b",
    "block_then_comment": "chats:\n  ab:\n    name: X\n    owner: a\n    members:\n      - a\n      # c\n      - b\n",
    "block_then_blank": "chats:\n  ab:\n    name: X\n    owner: a\n    members:\n      - a\n\n      - b\n",
    "block_then_odd_item": "chats:\n  ab:\n    name: X\n    owner: a\n    members:\n      - a\n      - '@g'\n"
                           "groups:\n  g: [b]\n",
    "block_item_continues": "chats:\n  ab:\n    name: X\n    owner: a\n    members:\n      - a\n      - b\n"
                            "        c\n",
    "block_less_indented": "chats:\n  ab:\n    name: X\n    owner: a\n    members:\n  - a\n  - b\n",
    "block_in_flow": "chats: {ab: {name: X, owner: a,\n    members:\n    - a\n    - b\n    }}\n",
    "block_merged": "base: &b\n  members:\n    - a\n    - b\nchats:\n  ab:\n    name: X\n    owner: a\n    <<: *b\n",
    "block_merged_first": "chats:\n  ab:\n    name: X\n    owner: a\n    <<: *b\nbase: &b\n  members:\n    - a\n    - b\n",
    "block_in_literal": "chats:\n  ab:\n    name: |\n      members:\n        - a\n      x\n    owner: a\n    members:\n"
                        "      - a\n      - b\n",
    "block_traps": "chats:\n  ab:\n    name: X\n    owner: a\n    members:\n      - a\n      - no\n      - 007\n",
    "block_duplicate_item": "chats:\n  ab:\n    name: X\n    owner: a\n    members:\n      - a\n      - a\n",
    "block_in_sequence": "- members:\n  - a\n  - b\n- x\n",
    "block_document_end": "chats:\n  ab:\n    name: X\n    owner: a\n    members:\n    - a\n    - b\n...\n",
    "case_twins": "chats:\n  ab:\n    name: X\n    owner: a\n    members: [a, B, b]\n",
    "case_twins_block": "chats:\n  ab:\n    name: X\n    owner: a\n    members:\n      - a\n      - b\n      - B\n",
    "sorted_twice": "chats:\n  ab:\n    name: X\n    owner: a\n    members: [a, b, b, c]\n",
    "unsorted": "chats:\n  ab:\n    name: X\n    owner: c\n    members: [c, a, b]\n",
    "word_in_upper_case": "chats:\n  ab:\n    name: X\n    owner: a\n    members: [a, YES]\n",
    "owner_in_other_case": "chats:\n  ab:\n    name: X\n    owner: A\n    members: [a, b]\n",
    "owner_not_listed": "chats:\n  ab:\n    name: X\n    owner: z\n    members: [a, b]\n",
    "one_member": "chats:\n  ab:\n    name: X\n    owner: a\n    members: [a]\n",
    "exclude_lifted": "chats:\n  ab:\n    name: X\n    owner: a\n    members: [a, b, c]\n    exclude: [B]\n",
    "group_lifted": "groups:\n  g: [b, c]\n  h: [d, e]\nchats:\n  ab:\n    name: X\n    owner: a\n"
                    "    members: [a, '@g']\n",
    "block_deep": "a:\n" + "".join("  " * i + f"  k{i}:\n" for i in range(9)) + "  " * 10 + "members:\n"
                  + "  " * 10 + "- a\n",
}


def outcome(result) -> tuple:
    return ([str(d) for d in result.errors + result.warnings],
            [(c.chat_id, c.name, c.owner, sorted(c.members), c.prune, c.source, dict(c.via)) for c in result.chats])


@pytest.mark.parametrize("name", sorted(LIFT_CASES))
def test_lifting_one_line_lists_changes_nothing(tmp_path: Path, monkeypatch, name: str):
    path = tmp_path / "a.yaml"
    path.write_bytes(LIFT_CASES[name].encode("utf-8"))
    lifted = outcome(load([str(path)]))
    monkeypatch.setattr(flowlists, "lift", lambda text, resolvers: (text, {}))
    assert lifted == outcome(load([str(path)]))


def test_a_plain_list_is_lifted_and_claimed():
    text = LIFT_CASES["plain"] + "  cd:\n    name: Y\n    owner: c\n    members: [c, d]\n"
    cut, lifted = flowlists.lift(text, yaml.CSafeLoader.yaml_implicit_resolvers)
    assert lifted == {(4, 13): (["a", "b", "c"], False, {"a", "b", "c"}), (8, 13): (["c", "d"], False, {"c", "d"})}
    assert cut.splitlines()[4] == "    members: []" and len(cut.splitlines()) == len(text.splitlines())
    parsed = yamlnodes.parse("a.yaml", text.encode())
    assert parsed.data["chats"]["ab"]["members"] == ["a", "b", "c"] and not parsed.errors


@SETTINGS
@given(st.lists(st.text("aAbBnNoOyYeEsS019_.-@ ", min_size=1, max_size=4), min_size=1, max_size=8),
       st.booleans())
def test_a_lifted_list_is_one_the_quick_check_would_accept_item_by_item(items, block):
    # The schema's quick check and the rules trust a lifted list (ParsedFile.clean) without looking at
    # its items: each must match the schema's member pattern, once in any letter case, no YAML 1.1 word.
    body = "".join(f"  - {i}\n" for i in items) if block else f" [{', '.join(items)}]\n"
    text = "members:" + ("\n" if block else "") + body
    for got, _, members in flowlists.lift(text, yaml.CSafeLoader.yaml_implicit_resolvers)[1].values():
        assert got == items and members == set(items)
        assert all(map(schema.quick().member, got)) and all(is_user_id(i) and "@" not in i for i in got)
        keys = {i.lower() for i in got}
        assert len(keys) == len(got) and not keys & flowlists.BOOLEAN_WORDS


def test_items_yaml_reads_as_other_types_are_not_lifted():
    cut, lifted = flowlists.lift("members: [a, no, b]\nother: [a, b]\n", yaml.CSafeLoader.yaml_implicit_resolvers)
    assert lifted == {(1, 7): (["a", "b"], False, {"a", "b"})}
