"""The text plan: Terraform-like, removals easy to spot, escapes what came
from outside, colour only when asked."""

from __future__ import annotations

from functools import partial

import pytest

from reconciler.core.model import ReadError, Source
from reconciler.core.plan import Plan
from reconciler.core.planner import make_plan
from reconciler.render import render_text
from tests.builders import desired, live


def at(line: int) -> Source:
    return Source("chats/t.yaml", line, 3)


# Every desired chat of these plans is written at line 1 of chats/t.yaml unless it says otherwise.
want = partial(desired, source=at(1))


def mixed_plan() -> Plan:
    return make_plan(
        [want("newchat", "carol alice bob", "alice", "New chat", source=at(2)),
         want("sre", "bob carol", "bob", "SRE On-call", source=at(6)),
         want("same", "alice bob", "alice", "Same", source=at(9)),
         want("legacy", "alice bob", "alice", "Legacy", source=at(12))],
        {"newchat": None,
         "sre": live("sre", "alice bob dave", "alice", "SRE"),
         "same": live("same", "alice bob", "alice", "Same"),
         "legacy": ReadError("legacy", 86008, "chat was not created by this app")})


def test_whole_text_plan():
    assert render_text(mixed_plan()) == """\
+ create chat "newchat"  (chats/t.yaml:2)
    name:    "New chat"
    owner:   alice
    members: 3
      + alice (owner)  (chats/t.yaml:2)
      + bob  (chats/t.yaml:2)
      + carol  (chats/t.yaml:2)

~ update chat "sre"  (chats/t.yaml:6)
    ~ name: "SRE" -> "SRE On-call"
    ~ owner: alice -> bob
    - alice  (not in the files)
    - dave  (not in the files)
    + carol  (chats/t.yaml:6)
    members: 3 -> 2 (+1 / -2)

Errors (these chats could not be planned):
  ! legacy: 86008 chat was not created by this app

People:
  alice: leaves sre; joins newchat; stops owning sre; becomes owner of newchat
  dave: leaves sre
  bob: joins newchat; becomes owner of sre
  carol: joins newchat, sre

Plan: 1 to create, 1 to update, 1 unchanged, 1 error; +1 / -2 members.
"""


@pytest.mark.parametrize("plan", [Plan(), Plan(unchanged=("a", "b"))], ids=["empty", "only unchanged"])
def test_no_changes_says_so(plan):
    assert render_text(plan) == "No changes. WeCom matches the files.\n"
    assert render_text(plan, colour=True) == "No changes. WeCom matches the files.\n"


def test_errors_without_changes_are_not_no_changes():
    plan = make_plan([want("a", "x y", "x", "A")], {"a": ReadError("a", None, "connection refused")})
    out = render_text(plan)
    assert "No changes" not in out
    assert "  ! a: connection refused\n" in out
    assert out.endswith("Plan: 0 to create, 0 to update, 0 unchanged, 1 error; +0 / -0 members.\n")


def test_errors_are_plural():
    plan = make_plan([want("a", "x y", "x", "A"), want("b", "x y", "x", "B")],
                     {"a": ReadError("a", -1, "busy"), "b": ReadError("b", -1, "busy")})
    assert render_text(plan).endswith("0 unchanged, 2 errors; +0 / -0 members.\n")


def test_no_colour_unless_asked():
    assert "\x1b[" not in render_text(mixed_plan())
    assert "\x1b[" not in render_text(mixed_plan(), colour=False)


def test_colour_marks_removals_red_and_additions_green():
    out = render_text(mixed_plan(), colour=True)
    assert "\x1b[31m    - dave\x1b[0m" in out
    assert "\x1b[32m    + carol\x1b[0m" in out


def test_two_call_split_and_warnings_are_shown():
    everyone = " ".join(f"u{i}" for i in range(10))
    plan = make_plan([want("big", "u0 u1 u2 u3 u4 u5 boss", "boss", "Big")], {"big": live("big", everyone, "u0", "Big")})
    out = render_text(plan)
    assert "    2 API calls: the new owner joins first, then becomes owner\n" in out
    assert "    ! mass removal: removes 4 of 10 members (40%)\n" in out
    assert "Warnings:\n  ! big: mass removal: removes 4 of 10 members (40%)\n" in out


def test_names_and_ids_from_wecom_cannot_inject_terminal_escapes_or_lines():
    plan = make_plan([want("a", "alice bob", "alice", "Clean")],
                     {"a": live("a", "alice bob eve\x1b[31m", "alice", "Evil\x1b[2J\n+ create chat \"fake\"")})
    out = render_text(plan)
    assert "\x1b" not in out
    assert '\n+ create chat "fake"' not in out
    assert "- eve\\x1b[31m" in out
