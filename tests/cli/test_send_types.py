"""`appchat send` with every message type the API has: what arrives in the
chat, the files uploaded first, and every refusal made before a single
API call (the emulator's call log stays empty: not even gettoken)."""

from __future__ import annotations

import hashlib
import io
import json
import sys

import pytest

from tests.app.support import chat, run, use_emulator
from tests.helpers import RawApi
from tests.samples import MP4, PDF, PNG, amr

MB = 1024 * 1024


@pytest.fixture
def emu(emulator_factory, monkeypatch, tmp_path):
    e = emulator_factory(seed={"chats": [chat("team", ["alice", "bob"], owner="alice")]})
    use_emulator(monkeypatch, e)
    monkeypatch.chdir(tmp_path)
    return e


def write(path, content):
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path.name)


def stdin(monkeypatch, data: bytes):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def refused(emu, r, *phrases):
    assert r.code == 1, r.out
    for phrase in phrases:
        assert phrase in r.err, r.err
    assert "Nothing was sent" in r.err
    assert emu.calls() == [], "a refused message must not make a single API call"


def paths(emu):
    return [c["path"] for c in emu.calls()]


# -- what arrives ----------------------------------------------------------------

def test_textcard(emu, capsys):
    r = run(capsys, "send", "team", "--textcard", "Runbook: db failover", "--description", "Step 1 of 5",
            "--url", "https://wiki.example.com/db", "--button", "Open")
    assert r.code == 0, r.err
    assert "Sent a textcard message to team." in r.out
    assert emu.messages("team")[0]["textcard"] == {"title": "Runbook: db failover", "description": "Step 1 of 5",
                                                   "url": "https://wiki.example.com/db", "btntxt": "Open"}


def test_news_from_yaml_and_json(emu, capsys, tmp_path):
    write(tmp_path / "news.yaml", "- title: Status page\n  description: all green\n  url: https://status.example.com\n"
                                  "  picurl: https://status.example.com/p.png\n")
    write(tmp_path / "news.json", json.dumps({"articles": [{"title": "A", "url": "https://a"},
                                                           {"title": "B", "url": "https://b"}]}))
    assert run(capsys, "send", "team", "--news", "news.yaml").code == 0
    assert run(capsys, "send", "team", "--news", "news.json").code == 0
    first, second = emu.messages("team")
    assert first["news"]["articles"] == [{"title": "Status page", "description": "all green",
                                          "url": "https://status.example.com",
                                          "picurl": "https://status.example.com/p.png"}]
    assert [a["title"] for a in second["news"]["articles"]] == ["A", "B"]


def test_image_is_uploaded_then_sent(emu, capsys, tmp_path):
    write(tmp_path / "screenshot.png", PNG)
    r = run(capsys, "send", "team", "--image", "screenshot.png")
    assert r.code == 0, r.err
    [stored] = emu.media()
    assert stored["filename"] == "screenshot.png" and stored["sha256"] == hashlib.sha256(PNG).hexdigest()
    assert f"media_id {stored['media_id']}" in r.out and "Sent an image message to team." in r.out
    assert emu.messages("team")[0]["image"] == {"media_id": stored["media_id"]}
    assert paths(emu) == ["gettoken", "media/upload", "appchat/send"]


@pytest.mark.parametrize("flag, name, data, extra, payload", [
    ("--voice", "standup.amr", amr(59), [], {}),
    ("--video", "demo.mp4", MP4, ["--title", "Demo", "--description", "the new flow"],
     {"title": "Demo", "description": "the new flow"}),
    ("--file", "app.log", b"2024-01-01 started\n", [], {}),
    ("--file", "report.pdf", PDF, [], {}),
])
def test_voice_video_and_file(emu, capsys, tmp_path, flag, name, data, extra, payload):
    write(tmp_path / name, data)
    r = run(capsys, "send", "team", flag, name, *extra)
    assert r.code == 0, r.err
    [stored] = emu.media()
    msgtype = flag[2:]
    assert stored["type"] == msgtype and stored["size"] == len(data)
    assert emu.messages("team")[0][msgtype] == {"media_id": stored["media_id"], **payload}


def test_a_file_uploaded_before_is_sent_by_its_media_id(emu, capsys):
    media_id = RawApi(emu).upload("image", "old.png", PNG)["media_id"]
    emu.clear_calls()
    r = run(capsys, "send", "team", "--image", "--media-id", media_id)
    assert r.code == 0, r.err
    assert paths(emu) == ["gettoken", "appchat/send"]  # no upload
    assert emu.messages("team")[0]["image"] == {"media_id": media_id}


def test_an_expired_media_id_fails_at_wecom_with_40007(emu, capsys):
    r = run(capsys, "send", "team", "--file", "--media-id", "long-gone")
    assert r.code == 1
    assert "40007" in r.err and emu.messages() == []


