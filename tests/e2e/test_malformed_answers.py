"""An answer that cannot be trusted removes nobody (issue 20, item 1), end
to end: `appchat` in a subprocess against the emulator over HTTP, the
emulator serving answers with errcode 0 and one field dropped or of the
wrong type (its `field` fault), on every endpoint the client reads.

Every live chat here already matches its file: a malformed answer read as
an empty list would be a removal (or, for appchat/get, an addition). So
for each case: `plan --format json` lists the chats that need the answer
in `errors`, naming the endpoint and the field; `apply --yes` exits 1 and
makes no write at all (the emulator's call log and its chats say so).
"""

from __future__ import annotations

import json

import pytest

from tests.helpers import env_for, run_cli
from tests.samples import PNG

ENG = ["alice", "bob", "chen.wei", "dave", "erin"]
ORG = {
    "departments": [{"id": 1, "name": "Acme", "parentid": 0}, {"id": 2, "name": "研发", "parentid": 1},
                    {"id": 3, "name": "SRE", "parentid": 2}, {"id": 5, "name": "Sales", "parentid": 1}],
    "users": ([{"userid": u, "name": u.title(), "department": [2]} for u in ENG[:4]]
              + [{"userid": "erin", "name": "Erin", "department": [3]},
                 {"userid": "frank", "name": "Frank", "department": [5]},
                 {"userid": "gina", "name": "Gina", "department": [5]}]),
    "tags": [{"tagid": 1, "tagname": "oncall", "users": ["alice"], "departments": [5]},
             {"tagid": 2, "tagname": "leads", "users": ["alice", "bob"]}],
    "chats": [{"chatid": "eng", "name": "Eng", "owner": "alice", "userlist": ENG},
              {"chatid": "ops", "name": "Ops", "owner": "alice", "userlist": ["alice", "frank", "gina"]},
              {"chatid": "leads", "name": "Leads", "owner": "alice", "userlist": ["alice", "bob"]},
              {"chatid": "plain", "name": "Plain", "owner": "alice", "userlist": ["alice", "dave"]}],
}
FILES = """\
chats:
  eng: {name: Eng, owner: alice, members: [dept:2]}
  ops: {name: Ops, owner: alice, members: [tag:1]}
  leads: {name: Leads, owner: alice, members: [tag:2]}
  plain: {name: Plain, owner: alice, members: [alice, bob, dave]}
"""
DIRECTORY_CHATS = {"eng", "ops", "leads"}
EVERY_CHAT = DIRECTORY_CHATS | {"plain"}
WRITES = ("appchat/update", "appchat/create", "appchat/send")

# endpoint, field (dotted, as the fault takes it), as the error names it, the chats that need the answer
EVERY_READ = [
    ("gettoken", "access_token", "access_token", EVERY_CHAT),
    ("gettoken", "expires_in", "expires_in", EVERY_CHAT),
    ("appchat/get", "chat_info", "chat_info", EVERY_CHAT),
    ("appchat/get", "chat_info.userlist", "chat_info.userlist", EVERY_CHAT),
    ("appchat/get", "chat_info.userlist.0", "chat_info.userlist[0]", EVERY_CHAT),
    ("appchat/get", "chat_info.owner", "chat_info.owner", EVERY_CHAT),
    ("department/simplelist", "department_id", "department_id", {"eng", "ops"}),
    # the read of every department is malformed, so each named one is read on its own: department 5
    # alone has no second item to spoil, and `ops` (tag 1 holds it) is planned from that good answer
    ("department/simplelist", "department_id.1.id", "department_id[1].id", {"eng"}),
    ("department/simplelist", "department_id.1.parentid", "department_id[1].parentid", {"eng"}),
    ("user/simplelist", "userlist", "userlist", {"eng", "ops"}),
    ("user/simplelist", "userlist.0.userid", "userlist[0].userid", {"eng", "ops"}),
    ("tag/get", "userlist", "userlist", {"ops", "leads"}),
    ("tag/get", "userlist.0.userid", "userlist[0].userid", {"ops", "leads"}),
    ("tag/get", "partylist", "partylist", {"ops", "leads"}),
]
CASES = [(*case, action) for case in EVERY_READ for action in ("drop", "mistype")
         if not (action == "drop" and case[1].endswith(".0"))]  # an item left out is a shorter list


