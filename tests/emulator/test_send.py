"""appchat/send: message types and size limits, over HTTP."""

import pytest
from tests.helpers import RawApi


@pytest.fixture
def api(emulator):
    api = RawApi(emulator)
    assert api.create("team")["errcode"] == 0
    return api


ARTICLE = {"title": "t", "description": "d", "url": "https://example.com", "picurl": "https://example.com/p.png"}
MP_ARTICLE = {"title": "t", "thumb_media_id": "m1", "content": "<p>c</p>"}


@pytest.mark.parametrize("msgtype, payload", [
    ("text", {"content": "hello 你好"}),
    ("markdown", {"content": "**bold**"}),
    ("image", {"media_id": "m1"}),
    ("voice", {"media_id": "m1"}),
    ("file", {"media_id": "m1"}),
    ("video", {"media_id": "m1", "title": "t", "description": "d"}),
    ("textcard", {"title": "t", "description": "d", "url": "https://example.com", "btntxt": "more"}),
    ("news", {"articles": [ARTICLE]}),
    ("mpnews", {"articles": [MP_ARTICLE]}),
])
def test_every_message_type_is_accepted(api, emulator, msgtype, payload):
    assert api.send("team", msgtype, payload, safe=0) == {"errcode": 0, "errmsg": "ok"}
    [message] = emulator.messages("team")
    assert message["msgtype"] == msgtype and message[msgtype] == payload


@pytest.mark.parametrize("msgtype", ["sms", "", None, "TEXT"])
def test_unknown_msgtype_is_40008(api, msgtype):
    assert api.post("appchat/send", {"chatid": "team", "msgtype": msgtype, "text": {"content": "x"}})["errcode"] == 40008


@pytest.mark.parametrize("msgtype", ["text", "markdown"])
def test_content_size_limit_in_bytes(api, msgtype):
    assert api.send("team", msgtype, {"content": "a" * 2048})["errcode"] == 0
    assert api.send("team", msgtype, {"content": "a" * 2049})["errcode"] == 45002
    # 683 three-byte characters = 2049 bytes: the limit counts bytes, not characters
    assert api.send("team", msgtype, {"content": "字" * 683})["errcode"] == 45002


@pytest.mark.parametrize("payload", [{"content": ""}, {}])
def test_empty_text_is_44004(api, payload):
    assert api.send("team", "text", payload)["errcode"] == 44004


def test_missing_payload_is_44004(api):
    assert api.post("appchat/send", {"chatid": "team", "msgtype": "text"})["errcode"] == 44004


def test_news_article_count(api):
    assert api.send("team", "news", {"articles": [ARTICLE] * 8})["errcode"] == 0
    assert api.send("team", "news", {"articles": [ARTICLE] * 9})["errcode"] == 45008
    assert api.send("team", "mpnews", {"articles": [MP_ARTICLE] * 9})["errcode"] == 45008
    assert api.send("team", "news", {"articles": []})["errcode"] == 44004


def test_media_message_without_media_is_40007(api):
    assert api.send("team", "image", {})["errcode"] == 40007


def test_textcard_needs_title_description_url(api):
    assert api.send("team", "textcard", {"title": "t", "description": "d"})["errcode"] == 44004


def test_send_to_unknown_chat_is_86003(api, emulator):
    assert api.send("nosuch")["errcode"] == 86003
    assert emulator.messages() == [m for m in emulator.messages() if m["chatid"] == "team"]


def test_send_invalid_chat_id_is_86001(api):
    assert api.send("no-such")["errcode"] == 86001