def test_mpnews_thumbnails_are_uploaded_once(emu, capsys, tmp_path):
    (tmp_path / "post").mkdir()
    write(tmp_path / "post" / "cover.png", PNG)
    write(tmp_path / "post" / "mpnews.yaml",
          "articles:\n"
          "  - {title: Release 2.4, thumb: cover.png, author: rel-eng, content: '<p>What is new</p>', digest: new}\n"
          "  - {title: Known issues, thumb: cover.png, content: '<p>None</p>'}\n")
    r = run(capsys, "send", "team", "--mpnews", "post/mpnews.yaml", "--safe")
    assert r.code == 0, r.err
    [stored] = emu.media()
    assert stored["type"] == "image" and stored["filename"] == "cover.png"
    message = emu.messages("team")[0]
    assert message["safe"] == 1 and "Sent a safe mpnews message" in r.out
    assert [a["thumb_media_id"] for a in message["mpnews"]["articles"]] == [stored["media_id"]] * 2
    assert message["mpnews"]["articles"][0]["author"] == "rel-eng"


def test_a_whole_message_from_a_file(emu, capsys, tmp_path):
    write(tmp_path / "card.yaml", "msgtype: textcard\ntextcard:\n  title: Deploy done\n  description: v2.4 is live\n"
                                  "  url: https://ci.example.com/42\nsafe: 1\n")
    r = run(capsys, "send", "team", "--message", "card.yaml")
    assert r.code == 0, r.err
    message = emu.messages("team")[0]
    assert message["msgtype"] == "textcard" and message["safe"] == 1
    assert message["textcard"]["url"] == "https://ci.example.com/42"


def test_a_whole_message_from_stdin(emu, capsys, monkeypatch):
    stdin(monkeypatch, json.dumps({"chatid": "team", "msgtype": "markdown",
                                   "markdown": {"content": "**deployed** 部署"}}).encode())
    assert run(capsys, "send", "team", "--message", "-").code == 0
    assert emu.messages("team")[0]["markdown"]["content"] == "**deployed** 部署"


@pytest.mark.parametrize("flag", ["--text", "--markdown"])
def test_text_from_stdin_without_the_final_line_break(emu, capsys, monkeypatch, flag):
    stdin(monkeypatch, "line 1\n第二行\n".encode())
    assert run(capsys, "send", "team", flag, "-").code == 0
    assert emu.messages("team")[0][flag[2:]]["content"] == "line 1\n第二行"


def test_safe_text(emu, capsys):
    r = run(capsys, "send", "team", "--text", "salary review", "--safe")
    assert r.code == 0 and "Sent a safe text message" in r.out
    [call] = [c for c in emu.calls() if c["path"] == "appchat/send"]
    assert call["body"]["safe"] == 1


def test_a_failed_upload_sends_nothing(emu, capsys, tmp_path):
    write(tmp_path / "shot.png", PNG)
    emu.set_faults(script=[{"fault": "errcode", "path": "media/upload", "errcode": 40009}])
    r = run(capsys, "send", "team", "--image", "shot.png")
    assert r.code == 1
    assert "uploading shot.png failed" in r.err and "40009" in r.err and "Nothing was sent" in r.err
    assert emu.messages() == [] and "appchat/send" not in paths(emu)


# -- refused before any call -------------------------------------------------------

@pytest.mark.parametrize("argv, phrases", [
    (["--textcard", "T", "--url", "https://x"], ["--textcard needs --description"]),
    (["--textcard", "T", "--description", "d"], ["--textcard needs --url"]),
    (["--textcard", "T", "--description", " ", "--url", "https://x"], ["textcard.description is empty"]),
    (["--text", "hi", "--url", "https://x"], ["--url goes with --textcard, not --text"]),
    (["--text", "hi", "--media-id", "m"], ["--media-id goes with"]),
    (["--image"], ["--image takes a PATH to upload, or --media-id ID"]),
    (["--image", "a.png", "--media-id", "m"], ["one of the two"]),
    (["--title", "T", "--file", "--media-id", "m"], ["--title goes with --video, not --file"]),
    (["--image", "missing.png"], ["--image missing.png: cannot read it"]),
])
def test_option_and_file_mistakes(emu, capsys, argv, phrases):
    refused(emu, run(capsys, "send", "team", *argv), *phrases)


@pytest.mark.parametrize("name, data, phrase", [
    ("anim.gif", PNG, "not .gif"),
    ("shot.png", b"GIF89a" + bytes(20), "not a JPG or PNG image"),
    ("tiny.png", b"\x89PNG", "4 bytes; WeCom takes files of more than 5 bytes"),
])
def test_images_wecom_would_refuse(emu, capsys, tmp_path, name, data, phrase):
    write(tmp_path / name, data)
    refused(emu, run(capsys, "send", "team", "--image", name), f"--image {name}: ", phrase)


def test_a_file_over_its_limit_is_refused_without_reading_it_all(emu, capsys, tmp_path):
    with open(tmp_path / "huge.zip", "wb") as f:
        f.truncate(20 * MB + 1)  # sparse: the size is what counts
    refused(emu, run(capsys, "send", "team", "--file", "huge.zip"), "20,971,521 bytes; WeCom takes at most 20 MB (20,971,520 bytes) for a file")


