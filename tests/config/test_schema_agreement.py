"""One truth for a chat file: `appchat validate` and the published JSON
Schema, run by an independent validator (check-jsonschema, which reads YAML
as 1.2, as editors do), accept and refuse the same files. Every one-file
case of validate's rule table (tests/config/test_rules.py) is checked both
ways, plus the cases where they used to disagree. The rules a JSON Schema
cannot state are listed by name, each with its reason: for them only
validate refuses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reconciler.config import load
from tests.config.test_rules import CASES, TWO, chat

SCHEMA = Path(__file__).resolve().parents[2] / "schemas" / "chats.schema.json"
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"

# The cases where they used to disagree (issue 24), and their neighbours.
EXTRA = {
    "prune_no": chat(TWO + "    prune: no\n"),
    "prune_yes": chat(TWO + "    prune: yes\n"),
    "prune_off": chat(TWO + "    prune: OFF\n"),
    "announce_on": chat(TWO + "    announce: on\n"),
    "prune_true": chat(TWO + "    prune: true\n"),
    "prune_false_capitalised": chat(TWO + "    prune: False\n"),
    "members_no_on_yes": chat("    name: X\n    owner: a\n    members: [a, no, on, yes]\n"),
    "member_mixed_case_word": chat("    name: X\n    owner: a\n    members: [a, b, yEs]\n"),
    "owner_word": chat("    name: X\n    owner: Off\n    members: [a, b, Off]\n"),
    "name_word": chat("    name: no\n    owner: a\n    members: [a, b]\n"),
    "chat_id_word": "chats:\n  on:\n" + TWO,
    "group_name_word": "groups:\n  no: [a, b]\n" + chat("    name: X\n    owner: a\n    members: [a, b, '@no']\n"),
    "reason_word": chat("    name: X\n    owner: a\n    members: [a, {user: b, reason: no}]\n"),
    "y_and_n_stay_user_ids": chat("    name: X\n    owner: y\n    members: [y, n]\n"),
    "until_alone": chat("    name: X\n    owner: a\n    members: [a, b, {until: 2027-01-31}]\n"),
    "reason_alone": chat("    name: X\n    owner: a\n    members: [a, b, {reason: x}]\n"),
    "user_and_group": "groups:\n  g: [c, d]\n" + chat(
        "    name: X\n    owner: a\n    members: [a, b, {user: a, group: g}]\n"),
    "exclude_dept_and_tag": chat(TWO + "    exclude: [{dept: 2, tag: 3}]\n"),
    "until_feb_30": chat("    name: X\n    owner: a\n    members: [a, b, {user: c, until: 2027-02-30}]\n"),
    "until_feb_29_not_leap": chat("    name: X\n    owner: a\n    members: [a, b, {user: c, until: 2027-02-29}]\n"),
    "until_feb_29_leap": chat("    name: X\n    owner: a\n    members: [a, b, {user: c, until: 2028-02-29}]\n"),
    "until_feb_29_2100": chat("    name: X\n    owner: a\n    members: [a, b, {user: c, until: 2100-02-29}]\n"),
    "until_feb_29_2000": chat("    name: X\n    owner: a\n    members: [a, b, {user: c, until: 2000-02-29}]\n"),
    "until_april_31": chat("    name: X\n    owner: a\n    members: [a, b, {user: c, until: \"2027-04-31\"}]\n"),
    "until_month_13": chat("    name: X\n    owner: a\n    members: [a, b, {user: c, until: 2027-13-01}]\n"),
    "null_document": "~\n",
    "until_dec_31": chat("    name: X\n    owner: a\n    members: [a, b, {user: c, until: 2027-12-31}]\n"),
}

# Hostile files the independent validator cannot read at all (it recurses
# or expands without a bound); validate's own answers are in test_rules.
UNREADABLE_FOR_THE_VALIDATOR = {"deep_nesting", "alias_bomb", "recursive_alias"}

# Where only validate refuses: what a JSON Schema of one file cannot say.
CODE_ONLY = {
    **dict.fromkeys(["unknown_group", "unknown_group_does_not_cascade", "group_cycle", "group_self_cycle",
                     "excluded_owner_and_an_unknown_group_in_one_run"], "groups resolved across files"),
    **dict.fromkeys(["owner_not_member", "one_member", "one_member_through_groups", "too_many_members"],
                    "counted after group expansion, across files"),
    "null_document": "an explicit `~` reaches the validator as the empty file does (which is fine)",
    "trap_007_chat_id": "a key YAML reads as a number reaches the validator as the string '7', quoted or not",
    "trap_date_name": "YAML 1.2 has no dates: the unquoted date is a string to the schema, and refusing the "
                      "form would refuse the quoted name as well",
}
# Where only the schema refuses: it cannot see quotes, so it refuses the
# words YAML 1.1 reads as booleans even quoted (the contract's documented
# difference).
QUOTED_WORDS = {"boolean_words_quoted_are_strings", "quoted_traps_are_fine"}


def _cases() -> dict[str, str]:
    cases = {c.name: next(iter(c.files.values())) for c in CASES
             if len(c.files) == 1 and c.paths == ["chats"] and c.name not in UNREADABLE_FOR_THE_VALIDATOR}
    overlap = set(cases) & set(EXTRA)
    assert not overlap
    return {**cases, **EXTRA}


def _schema_refuses(files: list[Path]) -> set[str]:
    run = subprocess.run([str(CHECK_JSONSCHEMA), "--schemafile", str(SCHEMA), "-o", "json", *map(str, files)],
                         capture_output=True, text=True, timeout=240)
    report = json.loads(run.stdout)
    failed = {Path(e["filename"]).stem for e in report["errors"]}
    failed |= {Path(e["filename"]).stem for e in report["parse_errors"]}
    assert (run.returncode == 0) == (not failed), run.stderr
    return failed


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory):
    root = tmp_path_factory.mktemp("agreement")
    cases = _cases()
    files = []
    validate_refuses = set()
    for name, text in cases.items():
        path = root / f"{name}.yaml"
        path.write_bytes(text.encode("utf-8", errors="surrogateescape"))  # as test_rules writes them
        files.append(path)
        if not load([str(path)]).ok:
            validate_refuses.add(name)
    return cases, validate_refuses, _schema_refuses(files)


def test_validate_and_the_schema_agree_on_every_case_both_ways(verdicts):
    cases, validate_refuses, schema_refuses = verdicts
    disagree = {name: ("validate refuses" if name in validate_refuses else "schema refuses")
                for name in cases if (name in validate_refuses) != (name in schema_refuses)}
    expected = {**dict.fromkeys(CODE_ONLY, "validate refuses"), **dict.fromkeys(QUOTED_WORDS, "schema refuses")}
    assert disagree == expected


def test_the_table_holds_the_cases_of_issue_24():
    """`prune: no`, members no/on/yes, `{until: ...}` alone, `{reason: x}`,
    `{user: a, group: b}` and 2027-02-30: refused by both."""
    cases = _cases()
    for name in ("prune_no", "members_no_on_yes", "until_alone", "reason_alone", "user_and_group", "until_feb_30"):
        assert name in cases and name not in CODE_ONLY and name not in QUOTED_WORDS


def test_both_refuse_what_they_should_and_accept_the_rest(verdicts):
    """Not only agreement: the right answer (a schema and a validate that
    accepted everything would agree too)."""
    cases, validate_refuses, schema_refuses = verdicts
    refused = {"prune_no", "prune_yes", "prune_off", "announce_on", "members_no_on_yes", "member_mixed_case_word",
               "owner_word", "name_word", "chat_id_word", "group_name_word", "reason_word", "until_alone",
               "reason_alone", "user_and_group", "exclude_dept_and_tag", "until_feb_30", "until_feb_29_not_leap",
               "until_feb_29_2100", "until_april_31", "until_month_13"}
    accepted = {"prune_true", "prune_false_capitalised", "y_and_n_stay_user_ids", "until_feb_29_leap",
                "until_feb_29_2000", "until_dec_31"}
    assert refused <= validate_refuses and refused <= schema_refuses
    assert not accepted & (validate_refuses | schema_refuses)
