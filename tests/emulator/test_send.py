"""appchat/send: message types, size limits, media ids and `safe`, over HTTP."""

import pytest
from tests.helpers import FakeClock, RawApi
from tests.samples import MP4, PDF, PNG, amr


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def emulator(emulator_factory, clock):
    return emulator_factory(clock=clock)


@pytest.fixture
def api(emulator):
    api = RawApi(emulator)
    assert api.create("team")["errcode"] == 0
    return api


@pytest.fixture
def media(api):
    """A media id of each type, uploaded just now."""
    files = {"image": ("shot.png", PNG), "voice": ("note.amr", amr(1)), "video": ("demo.mp4", MP4),
             "file": ("log.pdf", PDF)}
    return {kind: api.upload(kind, name, data)["media_id"] for kind, (name, data) in files.items()}


ARTICLE = {"title": "t", "description": "d", "url": "https://example.com", "picurl": "https://example.com/p.png"}


def payloads(media):
    mp_article = {"title": "t", "thumb_media_id": media["image"], "content": "<p>c</p>"}
    return {
        "text": {"content": "hello 你好"},
        "markdown": {"content": "**bold**"},
        "image": {"media_id": media["image"]},
        "voice": {"media_id": media["voice"]},
        "file": {"media_id": media["file"]},
        "video": {"media_id": media["video"], "title": "t", "description": "d"},
        "textcard": {"title": "t", "description": "d", "url": "https://example.com", "btntxt": "more"},
        "news": {"articles": [ARTICLE]},
        "mpnews": {"articles": [mp_article]},
    }


@pytest.mark.parametrize("msgtype", ["text", "markdown", "image", "voice", "file", "video", "textcard", "news",
                                     "mpnews"])
def test_every_message_type_is_accepted(api, emulator, media, msgtype):
    payload = payloads(media)[msgtype]
    assert api.send("team", msgtype, payload, safe=0) == {"errcode": 0, "errmsg": "ok"}
    [message] = emulator.messages("team")
    assert message["msgtype"] == msgtype and message[msgtype] == payload and message["safe"] == 0


@pytest.mark.parametrize("msgtype", ["text", "image", "mpnews", "textcard"])
def test_safe_is_kept_with_the_message(api, emulator, media, msgtype):
    assert api.send("team", msgtype, payloads(media)[msgtype], safe=1)["errcode"] == 0
    assert emulator.messages("team")[0]["safe"] == 1


def test_news_cannot_be_safe_40074(api, emulator):
    assert api.send("team", "news", {"articles": [ARTICLE]}, safe=1)["errcode"] == 40074
    assert emulator.messages() == []


@pytest.mark.parametrize("msgtype", ["image", "voice", "file", "video"])
def test_a_media_id_never_uploaded_is_40007(api, msgtype):
    assert api.send("team", msgtype, {"media_id": "never-uploaded"})["errcode"] == 40007


def test_a_media_id_is_good_for_three_days(api, media, clock):
    clock.advance(3 * 24 * 3600 - 1)
    api.login()  # tokens live 2 hours: a fresh one for each try
    assert api.send("team", "image", {"media_id": media["image"]})["errcode"] == 0
    clock.advance(1)
    api.login()
    assert api.send("team", "image", {"media_id": media["image"]})["errcode"] == 40007


def test_a_media_id_goes_with_its_own_type(api, media):
    assert api.send("team", "file", {"media_id": media["image"]})["errcode"] == 40007
    assert api.send("team", "image", {"media_id": media["video"]})["errcode"] == 40007


def test_mpnews_thumbnail_must_be_an_uploaded_image(api, media):
    article = {"title": "t", "content": "c"}
    assert api.send("team", "mpnews", {"articles": [{**article, "thumb_media_id": "nope"}]})["errcode"] == 40007
    assert api.send("team", "mpnews", {"articles": [{**article, "thumb_media_id": media["file"]}]})["errcode"] == 40007
    assert api.send("team", "mpnews", {"articles": [{"title": "t", "thumb_media_id": media["image"]}]})["errcode"] == 44004


def test_news_articles_need_a_url(api):
    assert api.send("team", "news", {"articles": [{"title": "t"}]})["errcode"] == 44004


def test_secrets_in_a_message_are_masked_in_what_the_emulator_keeps(api, emulator):
    token = api.login()
    secret = emulator.config.corp_secret
    assert api.send("team", "text", {"content": f"oops {secret} and {token}"})["errcode"] == 0
    [message] = emulator.messages("team")
    assert secret not in str(message) and token not in str(message)
    assert message["text"]["content"] == "oops *** and ***"
    logged = [c for c in emulator.calls() if c["path"] == "appchat/send"]
    assert logged and secret not in str(logged) and token not in str(logged)


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


def test_news_article_count(api, media):
    mp_article = payloads(media)["mpnews"]["articles"][0]
    assert api.send("team", "news", {"articles": [ARTICLE] * 8})["errcode"] == 0
    assert api.send("team", "news", {"articles": [ARTICLE] * 9})["errcode"] == 45008
    assert api.send("team", "mpnews", {"articles": [mp_article] * 8})["errcode"] == 0
    assert api.send("team", "mpnews", {"articles": [mp_article] * 9})["errcode"] == 45008
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
