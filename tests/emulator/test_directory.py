"""The directory endpoints over HTTP: answers, error codes, the visible
range, and the token check, quotas, faults and call log they share with
every other endpoint."""

import pytest
import requests
from tests.helpers import FakeClock, RawApi

# 1 Acme
# ├── 2 研发中心 (order 10)
# │   ├── 5 Platform (order 20: listed before SRE)
# │   └── 3 SRE
# └── 4 Sales
ORG = {
    "departments": [
        {"id": 1, "name": "Acme", "parentid": 0},
        {"id": 2, "name": "研发中心", "parentid": 1, "order": 10},
        {"id": 3, "name": "SRE", "parentid": 2},
        {"id": 4, "name": "Sales", "parentid": 1},
        {"id": 5, "name": "Platform", "parentid": 2, "order": 20},
    ],
    "users": [
        "alice",
        {"userid": "bob", "name": "鲍勃", "department": [2, 3]},
        {"userid": "carol", "name": "Carol", "department": [3]},
        {"userid": "dave", "name": "Dave", "department": [4], "status": 2},
        {"userid": "Erin", "name": "Erin", "department": [5], "status": 4},
    ],
    "tags": [
        {"tagid": 1, "tagname": "oncall", "users": ["alice", "CAROL"], "departments": [5]},
        {"tagid": 2, "tagname": "sales", "departments": [4]},
    ],
}


class Reader(RawApi):
    def read(self, path: str, **params) -> dict:
        params = {"access_token": self._token(), **params}
        return self.http.get(self.emu.base_url + path, params=params, timeout=10).json()


def ok(answer: dict) -> dict:
    assert answer["errcode"] == 0 and answer["errmsg"] == "ok", answer
    return answer


def ids(answer: dict, key: str) -> list[int]:
    return [d["id"] for d in ok(answer)[key]]


@pytest.fixture
def api(emulator_factory):
    return Reader(emulator_factory(seed=ORG))


@pytest.fixture
def make(emulator_factory):
    """make(visible=[...], **seed changes) -> a Reader on an emulator with ORG so changed."""
    return lambda **changes: Reader(emulator_factory(seed={**ORG, **changes}))


# ---- department/simplelist, department/list, department/get ----------------

def test_simplelist_without_id_is_every_department_parents_first(api):
    answer = ok(api.read("department/simplelist"))
    assert answer["department_id"] == [
        {"id": 1, "parentid": 0, "order": 0}, {"id": 2, "parentid": 1, "order": 10},
        {"id": 5, "parentid": 2, "order": 20}, {"id": 3, "parentid": 2, "order": 0},
        {"id": 4, "parentid": 1, "order": 0}]


def test_simplelist_of_a_department_is_its_subtree(api):
    assert ids(api.read("department/simplelist", id=2), "department_id") == [2, 5, 3]
    assert ids(api.read("department/simplelist", id=3), "department_id") == [3]
    assert ids(api.read("department/simplelist", id=1), "department_id") == [1, 2, 5, 3, 4]


def test_department_list_has_names(api):
    assert ok(api.read("department/list", id=2))["department"] == [
        {"id": 2, "name": "研发中心", "parentid": 1, "order": 10},
        {"id": 5, "name": "Platform", "parentid": 2, "order": 20},
        {"id": 3, "name": "SRE", "parentid": 2, "order": 0}]
    assert ids(api.read("department/list"), "department") == [1, 2, 5, 3, 4]


def test_department_get(api):
    assert ok(api.read("department/get", id=3))["department"] == {"id": 3, "name": "SRE", "parentid": 2, "order": 0}
    assert ok(api.read("department/get", id=1))["department"]["name"] == "Acme"


@pytest.mark.parametrize("path", ["department/simplelist", "department/list", "department/get"])
@pytest.mark.parametrize("value, errcode", [("99", 60003), ("abc", 60123), ("-2", 60123), ("0", 60123)])
def test_department_errors(api, path, value, errcode):
    assert api.read(path, id=value)["errcode"] == errcode


def test_department_get_needs_an_id(api):
    assert api.read("department/get")["errcode"] == 60123


# ---- user/simplelist, user/get ---------------------------------------------

