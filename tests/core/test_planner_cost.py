"""The planner's work for a changed chat grows with who joins and leaves,
not with the chat (issue 25), counted rather than timed: user ids that count
each letter-case key and each comparison made of them. Sorting a chat or
keying every member costs thousands; a change of three people costs a few
dozen. The full sorted lists are built when the plan is shown, and only then.

Also the members view (core.members) the planner's `after` is made of."""

from __future__ import annotations

import pytest

from reconciler.core.members import Members
from reconciler.core.model import DesiredChat, LiveChat
from reconciler.core.planner import make_plan
from reconciler.render import render_json


class Counted(str):
    touched = 0

    def lower(self):
        Counted.touched += 1
        return str.lower(self)

    def __lt__(self, other):
        Counted.touched += 1
        return str.__lt__(self, other)


def _chat(size: int, drift: str):
    users = [Counted(f"user{i:05d}") for i in range(size)]
    want = frozenset(users)
    have = set(users)
    if drift == "joined and left":
        have = (have - set(users[5:8])) | {Counted("zz-joined-1"), Counted("zz-joined-2")}
    elif drift == "renamed":
        pass
    owner = users[0]
    desired = DesiredChat("big", "Big", owner, want)
    live = LiveChat("big", "Old" if drift == "renamed" else "Big", owner, frozenset(have))
    return desired, live


@pytest.mark.parametrize("drift", ["joined and left", "renamed"])
def test_planning_a_change_touches_only_who_joins_and_leaves(drift):
    touched = {}
    for size in (200, 2000):
        desired, live = _chat(size, drift)
        Counted.touched = 0
        plan = make_plan([desired], {"big": live})
        assert plan.summary["update"] == 1  # summary, people and the Change check included
        touched[size] = Counted.touched
    assert max(touched.values()) < 60, touched  # the same few dozen for 200 members as for 2,000


def test_the_sorted_lists_are_built_when_the_plan_is_shown():
    desired, live = _chat(2000, "joined and left")
    plan = make_plan([desired], {"big": live})
    Counted.touched = 0
    shown = render_json(plan)
    assert Counted.touched > 2000  # the before/after lists, sorted now
    change = plan.changes[0]
    assert change.after.members == tuple(sorted(desired.members))
    assert change.before.members == tuple(sorted(live.members))
    assert '"del_user_list": [\n' in shown and change.removed == {"zz-joined-1", "zz-joined-2"}
    assert change.added == {"user00005", "user00006", "user00007"}


def test_a_members_view_is_its_base_with_who_joined_and_left():
    base = frozenset({"a", "b", "c"})
    view = Members(base).changed(add=["d", "a"], remove=["b"])
    assert view == frozenset({"a", "c", "d"}) and len(view) == 3 and "b" not in view and "d" in view
    assert view.since(Members(base)) == ({"d"}, {"b"})
    back = view.changed(add=["b"], remove=["d"])
    assert back == Members(base) and back.joined == back.left == frozenset()
    assert Members(base, frozenset({"d"})) == Members(frozenset(base), frozenset({"d"}))  # another base, same set
    assert Members(base, frozenset({"a", "x"}), frozenset({"b", "y"})).joined == {"x"}  # kept to its rule
    assert Members(base, left=frozenset({"b", "y"})).left == {"b"}
