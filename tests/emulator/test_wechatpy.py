"""Conformance: wechatpy 1.8.18, a client nobody here wrote, drives the
emulator, so the wire format is the real one (raw UTF-8 bodies without a
Content-Type, access_token in the query, errors as HTTP 200 + errcode)."""

import pytest
from tests.helpers import FakeClock
from tests.samples import MP4, PDF, PNG, amr

import wechatpy.enterprise as wechatpy_enterprise  # wechatpy==1.8.18, a test dependency
from wechatpy.exceptions import APILimitedException, WeChatClientException


def client_for(emu):
    class EmulatorClient(wechatpy_enterprise.WeChatClient):
        API_BASE_URL = emu.base_url

        def fetch_access_token(self):
            return self._fetch_access_token(url=self.API_BASE_URL + "gettoken",
                                            params={"corpid": self.corp_id, "corpsecret": self.secret})

    return EmulatorClient(emu.config.corp_id, emu.config.corp_secret, timeout=10)


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def emu(emulator_factory, clock):
    return emulator_factory(clock=clock, seed={"users": ["alice", "bob", "carol", "dave"]})


@pytest.fixture
def client(emu):
    return client_for(emu)


def test_create_get_update(client, emu):
    created = client.appchat.create(chat_id="team", name="研发群", owner="alice", user_list=["alice", "bob"])
    assert created["chatid"] == "team"
    info = client.appchat.get("team")
    assert info["name"] == "研发群" and info["owner"] == "alice" and info["userlist"] == ["alice", "bob"]
    client.appchat.update("team", name="Team", owner="bob", add_user_list=["carol"], del_user_list=["alice"])
    info = client.appchat.get("team")
    assert info == {"chatid": "team", "name": "Team", "owner": "bob", "userlist": ["bob", "carol"], "chat_type": 0}
    # what went over the wire: raw UTF-8, parsed by the emulator as sent
    create_call = next(c for c in emu.calls() if c["path"] == "appchat/create")
    assert create_call["body"]["name"] == "研发群"


def test_create_without_chat_id(client):
    chat_id = client.appchat.create(name="x", user_list=["alice", "bob"])["chatid"]
    assert client.appchat.get(chat_id)["owner"] in {"alice", "bob"}


def _upload(client, tmp_path, kind, name, data) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    with path.open("rb") as f:  # wechatpy's media.upload takes an open file and sends its name
        answer = client.media.upload(kind, f)
    assert answer["type"] == kind
    return answer["media_id"]


def test_uploads_through_media_upload(client, emu, tmp_path):
    media_id = _upload(client, tmp_path, "image", "截图.png", PNG)
    [stored] = emu.media()
    assert stored["media_id"] == media_id and stored["filename"] == "截图.png" and stored["size"] == len(PNG)
    with pytest.raises(WeChatClientException) as e:
        _upload(client, tmp_path, "voice", "note.mp3", amr(1))
    assert e.value.errcode == 40004


def test_sends_all_nine_types(client, emu, tmp_path):
    """wechatpy's appchat.send builds each body; the emulator accepts all nine as WeCom does."""
    client.appchat.create(chat_id="team", name="Team", owner="alice", user_list=["alice", "bob"])
    image = _upload(client, tmp_path, "image", "shot.png", PNG)
    voice = _upload(client, tmp_path, "voice", "note.amr", amr(3))
    video = _upload(client, tmp_path, "video", "demo.mp4", MP4)
    file = _upload(client, tmp_path, "file", "report.pdf", PDF)
    article = {"title": "t", "description": "d", "url": "https://example.com", "picurl": ""}
    mp_article = {"title": "t", "thumb_media_id": image, "author": "a", "content_source_url": "",
                  "content": "<p>c</p>", "digest": "d"}
    client.appchat.send_text("team", "hello 你好")
    client.appchat.send("team", "markdown", content="**joined**: carol")
    client.appchat.send("team", "image", media_id=image, safe=1)
    client.appchat.send("team", "voice", media_id=voice)
    client.appchat.send("team", "video", media_id=video, title="demo", description="how it works")
    client.appchat.send("team", "file", media_id=file)
    client.appchat.send("team", "textcard", title="Runbook", description="step 1", url="https://example.com",
                        btntxt="Open")
    client.appchat.send("team", "news", articles=[article])
    client.appchat.send("team", "mpnews", articles=[mp_article])
    sent = emu.messages("team")
    assert [m["msgtype"] for m in sent] == ["text", "markdown", "image", "voice", "video", "file", "textcard",
                                            "news", "mpnews"]
    assert sent[0]["text"]["content"] == "hello 你好"
    assert sent[1]["markdown"]["content"] == "**joined**: carol"
    assert sent[2]["image"] == {"media_id": image} and sent[2]["safe"] == 1
    assert sent[4]["video"] == {"media_id": video, "title": "demo", "description": "how it works"}
    assert sent[5]["file"] == {"media_id": file}
    assert sent[6]["textcard"]["btntxt"] == "Open"
    assert sent[7]["news"]["articles"][0]["title"] == "t"
    assert sent[8]["mpnews"]["articles"][0]["thumb_media_id"] == image


def test_send_errors_reach_wechatpy_with_their_codes(client, tmp_path):
    client.appchat.create(chat_id="team", name="Team", owner="alice", user_list=["alice", "bob"])
    for msgtype, fields, code in [
        ("image", {"media_id": "never-uploaded"}, 40007),
        ("news", {"articles": [{"title": "t", "url": "https://example.com"}], "safe": 1}, 40074),
        ("news", {"articles": [{"title": "t", "url": "https://example.com"}] * 9}, 45008),
    ]:
        with pytest.raises(WeChatClientException) as e:
            client.appchat.send("team", msgtype, **fields)
        assert e.value.errcode == code, msgtype


