"""The JSON plan is plan.data: contract key order, sorted lists, indent 2,
a trailing newline, raw UTF-8."""

from __future__ import annotations

import json

from reconciler.model import DesiredChat, LiveChat
from reconciler.plan import Plan
from reconciler.planner import make_plan
from reconciler.render import render_json


def test_json_is_plan_data_with_stable_layout():
    plan = make_plan([DesiredChat("c", "运维群", "bob", frozenset({"carol", "bob", "alice"}))],
                     {"c": LiveChat("c", "运维群", "alice", frozenset({"alice", "dave"}))})
    out = render_json(plan)
    assert out.endswith("}\n") and not out.endswith("\n\n")
    assert json.loads(out) == plan.data
    assert list(json.loads(out)) == ["format_version", "changes", "unchanged", "errors", "summary", "people"]
    assert '\n  "format_version": 1,\n' in out  # indent 2
    assert "运维群" in out  # raw UTF-8, not \\u escapes
    assert render_json(plan) == out  # deterministic
    assert Plan.from_data(json.loads(out)) == plan


def test_empty_plan_json():
    assert json.loads(render_json(Plan())) == {
        "format_version": 1, "changes": [], "unchanged": [], "errors": [],
        "summary": {"create": 0, "update": 0, "unchanged": 0, "errors": 0,
                    "members_added": 0, "members_removed": 0},
        "people": [],
    }