def test_user_simplelist_holds_the_users_directly_in_the_department(api):
    users = ok(api.read("user/simplelist", department_id=3))["userlist"]
    assert [(u["userid"], u["name"], u["department"]) for u in users] == [
        ("bob", "鲍勃", [2, 3]), ("carol", "Carol", [3])]
    # Erin is in Platform, under 研发中心: not directly in it
    assert [u["userid"] for u in ok(api.read("user/simplelist", department_id=2))["userlist"]] == ["bob"]
    assert [u["userid"] for u in ok(api.read("user/simplelist", department_id=1))["userlist"]] == ["alice"]


def test_user_simplelist_ignores_fetch_child_and_status(api):
    plain = ok(api.read("user/simplelist", department_id=2))["userlist"]
    assert ok(api.read("user/simplelist", department_id=2, fetch_child=1, status=1))["userlist"] == plain


def test_open_userids_are_stable_and_distinct(api):
    first = {u["userid"]: u["open_userid"] for u in ok(api.read("user/simplelist", department_id=3))["userlist"]}
    again = {u["userid"]: u["open_userid"] for u in ok(api.read("user/simplelist", department_id=3))["userlist"]}
    assert first == again and len(set(first.values())) == 2
    assert all(v and v not in ("bob", "carol") for v in first.values())


@pytest.mark.parametrize("params, errcode", [
    ({"department_id": 99}, 60003), ({"department_id": "x"}, 60123), ({}, 60123)])
def test_user_simplelist_errors(api, params, errcode):
    assert api.read("user/simplelist", **params)["errcode"] == errcode


def test_user_get(api):
    answer = ok(api.read("user/get", userid="bob"))
    assert {k: answer[k] for k in ("userid", "name", "department", "status")} == {
        "userid": "bob", "name": "鲍勃", "department": [2, 3], "status": 1}
    assert ok(api.read("user/get", userid="alice"))["name"] == "alice"  # a plain id is named by itself
    assert ok(api.read("user/get", userid="dave"))["status"] == 2
    assert ok(api.read("user/get", userid="erin"))["status"] == 4


def test_user_ids_ignore_letter_case(api):
    assert ok(api.read("user/get", userid="BOB"))["userid"] == "bob"  # the directory's own spelling
    assert ok(api.read("user/get", userid="erin"))["userid"] == "Erin"


def test_user_get_errors(api):
    assert api.read("user/get", userid="mallory")["errcode"] == 60111
    assert api.read("user/get")["errcode"] == 40003


# ---- tag/get -------------------------------------------------------------

def test_tag_get(api):
    answer = ok(api.read("tag/get", tagid=1))
    assert answer["tagname"] == "oncall"
    assert answer["userlist"] == [{"userid": "alice", "name": "alice"}, {"userid": "carol", "name": "Carol"}]
    assert answer["partylist"] == [5]
    assert ok(api.read("tag/get", tagid=2)) == {
        "errcode": 0, "errmsg": "ok", "tagname": "sales", "userlist": [], "partylist": [4]}


@pytest.mark.parametrize("value", ["3", "abc", ""])
def test_unknown_tag(api, value):
    assert api.read("tag/get", tagid=value)["errcode"] == 40068


# ---- the visible range -----------------------------------------------------

def test_visible_range_limits_departments(make):
    api = make(visible=[2])
    assert ids(api.read("department/simplelist"), "department_id") == [2, 5, 3]
    assert ids(api.read("department/list"), "department") == [2, 5, 3]
    assert ids(api.read("department/simplelist", id=5), "department_id") == [5]  # under a visible one
    for path in ("department/simplelist", "department/list", "department/get"):
        assert api.read(path, id=1)["errcode"] == 60011, path   # an ancestor is not visible
        assert api.read(path, id=4)["errcode"] == 60011, path   # a sibling is not
        assert api.read(path, id=99)["errcode"] == 60003, path  # unknown stays unknown
    assert api.read("user/simplelist", department_id=4)["errcode"] == 60011
    assert api.read("user/simplelist", department_id=1)["errcode"] == 60011


