"""Why each person a plan adds or removes joins or leaves (core.causes): one
case per kind of cause, from chat files loaded as `plan` loads them (so the
FILE:LINE is the entry's own), the words beside the +/- lines, and a saved
plan's causes read back strictly."""

from __future__ import annotations

import textwrap
from datetime import date

import pytest

from reconciler.config import load_text
from reconciler.core import causes
from reconciler.core.directory import Department, Directory, Tag
from reconciler.core.model import LiveChat
from reconciler.core.planformat.reader import PlanFormatError, parse_plan
from reconciler.core.planner import make_plan
from reconciler.core.planformat.writer import plan_data

FILES = """\
groups:
  oncall:
    - "@sre"
  sre:
    - sam
    - tag:10
  contractors:
    - victor
chats:
  ops:
    name: Ops
    owner: alice
    members:
      - alice
      - carol
      - "@oncall"
      - dept:3
      - {group: contractors, until: 2027-01-31, reason: INC-42}
      - {user: wes, until: 2027-01-10, reason: temp}
    exclude:
      - kim
      - dept:9
"""
DIRECTORY = Directory(
    departments={3: Department(3, 1, "SRE"), 9: Department(9, 1)},
    members={3: ("bob", "kim"), 9: ("ivan",)},
    tags={10: Tag(10, "oncall", ("tess",), ())},
)
TODAY = date(2027, 1, 20)


def _plan(live_members: str, today: date = TODAY, directory: Directory = DIRECTORY):
    loaded = load_text(textwrap.dedent(FILES), "chats/ops.yaml", today=today)
    assert not loaded.errors, loaded.errors
    return make_plan(loaded.chats, {"ops": LiveChat("ops", "Ops", "alice", frozenset(live_members.split()))},
                     directory=directory, today=today)


def test_each_join_names_the_entries_that_bring_the_person_in_with_file_line_and_end():
    change = _plan("alice kim ivan hand").change("ops")
    assert change.causes["carol"] == {"kind": "listed", "entries": [{"entry": "carol", "source": "chats/ops.yaml:15"}]}
    assert change.causes["sam"] == {"kind": "listed", "entries": [{"entry": "sam", "source": "chats/ops.yaml:5",
                                                                     "via": ["oncall", "sre"]}]}
    assert change.causes["tess"] == {"kind": "listed", "entries": [
        {"entry": "tag:10", "source": "chats/ops.yaml:6", "name": "oncall", "via": ["oncall", "sre"]}]}
    assert change.causes["bob"] == {"kind": "listed", "entries": [
        {"entry": "dept:3", "source": "chats/ops.yaml:17", "name": "SRE"}]}
    assert change.causes["victor"]["entries"] == [{"entry": "victor", "source": "chats/ops.yaml:18",
                                                   "via": ["contractors"], "until": "2027-01-31",
                                                   "reason": "INC-42"}]
    said = {u: causes.cause_text(c, u) for u, c in change.causes.items()}
    assert said["carol"] == "chats/ops.yaml:15"  # the person's own entry: only where it is written
    assert said["sam"] == "@oncall > @sre, chats/ops.yaml:5"
    assert said["tess"] == "@oncall > @sre > tag:10 (oncall), chats/ops.yaml:6"
    assert said["bob"] == "dept:3 (SRE), chats/ops.yaml:17"
    assert said["victor"] == "@contractors, chats/ops.yaml:18, until 2027-01-31"


def test_each_leave_says_why_expired_excluded_or_unlisted():
    change = _plan("alice kim ivan hand wes").change("ops")
    assert change.causes["wes"] == {"kind": "expired", "entry": "wes", "source": "chats/ops.yaml:19",
                                    "until": "2027-01-10", "reason": "temp"}
    assert change.causes["kim"] == {"kind": "excluded", "entry": "kim", "source": "chats/ops.yaml:21"}
    assert change.causes["ivan"] == {"kind": "excluded", "entry": "dept:9", "source": "chats/ops.yaml:22"}
    assert change.causes["hand"] == {"kind": "unlisted"}
    said = {u: causes.cause_text(c, u) for u, c in change.causes.items()}
    assert said["wes"] == "expired 2027-01-10: temp"
    assert said["kim"] == "excluded by kim, chats/ops.yaml:21"
    assert said["ivan"] == "excluded by dept:9, chats/ops.yaml:22"
    assert said["hand"] == "not in the files"
    assert set(change.causes) == set(change.added) | set(change.removed)  # everyone, and only them


