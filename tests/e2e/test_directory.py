"""The directory end to end: chat files with dept:/tag:/exclude planned and
applied against the emulator's seeded org chart over HTTP, with the calls
counted by the emulator itself (an independent check of "only when needed"
and "each department and tag read at most once")."""

from __future__ import annotations

import json
import textwrap

import pytest

from tests.helpers import run_in_process as run
from tests.helpers import wecom_env

ORG = {
    "departments": [
        {"id": 1, "name": "Acme", "parentid": 0},
        {"id": 2, "name": "研发中心", "parentid": 1},
        {"id": 3, "name": "SRE", "parentid": 2},
        {"id": 4, "name": "Interns", "parentid": 3},
        {"id": 5, "name": "Sales", "parentid": 1},
        {"id": 6, "name": "Secret", "parentid": 1},
    ],
    "users": [
        {"userid": "alice", "name": "爱丽丝", "department": [2]},
        {"userid": "zhangsan", "name": "张三", "department": [2]},
        {"userid": "bob", "name": "鲍勃", "department": [3]},
        {"userid": "carol", "name": "Carol", "department": [3]},
        {"userid": "intern1", "name": "实习生", "department": [4]},
        {"userid": "erin", "name": "Erin", "department": [5]},
        {"userid": "spy", "name": "Spy", "department": [6]},
    ],
    "tags": [{"tagid": 1, "tagname": "oncall", "users": ["alice"], "departments": [5]}],
    "visible": [2, 5],  # the app cannot see department 6
    "chats": [{"chatid": "static", "name": "Static", "owner": "alice", "userlist": ["alice", "bob"]},
              {"chatid": "sre", "name": "SRE", "owner": "bob", "userlist": ["bob", "mallory"]}],
}


@pytest.fixture
def emu(emulator_factory, monkeypatch):
    emu = emulator_factory(seed=ORG)
    wecom_env(monkeypatch, emu)
    return emu


def files(tmp_path, text: str):
    path = tmp_path / "chats.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


STATIC_ONLY = """
chats:
  static:
    name: Static
    owner: alice
    members: [alice, bob, carol]
"""

DIRECTORY = """
chats:
  sre:
    name: SRE
    owner: bob
    members: [dept:2, tag:1]
    exclude: [dept:4]
  sales:
    name: Sales room
    owner: erin
    members: [dept:2, dept:5]
  hidden:
    name: Hidden
    owner: alice
    members: [alice, dept:6]
  nosuch:
    name: No such
    owner: alice
    members: [alice, bob, tag:99]
"""


def test_without_dept_or_tag_a_plan_makes_exactly_the_calls_of_before(emu, tmp_path, capsys):
    emu.clear_calls()
    r = run(capsys, "plan", files(tmp_path, STATIC_ONLY), "--format", "json")
    assert r.code == 0, r.err
    assert emu.call_counts() == {"appchat/get": 1, "gettoken": 1}
    assert "names" not in r.json()


def test_departments_and_tags_are_resolved_each_read_once(emu, tmp_path, capsys):
    emu.clear_calls()
    r = run(capsys, "plan", files(tmp_path, DIRECTORY), "--format", "json")
    assert r.code == 1  # two chats cannot be planned; the others are
    plan = r.json()
    sre = next(c for c in plan["changes"] if c["chat_id"] == "sre")
    # dept:2 is 研发中心 and everything below it; tag:1 is alice plus department 5; exclude dept:4 wins
    assert sre["after"]["members"] == ["alice", "bob", "carol", "erin", "zhangsan"]
    assert sre["calls"][0]["body"]["del_user_list"] == ["mallory"]
    sales = next(c for c in plan["changes"] if c["chat_id"] == "sales")
    assert sales["after"]["members"] == ["alice", "bob", "carol", "erin", "intern1", "zhangsan"]
    counts = emu.call_counts()
    calls = emu.calls()
    simplelists = [c["query"].get("id") for c in calls if c["path"] == "department/simplelist"]
    users_read = sorted(int(c["query"]["department_id"]) for c in calls if c["path"] == "user/simplelist")
    assert counts["gettoken"] == 1 and counts["appchat/get"] == 4
    assert counts["tag/get"] == 2  # tag 1 and the unknown tag 99
    # the tree the app can see in one call, then the one named department missing from it (to learn why)
    assert sorted(simplelists, key=str) == ["6", None]
    assert len(users_read) == len(set(users_read)) == 4  # departments 2, 3, 4 and 5, once each
    # a name for each department the causes show (dept:2 in both chats, dept:5), once each; none for the
    # departments only read through (3, 4), excluded from (4, nobody it holds leaves) or unreadable (6)
    assert sorted(c["query"]["id"] for c in calls if c["path"] == "department/get") == ["2", "5"]
    assert {e.get("name") for c in plan["changes"] for cause in c["causes"].values()
            for e in cause.get("entries", ()) if e["entry"].startswith("dept:")} == {"研发中心", "Sales"}


def test_an_entry_wecom_refuses_makes_its_chat_an_error_located_at_the_entry(emu, tmp_path, capsys):
    path = files(tmp_path, DIRECTORY)
    r = run(capsys, "plan", path, "--format", "json")
    errors = {e["chat_id"]: e for e in r.json()["errors"]}
    assert errors["hidden"]["errcode"] == 60011 and errors["hidden"]["source"] == f"{path}:15:22"
    assert "outside the app's visible range" in errors["hidden"]["message"]
    assert errors["nosuch"]["errcode"] == 40068 and errors["nosuch"]["source"] == f"{path}:19:27"
    assert errors["nosuch"]["message"].startswith("tag:99: ")
    assert {c["chat_id"] for c in r.json()["changes"]} == {"sre", "sales"}


