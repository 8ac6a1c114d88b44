"""The ledger's files: whole lines only, whatever cuts a write short, and a
reader that streams, skips what cannot match and flags what is broken."""

from __future__ import annotations

import os
from datetime import date

import pytest

from reconciler.app import ledger as ledger_file
from reconciler.app.ledger import LedgerError, LedgerWriter, read_lines, seen_chats
from reconciler.core.history import Query
from reconciler.core.ledger import LedgerLine


def L(at, chat, event, user=None):  # noqa: N802
    return LedgerLine(f"{at}T10:00:00+08:00", chat, chat.upper(), event, user, None, "why")


def test_lines_go_to_the_file_of_their_month_in_order(tmp_path):
    writer = LedgerWriter(tmp_path)
    lines = [L("2027-01-31", "ops", "joined", "a"), L("2027-02-01", "ops", "left", "a"),
             L("2027-02-01", "fin", "joined", "b")]
    writer.append(lines)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2027-01.jsonl", "2027-02.jsonl"]
    assert list(read_lines(tmp_path)) == lines and writer.written == 3


def test_a_write_cut_short_leaves_no_partial_line(tmp_path, monkeypatch):
    writer = LedgerWriter(tmp_path)
    writer.append([L("2027-01-05", "ops", "joined", "a")])
    before = (tmp_path / "2027-01.jsonl").read_bytes()
    real = os.write
    monkeypatch.setattr(ledger_file.os, "write", lambda fd, data: real(fd, data[:len(data) // 2]))  # disk full
    with pytest.raises(LedgerError, match="short write"):
        writer.append([L("2027-01-06", "ops", "left", "a")])
    assert (tmp_path / "2027-01.jsonl").read_bytes() == before


def test_a_partial_last_line_is_ignored_and_flagged_and_the_next_append_stays_whole(tmp_path):
    writer = LedgerWriter(tmp_path)
    whole = L("2027-01-05", "ops", "joined", "a")
    writer.append([whole])
    with open(tmp_path / "2027-01.jsonl", "ab") as fh:
        fh.write(L("2027-01-06", "ops", "left", "a").encode()[:40])  # what a power cut could leave
    ignored = []
    assert list(read_lines(tmp_path, ignored=ignored)) == [whole]
    assert [(i.line, "partial" in i.why) for i in ignored] == [(2, True)]

    later = L("2027-01-07", "ops", "joined", "b")
    writer.append([later])
    ignored = []
    assert list(read_lines(tmp_path, ignored=ignored)) == [whole, later]
    assert [(i.line, "not a ledger line" in i.why) for i in ignored] == [(2, True)]


def test_the_reader_opens_only_the_months_asked_and_parses_only_what_may_match(tmp_path, monkeypatch):
    LedgerWriter(tmp_path).append([L("2027-01-05", "ops", "joined", "a"), L("2027-03-05", "ops", "joined", "b")])
    (tmp_path / "2027-02.jsonl").write_bytes(b"garbage that would be flagged if read\n")
    (tmp_path / "notes.txt").write_text("not a month")
    ignored = []
    found = list(read_lines(tmp_path, Query(user="B", since=date(2027, 3, 1)), ignored))
    assert [x.user_id for x in found] == ["b"] and ignored == []


def test_seen_chats_finds_chats_in_any_month(tmp_path):
    LedgerWriter(tmp_path).append([L("2026-11-05", "old", "joined", "a"), L("2027-03-05", "ops", "joined", "b")])
    assert seen_chats(tmp_path, ["old", "ops", "new"]) == {"old", "ops"}
    assert seen_chats(tmp_path / "missing", ["ops"]) == set()


def test_a_directory_that_cannot_hold_the_ledger_is_named(tmp_path):
    (tmp_path / "file").write_text("x")
    assert "cannot be made" in LedgerWriter(tmp_path / "file" / "ledger").prepare()
    with pytest.raises(LedgerError, match="no ledger at"):
        list(read_lines(tmp_path / "missing"))



def test_the_fast_search_finds_what_the_plain_reader_finds_and_numbers_broken_lines(tmp_path, monkeypatch):
    monkeypatch.setattr(ledger_file, "_CHUNK", 64)  # lines straddle the chunks
    lines = [L("2027-01-05", f"c{i % 3}", "joined", "Vera" if i % 4 == 0 else f"u{i}") for i in range(40)]
    LedgerWriter(tmp_path).append(lines)
    with open(tmp_path / "2027-01.jsonl", "ab") as fh:
        fh.write(b'{"user_id":"vera","chat_id":"c1"}\n' + lines[0].encode()[:50])
    ignored = []
    found = list(read_lines(tmp_path, Query(user="vera", chat="c1"), ignored))
    assert found == [x for x in lines if x.user_id == "Vera" and x.chat_id == "c1"] and found
    assert [(i.line, i.why.split(" (")[0]) for i in ignored] == [(41, "not a ledger line"),
                                                                 (42, "a partial last line")]
