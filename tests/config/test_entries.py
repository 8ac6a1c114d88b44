"""The member entries beyond a plain user id, one named case per rule: the
directory forms (dept:ID, tag:ID), exclude, mappings with an end date, and
WeCom's user-id rule with its letter case. The exact located diagnostics a
user sees, and nothing else; then the model they load into."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest

from reconciler.config import load
from reconciler.core.model import DEPT, TAG, USER

TODAY = date(2026, 12, 1)
USER_CHARS = "use 1-64 characters of letters, digits, '_', '-', '@', '.', beginning with a letter or a digit"


@dataclass
class Case:
    name: str
    text: str  # chats/a.yaml
    expected: list[str]
    today: date = TODAY
    extra: dict[str, str] = field(default_factory=dict)


def chat(members: str, owner: str = "a", more: str = "") -> str:
    return f"chats:\n  ab:\n    name: X\n    owner: {owner}\n    members: {members}\n{more}"


CASES = [
    # ---- WeCom's user-id rule and letter case --------------------------------
    Case("id_like_an_email", chat("[a, zhang.san@corp]"), []),
    Case("id_starting_with_a_dash", chat('[a, "-x"]'),
         ["chats/a.yaml:5:18: error: invalid user id '-x' in the members of chat 'ab': " + USER_CHARS]),
    Case("id_starting_with_a_dot", chat('[a, ".x"]'),
         ["chats/a.yaml:5:18: error: invalid user id '.x' in the members of chat 'ab': " + USER_CHARS]),
    Case("same_id_in_two_cases", chat("[a, Bob, bob]"),
         ["chats/a.yaml:5:23: error: 'bob' is listed twice in the members of chat 'ab' (first at line 5, "
          "column 18, as 'Bob'): WeCom ignores letter case, so they are one user"]),
    Case("same_id_in_two_cases_in_a_group", "groups:\n  g: [Bob, bob]\n" + chat('[a, "@g"]'),
         ["chats/a.yaml:2:12: error: 'bob' is listed twice in group 'g' (first at line 2, column 7, as 'Bob'): "
          "WeCom ignores letter case, so they are one user"]),
    Case("owner_in_another_case", chat("[Alice, b]", owner="alice"), []),
    Case("groups_keep_their_case", "groups:\n  G: [a]\n  g: [b]\n" + chat('["@G", "@g"]'), []),
    # ---- dept:ID and tag:ID ----------------------------------------------------
    Case("dept_and_tag_entries", chat("[a, dept:2, tag:7]"), []),
    Case("dept_not_a_number", chat("[a, dept:abc]"),
         ["chats/a.yaml:5:18: error: invalid department entry 'dept:abc' in the members of chat 'ab': write "
          "dept:ID with the department's id, a positive whole number"]),
    Case("dept_zero", chat("[a, dept:0]"),
         ["chats/a.yaml:5:18: error: invalid department entry 'dept:0' in the members of chat 'ab': write "
          "dept:ID with the department's id, a positive whole number"]),
    Case("tag_negative", chat("[a, tag:-1]"),
         ["chats/a.yaml:5:18: error: invalid tag entry 'tag:-1' in the members of chat 'ab': write tag:ID with "
          "the tag's id, a positive whole number"]),
    Case("dept_in_a_group", "groups:\n  g: [dept:3]\n" + chat('[a, "@g"]'), []),
    Case("dept_owner_not_checked_offline", chat("[b, dept:3]"), []),  # dept 3 may hold a: plan time says
    Case("no_dept_owner_is_checked_offline", chat("[b, c]"),
         ["chats/a.yaml:4:12: error: owner 'a' is not a member of chat 'ab'"]),
    # ---- exclude -----------------------------------------------------------------
    Case("exclude_users_and_departments", chat("[a, b, c, dept:2]", more="    exclude: [c, dept:9, tag:1]\n"), []),
    Case("exclude_the_owner", chat("[a, b, c]", more="    exclude: [a]\n"),
         ["chats/a.yaml:4:12: error: owner 'a' is excluded from chat 'ab' by its `exclude`; choose a new owner "
          "or exclude someone else"]),
    Case("exclude_the_owner_through_a_group", "groups:\n  g: [a]\n" + chat("[a, b, c]", more='    exclude: ["@g"]\n'),
         ["chats/a.yaml:6:12: error: owner 'a' is excluded from chat 'ab' by its `exclude`; choose a new owner "
          "or exclude someone else"]),
    Case("exclude_leaves_too_few", chat("[a, b]", more="    exclude: [b]\n"),
         ["chats/a.yaml:5:5: error: chat 'ab' has 1 member after group expansion; a chat needs 2 to 2000"]),
    Case("exclude_nobody_is_fine", chat("[a, b]", more="    exclude: [zed]\n"), []),
    Case("exclude_unknown_group", chat("[a, b]", more='    exclude: ["@nope"]\n'),
         ["chats/a.yaml:6:15: error: unknown group '@nope'"]),
    Case("until_under_exclude", chat("[a, b, c]", more="    exclude:\n      - {user: c, until: 2027-01-01}\n"),
         ["chats/a.yaml:7:19: error: `until` is not allowed under `exclude`: an exclusion has no end date "
          "(remove the entry when it should end)"]),
    # ---- may_be_empty -----------------------------------------------------------------
    Case("may_be_empty_on_dept_and_tag", chat("\n      - a\n      - b\n      - {dept: 2, may_be_empty: true}\n"
                                              "      - {tag: 3, may_be_empty: false, until: 2027-01-01}\n"), []),
    Case("may_be_empty_in_a_group", "groups:\n  g: [{dept: 2, may_be_empty: true}]\n" + chat('[a, b, "@g"]'), []),
    Case("may_be_empty_on_a_user", chat("\n      - a\n      - {user: b, may_be_empty: true}\n"),
         ["chats/a.yaml:7:19: error: `may_be_empty` is allowed only on a dept or tag entry, not on a user entry: "
          "only the directory can bring in nobody"]),
    Case("may_be_empty_on_a_group", "groups:\n  g: [b]\n" + chat("\n      - a\n      - {group: g, may_be_empty: true}\n"),
         ["chats/a.yaml:9:20: error: `may_be_empty` is allowed only on a dept or tag entry, not on a group entry: "
          "only the directory can bring in nobody"]),
    Case("may_be_empty_under_exclude", chat("[a, b]", more="    exclude:\n      - {dept: 2, may_be_empty: true}\n"),
         ["chats/a.yaml:7:19: error: `may_be_empty` is not allowed under `exclude`: an exclusion that excludes "
          "nobody is fine already"]),
    Case("may_be_empty_yes", chat("\n      - a\n      - b\n      - {dept: 2, may_be_empty: yes}\n"),
         ["chats/a.yaml:8:33: error: may_be_empty must be true or false, got `yes`, which YAML 1.1 reads as a "
          "boolean: write true or false"]),
    Case("may_be_empty_Off", chat("\n      - a\n      - b\n      - {tag: 2, may_be_empty: Off}\n"),
         ["chats/a.yaml:8:32: error: may_be_empty must be true or false, got `Off`, which YAML 1.1 reads as a "
          "boolean: write true or false"]),
    Case("may_be_empty_quoted", chat("\n      - a\n      - b\n      - {dept: 2, may_be_empty: 'true'}\n"),
         ["chats/a.yaml:8:33: error: may_be_empty of a member entry of chat 'ab' must be true or false, "
          "got the string 'true'"]),
    # ---- mappings and end dates -----------------------------------------------------
    Case("mapping_entries", chat("\n      - a\n      - {user: b, until: 2027-01-31, reason: contractor}\n"
                                 "      - {dept: 2, until: '2027-02-01'}\n      - {tag: 3}\n"), []),
    Case("two_kinds_in_one_entry", chat("\n      - a\n      - {user: b, dept: 2}\n      - c\n"),
         ["chats/a.yaml:7:9: error: a member entry needs exactly one of user, group, dept, tag (found user and dept)"]),
    Case("no_kind_in_an_entry", chat("\n      - a\n      - b\n      - {until: 2027-01-31}\n"),
         ["chats/a.yaml:8:9: error: a member entry needs exactly one of user, group, dept, tag (found none)"]),
    Case("unknown_key_in_an_entry", chat("\n      - a\n      - {user: b, untill: 2027-01-31}\n"),
         ["chats/a.yaml:7:19: error: unknown key 'untill' in a member of chat 'ab' (expected user, group, dept, "
          "tag, until, reason, may_be_empty); did you mean 'until'?"]),
    Case("a_day_that_does_not_exist", chat("\n      - a\n      - {user: b, until: 2027-02-30}\n"),
         ["chats/a.yaml:7:26: error: until '2027-02-30' is not a date: write YYYY-MM-DD, a day that exists"]),
    Case("not_a_date", chat("\n      - a\n      - {user: b, until: next week}\n"),
         ["chats/a.yaml:7:26: error: until of a member entry of chat 'ab' must be a date YYYY-MM-DD from 1900-01-01 to 9998-12-31, "
          "got 'next week'"]),
    Case("dept_as_a_string_in_a_mapping", chat("\n      - a\n      - b\n      - {dept: two}\n"),
         ["chats/a.yaml:8:16: error: dept of a member entry of chat 'ab' must be a whole number (a WeCom "
          "department id), got the string 'two'"]),
    Case("same_entry_as_string_and_mapping", chat("\n      - a\n      - b\n      - {user: b}\n"),
         ["chats/a.yaml:8:9: error: 'b' is listed twice in the members of chat 'ab' (first at line 7, column 9)"]),
    Case("same_user_as_a_mapping_and_in_another_case", chat("\n      - a\n      - {user: b}\n      - B\n"),
         ["chats/a.yaml:8:9: error: 'B' is listed twice in the members of chat 'ab' (first at line 7, column 9, "
          "as 'b'): WeCom ignores letter case, so they are one user"]),
    Case("same_user_timed_in_another_case", chat("\n      - a\n      - b\n      - {user: B, until: 2030-01-01}\n"),
         ["chats/a.yaml:8:9: error: 'B' is listed twice in the members of chat 'ab' (first at line 7, column 9, "
          "as 'b'): WeCom ignores letter case, so they are one user"]),
    Case("same_department_as_string_and_mapping", chat("\n      - a\n      - b\n      - dept:2\n      - {dept: 2}\n"),
         ["chats/a.yaml:9:9: error: 'dept:2' is listed twice in the members of chat 'ab' (first at line 8, "
          "column 9)"]),
    Case("an_excluded_timed_member_does_not_count", chat("\n      - a\n      - {user: b, until: 2030-01-01}\n",
                                                         more="    exclude: [b]\n"),
         ["chats/a.yaml:5:5: error: chat 'ab' has 1 member after group expansion; a chat needs 2 to 2000"]),
    Case("a_department_id_too_long_as_a_mapping_too", chat("\n      - a\n      - b\n      - {dept: 99999999999}\n"),
         ["chats/a.yaml:8:16: error: dept of a member entry of chat 'ab': 99999999999 is greater than the maximum "
          "of 9999999999"]),
    Case("an_ended_entry_is_a_warning", chat("\n      - a\n      - b\n      - {user: c, until: 2026-11-30, "
                                             "reason: contractor}\n"),
         ["chats/a.yaml:8:10: warning: the membership of c ended 2026-11-30 (contractor): it brings nobody "
          "in any more; remove the entry"]),
    Case("ending_today_is_no_warning", chat("\n      - a\n      - b\n      - {user: c, until: 2026-12-01}\n"), []),
    Case("the_owner_whose_membership_ended", chat("\n      - b\n      - c\n      - {user: a, until: 2026-11-30}\n"),
         ["chats/a.yaml:4:12: error: the membership of owner 'a' in chat 'ab' ended 2026-11-30 "
          "(chats/a.yaml:8:10): choose a new owner",
          "chats/a.yaml:8:10: warning: the membership of a ended 2026-11-30: it brings nobody in any more; "
          "remove the entry"]),
    Case("too_few_once_an_entry_ended", chat("\n      - a\n      - {user: b, until: 2026-11-30}\n"),
         ["chats/a.yaml:5:5: error: chat 'ab' has 1 member after group expansion, as of today; a chat needs "
          "2 to 2000",
          "chats/a.yaml:7:10: warning: the membership of b ended 2026-11-30: it brings nobody in any more; "
          "remove the entry"]),
    Case("a_group_with_an_end_date", "groups:\n  vendors: [v1, v2]\n"
         + chat("\n      - a\n      - {group: vendors, until: 2026-11-01, reason: migration}\n"),
         ["chats/a.yaml:7:5: error: chat 'ab' has 1 member after group expansion, as of today; a chat needs "
          "2 to 2000",
          "chats/a.yaml:9:10: warning: the membership of @vendors ended 2026-11-01 (migration): it brings "
          "nobody in any more; remove the entry"]),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_entry_rule(case: Case, tmp_path, monkeypatch):
    (tmp_path / "chats").mkdir()
    (tmp_path / "chats" / "a.yaml").write_text(case.text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = load(["chats"], today=case.today)
    assert [str(d) for d in sorted(result.errors + result.warnings)] == case.expected


def test_case_names_are_unique():
    assert len({c.name for c in CASES}) == len(CASES)


def _one(tmp_path, text: str, today: date = TODAY):
    (tmp_path / "a.yaml").write_text(text, encoding="utf-8")
    result = load([str(tmp_path)], today=today)
    assert result.ok, [str(e) for e in result.errors]
    (chat,) = result.chats
    return chat


def test_the_model_keeps_static_members_and_grants_apart(tmp_path):
    chat = _one(tmp_path, "groups:\n  g: [x, dept:4]\n" + chat_text(
        "\n      - a\n      - B\n      - '@g'\n      - {user: v, until: 2027-01-31, reason: vendor}\n"
        "      - {tag: 7}\n", more="    exclude: [B, dept:9]\n"))
    assert chat.members == {"a", "x"}  # B is excluded; v has an end date; dept:4 and tag:7 need the directory
    grants = {(g.kind, g.user, g.unit, g.until, g.reason, g.via) for g in chat.grants}
    assert grants == {(DEPT, None, 4, None, None, ("g",)), (USER, "v", None, date(2027, 1, 31), "vendor", ()),
                      (TAG, None, 7, None, None, ())}  # typed: a user id, or a department or tag number
    assert chat.exclude.users == {"B"} and [(g.kind, g.unit) for g in chat.exclude.refs] == [(DEPT, 9)]
    assert chat.uses_directory and chat.owner_source.line == 6 and chat.members_source.line == 7  # after 2 lines of groups


def test_may_be_empty_reaches_the_grant_through_groups(tmp_path):
    chat = _one(tmp_path, "groups:\n  g: [{dept: 4, may_be_empty: true}, dept:5]\n" + chat_text(
        "\n      - a\n      - b\n      - '@g'\n      - {tag: 7, may_be_empty: true}\n      - {tag: 8}\n"))
    assert {(g.kind, g.unit): g.may_be_empty for g in chat.grants} == {
        (DEPT, 4): True, (DEPT, 5): False, (TAG, 7): True, (TAG, 8): False}


def test_a_group_with_an_end_date_gives_each_member_that_date(tmp_path):
    chat = _one(tmp_path, "groups:\n  inner: [w, {user: z, until: 2027-01-10}]\n  vendors: [v, '@inner']\n"
                + chat_text("\n      - a\n      - b\n      - {group: vendors, until: 2027-02-01}\n"))
    ends = {g.user: (g.until, g.via, g.written) for g in chat.grants}
    assert ends == {"v": (date(2027, 2, 1), ("vendors",), ("group", "@vendors")),
                    "w": (date(2027, 2, 1), ("vendors", "inner"), ("group", "@vendors")),
                    "z": (date(2027, 1, 10), ("vendors", "inner"), ("user", "z"))}  # the earlier end date wins


def test_a_plain_user_mapping_is_the_plain_id(tmp_path):
    chat = _one(tmp_path, chat_text("\n      - {user: a, reason: lead}\n      - b\n"))
    assert chat.members == {"a", "b"} and chat.grants == ()


def test_one_spelling_per_user_across_groups(tmp_path):
    chat = _one(tmp_path, "groups:\n  g: [Bob, c]\n" + chat_text('[a, bob, "@g"]'))
    assert sorted(chat.members) == ["a", "bob", "c"]  # the chat's own spelling wins


def test_validate_warns_and_exits_0_on_an_ended_entry(tmp_path, capsys):
    from reconciler.cli import main

    (tmp_path / "a.yaml").write_text(chat_text("\n      - a\n      - b\n      - {user: c, until: 2026-11-30}\n"),
                                     encoding="utf-8")
    assert main(["validate", str(tmp_path), "--today", "2026-12-01"]) == 0
    out, err = capsys.readouterr()
    assert "warning: the membership of c ended 2026-11-30" in err and out.startswith("valid:")
    assert main(["validate", str(tmp_path), "--today", "2026-11-30"]) == 0
    assert "warning" not in capsys.readouterr().err  # still a member on its last day


def chat_text(members: str, owner: str = "a", more: str = "") -> str:
    return chat(members, owner, more)


@pytest.mark.parametrize(("entry", "valid"), [
    ({"dept": 2, "may_be_empty": True}, True), ({"tag": 2, "may_be_empty": False}, True),
    ({"user": "b", "may_be_empty": True}, False), ({"group": "g", "may_be_empty": True}, False),
    ({"dept": 2, "may_be_empty": "yes"}, False),  # what an editor's YAML 1.2 reads `yes` as
])
def test_the_schema_agrees_with_validate_about_may_be_empty(entry, valid):
    import json
    from pathlib import Path

    import jsonschema

    schema = json.loads((Path(__file__).resolve().parents[2] / "schemas" / "chats.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    doc = {"chats": {"ab": {"name": "X", "owner": "a", "members": ["a", "b", entry]}}}
    assert validator.is_valid(doc) is valid
    under_exclude = {"chats": {"ab": {"name": "X", "owner": "a", "members": ["a", "b"], "exclude": [entry]}}}
    assert not validator.is_valid(under_exclude) or "may_be_empty" not in entry


def test_until_is_a_date_from_1900_to_9998_and_the_edges_are_taken(tmp_path):
    # issue 20 / the contract: dates far from Python's date.max, so that no sum of days overflows
    for written in ("0001-01-01", "1899-12-31", "9999-12-31"):
        (tmp_path / "a.yaml").write_text(chat_text(f"[a, b, {{user: v, until: {written}}}]"), encoding="utf-8")
        result = load([str(tmp_path)], today=TODAY)
        assert [str(e).split(": error: ")[1] for e in result.errors] == [
            f"until of a member entry of chat 'ab' must be a date YYYY-MM-DD from 1900-01-01 to 9998-12-31, "
            f"got '{written}'"]
    assert _one(tmp_path, chat_text("[a, b, {user: v, until: 9998-12-31}]")).grants[0].until == date(9998, 12, 31)
    assert _one(tmp_path, chat_text("[a, b, {user: v, until: 1900-01-01}]"), today=date(1900, 1, 1)).grants
