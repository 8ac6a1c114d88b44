"""What the directory adds to the text and markdown plans, the same in both:
live members not in the directory marked (removed or staying), names
beside ids wherever an id is shown, and errors the files can fix said
with where they are written."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from reconciler.core.directory import Directory
from reconciler.core.model import USER, DesiredChat, Entry, LiveChat, ReadError, Source
from reconciler.core.plan import Plan
from reconciler.core.planner import make_plan
from reconciler.render import render_markdown, render_text
from reconciler.render.markdown import plain
from reconciler.render.planwords import NOT_IN_DIRECTORY, removal_notes

NAMES = {"alice": "爱丽丝", "bob": "鲍勃", "carol": "卡罗尔", "vera": "维拉"}
EVERYONE = Directory(members={1: tuple(NAMES)}, names=NAMES, complete=True)
ENDED = Entry.of_user("vera", Source("chats/a.yaml", 12, 9), date(2027, 1, 31), "contractor")
STAYING = f"! {NOT_IN_DIRECTORY}, staying (prune: false): ghost"


def _plan(directory=EVERYONE) -> Plan:
    # keep: prune: false, so ghost (who left) stays; the owner changes.
    # prune: mallory (who left) and vera (whose membership ended) are removed.
    keep = DesiredChat("keep", "Keep", "carol", frozenset({"alice", "bob", "carol"}), False,
                       Source("chats/a.yaml", 2, 3))
    prune = DesiredChat("prune", "Prune", "alice", frozenset({"alice", "bob"}), True, Source("chats/a.yaml", 9, 3),
                        grants=(ENDED,))
    new = DesiredChat("new", "New", "bob", frozenset({"alice", "bob"}), True, Source("chats/a.yaml", 20, 3))
    return make_plan([keep, prune, new],
                     {"keep": LiveChat("keep", "Keep", "alice", frozenset({"alice", "bob", "ghost"})),
                      "prune": LiveChat("prune", "Prune", "alice", frozenset({"alice", "bob", "vera", "mallory"})),
                      "new": None},
                     directory=directory, today=date(2027, 2, 1))


def _block(out: str, start: str) -> str:
    block = out[out.index(start):]
    return block[:block.index("\n\n")]


def test_the_text_plan_marks_who_is_not_in_the_directory_and_names_everyone():
    out = render_text(_plan())
    assert _block(out, '~ update chat "keep"') == f"""\
~ update chat "keep"  (chats/a.yaml:2)
    ~ owner: alice (爱丽丝) -> carol (卡罗尔)
    + carol (卡罗尔)  (chats/a.yaml:2)
    {STAYING}
    members: 3 -> 4 (+1 / -0)
    2 API calls: the new owner joins first, then becomes owner"""
    assert _block(out, '~ update chat "prune"') == f"""\
~ update chat "prune"  (chats/a.yaml:9)
    - mallory  ({NOT_IN_DIRECTORY})
    - vera (维拉)  (expired 2027-01-31: contractor)
    members: 4 -> 2 (+0 / -2)"""
    assert "    owner:   bob (鲍勃)\n" in out


def test_the_markdown_plan_marks_them_in_the_removals_and_in_each_chats_detail():
    out = render_markdown(_plan())
    assert (f"removes **2** of 4 members: <code>mallory</code> ({NOT_IN_DIRECTORY}), "
            f"<code>vera</code> (维拉) (expired 2027-01-31: contractor)") in out
    keep = out[out.index("✏️ update <code>keep</code>"):]
    assert "```diff\n~ owner: alice (爱丽丝) -> carol (卡罗尔)\n+ carol (卡罗尔)  (chats/a.yaml:2)\n" + STAYING + "\n```" in keep
    prune = out[out.index("✏️ update <code>prune</code>"):]
    assert f"```diff\n- mallory  ({NOT_IN_DIRECTORY})\n- vera (维拉)  (expired 2027-01-31: contractor)\n```" in prune


def test_without_a_directory_ids_stand_alone_and_nothing_is_marked():
    keep = DesiredChat("keep", "Keep", "carol", frozenset({"alice", "bob", "carol"}), False,
                       Source("chats/a.yaml", 2, 3))
    plan = make_plan([keep], {"keep": LiveChat("keep", "Keep", "alice", frozenset({"alice", "bob", "ghost"}))})
    for out in (render_text(plan), render_markdown(plan)):
        assert "~ owner: alice -> carol\n" in out
        assert "(爱丽丝)" not in out and "staying" not in out and "not in the directory" not in out


def test_removal_notes_give_every_reason_a_removed_member_has():
    change = SimpleNamespace(removed=frozenset({"vera", "mallory", "bob"}), not_in_directory=("ghost", "mallory",
                                                                                              "vera"),
                             expired=(SimpleNamespace(who="vera", why="expired 2027-01-31: contractor"),))
    assert removal_notes(change) == {"mallory": NOT_IN_DIRECTORY,
                                     "vera": f"expired 2027-01-31: contractor; {NOT_IN_DIRECTORY}"}


FILE_ERROR = ReadError("hidden", 60011, "dept:6: department 6 is outside the app's visible range", "chats/a.yaml:5:7")


@pytest.mark.parametrize("render, heading, line", [
    (render_text, "Errors (these chats could not be planned):",
     "  ! hidden: 60011 dept:6: department 6 is outside the app's visible range (chats/a.yaml:5:7)"),
    (render_markdown, "#### ❌ Errors (these chats could not be planned)",
     "- <code>hidden</code>: 60011 dept:6: department 6 is outside the app's visible range (chats/a.yaml:5:7)"),
])
def test_an_error_in_the_files_says_where_it_is_written(render, heading, line):
    out = render(Plan(errors=(FILE_ERROR, ReadError("legacy", 86008, "chat was not created by this app"))))
    lines = out.splitlines()
    assert line in lines
    assert lines.index(heading) < lines.index(line)
    assert "86008 chat was not created by this app\n" in out  # a read error has no place to name


def test_one_message_at_two_places_is_two_causes_and_at_one_place_one():
    def error(chat_id, source):
        return ReadError(chat_id, None, "owner 'zoe' is not among the members", source)

    plan = Plan(errors=(error("a", "chats/g.yaml:3:5"), error("b", "chats/g.yaml:3:5"), error("c", "chats/c.yaml:8:3")))
    out = render_text(plan)
    assert "  ! 2 chats: owner 'zoe' is not among the members (chats/g.yaml:3:5): a, b\n" in out
    assert "  ! c: owner 'zoe' is not among the members (chats/c.yaml:8:3)\n" in out


@pytest.mark.parametrize("name, shown", [
    ("Kim (intern)", 'kim ("Kim (intern)")'),   # never `kim (Kim (intern))`
    ("Kim [contractor]", 'kim ("Kim [contractor]")'),
    ('Kim "K"', 'kim ("Kim \\"K\\"")'),
    ("Kim", "kim (Kim)"),                       # the contract's `zhangsan (张三)` form otherwise
])
def test_a_name_with_brackets_of_its_own_is_quoted_so_it_is_clear_where_it_ends(name, shown):
    plan = make_plan([DesiredChat("k", "K", "alice", frozenset({"alice", "kim"}), True, Source("a.yaml", 2, 3))],
                     {"k": LiveChat("k", "K", "alice", frozenset({"alice"}))}).with_names({"kim": name})
    assert f"    + {shown}  (a.yaml:2)\n" in render_text(plan)
    in_parentheses = shown[len("kim "):]
    assert f"| <code>kim</code> {plain(in_parentheses)} |" in render_markdown(plan)
