"""The pure parts of apply: saved-plan files, quota split, announcement text,
drift explanation. Everything that talks to WeCom is in the other
test_apply_*.py files, against the emulator."""

from __future__ import annotations

import json
import os

import pytest

from reconciler import planfile
from reconciler.announce import message_for
from reconciler.executor import explain_drift, fit_quotas, state_after_call
from reconciler.model import DesiredChat, LiveChat
from reconciler.plan import ChatState, Plan
from reconciler.planner import make_plan


def desired(chat_id, members, owner=None, name=None):
    members = frozenset(members)
    return DesiredChat(chat_id, name or f"Chat {chat_id}", owner or sorted(members)[0], members)


def live(chat_id, members, owner=None, name=None):
    members = frozenset(members)
    return LiveChat(chat_id, name or f"Chat {chat_id}", owner or sorted(members)[0], members)


def sample_plan() -> Plan:
    return make_plan(
        [desired("alpha", ["alice", "bob", "carol"]), desired("beta", ["alice", "dave"])],
        {"alpha": live("alpha", ["alice", "bob"]), "beta": None},
    )


# ---------------------------------------------------------------- plan files

def test_planfile_round_trip_keeps_calls_and_records_origin(tmp_path):
    plan = sample_plan()
    path = tmp_path / "plan.json"
    planfile.write(plan, str(path))
    data = json.loads(path.read_text("utf-8"))
    assert data["format_version"] == 1
    assert data["digest"].startswith("sha256:") and len(data["digest"]) == len("sha256:") + 64
    assert data["generated_by"].startswith("appchat ")
    again = planfile.read(str(path))
    assert again.data == plan.data
    assert [c.data for c in again.changes[0].calls] == data["changes"][0]["calls"]
    assert os.listdir(tmp_path) == ["plan.json"]  # no temp file left behind


def test_planfile_digest_ignores_whitespace_but_not_content(tmp_path):
    path = tmp_path / "plan.json"
    planfile.write(sample_plan(), str(path))
    data = json.loads(path.read_text("utf-8"))
    path.write_text(json.dumps(data, separators=(",", ":")), "utf-8")  # reformatted, same content
    assert planfile.read(str(path)).changes
    data["changes"][0]["calls"][0]["body"]["add_user_list"] = ["mallory"]
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(planfile.PlanFileError, match="edited"):
        planfile.read(str(path))


