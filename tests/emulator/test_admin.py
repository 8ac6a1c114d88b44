"""The admin surface under /_emulator/ and the Python API around it; the call
log never holds the secret or a token."""

import json

import pytest
import requests
from tests.helpers import TEST_CORP_SECRET, RawApi


@pytest.fixture
def api(emulator):
    api = RawApi(emulator)
    assert api.create("team", "Team", "alice", ["alice", "bob"])["errcode"] == 0
    api.get("team")
    api.get("nosuch")
    return api


def test_calls_and_counts(api, emulator):
    answer = requests.get(emulator.admin_url + "calls").json()
    assert answer["counts"] == {"appchat/create": 1, "appchat/get": 2, "gettoken": 1}
    assert [(c["method"], c["path"], c["errcode"]) for c in answer["calls"]] == [
        ("GET", "gettoken", 0), ("POST", "appchat/create", 0),
        ("GET", "appchat/get", 0), ("GET", "appchat/get", 86003)]
    assert answer["calls"][1]["body"]["userlist"] == ["alice", "bob"]
    assert answer["calls"][2]["query"]["chatid"] == "team"
    assert requests.get(emulator.admin_url + "counts").json() == emulator.call_counts() == answer["counts"]
    assert emulator.calls() == answer["calls"]


def test_admin_calls_are_not_logged(api, emulator):
    before = emulator.call_counts()
    requests.get(emulator.admin_url + "counts")
    requests.get(emulator.admin_url + "chats/team")
    assert emulator.call_counts() == before


def test_clear_calls(api, emulator):
    assert requests.post(emulator.admin_url + "clear-calls").json() == {"ok": True}
    assert emulator.calls() == [] and emulator.call_counts() == {}
    assert emulator.chat("team") is not None  # state untouched
    api.get("team")
    emulator.clear_calls()
    assert emulator.calls() == []


def test_chat_peek(api, emulator):
    response = requests.get(emulator.admin_url + "chats/team")
    assert response.json() == {"chatid": "team", "name": "Team", "owner": "alice",
                               "userlist": ["alice", "bob"], "foreign": False}
    assert requests.get(emulator.admin_url + "chats/nosuch").status_code == 404
    assert requests.get(emulator.admin_url + "chats").json() == {"chats": ["team"]}


def test_reset_over_http(api, emulator):
    assert requests.post(emulator.admin_url + "reset").json() == {"ok": True}
    assert emulator.chat("team") is None and emulator.calls() == []
    seed = {"chats": [{"chatid": "seeded", "owner": "a", "userlist": ["a", "b"]}]}
    requests.post(emulator.admin_url + "reset", data=json.dumps({"seed": seed}))
    assert emulator.chat_ids() == ["seeded"]
    # tokens survive a reset: a client does not need to log in again
    assert api.get("seeded")["errcode"] == 0


def test_faults_over_http(api, emulator):
    settings = requests.post(emulator.admin_url + "faults", json={"busy_rate": 1.0}).json()
    assert settings["busy_rate"] == 1.0
    assert api.get("team")["errcode"] == -1
    assert requests.get(emulator.admin_url + "faults").json()["busy_rate"] == 1.0
    requests.post(emulator.admin_url + "faults", json={"clear": True})
    assert api.get("team")["errcode"] == 0
    requests.post(emulator.admin_url + "faults", json={"invalidate_tokens": True})
    assert api.get("team")["errcode"] == 40014


def test_limits_over_http(api, emulator):
    limits = requests.post(emulator.admin_url + "limits", json={"creates_per_day": 1}).json()
    assert limits["creates_per_day"] == 1
    assert api.create("other")["errcode"] == 45009


def test_messages_over_http(api, emulator):
    assert api.send("team", "markdown", {"content": "**hi**"})["errcode"] == 0
    answer = requests.get(emulator.admin_url + "messages/team").json()
    assert [m["markdown"]["content"] for m in answer["messages"]] == ["**hi**"]
    assert requests.get(emulator.admin_url + "messages/other").json() == {"messages": []}


def test_unknown_admin_paths_and_bad_bodies(emulator):
    assert requests.get(emulator.admin_url + "nothing").status_code == 404
    assert requests.post(emulator.admin_url + "faults", data=b"{broken").status_code == 400


def test_call_log_never_holds_secret_or_token(emulator):
    api = RawApi(emulator)
    token = api.login()
    api.gettoken(corpid="wwtestcorp", corpsecret=TEST_CORP_SECRET + "-wrong")
    api.create("team")
    # a careless client that puts the token in a body must not leak it either
    api.post("appchat/send", {"chatid": "team", "msgtype": "text", "text": {"content": f"t={token}"}})
    dumped = json.dumps(emulator.calls()) + requests.get(emulator.admin_url + "calls").text
    assert TEST_CORP_SECRET not in dumped
    assert token not in dumped
    assert all(c["query"].get("access_token") in (None, "***") for c in emulator.calls())
    assert emulator.calls()[0]["query"] == {"corpid": "wwtestcorp", "corpsecret": "***"}


def test_python_api_surface(emulator):
    assert emulator.base_url == f"http://127.0.0.1:{emulator.port}/cgi-bin/"
    assert emulator.admin_url == f"http://127.0.0.1:{emulator.port}/_emulator/"
    assert emulator.chat("nosuch") is None
    assert emulator.in_flight() == 0


def test_request_hook_sees_each_api_request_before_and_after_it_is_handled(emulator):
    events = []
    emulator.add_hook(lambda event, method, path: events.append((event, method, path, emulator.in_flight())))
    requests.get(emulator.base_url + "gettoken", params={"corpid": emulator.config.corp_id,
                                                        "corpsecret": emulator.config.corp_secret}, timeout=5)
    requests.get(emulator.admin_url + "counts", timeout=5)  # the admin surface is not the API
    assert events == [("request", "GET", "gettoken", 0), ("reply", "GET", "gettoken", 0)]


def test_context_manager_stops_the_server():
    from reconciler.emulator import Emulator

    with Emulator() as emu:
        url = emu.base_url
        assert requests.get(url + "gettoken", params={"corpid": "wwdemo", "corpsecret": "demo-secret"}).json()["errcode"] == 0
    with pytest.raises(requests.ConnectionError):
        requests.get(url + "gettoken", timeout=2)
