"""The message budget warning (core.messagebudget.message_budget_warnings): pure,
the figures WeCom's (core.facts), each limit met exactly and passed by one."""

from __future__ import annotations

from reconciler.core.messagebudget import message_budget_warnings


def test_no_warning_within_every_budget():
    chats = [["alice", f"b{i}"] for i in range(200)]  # alice gets 200 messages: the minute's limit exactly
    assert message_budget_warnings(chats) == []
    assert message_budget_warnings([[f"u{i}" for i in range(2000)]] * 10) == []  # 20,000 person-times exactly


def test_a_member_past_200_a_minute_is_named_with_the_count():
    chats = [["alice", "bob", f"c{i}"] for i in range(201)] + [["Alice"]]  # letter case: one user
    [warning] = message_budget_warnings(chats, "this run's announcements")
    assert warning.startswith("message budget: this run's announcements would reach 2 members more than 200 times")
    assert "alice (202), bob (201)" in warning
    assert "at most 200 messages a minute from one app to one member and drops the rest" in warning


def test_a_member_past_10000_a_day_is_said_once_with_the_days_limit():
    chats = [["alice"]] * 10_001 + [["bob"]] * 300
    [member_day, member_minute] = message_budget_warnings(chats)
    assert "alice (10,001)" in member_day and "10,000 messages a day" in member_day and "bob" not in member_day
    assert "bob (300)" in member_minute and "alice" not in member_minute


def test_many_more_members_are_counted_not_all_named():
    [warning] = message_budget_warnings([[f"u{i}" for i in range(8)]] * 201)
    assert "reach 8 members" in warning and "and 3 more" in warning


def test_person_times_past_20000_a_minute_warn_that_messages_are_refused():
    chats = [[f"u{i}" for i in range(2000)]] * 10 + [["x", "y"]]
    [warning] = message_budget_warnings(chats)
    assert "count 20,002 person-times (a message to a chat of N members counts N)" in warning
    assert "20,000 a minute" in warning and "refused (45009)" in warning


def test_past_the_smallest_hourly_budget_the_hour_is_named():
    chats = [[f"u{i}" for i in range(2000)]] * 75 + [["x"]]  # 150,001, each member 76 times
    [warning] = message_budget_warnings(chats)
    assert "150,001 person-times" in warning and "150,000 an hour" in warning
