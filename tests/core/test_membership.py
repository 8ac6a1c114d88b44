"""The planner over memberships that end, the directory and letter case,
table-driven and named after the rule each case holds. "today" is a
parameter: nothing here reads a clock."""

from __future__ import annotations

from datetime import date

from functools import partial

import pytest

from reconciler.core.directory import Department, Directory, Problem, Tag
from reconciler.core.membership import problems
from reconciler.core.model import DEPT, TAG, USER, DesiredChat, Exclusion, Entry, LiveChat, Source
from reconciler.core.planner import make_plan
from tests.builders import desired
from tests.builders import live as _live
from reconciler.core.planformat.writer import plan_data
from reconciler.core.planformat.writer import change_data

END = date(2027, 1, 31)
HERE = Source("chats/a.yaml", 9, 9)


def until(user: str, day: date = END, reason: str | None = "contractor, INC-42", via=()) -> Entry:
    return Entry.of_user(user, HERE, day, reason, via)


# Chat c1, "Ops", owned by alice, written in chats/a.yaml; want(MEMBERS, grants=..., ...).
want = partial(desired, "c1", name="Ops", owner="alice", source=Source("chats/a.yaml", 2, 3),
               owner_source=Source("chats/a.yaml", 4, 12), members_source=Source("chats/a.yaml", 5, 5))
live = partial(_live, "c1", name="Ops", owner="alice")


# ---- memberships that end --------------------------------------------------------------

@pytest.mark.parametrize("name, today, grants, live_members, joins, leaves, expired", [
    ("a member on the last day stays", END, [until("vera")], "alice bob vera", [], [], []),
    ("a member the day before stays", date(2027, 1, 30), [until("vera")], "alice bob vera", [], [], []),
    ("the day after, they leave and the plan says why", date(2027, 2, 1), [until("vera")], "alice bob vera",
     [], ["vera"], [("vera", "expired 2027-01-31: contractor, INC-42")]),
    ("an ended entry brings nobody in", date(2027, 2, 1), [until("vera")], "alice bob", [], [], []),
    ("a live entry brings them in before it ends", date(2027, 1, 1), [until("vera")], "alice bob", ["vera"], [], []),
    ("a live entry keeps someone an ended one brought", date(2027, 2, 1),
     [until("vera"), until("vera", date(2027, 6, 30), "extended")], "alice bob vera", [], [], []),
    ("a static membership keeps someone an ended one brought", date(2027, 2, 1), [until("bob")],
     "alice bob", [], [], []),
    ("several people end on one day", date(2027, 2, 1), [until("vera"), until("wes", reason=None)],
     "alice bob vera wes", [], ["vera", "wes"], [("vera", "expired 2027-01-31: contractor, INC-42"),
                                                  ("wes", "expired 2027-01-31")]),
    ("a group's end date", date(2027, 2, 1), [until("vera", via=("vendors",))], "alice bob vera",
     [], ["vera"], [("vera", "expired 2027-01-31: contractor, INC-42")]),
])
def test_memberships_that_end(name, today, grants, live_members, joins, leaves, expired):
    plan = make_plan([want(grants=grants)], {"c1": live(live_members)}, today=today)
    change = plan.change("c1")
    if not (joins or leaves):
        assert change is None and plan.unchanged == ("c1",)
        return
    assert sorted(change.added) == joins and sorted(change.removed) == leaves
    assert [(e.who, e.why) for e in change.expired] == expired
    assert all(e.source.located == "chats/a.yaml:9:9" for e in change.expired)


def test_prune_false_still_ends_what_the_files_end():
    # prune: false keeps people the files do not name; an ended membership is named, and ends
    plan = make_plan([want(grants=[until("vera")], prune=False)], {"c1": live("alice bob vera hand")},
                     today=date(2027, 2, 1))
    change = plan.change("c1")
    assert change.removed == {"vera"} and [e.who for e in change.expired] == ["vera"]


def test_ended_memberships_do_not_count_toward_the_mass_removal_guard():
    # The contract: removals whose `until` passed were reviewed with their date.
    vendors = [until(f"v{i}") for i in range(6)]
    plan = make_plan([want("alice bob c d", grants=vendors)], {"c1": live("alice bob c d " + " ".join(
        f"v{i}" for i in range(6)))}, today=date(2027, 2, 1))
    change = plan.change("c1")
    assert len(change.removed) == 6 and len(change.expired) == 6
    assert not any("mass removal" in w for w in change.warnings)
    assert plan.unsafe() == ()


