"""The directory's seed: validation, the state file, reset, the admin route,
and the example in docs/emulator.md."""

import re
import sqlite3

import pytest
import requests
import yaml
from tests.helpers import REPO, RawApi, run_cli

from reconciler.emulator import Emulator, EmulatorConfig, SeedError

from .test_cli import Proc
from .test_directory import ORG, Reader, ok

ROOT = {"id": 1, "name": "Acme", "parentid": 0}


def dept(id, parentid=1, **more):
    return {"id": id, "name": f"d{id}", "parentid": parentid, **more}


@pytest.mark.parametrize("seed, words", [
    # departments
    ({"departments": [ROOT, dept(2, parentid=7)]}, r"departments\[1\]: department 2 has an unknown parent 7"),
    ({"departments": [ROOT, dept(2, parentid=3), dept(3, parentid=2)]}, r"a cycle of parents: 2 -> 3 -> 2"),
    ({"departments": [ROOT, dept(2), dept(3, parentid=4), dept(4, parentid=3)]}, r"cycle of parents: 3 -> 4 -> 3"),
    ({"departments": [ROOT, dept(2), dept(2)]}, r"departments\[2\]: department 2 is defined twice"),
    ({"departments": [dept(2)]}, r"the root department \(id 1, parentid 0\) is missing"),
    ({"departments": [ROOT, dept(2, parentid=0)]}, r"departments\[1\]: department 1 is the root"),
    ({"departments": [{**ROOT, "parentid": 2}, dept(2)]}, r"departments\[0\]: department 1 is the root"),
    ({"departments": [ROOT, dept("2")]}, r"id must be a positive integer, not '2'"),
    ({"departments": [ROOT, dept(2, order=-1)]}, r"order must be an integer >= 0"),
    ({"departments": [ROOT, {**dept(2), "name": ""}]}, r"departments\[1\]: name must be a non-empty string"),
    ({"departments": [ROOT, {**dept(2), "leader": "x"}]}, r"unknown keys leader"),
    ({"departments": [ROOT, {"id": 2, "name": "x"}]}, r"departments\[1\]: parentid is missing"),
    ({"departments": {"1": "Acme"}}, r"departments must be a list"),
    # users
    ({"users": [{"userid": "bob", "department": [2]}]}, r"users\[0\]: department: unknown department 2"),
    ({"users": ["alice", "bob", "Alice"]}, r"users\[2\]: user 'Alice' is already users\[0\].*letter case"),
    ({"users": ["alice", {"userid": "ALICE", "name": "A"}]}, r"users\[1\]: user 'ALICE' is already users\[0\]"),
    ({"users": ["a b"]}, r"users\[0\]: invalid user id 'a b'"),
    ({"users": [{"userid": "bob", "name": "Bob", "status": 5}]}, r"users\[0\]: status must be one of 1 active"),
    ({"users": [{"userid": "bob", "department": []}]}, r"at least one department"),
    ({"users": [{"userid": "bob", "department": 1}]}, r"users\[0\]: department must be a list"),
    ({"users": [{"userid": "bob", "department": [1, 1]}]}, r"listed twice"),
    ({"users": [{"userid": "bob", "email": "b@x"}]}, r"unknown keys email"),
    ({"users": [{"name": "Bob"}]}, r"users\[0\]: userid is missing"),
    ({"users": [7]}, r"users\[0\]: must be a mapping"),
    # tags
    ({"users": ["alice"], "tags": [{"tagid": 1, "tagname": "t", "users": ["zed"]}]},
     r"tags\[0\]: users: 'zed' is not in the seed's users"),
    ({"tags": [{"tagid": 1, "tagname": "t", "users": ["alice"]}]}, r"'alice' is not in the seed's users"),
    ({"tags": [{"tagid": 1, "tagname": "t", "departments": [3]}]}, r"tags\[0\]: departments: unknown department 3"),
    ({"tags": [{"tagid": 1, "tagname": "a"}, {"tagid": 1, "tagname": "b"}]}, r"tags\[1\]: tag 1 is defined twice"),
    ({"tags": [{"tagid": 1, "tagname": "a"}, {"tagid": 2, "tagname": "a"}]}, r"tagname 'a' is already tag 1"),
    ({"tags": [{"tagid": 0, "tagname": "a"}]}, r"tagid must be a positive integer"),
    ({"tags": [{"tagid": 1}]}, r"tags\[0\]: tagname is missing"),
    # visible
    ({"visible": [2]}, r"visible: unknown department 2"),
    ({"visible": 1}, r"visible must be a list"),
    ({"colleagues": []}, r"unknown keys colleagues"),
])
def test_bad_directories_are_refused_with_where_and_why(seed, words):
    with pytest.raises(SeedError, match=words):
        Emulator(EmulatorConfig(seed=seed))


def test_a_bad_seed_file_stops_the_command(tmp_path):
    path = tmp_path / "seed.yaml"
    path.write_text("departments:\n  - {id: 1, name: Acme, parentid: 0}\n  - {id: 2, name: A, parentid: 3}\n"
                    "  - {id: 3, name: B, parentid: 2}\n", encoding="utf-8")
    code, out, err = run_cli(["emulator", "--port", "0", "--seed", path], timeout=30)
    assert code == 1 and out == ""
    assert f"{path}: departments: a cycle of parents: 2 -> 3 -> 2" in err


