"""The ledger's lines, pure: what a verified change writes, in which order,
with which cause, and how a line reads back."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from reconciler.core.ledger import (BadLine, LedgerLine, Stamp, cause_for, change_lines, decode, present_lines)
from reconciler.core.expiry import Ending
from reconciler.core.model import Source
from reconciler.core.planner import make_plan
from tests.builders import desired, live

AT = "2027-02-01T09:30:00+08:00"
STAMP = Stamp({"corp_id": "ww1", "api_base": "http://x/cgi-bin/"}, "abc123", "sha256:00")


def _change(want, have):
    (change,) = make_plan([want], {want.chat_id: have}).changes
    return change


def test_an_update_is_written_in_the_order_its_calls_make_it():
    # the new owner is not yet a member: two calls, the first adds, the second sets owner, removes, renames
    change = _change(desired("ops", ["carol", "bob"], owner="carol", name="Ops 2"),
                     live("ops", ["alice", "bob"], owner="alice", name="Ops"))
    assert len(change.calls) == 2
    lines = change_lines(change, AT, STAMP, {"carol": "Carol C"})
    assert [(x.event, x.user_id, x.chat_name) for x in lines] == [
        ("joined", "carol", "Ops"), ("owner", "carol", "Ops"), ("left", "alice", "Ops"), ("renamed", None, "Ops 2")]
    assert lines[0].name == "Carol C" and lines[2].name is None
    assert all((x.commit, x.plan_digest, x.target) == ("abc123", "sha256:00", STAMP.target) for x in lines)


def test_a_created_chat_gets_a_joined_line_per_first_member():
    change = _change(desired("new", ["bob", "alice"], owner="bob", name="New"), None)
    lines = change_lines(change, AT, STAMP)
    assert [(x.event, x.user_id) for x in lines] == [("created", None), ("joined", "alice"), ("joined", "bob"),
                                                     ("owner", "bob")]


def test_what_wecom_refused_gets_no_line():
    change = _change(desired("ops", ["alice", "bob"]), live("ops", ["alice", "bob", "gone", "hand"]))
    lines = change_lines(change, AT, STAMP, not_made=["gone"])
    assert [(x.event, x.user_id) for x in lines] == [("left", "hand")]


def test_a_change_saved_without_causes_says_what_its_plan_knew():
    change = _change(desired("ops", ["alice", "bob"]), live("ops", ["alice", "bob", "vera", "hand", "ghost"]))
    change = replace(change, expired=(Ending("ops", "vera", date(2027, 1, 31), "contractor", Source("f.yaml", 9, 10)),),
                     not_in_directory=("ghost",), causes={})
    assert cause_for(change, "vera", "left") == "expired 2027-01-31: contractor"
    assert cause_for(change, "ghost", "left") == "not in the directory"
    assert cause_for(change, "hand", "left") == "not in the files"
    assert cause_for(change, "bob", "joined") == f"in the files ({change.source})"
    assert cause_for(change, "bob", "present") == "before the ledger"


def test_a_line_carries_the_plans_cause_as_it_is():
    change = _change(desired("ops", ["alice", "bob", "carol"]), live("ops", ["alice", "bob", "hand"]))
    assert cause_for(change, "hand", "left") == {"kind": "unlisted"}
    assert cause_for(change, "carol", "joined") == {"kind": "listed",
                                                    "entries": [{"entry": "carol", "source": change.source}]}
    lines = change_lines(change, AT, STAMP)
    assert {x.user_id: x.cause for x in lines} == {"carol": change.causes["carol"], "hand": change.causes["hand"]}


def test_present_lines_hold_the_members_before_the_run():
    lines = present_lines("ops", "Ops", ["bob", "alice"], AT, STAMP)
    assert [(x.event, x.user_id, x.cause) for x in lines] == [("present", "alice", "before the ledger"),
                                                              ("present", "bob", "before the ledger")]


def test_a_line_reads_back_as_it_was_written_in_the_contracts_keys():
    line = LedgerLine(AT, "ops", "运维", "left", "vera", "Vera", "expired", STAMP.target, "abc", "sha256:1")
    raw = line.encode()
    assert raw.endswith(b"\n") and raw.count(b"\n") == 1 and "运维".encode() in raw
    assert decode(raw) == line
    assert list(line.data) == ["at", "target", "chat_id", "chat_name", "event", "user_id", "name", "cause",
                               "commit", "plan_digest"]
    renamed = LedgerLine(AT, "ops", "New", "renamed")
    assert "user_id" not in renamed.data and decode(renamed.encode()) == renamed
    assert (line.day, line.month) == ("2027-02-01", "2027-02")


@pytest.mark.parametrize("raw", [b'{"at":"2027-02-01T09:30', b"[]", b'{"at":"x","chat_id":"c","event":"gone"}',
                                 b'{"at":"x","chat_id":"c","event":"left"}', b"\xff\xfe"])
def test_what_is_not_a_ledger_line_is_refused(raw):
    with pytest.raises(BadLine):
        decode(raw)