def test_ended_memberships_are_left_out_of_the_count_not_out_of_the_chat():
    # 2 ended + 4 others of 10: the 4 count (40% > 30%), and the warning says what it left out
    vendors = [until("v0"), until("v1")]
    plan = make_plan([want("alice bob c d", grants=vendors)], {"c1": live("alice bob c d v0 v1 h2 h3 h4 h5")},
                     today=date(2027, 2, 1))
    change = plan.change("c1")
    assert len(change.removed) == 6
    assert change.warnings[0] == "mass removal: removes 4 of 10 members (40%), not counting 2 whose membership ended"
    assert [r.rule for r in plan.unsafe()] == ["--max-removal-ratio"]


@pytest.mark.parametrize("today, warned", [
    (date(2027, 1, 23), False),  # 8 days before
    (date(2027, 1, 24), True),   # 7 days before: a warning
    (END, True),                 # the last day
    (date(2027, 2, 1), False),   # ended: a removal, not a warning
])
def test_entries_ending_within_7_days_are_plan_warnings(today, warned):
    plan = make_plan([want(grants=[until("vera")])], {"c1": live("alice bob vera")}, today=today)
    assert [(e.chat_id, e.who, e.until) for e in plan.expiring] == ([("c1", "vera", END)] if warned else [])
    if warned:
        assert plan_data(plan)["expiring"] == [{"chat_id": "c1", "user_id": "vera", "until": "2027-01-31",
                                          "reason": "contractor, INC-42", "source": "chats/a.yaml:9:9"}]
    else:
        assert "expiring" not in plan_data(plan)


def test_the_owner_whose_membership_ended_makes_the_chat_an_error():
    plan = make_plan([want("bob carol", grants=[until("alice")])], {"c1": live("alice bob carol")},
                     today=date(2027, 2, 1))
    assert plan.changes == () and plan.errors[0].source == "chats/a.yaml:4:12"
    assert "the membership of owner 'alice' in chat 'c1' ended 2027-01-31" in plan.errors[0].message
    assert "choose a new owner" in plan.errors[0].message


# ---- the directory ------------------------------------------------------------------------

ORG = Directory(
    departments={2: Department(2, 1), 3: Department(3, 2), 4: Department(4, 1)},
    members={2: ("erin",), 3: ("ivan", "intern1"), 4: ("frank",)},
    tags={7: Tag(7, "interns", ("judy",), (4,))},
    names={"erin": "艾琳", "ivan": "伊万", "intern1": "实习生", "frank": "弗兰克", "judy": "朱迪", "alice": "爱丽丝"},
    problems={(DEPT, 60): Problem(60011, "department 60 is outside the app's visible range (60011)")})


def dept(ident: int, day: date | None = None) -> Entry:
    return Entry.of_unit(DEPT, ident, Source("chats/a.yaml", 7, 9), day)


def test_a_department_brings_in_its_subtree_and_exclude_always_wins():
    chat = want("alice", grants=[dept(2)], exclude=Exclusion(frozenset({"ivan"}), (Entry.of_unit(TAG, 7, HERE),)))
    plan = make_plan([chat], {"c1": None}, directory=ORG)
    assert plan.change("c1").after.members == ("alice", "erin", "intern1")  # ivan and tag:7 (judy, frank) out
    assert plan.names == {"alice": "爱丽丝", "erin": "艾琳", "intern1": "实习生"}


def test_a_tag_brings_its_users_and_its_departments_users():
    plan = make_plan([want("alice", grants=[Entry.of_unit(TAG, 7, HERE)])], {"c1": None}, directory=ORG)
    assert plan.change("c1").after.members == ("alice", "frank", "judy")


def test_an_entry_the_directory_refuses_makes_only_its_chat_an_error():
    bad = want("alice bob", grants=[dept(60)])
    good = DesiredChat("c2", "Two", "alice", frozenset({"alice", "bob"}))
    plan = make_plan([bad, good], {"c1": live("alice bob"), "c2": None}, directory=ORG)
    assert [c.chat_id for c in plan.changes] == ["c2"]
    (error,) = plan.errors
    assert (error.chat_id, error.errcode, error.source) == ("c1", 60011, "chats/a.yaml:7:9")
    assert error.message.startswith("dept:60: ")
    assert plan_data(plan)["errors"][0]["source"] == "chats/a.yaml:7:9"


def test_an_ended_department_entry_brings_nobody_and_names_who_it_removes():
    plan = make_plan([want(grants=[dept(4, END)])], {"c1": live("alice bob frank")}, directory=ORG,
                     today=date(2027, 2, 1))
    assert [(e.who, e.why) for e in plan.change("c1").expired] == [("frank", "expired 2027-01-31")]


def test_a_resolved_chat_needs_its_owner_and_two_members():
    plan = make_plan([want("", grants=[dept(4)], owner="frank"), ], {"c1": None}, directory=ORG)
    assert "has 1 member once resolved" in plan.errors[0].message and plan.errors[0].source == "chats/a.yaml:5:5"
    plan = make_plan([want("bob", grants=[dept(4)], owner="zed")], {"c1": None}, directory=ORG)
    assert "owner 'zed' is not a member" in plan.errors[0].message