@pytest.fixture
def world(emulator_factory, tmp_path):
    emu = emulator_factory(seed=ORG)
    path = tmp_path / "chats.yaml"
    path.write_text(FILES, encoding="utf-8")
    return emu, path


def _fault(emu, endpoint: str, field: str, action: str, count: int = 1000) -> None:
    emu.set_faults(script=[{"fault": "field", "path": endpoint, "field": field, "action": action,
                            "count": count}])


def _writes(emu) -> list[dict]:
    return [c for c in emu.calls() if c["path"] in WRITES]


def _live(emu) -> dict[str, list[str]]:
    return {c["chatid"]: sorted(emu.chat(c["chatid"])["userlist"]) for c in ORG["chats"]}


@pytest.mark.parametrize(("endpoint", "field", "named", "chats", "action"), CASES,
                         ids=[f"{c[0]}:{c[1]}:{c[4]}" for c in CASES])
def test_a_malformed_answer_on_every_read_is_an_error_for_its_chats_and_apply_writes_nothing(
        world, endpoint, field, named, chats, action):
    emu, path = world
    before = _live(emu)
    _fault(emu, endpoint, field, action)
    code, out, err = run_cli(["plan", path, "--format", "json"], env_for(emu))
    assert code == 1, err
    plan = json.loads(out)
    errors = {e["chat_id"]: e for e in plan["errors"]}
    assert set(errors) == chats
    for error in errors.values():
        assert endpoint in error["message"] and repr(named) in error["message"], error
        assert "malformed answer" in error["message"] and error["errcode"] is None
    assert all(c["chat_id"] not in chats for c in plan["changes"])  # the others plan as without the fault
    assert set(plan["unchanged"]) | {c["chat_id"] for c in plan["changes"]} == EVERY_CHAT - chats

    code, out, err = run_cli(["apply", "--yes", path], env_for(emu))
    assert code == 1 and "Traceback" not in err
    for chat in chats:  # the plan apply shows, on stdout with changes and on stderr without
        line = next(x for x in (out + err).splitlines() if x.lstrip().startswith(f"! {chat}:"))
        assert endpoint in line and repr(named) in line
    assert [c for c in _writes(emu) if c["body"].get("chatid") in chats] == []
    assert _live(emu) | {"plain": before["plain"]} == before  # no one removed, no one added
    assert "malformed" not in json.dumps(emu.calls())  # nothing of the error went back to WeCom


def test_without_a_fault_the_same_world_plans_only_the_one_real_change(world):
    # The control: the cases above error because of the fault, not the world.
    emu, path = world
    code, out, err = run_cli(["plan", path, "--format", "json", "--detailed-exitcode"], env_for(emu))
    plan = json.loads(out)
    assert code == 2 and plan["errors"] == [], err
    assert [(c["chat_id"], c["after"]["members"]) for c in plan["changes"]] == [("plain", ["alice", "bob", "dave"])]


@pytest.mark.parametrize(("endpoint", "field", "named", "candidates"), [
    ("appchat/get", "chat_info.userlist", "chat_info.userlist", EVERY_CHAT),
    ("user/simplelist", "userlist", "userlist", {"eng", "ops"}),
    ("tag/get", "userlist", "userlist", {"ops", "leads"}),
])
def test_a_malformed_answer_on_one_read_errors_its_chat_and_the_others_are_applied(world, endpoint, field, named,
                                                                                  candidates):
    emu, path = world
    before = _live(emu)
    _fault(emu, endpoint, field, "drop", count=1)
    code, out, err = run_cli(["apply", "--yes", path], env_for(emu))
    assert code == 1 and "Traceback" not in err
    lines = (out + err).splitlines()
    failed = {chat for chat in EVERY_CHAT if any(x.lstrip().startswith(f"! {chat}:") for x in lines)}
    assert len(failed) == 1 and failed <= candidates, err  # which read it hit is the scheduler's choice
    (chat,) = failed
    line = next(x for x in lines if x.lstrip().startswith(f"! {chat}:"))
    assert endpoint in line and repr(named) in line
    after = _live(emu)
    assert after[chat] == before[chat] and [c for c in _writes(emu) if c["body"]["chatid"] == chat] == []
    if chat != "plain":  # the one real change went through
        assert after["plain"] == ["alice", "bob", "dave"]
    assert {k: v for k, v in after.items() if k != "plain"} == {k: v for k, v in before.items() if k != "plain"}


