"""`history`'s queries over ledger lines, pure."""

from __future__ import annotations

import re
from datetime import date

import pytest

from reconciler.core.history import Query, former_causes, members_at, timeline
from reconciler.core.ledger import LedgerLine


def L(at, chat, event, user=None, cause=None, name=None):  # noqa: N802 - a line, briefly
    return LedgerLine(f"{at}T10:00:00+08:00", chat, name or chat.upper(), event, user, None, cause)


LINES = [
    L("2027-01-05", "ops", "present", "alice", "before the ledger"),
    L("2027-01-05", "ops", "present", "Vera", "before the ledger"),
    L("2027-01-10", "fin", "created"),
    L("2027-01-10", "fin", "joined", "vera", "dept:3 (SRE)"),
    L("2027-02-01", "ops", "left", "vera", "expired 2027-01-31"),
    L("2027-02-03", "ops", "renamed", name="Ops 2"),
    L("2027-03-01", "fin", "left", "vera", "not in the files"),
    L("2027-03-02", "fin", "joined", "vera", "tag:10"),
]


def test_a_users_timeline_ignores_letter_case_and_keeps_the_order():
    found = list(timeline(LINES, Query(user="VERA")))
    assert [(x.chat_id, x.event) for x in found] == [("ops", "present"), ("fin", "joined"), ("ops", "left"),
                                                     ("fin", "left"), ("fin", "joined")]


def test_since_and_until_are_whole_days_and_chat_narrows():
    found = list(timeline(LINES, Query(user="vera", chat="fin", since=date(2027, 1, 10), until=date(2027, 3, 1))))
    assert [x.day for x in found] == ["2027-01-10", "2027-03-01"]
    assert [x.event for x in timeline(LINES, Query(chat="ops"))] == ["present", "present", "left", "renamed"]


def test_who_was_in_a_chat_at_the_end_of_a_day():
    assert [m.user_id for m in members_at(LINES, date(2027, 1, 31), chat="ops")] == ["alice", "Vera"]
    assert [m.user_id for m in members_at(LINES, date(2027, 2, 1), chat="ops")] == ["alice"]  # left that day
    assert members_at(LINES, date(2027, 1, 4), chat="ops") == []  # before the ledger knew anything
    (alice,) = members_at(LINES, date(2027, 2, 3), chat="ops")
    assert alice.chat_name == "Ops 2" and alice.cause == "before the ledger"


def test_the_chats_a_user_was_in_on_a_day():
    assert [m.chat_id for m in members_at(LINES, date(2027, 1, 20), user="vera")] == ["fin", "ops"]
    assert members_at(LINES, date(2027, 3, 1), user="vera") == []
    (back,) = members_at(LINES, date(2027, 3, 2), user="vera")
    assert (back.chat_id, back.cause) == ("fin", "tag:10")


def test_the_cause_that_last_brought_someone_in():
    found = former_causes(LINES, [("fin", "Vera"), ("ops", "vera"), ("ops", "nobody")])
    assert found == {("fin", "Vera"): "tag:10", ("ops", "vera"): "before the ledger"}


def test_the_prefilter_never_drops_a_line_that_matches():
    for query in (Query(user="Vera", chat="ops"), Query(user="vera"), Query(chat="fin")):
        pattern, also = query.prefilter()
        for line in LINES:
            raw = line.encode()
            passes = re.search(pattern, raw) is not None and all(a in raw for a in also)
            assert passes == query.matches(line), (query, line)
    assert Query(since=date(2027, 1, 1)).prefilter() is None
    assert Query(since=date(2027, 2, 1), until=date(2027, 3, 5)).months() == ("2027-02", "2027-03")
    assert Query(chat="ops", at=date(2027, 2, 1), since=date(2027, 1, 1)).months() == (None, "2027-02")


def test_a_query_that_cannot_be_answered_is_refused():
    with pytest.raises(ValueError, match="--at needs"):
        Query(at=date(2027, 1, 1))
    with pytest.raises(ValueError, match="after --until"):
        Query(since=date(2027, 2, 1), until=date(2027, 1, 1))
