"""Each chat is planned as its read arrives (app.pipeline), and the plan put
together that way is the plan of all the chats at once, byte for byte, with
or without the directory. Against the emulator over HTTP; the overlap is
shown by holding the last read at the emulator until a plan was seen, never
by timing."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date

from reconciler import render
from reconciler.app import session
from reconciler.config import load
from reconciler.core.planner import make_plan
from reconciler.wecom import client_from_env
from tests.e2e.test_directory import DIRECTORY, ORG
from tests.helpers import env_for

N = 12
SEED = {"chats": [{"chatid": f"c{i:02d}", "name": f"Chat {i}", "owner": "alice",
                   "userlist": ["alice", "bob"] + (["mallory"] if i % 3 == 0 else [])}
                  for i in range(N) if i != 5]}  # c05 does not exist yet: created
FILES = "chats:\n" + "".join(f"  c{i:02d}:\n    name: Chat {i}\n    owner: alice\n    members: [alice, bob, carol]\n"
                             for i in range(N))


def _desired(tmp_path, text: str):
    path = tmp_path / "chats.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = load([str(path)])
    assert loaded.ok
    return loaded.chats


def test_chats_are_planned_before_the_last_read_is_answered(emulator_factory, tmp_path):
    emu = emulator_factory(seed=SEED)
    desired = _desired(tmp_path, FILES)
    planned: list[str] = []
    seen_plan = threading.Event()
    gets = []
    last_read_saw_a_plan: list[bool] = []

    def hold_last_read(event, method, path):
        if event == "request" and path == "appchat/get":
            gets.append(path)
            if len(gets) == N:  # the last read waits until some other chat was planned
                last_read_saw_a_plan.append(seen_plan.wait(60))  # a bound for a broken pipeline only

    def on_planned(chat_id):
        planned.append(chat_id)
        seen_plan.set()

    emu.add_hook(hold_last_read)
    with client_from_env(env_for(emu), concurrency=1) as client:  # one read at a time: the last is the Nth
        plan = session.plan_for(desired, client, show_progress=False, on_planned=on_planned)
    assert last_read_saw_a_plan == [True], "no chat was planned before the last read was answered"
    assert sorted(planned) == [f"c{i:02d}" for i in range(N)] and len(planned) == N
    assert plan.summary["create"] == 1 and plan.summary["update"] == N - 1


def _same_as_all_at_once(emu, desired, today=None, check_users=False):
    with client_from_env(env_for(emu)) as client:
        streamed = session.plan_for(desired, client, show_progress=False, today=today, check_users=check_users)
        live, directory = session.read_world(client, desired, check_users=check_users, show_progress=False)
        target = session.target_of(client)
        # the departments the causes show are named after planning, the same way for both
        at_once = session.with_department_names(make_plan(desired, live, directory=directory, today=today), client)
    at_once = replace(at_once.aimed_at(target), read_concurrency=streamed.read_concurrency)
    assert streamed == at_once
    assert streamed.names == at_once.names
    for view in ("json", "text", "markdown"):
        assert render.PLAN[view](streamed) == render.PLAN[view](at_once), view
    return streamed


def test_the_plan_made_as_reads_arrive_is_the_plan_of_all_chats_at_once(emulator_factory, tmp_path):
    emu = emulator_factory(seed=SEED)
    _same_as_all_at_once(emu, _desired(tmp_path, FILES))


def test_with_the_directory_every_chat_is_planned_with_it_as_all_at_once(emulator_factory, tmp_path):
    emu = emulator_factory(seed=ORG)
    desired = _desired(tmp_path, DIRECTORY.replace("members: [dept:2, dept:5]",
                                                   "members: [dept:2, {dept: 5, until: 2030-01-01}, "
                                                   "{user: zhangsan, until: 2029-12-01}]"))
    plan = _same_as_all_at_once(emu, desired, today=date(2029, 12, 30))  # one ending soon, one ended
    assert plan.expiring and plan.names and plan.errors and len(plan.changes) >= 2
    plan = _same_as_all_at_once(emu, desired, check_users=True)
    assert any(c.not_in_directory for c in plan.changes)


def test_a_chat_desired_twice_is_refused_before_any_read(emulator_factory, tmp_path):
    emu = emulator_factory(seed=SEED)
    desired = _desired(tmp_path, FILES)
    emu.clear_calls()
    with client_from_env(env_for(emu)) as client:
        try:
            session.plan_for([*desired, desired[0]], client, show_progress=False)
        except ValueError as exc:
            assert "desired twice" in str(exc)
        else:
            raise AssertionError("a chat desired twice was planned")
    assert emu.call_counts() == {}
