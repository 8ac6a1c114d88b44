"""core.messages: every limit of appchat/send, checked without a server."""

from __future__ import annotations

import pytest

from reconciler.core import messages as M
from reconciler.core.facts import MSG_TYPES

CARD = {"title": "t", "description": "d", "url": "https://x"}
MP = {"title": "t", "thumb_media_id": "m", "content": "c"}


@pytest.mark.parametrize("message", [
    M.build("text", content="中" * 682 + "ab"),  # exactly 2048 bytes
    M.build("markdown", content="x" * 2048),
    M.build("image", media_id="m"), M.build("voice", media_id="m"), M.build("file", media_id="m"),
    M.build("video", media_id="m"), M.build("video", media_id="m", title="t", description="d"),
    M.build("textcard", **CARD), M.build("textcard", btntxt="更多", **CARD),
    M.build("news", articles=[{"title": "t", "url": "https://x"}] * 8),
    M.build("mpnews", safe=True, articles=[MP] * 8),
    M.build("image", safe=True, media_id=M.Pending("image", "a.png")),
    # at the limits WeCom cuts at: titles 128 bytes, descriptions 512, a button 4 characters
    M.build("textcard", title="中" * 42 + "ab", description="d" * 512, url="https://x", btntxt="详情详情"),
    M.build("news", articles=[{"title": "t" * 128, "description": "d" * 512, "url": "https://x"}]),
    M.build("mpnews", articles=[{**MP, "title": "t" * 128, "digest": "d" * 512, "content": "c" * 666 * 1024}]),
])
def test_messages_wecom_takes(message):
    assert M.problems("team", message) == []


@pytest.mark.parametrize("message, problem", [
    (M.build("text", content="中" * 683), "text.content is 2049 bytes (UTF-8); WeCom accepts at most 2048"),
    (M.build("markdown", content="x" * 2049), "markdown.content is 2049 bytes"),
    (M.build("text", content=" \n\t"), "text.content is empty"),
    (M.build("text"), "text.content is missing"),
    (M.build("text", content="bad \udcff byte"), "text.content is not valid UTF-8 text"),
    (M.build("text", content=5), "text.content must be a string, not a number"),
    (M.build("image"), "image.media_id is missing"),
    (M.build("video", media_id="m", title=["x"]), "video.title must be a string, not a list"),
    (M.build("textcard", title="t", description="d"), "textcard.url is missing"),
    (M.build("textcard", title="t", url="u", description=""), "textcard.description is empty"),
    (M.build("textcard", btn="x", **CARD), "unknown key 'btn' in textcard (expected title, description, url, btntxt)"),
    (M.build("news"), "news.articles is missing"),
    (M.build("news", articles={"title": "t"}), "news.articles must be a list of articles, not a mapping"),
    (M.build("news", articles=[]), "news.articles has 0 articles; WeCom sends 1 to 8"),
    (M.build("news", articles=[{"title": "t", "url": "u"}] * 9), "news.articles has 9 articles; WeCom sends 1 to 8 "
                                                                 "(more: errcode 45008)"),
    (M.build("news", articles=[{"title": "t"}]), "news article 1: url is missing"),
    (M.build("news", articles=["t"]), "news article 1 must be a mapping of its fields, not a string"),
    (M.build("news", safe=True, articles=[{"title": "t", "url": "u"}]),
     "news cannot be sent as safe (WeCom answers 40074): send the articles as mpnews instead"),
    (M.build("mpnews", articles=[{"title": "t", "content": "c"}]), "mpnews article 1: thumb_media_id is missing"),
    (M.build("mpnews", articles=[MP, {**MP, "url": "u"}]), "unknown key 'url' in mpnews article 2"),
    (M.build("sms", content="x"), "unknown message type 'sms'"),
    # fields WeCom would cut short (doc 90248 gives these limits for app chats)
    (M.build("textcard", **{**CARD, "title": "中" * 43}), "textcard.title is 129 bytes (UTF-8); WeCom accepts at most 128"),
    (M.build("textcard", **{**CARD, "description": "d" * 513}), "textcard.description is 513 bytes"),
    (M.build("textcard", btntxt="Details", **CARD), "textcard.btntxt is 7 characters; WeCom shows at most 4"),
    (M.build("video", media_id="m", title="t" * 129), "video.title is 129 bytes"),
    (M.build("news", articles=[{"title": "t", "url": "u", "description": "d" * 513}]),
     "news article 1: description is 513 bytes"),
    (M.build("mpnews", articles=[{**MP, "digest": "d" * 513}]), "mpnews article 1: digest is 513 bytes"),
    (M.build("mpnews", articles=[{**MP, "content": "c" * (666 * 1024 + 1)}]),
     "mpnews article 1: content is 681985 bytes (UTF-8); WeCom accepts at most 681984"),
])
def test_what_wecom_would_refuse_is_named(message, problem):
    found = M.problems("team", message)
    assert any(problem in p for p in found), found