def test_visible_range_limits_users_and_tags(make):
    api = make(visible=[2])
    assert api.read("user/get", userid="alice")["errcode"] == 60111  # only in department 1
    assert api.read("user/get", userid="dave")["errcode"] == 60111   # in Sales
    assert ok(api.read("user/get", userid="bob"))["userid"] == "bob"
    oncall = ok(api.read("tag/get", tagid=1))
    assert oncall["userlist"] == [{"userid": "carol", "name": "Carol"}] and oncall["partylist"] == [5]
    assert ok(api.read("tag/get", tagid=2))["partylist"] == []


def test_visible_range_of_several_departments(make):
    assert ids(make(visible=[4, 3]).read("department/simplelist"), "department_id") == [3, 4]
    # a department and one under it: each listed once
    assert ids(make(visible=[5, 2]).read("department/simplelist"), "department_id") == [2, 5, 3]
    assert ok(make(visible=[]).read("department/simplelist"))["department_id"] == []


def test_a_user_is_visible_through_any_of_their_departments(make):
    api = make(visible=[3])
    assert ok(api.read("user/get", userid="bob"))["department"] == [2, 3]
    assert api.read("department/get", id=2)["errcode"] == 60011


# ---- without a directory in the seed -------------------------------------

def test_default_directory_is_one_root_department(emulator):
    api = Reader(emulator)
    assert ok(api.read("department/list"))["department"] == [{"id": 1, "name": "Company", "parentid": 0, "order": 0}]
    assert ok(api.read("user/simplelist", department_id=1))["userlist"] == []  # nobody seeded
    assert api.read("user/get", userid="alice")["errcode"] == 60111


def test_plain_users_are_in_the_root_department(emulator_factory):
    api = Reader(emulator_factory(seed={"users": ["alice", "bob"]}))
    assert [(u["userid"], u["name"], u["department"]) for u in
            ok(api.read("user/simplelist", department_id=1))["userlist"]] == [
        ("alice", "alice", [1]), ("bob", "bob", [1])]


# ---- shared with every endpoint: token, method, log, quotas, faults -------

def test_token_and_method_checks(api):
    base = api.emu.base_url
    assert requests.get(base + "user/get", params={"userid": "bob"}, timeout=10).json()["errcode"] == 41001
    assert requests.get(base + "user/get", params={"userid": "bob", "access_token": "nope"},
                        timeout=10).json()["errcode"] == 40014
    assert api.post("department/simplelist", {})["errcode"] == 43001


def test_calls_are_logged(api):
    api.read("department/simplelist", id=2)
    api.read("tag/get", tagid=9)
    calls = [c for c in api.emu.calls() if c["path"] != "gettoken"]
    assert [(c["method"], c["path"], c["query"].get("id") or c["query"].get("tagid"), c["errcode"])
            for c in calls] == [("GET", "department/simplelist", "2", 0), ("GET", "tag/get", "9", 40068)]
    assert all(c["query"]["access_token"] == "***" for c in calls)
    assert api.emu.call_counts()["department/simplelist"] == 1


def test_quotas_count_per_api(emulator_factory):
    api = Reader(emulator_factory(seed=ORG, clock=FakeClock(), calls_per_minute=2))
    assert ok(api.read("user/get", userid="bob"))
    assert ok(api.read("user/get", userid="carol"))
    assert api.read("user/get", userid="bob")["errcode"] == 45009
    assert ok(api.read("department/get", id=2))  # another API has its own quota


def test_faults_apply(api):
    api.emu.set_faults(script=[{"fault": "busy", "path": "user/simplelist", "count": 1}])
    assert api.read("user/simplelist", department_id=3)["errcode"] == -1
    assert ok(api.read("user/simplelist", department_id=3))
    api.emu.set_faults(fault_paths=["tag/get"], busy_rate=1.0)
    assert api.read("tag/get", tagid=1)["errcode"] == -1
    assert ok(api.read("department/get", id=1))


# ---- appchat and the directory ---------------------------------------------

def test_appchat_accepts_directory_users_in_any_form_and_refuses_others(make):
    api = make(visible=[4])
    # bob and carol are seeded as mappings; the visible range limits reads, not chats
    assert api.create("team", owner="bob", userlist=["bob", "carol", "alice"])["errcode"] == 0
    assert api.create("team2", owner="bob", userlist=["bob", "mallory"])["errcode"] == 86216
    assert api.update("team", add_user_list=["mallory"])["errcode"] == 86216
    assert api.update("team", add_user_list=["dave"])["errcode"] == 0
