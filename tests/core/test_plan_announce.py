"""A chat file's `announce: false` travels with the plan: the change says
so in its JSON (only then), and reading a saved plan back keeps it, so
`apply --plan --announce` honours it without the chat files."""

from __future__ import annotations

import dataclasses

import pytest

from reconciler.config import load_text
from reconciler.core.planformat.reader import PlanFormatError, parse_plan
from reconciler.core.planner import make_plan
from tests.builders import desired, live
from reconciler.core.planformat.writer import plan_data


def _plan(announce: bool):
    want = dataclasses.replace(desired("team", ["alice", "bob", "carol"]), announce=announce)
    return make_plan([want, desired("fresh", ["alice", "bob"])],
                     {"team": live("team", ["alice", "bob"]), "fresh": None})


def test_the_key_is_written_only_for_a_chat_that_opts_out():
    assert [("announce" in c) for c in plan_data(_plan(True))["changes"]] == [False, False]
    data = plan_data(_plan(False))
    assert {c["chat_id"]: c.get("announce") for c in data["changes"]} == {"fresh": None, "team": False}


@pytest.mark.parametrize("announce", [True, False])
def test_reading_the_plan_back_keeps_the_choice(announce):
    plan = _plan(announce)
    again = parse_plan(plan_data(plan))
    assert again == plan
    assert again.change("team").announce is announce and again.change("fresh").announce is True


@pytest.mark.parametrize("value", [True, "no", 0, None])
def test_a_plan_with_any_other_announce_value_is_refused(value):
    data = plan_data(_plan(False))
    data["changes"][1]["announce"] = value
    with pytest.raises(PlanFormatError, match=r"changes\[1\] \(team\)\.announce: expected false"):
        parse_plan(data)


def test_the_chat_file_key_reaches_the_desired_chat():
    text = ("chats:\n  team:\n    name: T\n    owner: a\n    members: [a, b]\n    announce: false\n"
            "  other:\n    name: O\n    owner: a\n    members: [a, b]\n")
    result = load_text(text)
    assert result.ok, result.errors
    assert {c.chat_id: c.announce for c in result.chats} == {"other": True, "team": False}