def test_every_problem_at_once_and_the_chat_id_too():
    found = M.problems("bad-id!", M.build("news", safe=True, articles=[{"title": ""}, {"url": "u"}]))
    assert found == ["invalid chat id 'bad-id!': 1-32 characters of 0-9 a-z A-Z",
                     "news article 1: title is empty", "news article 1: url is missing",
                     "news article 2: title is missing",
                     "news cannot be sent as safe (WeCom answers 40074): send the articles as mpnews instead"]


def test_every_type_of_the_api_is_known():
    assert set(MSG_TYPES) == {"text", "markdown", "image", "voice", "video", "file", "textcard", "news", "mpnews"}


def test_from_wecom_reads_the_api_shape():
    message, problems = M.from_wecom({"chatid": "team", "msgtype": "textcard", "textcard": CARD, "safe": True},
                                     "team")
    assert problems == [] and message == M.Message("textcard", CARD, True)
    message, problems = M.from_wecom({"msgtype": "image", "image": {"media_id": "m"}, "safe": 0}, "team")
    assert problems == [] and message == M.Message("image", {"media_id": "m"}, False)


@pytest.mark.parametrize("data, problem", [
    ([1], "a message is a mapping with msgtype and its fields, not a list"),
    ({"text": {"content": "x"}}, "msgtype is missing"),
    ({"msgtype": "sms"}, "msgtype is 'sms': expected one of text, markdown"),
    ({"msgtype": "text", "text": "hi"}, "text must be a mapping of its fields, not a string"),
    ({"msgtype": "text", "text": {"content": "x"}, "safe": 2}, "safe must be 0 or 1"),
    ({"msgtype": "text", "text": {"content": "x"}, "safe": 1.0}, "safe must be 0 or 1"),
    ({"msgtype": "text", "text": {"content": "x"}, "chatid": "other"}, "chatid 'other' is not the chat"),
    ({"msgtype": "text", "text": {"content": "x"}, "touser": "a"}, "unknown key 'touser'"),
])
def test_from_wecom_names_what_is_wrong(data, problem):
    _, problems = M.from_wecom(data, "team")
    assert any(problem in p for p in problems), problems


def test_pending_files_are_listed_once_and_resolved_everywhere():
    cover, clip = M.Pending("image", "cover.png"), M.Pending("video", "clip.mp4")
    mp = M.build("mpnews", articles=[{**MP, "thumb_media_id": cover}, {**MP, "thumb_media_id": cover},
                                     {**MP, "thumb_media_id": "already"}])
    assert M.pending(mp) == [cover]
    resolved = M.resolve(mp, {cover: "MID"})
    assert [a["thumb_media_id"] for a in resolved.payload["articles"]] == ["MID", "MID", "already"]
    assert M.pending(resolved) == [] and M.problems("team", resolved) == []
    video = M.build("video", media_id=clip, title="t")
    assert M.resolve(video, {clip: "V"}).payload == {"media_id": "V", "title": "t"}
