"""Issue 12: a chat name from WeCom (or anything else that came from outside)
cannot move the cursor or reorder a line in any view: text, markdown, who,
the apply report, the chat file import writes, and the JSON views, which
carry those characters as \\u escapes (the same value once parsed)."""

from __future__ import annotations

import json

import pytest
import yaml

from reconciler import render
from reconciler.core.model import DesiredChat, LiveChat, ReadError, Source
from reconciler.core.userchats import MEMBER, Row, WhoAnswer
from reconciler.core.planner import make_plan
from reconciler.core.report import ApplyReport, ChatResult, Status
from reconciler.render.chatfile import render_chat_file

# What the issue lists, one of each kind: C0, DEL, C1, an override, an isolate.
HOSTILE = ["\x1b[2J", "\x07", "\x7f", "\x85", "\x9b", "\u202a", "\u202e", "\u2066", "\u2069", "\u2028"]
NAME = "Ops" + "".join(HOSTILE) + "gpj.exe"


def _raw(text: str) -> list[str]:
    return [c for c in HOSTILE if c in text]


def _plan():
    desired = DesiredChat("ops", "Ops", "erin", frozenset({"erin", "frank"}), True, Source("chats/a.yaml", 2, 3))
    live = {"ops": LiveChat("ops", NAME, "erin", frozenset({"erin", "frank"}))}
    return make_plan([desired], live)


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_plan_views_escape_a_name_from_wecom(fmt):
    out = render.PLAN[fmt](_plan())
    assert _raw(out) == []
    assert "\\u202e" in out and "\\u001b" in out  # shown, not dropped: the reviewer sees something is odd


def test_json_views_carry_the_same_value_as_escapes():
    plan = _plan()
    out = render.PLAN["json"](plan)
    assert _raw(out) == []
    assert json.loads(out)["changes"][0]["before"]["name"] == NAME
    report = ApplyReport((ChatResult("ops", "update", Status.FAILED, 0, 1, 86004, NAME),))
    out = render.REPORT["json"](report)
    assert _raw(out) == [] and json.loads(out)["outcomes"][0]["message"] == NAME


def test_apply_report_text_escapes_messages_and_ids():
    report = ApplyReport((ChatResult("o\u202eps", "update", Status.FAILED, 0, 1, None, "WeCom said " + NAME),
                          ChatResult("ok", "update", Status.APPLIED, 1, 1)))
    out = render.REPORT["text"](report)
    assert _raw(out) == [] and "o\\u202eps" in out


def test_who_escapes_names_and_ids():
    row = Row("o\u2066ps", NAME, "chats/a.yaml:2", True, False, ((),), MEMBER, False)
    answer = WhoAnswer("erin", (row,), (), True)
    for fmt in ("text", "json"):
        out = render.WHO[fmt](answer)
        assert _raw(out) == [], fmt
    assert json.loads(render.WHO["json"](answer))["chats"][0]["name"] == NAME


def test_the_chat_file_import_writes_escapes_and_reads_back_the_same():
    text = render_chat_file([LiveChat("ops", NAME, "erin", frozenset({"erin", "frank"}))])
    assert _raw(text) == []
    assert yaml.safe_load(text)["chats"]["ops"]["name"] == NAME


def test_error_messages_from_wecom_are_escaped_in_the_plan():
    plan = make_plan([], {})
    plan = type(plan)((), (), (ReadError("ops", None, "proxy said " + NAME),))
    for fmt in ("text", "markdown"):
        assert _raw(render.PLAN[fmt](plan)) == [], fmt
