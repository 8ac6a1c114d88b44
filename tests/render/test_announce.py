"""The markdown message `apply --announce` sends."""

from __future__ import annotations

from reconciler.core.planner import make_plan
from reconciler.render.announce import message_for
from tests.builders import desired, live

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
