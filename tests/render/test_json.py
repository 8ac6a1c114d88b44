"""The JSON plan is plan_data(plan): contract key order, sorted lists, indent 2,
a trailing newline, raw UTF-8."""

from __future__ import annotations

import json

from reconciler.core.model import DesiredChat, LiveChat
from reconciler.core.plan import Plan
from reconciler.core.planformat.reader import parse_plan
from reconciler.core.planner import make_plan
from reconciler.render import render_json


def test_json_is_plan_data_with_stable_layout():
    plan = make_plan([DesiredChat("c", "运维群", "bob", frozenset({"carol", "bob", "alice"}))],
                     {"c": LiveChat("c", "运维群", "alice", frozenset({"alice", "dave"}))})
    out = render_json(plan)
    assert out.endswith("}\n") and not out.endswith("\n\n")
    data = json.loads(out)
    assert list(data) == ["format_version", "changes", "unchanged", "errors", "summary", "people"]
    # the contract's change, its key order and the body's, lists sorted
    change = data["changes"][0]
    assert list(change) == ["chat_id", "action", "source", "before", "after", "calls", "warnings", "causes"]
    assert change["before"] == {"name": "运维群", "owner": "alice", "members": ["alice", "dave"]}
    assert change["after"] == {"name": "运维群", "owner": "bob", "members": ["alice", "bob", "carol"]}
    # bob is not yet a member: he joins first, then becomes owner as dave leaves
    assert change["calls"] == [
        {"method": "POST", "path": "appchat/update", "body": {"chatid": "c", "add_user_list": ["bob", "carol"]}},
        {"method": "POST", "path": "appchat/update", "body": {"chatid": "c", "owner": "bob", "del_user_list": ["dave"]}},
    ]
    assert list(change["calls"][1]["body"]) == ["chatid", "owner", "del_user_list"]
    assert '\n  "format_version": 1,\n' in out  # indent 2
    assert "运维群" in out  # raw UTF-8, not \\u escapes
    assert parse_plan(data) == plan


def test_empty_plan_json():
    assert json.loads(render_json(Plan())) == {
        "format_version": 1, "changes": [], "unchanged": [], "errors": [],
        "summary": {"create": 0, "update": 0, "unchanged": 0, "errors": 0,
                    "members_added": 0, "members_removed": 0},
        "people": [],
    }