def test_voice_over_60_seconds(emu, capsys, tmp_path):
    write(tmp_path / "long.amr", amr(61))
    refused(emu, run(capsys, "send", "team", "--voice", "long.amr"), "61.0 s long", "at most 60 s")


@pytest.mark.parametrize("articles, phrases", [
    ([{"title": "t", "url": "https://x"}] * 9, ["news.articles has 9 articles; WeCom sends 1 to 8"]),
    ([], ["news.articles has 0 articles"]),
    ([{"title": "ok", "url": "https://x"}, {"title": "no link"}], ["news article 2: url is missing"]),
    ([{"title": "t", "url": "u", "link": "x"}], ["unknown key 'link' in news article 1"]),
])
def test_news_limits(emu, capsys, tmp_path, articles, phrases):
    write(tmp_path / "news.json", json.dumps(articles))
    refused(emu, run(capsys, "send", "team", "--news", "news.json"), *[f"news.json: {p}" for p in phrases])


def test_news_cannot_be_safe(emu, capsys, tmp_path):
    write(tmp_path / "news.yaml", "- {title: t, url: 'https://x'}\n")
    refused(emu, run(capsys, "send", "team", "--news", "news.yaml", "--safe"), "40074", "mpnews")


def test_mpnews_problems_are_all_reported(emu, capsys, tmp_path):
    write(tmp_path / "mp.yaml", "- {title: a, thumb: nothere.png, content: c}\n"
                                "- {title: b, thumb_media_id: m, thumb: x.png, content: c}\n"
                                "- {title: c, thumb_media_id: m}\n")
    refused(emu, run(capsys, "send", "team", "--mpnews", "mp.yaml"),
            "mp.yaml: mpnews article 1: thumb nothere.png: cannot read it",
            "mp.yaml: mpnews article 2: give thumb or thumb_media_id, not both",
            "mp.yaml: mpnews article 3: content is missing")


def test_an_mpnews_articles_file_names_thumb_among_what_it_expects(emu, capsys, tmp_path):
    # `thumb: PATH` is the documented way to give a thumbnail in an articles file.
    write(tmp_path / "mp.yaml", "- {title: a, thumbnail: cover.png, content: c}\n")
    refused(emu, run(capsys, "send", "team", "--mpnews", "mp.yaml"),
            "mp.yaml: unknown key 'thumbnail' in mpnews article 1 (expected title, thumb, thumb_media_id, author,",
            "mp.yaml: mpnews article 1: thumb or thumb_media_id is missing")


def test_a_whole_mpnews_message_file_expects_wecoms_own_keys(emu, capsys, tmp_path):
    # --message FILE is appchat/send's shape, where only thumb_media_id exists.
    write(tmp_path / "m.yaml", "msgtype: mpnews\nmpnews: {articles: [{title: a, thumb: c.png, content: c}]}\n")
    refused(emu, run(capsys, "send", "team", "--message", "m.yaml"),
            "unknown key 'thumb' in mpnews article 1 (expected title, thumb_media_id, author,",
            "mpnews article 1: thumb_media_id is missing")


@pytest.mark.parametrize("content, phrases", [
    ("msgtype: sms\nsms: {content: hi}\n", ["msgtype is 'sms'", "40008"]),
    ("msgtype: text\ntext: {content: hi}\nchatid: other\n", ["chatid 'other' is not the chat it is sent to"]),
    ("msgtype: text\ntext: {content: hi}\nsafe: 2\n", ["safe must be 0 or 1"]),
    ("msgtype: text\ntext: {content: hi}\nagentid: 1\n", ["unknown key 'agentid'"]),
    ("msgtype: text\ntext: {content: hi, content: again}\n", ["m.yaml:2:", "duplicate key 'content'"]),
    ("msgtype: text\n", ["text is missing"]),
    ("msgtype: textcard\ntextcard: {title: t, description: d}\n", ["m.yaml: textcard.url is missing"]),
    ("msgtype: text\ntext: {content: " + "长" * 683 + "}\n", ["text.content is 2049 bytes (UTF-8)"]),
    ("", ["the file is empty"]),
])
def test_message_file_mistakes(emu, capsys, tmp_path, content, phrases):
    write(tmp_path / "m.yaml", content)
    refused(emu, run(capsys, "send", "team", "--message", "m.yaml"), *phrases)


def test_stdin_that_is_not_utf8(emu, capsys, monkeypatch):
    stdin(monkeypatch, b"caf\xe9\n")
    refused(emu, run(capsys, "send", "team", "--text", "-"), "not UTF-8")


def test_two_bodies_are_a_usage_error(emu, capsys):
    r = run(capsys, "send", "team", "--text", "a", "--image", "a.png")
    assert r.code == 1 and "not allowed with argument" in r.err
    assert emu.calls() == []