@pytest.mark.parametrize("action", ["drop", "mistype"])
def test_a_malformed_upload_answer_sends_nothing(emulator_factory, tmp_path, action):
    emu = emulator_factory(seed=ORG)
    image = tmp_path / "shot.png"
    image.write_bytes(PNG)
    _fault(emu, "media/upload", "media_id", action)
    code, out, err = run_cli(["send", "plain", "--image", image], env_for(emu))
    assert code == 1 and "Traceback" not in err
    assert "media/upload" in err and "'media_id'" in err and "malformed answer" in err
    assert _writes(emu) == [] and emu.messages("plain") == []


@pytest.mark.parametrize("field", ["department", "department.name"])
def test_a_malformed_department_name_costs_only_the_name_in_who(world, field):
    emu, path = world
    code, plain_out, err = run_cli(["who", "erin", path, "--live"], env_for(emu))
    assert code == 0 and "研发" in plain_out, err  # without the fault the name is shown
    _fault(emu, "department/get", field, "drop")
    code, out, err = run_cli(["who", "erin", path, "--live"], env_for(emu))
    assert code == 0 and "Traceback" not in err
    assert "eng" in out and "dept:2" in out and "研发" not in out
    assert _writes(emu) == []


def test_the_issue_reproduction_errcode_0_without_userlist_removes_nobody(world):
    # Issue 20's report: {"fault": "errcode", "errcode": 0} on user/simplelist sent del_user_list for eng.
    emu, path = world
    before = _live(emu)
    emu.set_faults(script=[{"fault": "errcode", "path": "user/simplelist", "errcode": 0, "count": 1000}])
    code, out, err = run_cli(["apply", "--yes", path], env_for(emu))
    assert code == 1 and "no 'userlist'" in out + err
    assert [c for c in _writes(emu) if c["body"]["chatid"] in ("eng", "ops")] == []
    assert {k: v for k, v in _live(emu).items() if k != "plain"} == {k: v for k, v in before.items() if k != "plain"}


EMPTY_TEAM = {**ORG, "departments": [*ORG["departments"], {"id": 9, "name": "New team", "parentid": 1}],
              "chats": [{"chatid": "team", "name": "Team", "owner": "alice", "userlist": ["alice", "bob", "carl"]}]}


@pytest.mark.parametrize("written", ["dept:9", "{dept: 9}", "{dept: 9, may_be_empty: false}"])
def test_an_empty_department_is_an_error_for_its_chat_and_removes_nobody(emulator_factory, tmp_path, written):
    emu = emulator_factory(seed=EMPTY_TEAM)
    path = tmp_path / "chats.yaml"
    path.write_text(f"chats:\n  team:\n    name: Team\n    owner: alice\n    members: [alice, bob, {written}]\n")
    code, out, err = run_cli(["apply", "--yes", path], env_for(emu))
    assert code == 1 and "department 9 has nobody in WeCom's answer" in out + err
    assert "{dept: 9, may_be_empty: true}" in out + err
    assert _writes(emu) == [] and sorted(emu.chat("team")["userlist"]) == ["alice", "bob", "carl"]


def test_an_empty_department_that_may_be_empty_is_planned(emulator_factory, tmp_path):
    emu = emulator_factory(seed=EMPTY_TEAM)
    path = tmp_path / "chats.yaml"
    path.write_text("chats:\n  team:\n    name: Team\n    owner: alice\n"
                    "    members: [alice, bob, {dept: 9, may_be_empty: true}]\n")
    code, out, err = run_cli(["apply", "--yes", path], env_for(emu))
    assert code == 0, out + err
    assert sorted(emu.chat("team")["userlist"]) == ["alice", "bob"]  # carl was only listed by hand before
