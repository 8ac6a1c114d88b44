"""Properties of make_plan over random desired/live states, checked with a
tiny pure simulator of WeCom's appchat/create and appchat/update that is as
strict as the API facts (and this project's conservative reading of them)."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.core.model import DesiredChat, LiveChat, ReadError, Source

from reconciler.core.planformat.reader import parse_plan
from reconciler.core.planner import make_plan
from reconciler.render import render_json
from reconciler.core.planformat.writer import plan_data

USERS = [f"user{i}" for i in range(8)]
NAMES = ["Alpha", "Beta", "群聊"]


def simulate(state: dict | None, calls) -> dict:
    """Apply calls the way WeCom would, refusing what WeCom refuses."""
    for call in calls:
        assert call.method == "POST"
        body = call.body
        if call.path == "appchat/create":
            assert state is None, "create of an existing chat (86215)"
            assert set(body) == {"chatid", "name", "owner", "userlist"}
            assert 2 <= len(body["userlist"]) <= 2000, "86006"
            assert body["owner"] in body["userlist"], "86207"
            state = {"name": body["name"], "owner": body["owner"], "members": set(body["userlist"])}
            continue
        assert call.path == "appchat/update" and state is not None, "update of a missing chat (86003)"
        assert len(body) > 1, "an update that changes nothing wastes a change from the hourly quota"
        adds, dels = set(body.get("add_user_list", ())), set(body.get("del_user_list", ()))
        assert not adds & state["members"], "adding someone already in the chat"
        assert dels <= state["members"], "removing someone not in the chat (86216)"
        if state["owner"] in dels:
            assert "owner" in body, "removing the owner without naming a new one"
        if "owner" in body:
            # conservative rule: the new owner must already be a member before the call
            assert body["owner"] in state["members"] and body["owner"] not in dels
            state["owner"] = body["owner"]
        if "name" in body:
            state["name"] = body["name"]
        state["members"] = (state["members"] | adds) - dels
        assert 2 <= len(state["members"]) <= 2000
    return state


@st.composite
def chat_pair(draw, chat_id: str):
    members = draw(st.frozensets(st.sampled_from(USERS), min_size=2))
    desired = DesiredChat(chat_id, draw(st.sampled_from(NAMES)), draw(st.sampled_from(sorted(members))),
                          members, draw(st.booleans()), Source("chats/x.yaml", 1))
    kind = draw(st.sampled_from(["live", "live", "live", "missing", "error"]))
    if kind == "missing":
        live = None
    elif kind == "error":
        live = ReadError(chat_id, draw(st.sampled_from([86008, -1, None])), "could not read")
    else:
        have = draw(st.frozensets(st.sampled_from(USERS), min_size=2))
        live = LiveChat(chat_id, draw(st.sampled_from(NAMES)), draw(st.sampled_from(sorted(have))), have)
    return desired, live


@st.composite
def worlds(draw):
    ids = draw(st.lists(st.sampled_from(["a", "b", "c", "d", "e"]), min_size=0, max_size=5, unique=True))
    pairs = [draw(chat_pair(i)) for i in ids]
    return [d for d, _ in pairs], {d.chat_id: live for d, live in pairs}


@settings(max_examples=300, deadline=None)
@given(worlds())
def test_calls_reach_after_and_after_is_the_desired_state(world):
    desired, live = world
    plan = make_plan(desired, live)
    by_id = {d.chat_id: d for d in desired}
    for change in plan.changes:
        want, have = by_id[change.chat_id], live[change.chat_id]
        start = None if have is None else {"name": have.name, "owner": have.owner, "members": set(have.members)}
        end = simulate(start, change.calls)
        assert end == {"name": change.after.name, "owner": change.after.owner, "members": set(change.after.members)}
        expected = want.members if (want.prune or have is None) else want.members | have.members
        assert set(change.after.members) == expected
        assert (change.after.name, change.after.owner) == (want.name, want.owner)
        assert 1 <= len(change.calls) <= 2
        if len(change.calls) == 2:  # only the owner split makes two calls
            assert want.owner not in have.members
    for chat_id in plan.unchanged:
        want, have = by_id[chat_id], live[chat_id]
        assert (have.name, have.owner) == (want.name, want.owner)
        assert want.members == have.members or (not want.prune and want.members <= have.members)
    assert {e.chat_id for e in plan.errors} == {i for i, r in live.items() if isinstance(r, ReadError)}
    # every desired chat lands in exactly one place (Plan refuses duplicates itself)
    assert len(plan.changes) + len(plan.unchanged) + len(plan.errors) == len(desired)


@settings(max_examples=200, deadline=None)
@given(worlds())
def test_from_data_inverts_data_and_json_is_plan_data(world):
    plan = make_plan(*world)
    assert parse_plan(plan_data(plan)) == plan
    assert json.loads(render_json(plan)) == plan_data(plan)
    assert plan_data(parse_plan(json.loads(render_json(plan)))) == plan_data(plan)


@settings(max_examples=200, deadline=None)
@given(worlds())
def test_planning_the_reached_state_again_shows_no_changes(world):
    desired, live = world
    plan = make_plan(desired, live)
    converged = dict(live)
    for change in plan.changes:
        converged[change.chat_id] = LiveChat(change.chat_id, change.after.name, change.after.owner,
                                             frozenset(change.after.members))
    again = make_plan(desired, converged)
    assert not again.has_changes