def test_checking_users_names_a_typo_with_the_closest_known_id():
    everyone = Directory(departments=ORG.departments, members={1: ("alice", "bob", "erin")}, complete=True)
    plan = make_plan([want("alice bob ervin")], {"c1": live("alice bob")}, directory=everyone)
    (error,) = plan.errors
    assert error.message == "user 'ervin' is not in the directory; did you mean 'erin'?"
    assert error.source == "chats/a.yaml:5:5" and plan.changes == ()


def test_checking_users_lists_live_members_who_left():
    everyone = Directory(members={1: ("alice", "bob")}, complete=True)
    plan = make_plan([want("alice bob", prune=False)], {"c1": live("alice bob mallory", owner="alice")},
                     directory=everyone)
    assert plan.unchanged == ("c1",)  # prune: false keeps mallory; nothing else changes
    plan = make_plan([want("alice bob")], {"c1": live("alice bob mallory")}, directory=everyone)
    assert plan.change("c1").not_in_directory == ("mallory",)
    assert change_data(plan.change("c1"))["not_in_directory"] == ["mallory"]


def test_a_tag_whose_department_could_not_be_read_is_an_error_not_a_smaller_tag():
    broken = Directory(departments=ORG.departments, members=ORG.members, tags=ORG.tags,
                       problems={(DEPT, 4): Problem(-1, "cannot read department 4: system busy (-1)")})
    plan = make_plan([want("alice bob", grants=[Entry.of_unit(TAG, 7, HERE)])], {"c1": live("alice bob frank judy")},
                     directory=broken)
    assert plan.changes == () and plan.errors[0].message.startswith("tag:7: cannot read department 4")


EMPTY = Directory(departments={**ORG.departments, 8: Department(8, 1), 9: Department(9, 8)},
                  members={**ORG.members, 8: (), 9: ()},
                  tags={**ORG.tags, 5: Tag(5, "nobody", (), ()), 6: Tag(6, "empty dept", (), (8,))})


@pytest.mark.parametrize("entry", [dept(8), Entry.of_unit(TAG, 5, HERE), Entry.of_unit(TAG, 6, HERE),
                                   dept(8, date(2027, 6, 30)), Entry.of_unit(DEPT, 8, HERE, via=("g",))],
                         ids=["dept", "tag", "tag-of-an-empty-department", "not-yet-ended", "through-a-group"])
def test_an_entry_that_brings_in_nobody_is_an_error_for_its_chat_never_an_emptied_chat(entry):
    chat = want("alice", grants=[entry])
    other = DesiredChat("c2", "Two", "alice", frozenset({"alice", "bob"}))
    plan = make_plan([chat, other], {"c1": live("alice bob carol"), "c2": None}, directory=EMPTY,
                     today=date(2027, 1, 1))
    assert [c.chat_id for c in plan.changes] == ["c2"]  # c1 gets no calls; the others plan
    (error,) = plan.errors
    assert (error.chat_id, error.errcode, error.source) == ("c1", None, entry.source.located)
    noun = "department" if entry.kind == DEPT else "tag"
    assert error.message.startswith(f"{entry.entry}: {noun} {entry.unit} has nobody in WeCom's answer")
    assert f"{{{entry.kind}: {entry.unit}, may_be_empty: true}}" in error.message


@pytest.mark.parametrize("entry", [Entry.of_unit(DEPT, 8, HERE, may_be_empty=True), Entry.of_unit(TAG, 6, HERE, may_be_empty=True)])
def test_an_entry_that_may_be_empty_brings_in_nobody_and_the_chat_plans(entry):
    plan = make_plan([want("alice bob", grants=[entry])], {"c1": live("alice bob carol")}, directory=EMPTY)
    assert plan.errors == () and plan.change("c1").removed == {"carol"}


def test_an_empty_entry_counts_before_exclude_and_an_ended_or_excluding_one_is_no_error():
    # dept:2 brings erin, ivan and intern1 in and exclude takes them all out: not empty. dept:8 ended:
    # it brings nobody in, by design; under exclude it excludes nobody, which is fine.
    excluded = want("alice bob", grants=[dept(2), dept(8, date(2026, 1, 1))],
                    exclude=Exclusion(frozenset(), (dept(2), dept(8))))
    plan = make_plan([excluded], {"c1": live("alice bob")}, directory=EMPTY, today=date(2027, 1, 1))
    assert plan.errors == () and plan.unchanged == ("c1",)


def test_checking_users_removes_a_contractor_who_left_with_their_access_instead_of_refusing():
    everyone = Directory(members={1: ("alice", "bob")}, complete=True)
    plan = make_plan([want(grants=[until("vera")])], {"c1": live("alice bob vera")}, directory=everyone,
                     today=date(2027, 2, 1))
    assert plan.errors == () and plan.change("c1").removed == {"vera"}