def test_error_paths_raise_with_errcode(client):
    with pytest.raises(WeChatClientException) as e:
        client.appchat.get("nosuch")
    assert e.value.errcode == 86003
    client.appchat.create(chat_id="team", name="Team", owner="alice", user_list=["alice", "bob"])
    with pytest.raises(WeChatClientException) as e:
        client.appchat.update("team", add_user_list=["outsider"])
    assert e.value.errcode == 86216
    with pytest.raises(WeChatClientException) as e:
        client.appchat.send("team", "text", content="x" * 2049)
    assert e.value.errcode == 45002


def test_rate_limit_raises_api_limited(emulator_factory, clock):
    client = client_for(emulator_factory(clock=clock, calls_per_minute=1))
    client.appchat.create(chat_id="team", name="Team", owner="a", user_list=["a", "b"])
    with pytest.raises(APILimitedException) as e:
        client.appchat.create(chat_id="team2", name="Team", owner="a", user_list=["a", "b"])
    assert e.value.errcode == 45009


def test_wrong_secret_raises_40001(emu):
    client = client_for(emu)
    client.secret = "wrong"
    with pytest.raises(WeChatClientException) as e:
        client.fetch_access_token()
    assert e.value.errcode == 40001


def test_recovers_from_expired_token(client, emu, clock):
    client.appchat.create(chat_id="team", name="Team", owner="alice", user_list=["alice", "bob"])
    clock.advance(7200)  # the emulator's clock: wechatpy still believes its token is good
    emu.clear_calls()
    assert client.appchat.get("team")["chatid"] == "team"
    assert [(c["path"], c["errcode"]) for c in emu.calls()] == [
        ("appchat/get", 42001), ("gettoken", 0), ("appchat/get", 0)]


def test_recovers_from_invalidated_token(client, emu):
    client.appchat.create(chat_id="team", name="Team", owner="alice", user_list=["alice", "bob"])
    emu.set_faults(invalidate_tokens=True)
    emu.clear_calls()
    client.appchat.update("team", add_user_list=["carol"])
    assert [(c["path"], c["errcode"]) for c in emu.calls()] == [
        ("appchat/update", 40014), ("gettoken", 0), ("appchat/update", 0)]
    assert "carol" in emu.chat("team")["userlist"]


# ---- the directory: wechatpy's department, user and tag calls --------------

ORG = {
    "departments": [{"id": 1, "name": "Acme", "parentid": 0},
                    {"id": 2, "name": "研发中心", "parentid": 1, "order": 10},
                    {"id": 3, "name": "SRE", "parentid": 2},
                    {"id": 4, "name": "Sales", "parentid": 1}],
    "users": ["alice", {"userid": "bob", "name": "鲍勃", "department": [2, 3]},
              {"userid": "carol", "name": "Carol", "department": [3], "status": 2}],
    "tags": [{"tagid": 1, "tagname": "oncall", "users": ["alice"], "departments": [3]}],
}


@pytest.fixture
def org_client(emulator_factory, clock):
    return client_for(emulator_factory(clock=clock, seed=ORG))


def test_department_get_lists_departments_with_names(org_client):
    # wechatpy's department.get calls department/list
    assert [(d["id"], d["name"], d["parentid"]) for d in org_client.department.get()] == [
        (1, "Acme", 0), (2, "研发中心", 1), (3, "SRE", 2), (4, "Sales", 1)]
    assert [d["id"] for d in org_client.department.get(2)] == [2, 3]


def test_department_get_users_is_user_simplelist(org_client):
    # fetch_child=1 is sent and ignored: the users directly in the department
    users = org_client.department.get_users(3, fetch_child=1)
    assert [(u["userid"], u["name"], u["department"]) for u in users] == [
        ("bob", "鲍勃", [2, 3]), ("carol", "Carol", [3])]
    assert all(u["open_userid"] for u in users)


def test_user_get(org_client):
    user = org_client.user.get("bob")
    assert (user["userid"], user["name"], user["department"], user["status"]) == ("bob", "鲍勃", [2, 3], 1)
    assert org_client.user.get("carol")["status"] == 2


def test_tag_get_users(org_client):
    answer = org_client.tag.get_users(1)
    assert answer["tagname"] == "oncall"
    assert answer["userlist"] == [{"userid": "alice", "name": "alice"}]
    assert answer["partylist"] == [3]


@pytest.mark.parametrize("call, errcode", [
    (lambda c: c.department.get(99), 60003),
    (lambda c: c.department.get_users(99), 60003),
    (lambda c: c.user.get("mallory"), 60111),
    (lambda c: c.tag.get_users(7), 40068),
])
def test_directory_errors_raise_with_errcode(org_client, call, errcode):
    with pytest.raises(WeChatClientException) as e:
        call(org_client)
    assert e.value.errcode == errcode


def test_outside_the_visible_range_raises_60011(emulator_factory, clock):
    client = client_for(emulator_factory(clock=clock, seed={**ORG, "visible": [2]}))
    assert [d["id"] for d in client.department.get()] == [2, 3]
    with pytest.raises(WeChatClientException) as e:
        client.department.get_users(4)
    assert e.value.errcode == 60011
    with pytest.raises(WeChatClientException) as e:
        client.user.get("alice")
    assert e.value.errcode == 60111