def test_with_the_whole_directory_read_someone_nobody_has_is_not_in_the_directory():
    whole = Directory(DIRECTORY.departments, {**DIRECTORY.members, 1: ("alice", "carol", "sam", "tess", "victor")},
                      DIRECTORY.tags, complete=True)
    change = _plan("alice ghost", directory=whole).change("ops")
    assert change.causes["ghost"] == {"kind": "not_in_directory"}
    assert causes.cause_text(change.causes["ghost"]) == causes.NOT_IN_DIRECTORY_TEXT


def test_the_ledger_names_the_entry_that_last_brought_in_someone_unlisted():
    joined = {"kind": "listed", "entries": [{"entry": "dept:3", "source": "chats/ops.yaml:17", "name": "SRE"}]}
    named = causes.with_former({"kind": "unlisted"}, joined)
    assert named == {"kind": "unlisted", "former": joined["entries"]}
    assert causes.cause_text(named) == "no longer in dept:3 (SRE)"
    assert causes.with_former({"kind": "unlisted"}, "before the ledger") == {"kind": "unlisted"}
    expired = {"kind": "expired", "entry": "v", "source": "a:1", "until": "2027-01-01", "reason": None}
    assert causes.with_former(expired, joined) == expired  # only a removal no entry explains


def test_only_the_departments_a_cause_shows_are_named_and_a_missing_name_leaves_it_bare():
    joined = {"kind": "listed", "entries": [{"entry": "dept:3", "source": "a:1"}, {"entry": "tag:3", "source": "a:2"},
                                            {"entry": "dept:7", "source": "a:3", "name": "Kept"}]}
    excluded = {"kind": "excluded", "entry": "dept:4", "source": "a:5"}
    former = {"kind": "unlisted", "former": [{"entry": "dept:5", "source": "a:9"}]}
    expired = {"kind": "expired", "entry": "dept:6", "source": "a:7", "until": "2027-01-01", "reason": None}
    odd = {"kind": "unlisted", "former": [{"entry": "dept:x", "source": "a:1"}]}  # a hand-edited ledger
    everything = [joined, excluded, former, expired, odd, {"kind": "unlisted"}, "before the ledger"]
    assert causes.departments_shown(everything) == {3, 4, 5}  # not the named 7, the tag, nor the expired entry
    names = {3: "SRE", 4: "Interns", 7: "Other", 6: "Gone"}  # 5 could not be read
    assert causes.cause_text(causes.with_department_names(joined, names)) == (
        "dept:3 (SRE), a:1; tag:3, a:2; dept:7 (Kept), a:3")
    assert causes.cause_text(causes.with_department_names(excluded, names)) == "excluded by dept:4 (Interns), a:5"
    assert causes.with_department_names(former, names) == former  # stays `no longer in dept:5`
    assert causes.with_department_names(expired, names) == expired
    assert causes.departments_shown([causes.with_department_names(c, names) for c in everything]) == {5}


def test_a_saved_plan_reads_its_causes_back_and_refuses_causes_for_nobody():
    plan = _plan("alice kim ivan hand wes")
    data = plan_data(plan)
    back = parse_plan(data)
    assert back.change("ops").causes == plan.change("ops").causes
    data["changes"][0]["causes"]["alice"] = {"kind": "unlisted"}  # alice neither joins nor leaves
    with pytest.raises(PlanFormatError, match="alice neither"):
        parse_plan(data)
    del data["changes"][0]["causes"]["alice"]
    data["changes"][0]["causes"]["hand"] = {"kind": "gone"}
    with pytest.raises(PlanFormatError, match="causes.hand"):
        parse_plan(data)


def test_a_created_chats_places_found_in_one_walk_match_one_search_each():
    loaded = load_text(textwrap.dedent(FILES), "chats/ops.yaml", today=TODAY)
    where = loaded.chats[0].written_at
    users = ["alice", "carol", "sam", "victor", "nobody"]
    assert where.locate_many(users, walk=True) == where.locate_many(users)
