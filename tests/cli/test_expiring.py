"""`appchat expiring`: offline, sorted by date, each membership with its
user, chat, date, reason and FILE:LINE; text for a reminder, JSON for a
pipeline."""

from __future__ import annotations

import json

import pytest

from tests.helpers import run_in_process as run

FILES = """\
groups:
  vendors: [{user: vera, until: 2026-11-30, reason: first contract}, wes]
chats:
  ops:
    name: Ops
    owner: a
    members:
      - a
      - b
      - {user: vera, until: 2026-12-05, reason: "contractor, INC-42"}
      - {group: vendors, until: 2026-12-20}
      - {dept: 12, until: 2027-03-01}
  quiet:
    name: Quiet
    owner: a
    members: [a, b]
"""


def _files(tmp_path):
    (tmp_path / "c.yaml").write_text(FILES, encoding="utf-8")
    return tmp_path


def test_text_lists_what_ends_soon_and_what_ended_sorted_by_date(tmp_path, capsys):
    r = run(capsys, "expiring", _files(tmp_path), "--today", "2026-12-01")
    assert r.code == 0
    lines = r.out.splitlines()
    assert lines[0] == "Memberships that end within 14 days of 2026-12-01, and those already ended:"
    assert lines[1].startswith("- 2026-11-30  vera in ops \"Ops\" via @vendors: ended 1 day ago  (first contract)")
    assert lines[2].startswith("- 2026-12-05  vera in ops \"Ops\": ends in 4 days  (contractor, INC-42)")
    assert f"{tmp_path}/c.yaml:10; owner a" in lines[2]
    assert len(lines) == 4 and "1 already ended" in lines[3]  # wes (12-20) and dept:12 (03-01) are further off
    assert r.err == ""  # the list says what ended: no validate warning besides


def test_a_chat_an_ended_membership_makes_unplannable_is_listed_not_refused(tmp_path, capsys):
    """The owner's membership ended and the chat has one member left: `plan`
    refuses the chat, and that is exactly what the weekly reminder is for."""
    (tmp_path / "c.yaml").write_text("chats:\n  ops:\n    name: Ops\n    owner: vera\n    members:\n"
                                     "      - a\n      - {user: vera, until: 2026-11-30, reason: contractor}\n",
                                     encoding="utf-8")
    r = run(capsys, "expiring", tmp_path, "--today", "2026-12-01", "--format", "json")
    assert r.code == 0, r.err
    assert [(m["user_id"], m["ended"]) for m in json.loads(r.out)["memberships"]] == [("vera", True)]
    assert run(capsys, "validate", tmp_path, "--today", "2026-12-01").code == 1


def test_within_widens_the_window_and_json_carries_everything_a_pipeline_needs(tmp_path, capsys):
    r = run(capsys, "expiring", _files(tmp_path), "--today", "2026-12-01", "--within", "100", "--format", "json")
    assert r.code == 0
    data = json.loads(r.out)
    assert (data["today"], data["within_days"]) == ("2026-12-01", 100)
    rows = [(m["until"], m["user_id"], m["days_left"], m["ended"]) for m in data["memberships"]]
    assert rows == [("2026-11-30", "vera", -1, True), ("2026-12-05", "vera", 4, False),
                    ("2026-12-20", "wes", 19, False), ("2027-03-01", "dept:12", 90, False)]
    dept = data["memberships"][-1]
    assert dept == {"chat_id": "ops", "chat_name": "Ops", "owner": "a", "user_id": "dept:12", "until": "2027-03-01",
                    "days_left": 90, "ended": False, "reason": None, "via": [], "source": f"{tmp_path}/c.yaml:12",
                    "kind": "dept", "entry": "dept:12"}


def test_json_says_which_kind_of_entry_ends_beside_the_user_id_it_always_held(tmp_path, capsys):
    """`user_id` keeps what it held (recipes read it); `kind` and `entry`
    say what the entry that ends is: a user, a group, a department, a tag."""
    r = run(capsys, "expiring", _files(tmp_path), "--today", "2026-12-01", "--within", "100", "--format", "json")
    rows = [(m["user_id"], m["kind"], m["entry"]) for m in json.loads(r.out)["memberships"]]
    assert rows == [("vera", "user", "vera"), ("vera", "user", "vera"), ("wes", "group", "@vendors"),
                    ("dept:12", "dept", "dept:12")]


def test_nothing_ending_says_so_and_exits_0(tmp_path, capsys):
    r = run(capsys, "expiring", _files(tmp_path), "--today", "2026-01-01", "--within", "3")
    assert (r.code, r.out) == (0, "No membership ends within 3 days of 2026-01-01, and none has ended.\n")


def test_invalid_files_exit_1_with_the_errors(tmp_path, capsys):
    (tmp_path / "c.yaml").write_text("chats:\n  x:\n    name: X\n    owner: a\n    members: [a]\n", encoding="utf-8")
    r = run(capsys, "expiring", tmp_path)
    assert r.code == 1 and "has 1 member" in r.err and r.out == ""


@pytest.mark.parametrize("within, said", [(1, "within 1 day of"), (0, "within 0 days of"), (2, "within 2 days of")])
def test_the_window_is_said_in_singular_or_plural(tmp_path, capsys, within, said):
    r = run(capsys, "expiring", _files(tmp_path), "--today", "2026-01-01", "--within", str(within))
    assert r.code == 0 and f"No membership ends {said} 2026-01-01" in r.out


def test_today_and_within_are_bounded_by_usage_errors_and_the_edges_work(tmp_path, capsys):
    # issue 20: --today 9999-12-25 and --within 3000000 were OverflowError tracebacks
    files = _files(tmp_path)
    for argv, message in [(["--today", "9999-12-25"], "must be a date from 1900-01-01 to 9998-12-31"),
                          (["--today", "1899-12-31"], "must be a date from 1900-01-01 to 9998-12-31"),
                          (["--within", "3000000"], "must be 0 to 3650"),
                          (["--within", "3651"], "must be 0 to 3650")]:
        r = run(capsys, "expiring", files, *argv)
        assert r.code == 1 and message in r.err and "Traceback" not in r.err
        assert r.out == ""
    # the widest window from the latest day is no overflow: it ends at the last date there is
    r = run(capsys, "expiring", files, "--today", "9998-12-31", "--within", "3650", "--format", "json")
    assert r.code == 0, r.err
    assert json.loads(r.out)["within_days"] == 3650
    r = run(capsys, "expiring", files, "--today", "1900-01-01", "--within", "3650")
    assert r.code == 0 and "No membership ends within 3650 days of 1900-01-01" in r.out