@pytest.mark.parametrize("mangle, message", [
    (lambda text: text[: len(text) // 2], "truncated"),
    (lambda text: "", "not valid JSON"),
    (lambda text: "this is not json", "not valid JSON"),
    (lambda text: "[1, 2]", "not a plan"),
    (lambda text: text.replace('"format_version": 1', '"format_version": 2'), "format_version 2"),
    (lambda text: json.dumps({k: v for k, v in json.loads(text).items() if k != "digest"}), "no digest"),
    (lambda text: json.dumps({k: v for k, v in json.loads(text).items() if k != "changes"}), "no `changes`"),
])
def test_planfile_refuses_what_it_cannot_trust(tmp_path, mangle, message):
    path = tmp_path / "plan.json"
    planfile.write(sample_plan(), str(path))
    path.write_text(mangle(path.read_text("utf-8")), "utf-8")
    with pytest.raises(planfile.PlanFileError, match=message):
        planfile.read(str(path))


def test_planfile_refuses_a_digest_consistent_file_that_is_not_a_plan(tmp_path):
    # Someone recomputed the digest after editing: the strict reader still
    # refuses changes that are not what the planner writes.
    path = tmp_path / "plan.json"
    planfile.write(sample_plan(), str(path))
    data = json.loads(path.read_text("utf-8"))
    data["changes"][0]["calls"][0]["path"] = "appchat/send"
    data["digest"] = planfile.digest(data["changes"])
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(planfile.PlanFileError, match="not a valid plan"):
        planfile.read(str(path))


def test_planfile_missing_file(tmp_path):
    with pytest.raises(planfile.PlanFileError, match="cannot read"):
        planfile.read(str(tmp_path / "nope.json"))


# ---------------------------------------------------------------- quotas

def _many_creates(n: int) -> Plan:
    chats = [desired(f"c{i:04d}", ["alice", "bob"]) for i in range(n)]
    return make_plan(chats, {c.chat_id: None for c in chats})


def test_quota_split_takes_a_prefix_in_chat_id_order():
    plan = _many_creates(12)
    fits, deferred, notes = fit_quotas(plan.changes, changes_per_hour=100, creates_per_day=5)
    assert [c.chat_id for c in fits] == [f"c{i:04d}" for i in range(5)]
    assert [c.chat_id for c in deferred] == [f"c{i:04d}" for i in range(5, 12)]
    assert len(notes) == 1 and "first 5 chats" in notes[0] and "leaves 7" in notes[0]


def test_quota_split_counts_two_call_updates_twice():
    # a new owner who is not yet a member costs two update calls
    plan = make_plan([desired(f"u{i}", ["alice", "bob", "zed"], owner="zed") for i in range(3)],
                     {f"u{i}": live(f"u{i}", ["alice", "bob"], owner="alice") for i in range(3)})
    assert all(len(c.calls) == 2 for c in plan.changes)
    fits, deferred, _ = fit_quotas(plan.changes, changes_per_hour=5, creates_per_day=5)
    assert [c.chat_id for c in fits] == ["u0", "u1"] and [c.chat_id for c in deferred] == ["u2"]


def test_quota_split_within_limits_says_nothing():
    fits, deferred, notes = fit_quotas(sample_plan().changes)
    assert len(fits) == 2 and deferred == [] and notes == []


# ---------------------------------------------------------------- announcements

def test_announcement_names_who_joined_and_left():
    plan = make_plan([desired("team", ["alice", "carol", "dave"], owner="alice")],
                     {"team": live("team", ["alice", "bob"], owner="alice")})
    text = message_for(plan.changes[0])
    assert "Chat team" in text
    assert "Joined (2): carol, dave" in text
    assert "Left (1): bob" in text


def test_announcement_is_cut_to_2048_bytes_with_and_n_more():
    joiners = [f"user{i:04d}" for i in range(1500)]
    plan = make_plan([desired("big", ["alice", *joiners], owner="alice", name="大群" * 20)],
                     {"big": live("big", ["alice", "bob"], owner="alice", name="大群" * 20)})
    text = message_for(plan.changes[0])
    assert len(text.encode("utf-8")) <= 2048
    assert "Joined (1500): user0000, " in text
    assert " more" in text and "Left (1): bob" in text
    shown = text.split("Joined (1500): ")[1].split(" and ")[0].split(", ")
    more = int(text.split(" and ")[1].split(" more")[0])
    assert len(shown) + more == 1500


def test_announcement_of_nothing_member_visible_is_none():
    before = ChatState("x", "alice", ("alice", "bob"))
    plan = make_plan([desired("q", ["alice", "bob"], owner="alice", name="x")],
                     {"q": live("q", ["alice", "bob"], owner="alice", name="x")})
    assert plan.changes == ()
    assert explain_drift(before, before) == []


# ---------------------------------------------------------------- drift and expected states

def test_drift_explanation_names_every_difference():
    before = ChatState("Ops", "alice", ("alice", "bob", "carol"))
    now = ChatState("Ops!", "bob", ("alice", "bob", "dave"))
    text = "\n".join(explain_drift(before, now))
    assert "'Ops' -> 'Ops!'" in text
    assert "owner: 'alice' -> 'bob'" in text
    assert "joined since the plan: dave" in text
    assert "left since the plan: carol" in text
    assert "now exists" in explain_drift(None, now)[0]
    assert "no longer exists" in explain_drift(before, None)[0]


def test_state_after_each_call_reaches_after():
    plan = make_plan([desired("t", ["bob", "zed"], owner="zed", name="New")],
                     {"t": live("t", ["alice", "bob"], owner="alice", name="Old")})
    change = plan.changes[0]
    state = change.before
    for call in change.calls:
        state = state_after_call(state, call)
    assert state.data == change.after.data
