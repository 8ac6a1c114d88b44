"""Faults clients must survive: busy, dropped connections, 45033, slow and
garbage answers, HTTP 5xx, scripted one-shot faults. No timed assertions."""

import json
import threading
import time

import pytest
import requests
from tests.helpers import RawApi


@pytest.fixture
def api(emulator):
    api = RawApi(emulator)
    assert api.create("team")["errcode"] == 0
    return api


def test_busy_rate_one_answers_minus_one(api, emulator):
    emulator.set_faults(busy_rate=1.0)
    answer = api.get("team")
    assert answer["errcode"] == -1 and answer["errmsg"].startswith("system is busy")
    assert emulator.calls()[-1]["fault"] == "busy"


def test_busy_rate_is_seeded_and_repeatable(emulator_factory):
    def sequence(emu):
        api = RawApi(emu)
        api.login()
        emu.set_faults(busy_rate=0.5)
        return [api.get("x")["errcode"] for _ in range(40)]

    first = sequence(emulator_factory(random_seed=7))
    second = sequence(emulator_factory(random_seed=7))
    assert first == second
    assert set(first) == {-1, 86003}


def test_busy_answer_leaves_state_alone(api, emulator):
    emulator.set_faults(busy_rate=1.0)
    assert api.update("team", add_user_list=["carol"])["errcode"] == -1
    assert "carol" not in emulator.chat("team")["userlist"]


def test_dropped_connection(api, emulator):
    emulator.set_faults(drop_rate=1.0)
    with pytest.raises(requests.ConnectionError):
        api.get("team")
    entry = emulator.calls()[-1]
    assert entry["fault"] == "drop" and entry["status"] is None and entry["errcode"] is None
    emulator.set_faults(drop_rate=0.0)
    assert api.get("team")["errcode"] == 0  # the server is still fine


def test_overload_rate_answers_45033(api, emulator):
    emulator.set_faults(overload_rate=1.0)
    assert api.get("team")["errcode"] == 45033


def test_max_concurrent_answers_45033_beyond_the_limit(emulator_factory):
    # The first call is held in its latency until released, not for a time:
    # the second comes while it is in flight, however slowly the machine runs.
    release, held = threading.Event(), []

    def sleep(seconds):  # the first latency is held; the refusal's passes
        if not held:
            held.append(seconds)
            release.wait(60)

    emulator = emulator_factory(sleep=sleep)
    api = RawApi(emulator)
    assert api.create("team")["errcode"] == 0
    token = api.login()
    emulator.set_faults(max_concurrent=1, latency_ms=1500)
    first = {}

    def slow_call():
        first["answer"] = requests.get(emulator.base_url + "appchat/get",
                                       params={"access_token": token, "chatid": "team"}, timeout=60).json()

    thread = threading.Thread(target=slow_call)
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while emulator.in_flight() < 1:
            assert time.monotonic() < deadline, "the first call never reached the emulator"
            time.sleep(0.01)
        second = requests.get(emulator.base_url + "appchat/get",
                              params={"access_token": token, "chatid": "team"}, timeout=60).json()
    finally:
        release.set()
        thread.join(60)
    assert second["errcode"] == 45033
    assert first["answer"]["errcode"] == 0


def test_slow_answer_beyond_client_timeout(api, emulator):
    token = api.login()
    emulator.set_faults(slow_rate=1.0, slow_ms=1500)
    with pytest.raises(requests.Timeout):
        requests.get(emulator.base_url + "appchat/get", params={"access_token": token, "chatid": "team"},
                     timeout=0.2)
    emulator.set_faults(slow_ms=10)
    assert api.get("team")["errcode"] == 0  # slow but answered


def test_garbage_body(api, emulator):
    token = api.login()
    emulator.set_faults(garbage_rate=1.0)
    response = requests.get(emulator.base_url + "appchat/get", params={"access_token": token, "chatid": "team"})
    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()


def test_http_5xx(api, emulator):
    token = api.login()
    emulator.set_faults(http_error_rate=1.0, http_error_status=503)
    response = requests.get(emulator.base_url + "appchat/get", params={"access_token": token, "chatid": "team"})
    assert response.status_code == 503


