"""Memberships that end have one home, core.expiry.Ending: the plan's
warnings (a window of 7 days), the people a change removes because their
membership ended, and `appchat expiring` (a window of DAYS) are one value,
with one stored source that each output words its own way."""

from __future__ import annotations

import ast
import json
from dataclasses import replace
from datetime import date
from functools import partial
from pathlib import Path

import pytest

import reconciler
from reconciler.core.expiry import ENDING_SOON_DAYS, Ending, expiring, last_day
from reconciler.core.model import USER, DesiredChat, Entry, LiveChat, Source
from reconciler.core.planformat.reader import PlanFormatError, parse_plan
from reconciler.core.planner import make_plan
from reconciler.core.planformat.views import with_views
from reconciler.render.expiring import render_expiring_json
from tests.builders import desired
from reconciler.core.planformat.writer import plan_data

HERE = Source("chats/a.yaml", 9, 10)
VERA = Entry.of_user("vera", HERE, date(2027, 1, 31), "contractor", ("temps",))


_chat = partial(desired, "ops", "alice bob", "alice", "Ops", grants=(VERA,))


def test_the_window_is_a_parameter_and_each_output_keeps_its_source_shape():
    ops = _chat()
    warned = make_plan([ops], {"ops": LiveChat("ops", "Ops", "alice", frozenset({"alice", "bob", "vera"}))},
                       today=date(2027, 1, 31 - ENDING_SOON_DAYS))
    assert warned.expiring == (Ending("ops", "vera", VERA.until, "contractor", HERE, ("temps",)),)
    assert plan_data(warned)["expiring"] == [{"chat_id": "ops", "user_id": "vera", "until": "2027-01-31",
                                        "reason": "contractor", "source": "chats/a.yaml:9:10"}]
    assert make_plan([ops], {"ops": None}, today=date(2027, 1, 31 - ENDING_SOON_DAYS - 1)).expiring == ()

    ended = make_plan([ops], {"ops": LiveChat("ops", "Ops", "alice", frozenset({"alice", "bob", "vera"}))},
                      today=date(2027, 2, 1))
    assert ended.changes[0].expired == (Ending("ops", "vera", VERA.until, "contractor", HERE, ("temps",)),)
    assert plan_data(ended)["changes"][0]["expired"] == [{"user_id": "vera", "until": "2027-01-31", "reason": "contractor",
                                                    "source": "chats/a.yaml:9:10"}]

    today = date(2027, 1, 17)
    assert expiring([ops], today, 13) == [] and [e for _, e in expiring([ops], today, 14)] == list(warned.expiring)
    (listed,) = json.loads(render_expiring_json(expiring([ops], today), today, 14))["memberships"]
    assert listed["source"] == "chats/a.yaml:9" and listed["days_left"] == 14 and listed["via"] == ["temps"]
    assert last_day(date(9998, 12, 31), 3650) == date.max


def test_a_saved_plan_reads_back_the_same_endings_and_refuses_a_source_it_could_not_have_written():
    live = {"ops": LiveChat("ops", "Ops", "alice", frozenset({"alice", "bob", "vera"}))}
    ended = make_plan([_chat()], live, today=date(2027, 2, 1))
    soon = make_plan([_chat()], live, today=date(2027, 1, 30))
    assert plan_data(parse_plan(json.loads(json.dumps(plan_data(ended))))) == plan_data(ended)
    assert with_views(parse_plan(plan_data(soon)), plan_data(soon)).expiring == tuple(replace(e, via=()) for e in soon.expiring)
    data = json.loads(json.dumps(plan_data(ended)))
    data["changes"][0]["expired"][0]["source"] = "chats/a.yaml:9"
    with pytest.raises(PlanFormatError, match=r"\.expired\[0\]\.source: expected FILE:LINE:COL"):
        parse_plan(data)


def _classes():
    root = Path(reconciler.__file__).parent
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                fields = {s.target.id for s in node.body
                          if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)}
                yield path.relative_to(root).as_posix(), node.name, fields


def test_only_one_class_holds_a_membership_that_ends_in_a_chat():
    """A class with an `until` that names a chat or a person is a membership
    that ends: it is core.expiry.Ending, nowhere else (the entries as written,
    which carry their own `until`, name neither)."""
    found = [(m, c) for m, c, fields in _classes()
             if "until" in fields and fields & {"chat_id", "who", "user_id"}]
    assert found == [("core/expiry.py", "Ending")]
    assert not [(m, c) for m, c, _ in _classes() if c in ("Expiring", "Expired")]