def test_the_command_serves_a_seeded_directory(tmp_path):
    path = tmp_path / "seed.yaml"
    path.write_text(yaml.safe_dump(ORG, allow_unicode=True), encoding="utf-8")
    proc = Proc("--seed", str(path))
    try:
        answer = requests.get(proc.base.replace("/cgi-bin/", "/_emulator/directory"), timeout=10).json()
        code, out, err = proc.stop()
    finally:
        if proc.p.poll() is None:
            proc.p.kill()
    assert [u["userid"] for u in answer["users"]] == ["alice", "bob", "carol", "dave", "Erin"]
    assert code == 0 and "5 department(s), 5 user(s), 2 tag(s)" in err


def test_the_directory_survives_a_restart_on_the_state_file(tmp_path):
    state = str(tmp_path / "state.sqlite")
    with Emulator(EmulatorConfig(state_path=state, seed={**ORG, "visible": [2]})) as first:
        seen = first.directory()
    with Emulator(EmulatorConfig(state_path=state)) as second:  # no seed: the state file's directory
        assert second.directory() == seen
        api = Reader(second)
        assert ok(api.read("user/get", userid="BOB"))["name"] == "鲍勃"
        assert api.read("department/get", id=4)["errcode"] == 60011  # the visible range came back too
        assert ok(api.read("tag/get", tagid=1))["userlist"] == [{"userid": "carol", "name": "Carol"}]
        assert api.create("team", owner="bob", userlist=["bob", "carol"])["errcode"] == 0
        assert api.update("team", add_user_list=["mallory"])["errcode"] == 86216


def test_reset_replaces_the_directory_in_the_state_file(tmp_path):
    state = str(tmp_path / "state.sqlite")
    with Emulator(EmulatorConfig(state_path=state, seed=ORG)) as first:
        new = {"departments": [ROOT, {"id": 7, "name": "Ops", "parentid": 1}],
               "users": [{"userid": "zoe", "name": "Zoë", "department": [7]}]}
        assert requests.post(first.admin_url + "reset", json={"seed": new}, timeout=10).json() == {"ok": True}
        assert ok(Reader(first).read("department/get", id=7))["department"]["name"] == "Ops"
    with Emulator(EmulatorConfig(state_path=state)) as second:
        api = Reader(second)
        assert [u["userid"] for u in ok(api.read("user/simplelist", department_id=7))["userlist"]] == ["zoe"]
        assert api.read("department/get", id=2)["errcode"] == 60003


def test_a_state_file_from_before_the_directory_keeps_its_users(tmp_path):
    state = str(tmp_path / "state.sqlite")
    with Emulator(EmulatorConfig(state_path=state, seed={"users": ["alice", "bob"]})):
        pass
    with sqlite3.connect(state) as db:  # what an older emulator left behind
        db.execute("DROP TABLE org")
    with Emulator(EmulatorConfig(state_path=state)) as emu:
        users = ok(Reader(emu).read("user/simplelist", department_id=1))["userlist"]
        assert [u["userid"] for u in users] == ["alice", "bob"]


def test_admin_directory_route(emulator_factory):
    emu = emulator_factory(seed={**ORG, "visible": [2, 4]})
    answer = requests.get(emu.admin_url + "directory", timeout=10).json()
    assert answer == emu.directory()
    assert [d["id"] for d in answer["departments"]] == [1, 2, 3, 4, 5]
    assert answer["users"][1] == {"userid": "bob", "name": "鲍勃", "department": [2, 3], "status": 1}
    assert answer["users"][0] == {"userid": "alice", "name": "alice", "department": [1], "status": 1}
    assert answer["tags"][0] == {"tagid": 1, "tagname": "oncall", "users": ["alice", "carol"], "departments": [5]}
    assert answer["visible"] == [2, 4] and answer["closed"] is True
    assert emu.call_counts() == {}  # the admin surface is not an API call


def test_admin_directory_of_an_open_seed(emulator):
    answer = requests.get(emulator.admin_url + "directory", timeout=10).json()
    assert answer == {"departments": [{"id": 1, "name": "Company", "parentid": 0, "order": 0}],
                      "users": [], "tags": [], "visible": [1], "closed": False}


def test_the_documented_example_seed_is_real():
    text = (REPO / "docs" / "emulator.md").read_text(encoding="utf-8")
    section = text.split("## Seed format", 1)[1]
    example = yaml.safe_load(re.search(r"```yaml\n(.*?)```", section, re.S).group(1))
    with Emulator(EmulatorConfig(seed=example)) as emu:
        api = Reader(emu)
        assert ids_of(api.read("department/simplelist")) == [2, 3, 4]  # visible: [2]
        assert ok(api.read("user/get", userid="bob"))["name"] == "鲍勃"
        assert api.read("user/get", userid="alice")["errcode"] == 60111  # in department 1 only
        assert ok(api.read("tag/get", tagid=1))["partylist"] == [3]
        assert RawApi(emu).get("sre")["chat_info"]["owner"] == "bob"


def ids_of(answer: dict) -> list[int]:
    return [d["id"] for d in ok(answer)["department_id"]]