def test_latency_still_answers(api, emulator):
    emulator.set_faults(latency_ms=20)
    assert api.get("team")["errcode"] == 0
    assert emulator.set_faults()["latency_ms"] == 20


def test_fault_paths_limit_where_rates_apply(api, emulator):
    emulator.set_faults(busy_rate=1.0, fault_paths=["appchat/update"])
    assert api.gettoken()["errcode"] == 0
    assert api.get("team")["errcode"] == 0
    assert api.update("team", name="x")["errcode"] == -1


def test_script_busy_twice_then_fine(api, emulator):
    api.login()
    emulator.set_faults(script=[{"fault": "busy", "path": "appchat/get", "count": 2}])
    assert [api.get("team")["errcode"] for _ in range(3)] == [-1, -1, 0]
    assert emulator.set_faults()["script"] == []


def test_script_errcode(api, emulator):
    api.login()
    emulator.set_faults(script=[{"fault": "errcode", "errcode": 45009}])
    assert api.get("team")["errcode"] == 45009
    assert api.get("team")["errcode"] == 0


def test_script_drop_after_the_write_took_effect(api, emulator):
    api.login()
    emulator.set_faults(script=[{"fault": "drop", "path": "appchat/update", "after": True}])
    with pytest.raises(requests.ConnectionError):
        api.update("team", add_user_list=["carol"])
    assert "carol" in emulator.chat("team")["userlist"]  # the answer was lost, not the change


def test_a_field_fault_drops_one_field_of_one_answer_and_the_state_keeps_it(api, emulator):
    api.login()
    emulator.set_faults(script=[{"fault": "field", "path": "appchat/get", "field": "chat_info.userlist"}])
    answer = api.get("team")
    assert answer["errcode"] == 0 and "userlist" not in answer["chat_info"] and answer["chat_info"]["owner"]
    assert emulator.calls()[-1]["fault"] == "field"
    assert api.get("team")["chat_info"]["userlist"] == ["alice", "bob"]  # one answer only; the chat is intact


@pytest.mark.parametrize(("field", "read", "mistyped"), [
    ("chat_info.userlist", lambda a: a["chat_info"]["userlist"], "mistyped"),
    ("chat_info.owner", lambda a: a["chat_info"]["owner"], 0),
    ("chat_info.userlist.1", lambda a: a["chat_info"]["userlist"][1], 0),
    ("errcode", lambda a: a["errcode"], "0"),
])
def test_a_field_fault_mistypes_one_field(api, emulator, field, read, mistyped):
    api.login()
    emulator.set_faults(script=[{"fault": "field", "path": "appchat/get", "field": field, "action": "mistype"}])
    assert read(api.get("team")) == mistyped


def test_a_field_fault_on_a_field_the_answer_lacks_leaves_it_whole(api, emulator):
    api.login()
    emulator.set_faults(script=[{"fault": "field", "field": "chat_info.nothing.here"}])
    assert api.get("team")["chat_info"]["userlist"] == ["alice", "bob"]


def test_faults_never_touch_the_admin_surface(api, emulator):
    emulator.set_faults(drop_rate=1.0, busy_rate=1.0)
    assert requests.get(emulator.admin_url + "counts").status_code == 200


def test_clear_and_reset_restore_faults(emulator_factory):
    emu = emulator_factory(busy_rate=1.0)
    api = RawApi(emu)
    assert api.gettoken()["errcode"] == -1
    emu.set_faults(clear=True)
    assert api.gettoken()["errcode"] == 0
    emu.set_faults(drop_rate=1.0)
    emu.reset()
    assert api.gettoken()["errcode"] == -1  # back to the configured faults


@pytest.mark.parametrize("bad", [{"busy_rate": 2}, {"nope": 1}, {"latency_ms": -1}, {"script": [{"fault": "x"}]},
                                 {"http_error_status": 200}, {"fault_paths": "appchat/get"},
                                 {"script": [{"fault": "field"}]},
                                 {"script": [{"fault": "field", "field": "userlist", "action": "shuffle"}]}])
def test_bad_fault_settings_are_refused(emulator, bad):
    with pytest.raises(ValueError):
        emulator.set_faults(**bad)
    response = requests.post(emulator.admin_url + "faults", data=json.dumps(bad))
    assert response.status_code == 400 and "error" in response.json()