def test_names_are_shown_beside_ids_in_text_and_markdown(emu, tmp_path, capsys):
    path = files(tmp_path, DIRECTORY)
    r = run(capsys, "plan", path)
    assert "+ zhangsan (张三)" in r.out and "- mallory" in r.out
    assert "+ erin (Erin)  (tag:1 (oncall), " in r.out and "+ carol (Carol)  (dept:2 (研发中心), " in r.out
    r = run(capsys, "plan", path, "--format", "markdown")
    assert "<code>zhangsan</code> (张三)" in r.out
    r = run(capsys, "plan", path, "--format", "json")
    assert r.json()["names"]["zhangsan"] == "张三" and "mallory" not in r.json()["names"]


def test_check_users_names_a_typo_and_marks_who_left(emu, tmp_path, capsys):
    path = files(tmp_path, """
        chats:
          static:
            name: Static
            owner: alice
            members: [alice, bob, carl]
          sre:
            name: SRE
            owner: bob
            members: [bob, carol]
        """)
    emu.clear_calls()
    r = run(capsys, "plan", path, "--check-users", "--format", "json")
    plan = r.json()
    (error,) = plan["errors"]
    assert error["chat_id"] == "static" and error["message"] == "user 'carl' is not in the directory; did you mean 'carol'?"
    (sre,) = plan["changes"]
    assert sre["not_in_directory"] == ["mallory"]  # the live member who left
    assert emu.call_counts().get("department/simplelist") == 1  # everything the app can see, in one call
    r = run(capsys, "plan", path, "--check-users")
    assert "- mallory  (not in the directory: left, or outside the app's visible range)" in r.out


def test_check_users_resolves_tags_and_keeps_wecoms_reasons_as_a_plain_plan_does(emu, tmp_path, capsys):
    """--check-users reads more, never less: the tag and department entries
    resolve as they do without it, and a department the app cannot see keeps
    WeCom's errcode."""
    path = files(tmp_path, DIRECTORY)
    plain = run(capsys, "plan", path, "--format", "json").json()
    emu.clear_calls()
    checked = run(capsys, "plan", path, "--check-users", "--format", "json").json()
    assert [(c["chat_id"], c["after"]) for c in checked["changes"]] == \
        [(c["chat_id"], c["after"]) for c in plain["changes"]]
    assert {e["chat_id"]: e["errcode"] for e in checked["errors"]} == {"hidden": 60011, "nosuch": 40068}
    counts = emu.call_counts()
    assert counts["tag/get"] == 2 and counts["user/simplelist"] == 4  # every visible department (2, 3, 4, 5), once


def test_apply_of_a_directory_chat_converges(emu, tmp_path, capsys):
    path = files(tmp_path, DIRECTORY.split("  hidden:")[0])
    r = run(capsys, "apply", path, "--yes")
    assert r.code == 0, r.err + r.out
    assert sorted(emu.chat("sre")["userlist"]) == ["alice", "bob", "carol", "erin", "zhangsan"]
    r = run(capsys, "plan", path, "--detailed-exitcode")
    assert r.code == 0 and "No changes" in r.out


def test_a_saved_plan_applies_its_calls_without_reading_the_directory(emu, tmp_path, capsys):
    path = files(tmp_path, DIRECTORY.split("  hidden:")[0])
    saved = tmp_path / "plan.json"
    assert run(capsys, "plan", path, "--out", saved).code == 0
    emu.clear_calls()
    r = run(capsys, "apply", "--plan", saved)
    assert r.code == 0, r.err
    assert not any(c["path"].startswith(("department/", "user/", "tag/")) for c in emu.calls())
    assert json.loads(saved.read_text())["names"]["zhangsan"] == "张三"


def test_who_live_names_the_department_entry_that_brings_someone_in(emu, tmp_path, capsys):
    path = files(tmp_path, DIRECTORY.split("  hidden:")[0])
    emu.clear_calls()
    r = run(capsys, "who", "carol", path, "--live")
    assert r.code == 0, r.err
    assert r.out.startswith("carol (Carol): 2 chats in the files")
    assert "dept:2 (研发中心)" in r.out
    assert emu.call_counts()["department/get"] == 1  # only the department shown, once
    r = run(capsys, "who", "carol", path, "--live", "--format", "json")
    memberships = {c["chat_id"]: c["memberships"] for c in r.json()["chats"]}
    assert memberships["sre"] == [{"entry": "dept:2", "via": [], "until": None, "reason": None, "ended": False,
                                   "source": f"{path}:6:15", "department": "研发中心"}]


def test_directory_reads_never_show_the_secret_or_a_token(emulator_factory, tmp_path):
    from tests.helpers import env_for, run_cli

    marker = "marker-secret-DIRECTORY-42"
    emu = emulator_factory(seed=ORG, corp_secret=marker)
    path = files(tmp_path, DIRECTORY)
    for argv in (["plan", path, "--check-users", "-v", "--format", "json"], ["who", "carol", path, "--live", "-v"]):
        code, out, err = run_cli(argv, env=env_for(emu))
        assert "department/simplelist" in err or "department/get" in err  # -v logged the directory calls
        assert marker not in out + err and not any(token in out + err for token in emu.issued_tokens())