def test_checking_users_points_at_the_timed_entry_of_an_unknown_id():
    everyone = Directory(members={1: ("alice", "bob", "vera")}, complete=True)
    plan = make_plan([want(grants=[until("verra")])], {"c1": live("alice bob")}, directory=everyone,
                     today=date(2027, 1, 1))
    (error,) = plan.errors
    assert error.source == "chats/a.yaml:9:9" and error.message.endswith("did you mean 'vera'?")


def test_an_expiry_removal_says_why_whatever_the_letter_case_wecom_spells_the_user_in():
    for prune in (True, False):
        plan = make_plan([want(grants=[until("vera")], prune=prune)], {"c1": live("alice bob Vera")},
                         today=date(2027, 2, 1))
        assert [(e.who, e.why) for e in plan.change("c1").expired] == \
            [("Vera", "expired 2027-01-31: contractor, INC-42")]


def test_the_reason_given_is_the_entry_that_ended_last():
    grants = [until("vera", date(2026, 1, 1), "pilot"), until("vera", date(2027, 1, 31), "extended")]
    plan = make_plan([want(grants=grants)], {"c1": live("alice bob vera")}, today=date(2027, 2, 1))
    assert [e.why for e in plan.change("c1").expired] == ["expired 2027-01-31: extended"]


def test_names_are_found_whatever_the_letter_case_an_id_is_written_in():
    plan = make_plan([want("Alice bob erin", owner="Alice")], {"c1": None}, directory=ORG)
    assert plan.names == {"Alice": "爱丽丝", "erin": "艾琳"}


def test_without_a_directory_a_plan_reads_as_before():
    data = plan_data(make_plan([want()], {"c1": live("alice bob carol")}))
    assert "names" not in data and "expiring" not in data
    assert set(data["changes"][0]) == {"chat_id", "action", "source", "before", "after", "calls", "warnings", "causes"}


# ---- letter case ---------------------------------------------------------------------------

@pytest.mark.parametrize("name, files, live_members, live_owner, calls", [
    ("the same user in another case is no change", "alice bob", "Alice Bob", "Alice", None),
    ("the owner in another case is no change", "alice bob", "alice bob", "ALICE", None),
    ("a new member joins under the files' spelling", "alice bob carol", "Alice Bob", "Alice",
     [{"chatid": "c1", "add_user_list": ["carol"]}]),
    ("a leaver is removed under WeCom's spelling", "alice", "Alice Bob Carol", "Alice",
     [{"chatid": "c1", "del_user_list": ["Bob", "Carol"]}]),
])
def test_letter_case_alone_never_adds_or_removes_anyone(name, files, live_members, live_owner, calls):
    members = files.split()
    chat = DesiredChat("c1", "Ops", "alice", frozenset(members))
    plan = make_plan([chat], {"c1": LiveChat("c1", "Ops", live_owner, frozenset(live_members.split()))})
    if calls is None:
        assert plan.changes == () and plan.unchanged == ("c1",)
    else:
        assert [c.body for c in plan.change("c1").calls] == calls


# ---- the owner and 2 to 2000, counted without a pass when the ids are known distinct -----------

@pytest.mark.parametrize("owner, members", [
    ("alice", {"alice", "bob"}), ("Alice", {"alice", "bob"}), ("zed", {"alice", "bob"}),
    ("alice", {"alice"}), ("alice", set()), ("alice", {f"u{i}" for i in range(2000)} | {"alice"}),
])
def test_members_known_distinct_give_the_problems_a_count_gives(owner, members):
    chat = want(set(members) or {"x", "y"}, owner=owner)
    args = dict(excluded_owner=False, complete=True, when="after group expansion")
    assert problems(chat, frozenset(members), (), distinct=True, **args) == problems(chat, members, (), **args)


def test_one_user_spelled_two_ways_by_two_entries_is_one_member_brought_by_both():
    from reconciler.core.membership import resolve

    org = Directory(departments={2: Department(2, 1)}, members={2: ("Erin", "frank")})
    chat = want("alice", grants=[dept(2), until("erin")])
    resolved = resolve(chat, org, date(2027, 1, 1))
    assert sorted(resolved.members) == ["Erin", "alice", "frank"]  # one Erin, as the first entry spells her
    (spelled, grants), = [(u, g) for u, g in resolved.brought.items() if u.lower() == "erin"]
    assert spelled == "Erin" and [g.entry for g in grants] == ["dept:2", "erin"]
    causes = make_plan([chat], {"c1": None}, directory=org, today=date(2027, 1, 1)).change("c1").causes
    assert [e["entry"] for e in causes["Erin"]["entries"]] == ["dept:2", "erin"]
