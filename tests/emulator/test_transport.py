"""The wire: bodies without Content-Type, raw UTF-8, malformed JSON, methods,
unknown paths, concurrent requests."""

import json
import threading

import pytest
import requests
from tests.helpers import RawApi


@pytest.fixture
def api(emulator):
    return RawApi(emulator)


def test_raw_utf8_without_content_type(api, emulator):
    body = json.dumps({"chatid": "team", "name": "研发群", "owner": "alice", "userlist": ["alice", "bob"]},
                      ensure_ascii=False).encode("utf-8")
    token = api.login()
    # A prepared request with no Content-Type header at all, like wechatpy's.
    req = requests.Request("POST", emulator.base_url + "appchat/create", params={"access_token": token}, data=body)
    prepared = req.prepare()
    prepared.headers.pop("Content-Type", None)
    assert "Content-Type" not in prepared.headers
    answer = api.http.send(prepared).json()
    assert answer["errcode"] == 0
    assert emulator.chat("team")["name"] == "研发群"


def test_escaped_unicode_also_works(api, emulator):
    raw = json.dumps({"chatid": "team", "name": "研发群", "owner": "alice", "userlist": ["alice", "bob"]}).encode()
    assert b"\\u" in raw
    assert api.post("appchat/create", None, raw=raw, headers={"Content-Type": "application/json"})["errcode"] == 0
    assert emulator.chat("team")["name"] == "研发群"


@pytest.mark.parametrize("raw", [b"{not json", b"", b"[1, 2]", b"\xff\xfe{}", b"null"])
def test_malformed_bodies_are_47001(api, emulator, raw):
    assert api.post("appchat/create", None, raw=raw)["errcode"] == 47001
    assert emulator.chat_ids() == []


def test_errors_are_http_200_with_errcode_and_errmsg(api, emulator):
    api.login()
    response = api.http.get(emulator.base_url + "appchat/get", params={"access_token": api.token, "chatid": "x"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"errcode", "errmsg"} and body["errcode"] == 86003
    assert ", hint: [" in body["errmsg"]


def test_wrong_methods(api, emulator):
    token = api.login()
    assert api.http.get(emulator.base_url + "appchat/create", params={"access_token": token}).json()["errcode"] == 43002
    assert api.http.post(emulator.base_url + "appchat/get", params={"access_token": token, "chatid": "x"},
                         data=b"{}").json()["errcode"] == 43001


def test_unknown_path_is_404(api, emulator):
    response = api.http.get(emulator.base_url + "appchat/list")
    assert response.status_code == 404 and response.json()["errcode"] == 40066


def test_concurrent_updates_all_land(emulator):
    """Threaded server, state behind a lock: 20 clients each add one member."""
    api = RawApi(emulator)
    assert api.create("team", owner="u0", userlist=["u0", "u1"])["errcode"] == 0
    token = api.login()
    results = []

    def add(i):
        with requests.Session() as http:
            results.append(http.post(emulator.base_url + "appchat/update", params={"access_token": token},
                                     data=json.dumps({"chatid": "team", "add_user_list": [f"m{i}"]}),
                                     timeout=30).json()["errcode"])

    threads = [threading.Thread(target=add, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [0] * 20
    assert len(emulator.chat("team")["userlist"]) == 22
    assert emulator.call_counts()["appchat/update"] == 20


def test_chunked_body(api, emulator):
    token = api.login()
    body = json.dumps({"chatid": "team", "name": "T", "owner": "a", "userlist": ["a", "b"]}).encode()
    answer = requests.post(emulator.base_url + "appchat/create", params={"access_token": token},
                           data=iter([body[:10], body[10:]])).json()  # a generator is sent chunked
    assert answer["errcode"] == 0
    assert emulator.chat("team")["owner"] == "a"


def test_bad_content_length_is_refused_not_a_crash(emulator):
    import socket

    with socket.create_connection((emulator.host, emulator.port), timeout=10) as sock:
        sock.sendall(b"POST /cgi-bin/appchat/create HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n")
        head = sock.recv(4096)
    assert head.startswith(b"HTTP/1.1 400")
