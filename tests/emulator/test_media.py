"""media/upload over HTTP: the multipart form as requests (and so wechatpy)
builds it, the type, extension and size limits with WeCom's error codes,
and what the call log keeps of a file."""

from __future__ import annotations

import hashlib

import pytest
import requests

from reconciler.emulator import multipart
from tests.helpers import FakeClock, RawApi
from tests.samples import JPEG, MP4, PDF, PNG, amr

MB = 1024 * 1024


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def emu(emulator_factory, clock):
    return emulator_factory(clock=clock)


@pytest.fixture
def api(emu):
    return RawApi(emu)


@pytest.mark.parametrize("kind, name, data", [
    ("image", "shot.png", PNG), ("image", "photo.JPG", JPEG), ("image", "photo.jpeg", JPEG),
    ("voice", "note.amr", amr(2)), ("video", "demo.mp4", MP4), ("file", "report.pdf", PDF),
    ("file", "README", b"no extension is fine for a file"),
])
def test_each_type_is_uploaded(api, emu, clock, kind, name, data):
    answer = api.upload(kind, name, data)
    assert answer["errcode"] == 0 and answer["type"] == kind
    assert answer["created_at"] == str(int(clock.now))
    [stored] = emu.media()
    assert stored["media_id"] == answer["media_id"] and stored["type"] == kind
    assert stored["filename"] == name and stored["size"] == len(data)
    assert stored["sha256"] == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("kind", [None, "", "thumb", "IMAGE"])
def test_an_unknown_type_is_40005(api, emu, kind):
    assert api.upload(kind, "shot.png", PNG)["errcode"] == 40005
    assert emu.media() == []


@pytest.mark.parametrize("kind, name", [("image", "anim.gif"), ("image", "shot"), ("voice", "note.mp3"),
                                        ("video", "clip.mov"), ("video", "mp4")])
def test_a_file_that_breaks_its_types_format_rule_is_40004(api, kind, name):
    assert api.upload(kind, name, PNG + MP4)["errcode"] == 40004


@pytest.mark.parametrize("kind, limit, code", [
    ("image", 10 * MB, 40009), ("voice", 2 * MB, 40006), ("video", 10 * MB, 40011), ("file", 20 * MB, 40006),
])
def test_size_limits_and_their_codes(api, kind, limit, code):
    name = {"image": "a.png", "voice": "a.amr", "video": "a.mp4", "file": "a.bin"}[kind]
    assert api.upload(kind, name, b"12345")["errcode"] == code  # "every file > 5 bytes"
    assert api.upload(kind, name, b"123456")["errcode"] == 0
    assert api.upload(kind, name, bytes(limit))["errcode"] == 0
    assert api.upload(kind, name, bytes(limit + 1))["errcode"] == code


def test_a_body_that_is_not_a_form_or_has_no_media_field_is_41005(api):
    assert api.post(f"media/upload?type=image", {"media": "shot.png"})["errcode"] == 41005
    assert api.upload("image", "shot.png", PNG, field="file")["errcode"] == 41005
    form_without_filename = requests.post(api.emu.base_url + "media/upload",
                                          params={"access_token": api.login(), "type": "file"},
                                          files={"media": (None, b"abcdefgh")}, timeout=10).json()
    assert form_without_filename["errcode"] == 41005


def test_upload_needs_a_token_and_post(api, emu):
    assert requests.post(emu.base_url + "media/upload", params={"type": "image"},
                         files={"media": ("a.png", PNG)}, timeout=10).json()["errcode"] == 41001
    assert requests.get(emu.base_url + "media/upload", params={"type": "image", "access_token": api.login()},
                        timeout=10).json()["errcode"] == 43002


def test_the_call_log_keeps_the_file_name_and_size_not_its_bytes(api, emu):
    secret_looking = b"\x89PNG\r\n\x1a\n" + emu.config.corp_secret.encode() + bytes(8)
    assert api.upload("image", "截图.png", secret_looking)["errcode"] == 0
    [call] = [c for c in emu.calls() if c["path"] == "media/upload"]
    assert call["body"] == {"media": {"filename": "截图.png", "length": len(secret_looking)}}
    assert call["query"] == {"access_token": "***", "type": "image"}
    assert emu.media()[0]["filename"] == "截图.png"


def test_an_upload_is_read_once_for_its_answer_and_the_call_log(api, emu, monkeypatch):
    reads = []
    real = multipart.parse

    def counted(content_type, body):
        reads.append(len(body))
        return real(content_type, body)

    monkeypatch.setattr(multipart, "parse", counted)
    assert api.upload("file", "a.pdf", PDF)["errcode"] == 0
    assert len(reads) == 1
    [call] = [c for c in emu.calls() if c["path"] == "media/upload"]
    assert call["body"] == {"media": {"filename": "a.pdf", "length": len(PDF)}} and call["errcode"] == 0
    assert emu.media()[0]["sha256"] == hashlib.sha256(PDF).hexdigest()


def test_media_expire_after_three_days_and_reset_forgets_them(api, emu, clock):
    first = api.upload("file", "a.pdf", PDF)["media_id"]
    clock.advance(3 * 24 * 3600)
    api.login()
    second = api.upload("file", "b.pdf", PDF)["media_id"]
    assert [m["media_id"] for m in emu.media()] == [second]  # the first one is gone
    assert first != second
    emu.reset()
    assert emu.media() == []


# -- the multipart reader on its own ------------------------------------------


def test_reader_takes_the_forms_clients_write():
    body = (b"preamble to ignore\r\n--XyZ\r\n"
            b"Content-Disposition: form-data; name=\"media\"; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf\r\n"
            b"Content-Type: application/pdf\r\n\r\n"
            b"%PDF\r\n--not the boundary\r\n"
            b"\r\n--XyZ\r\nContent-Disposition: form-data; name=note\r\n\r\nhi\r\n--XyZ--\r\n")
    media, note = multipart.parse('multipart/form-data; boundary="XyZ"', body)
    assert (media.name, media.filename, media.data) == ("media", "报告.pdf", b"%PDF\r\n--not the boundary\r\n")
    assert (note.name, note.filename, note.data) == ("note", None, b"hi")


@pytest.mark.parametrize("content_type, body, why", [
    ("application/json", b"{}", "not multipart/form-data"),
    ("multipart/form-data", b"--x\r\n", "without a boundary"),
    ("multipart/form-data; boundary=x", b"nothing here", "does not contain the boundary"),
    ("multipart/form-data; boundary=x", b"--x\r\nContent-Disposition: form-data; name=a\r\n\r\ncut", "ends before"),
    ("multipart/form-data; boundary=x", b"--x\r\nX-Other: 1\r\n\r\ndata\r\n--x--", "Content-Disposition"),
])
def test_reader_refuses_what_is_not_a_form(content_type, body, why):
    with pytest.raises(multipart.BadForm, match=why):
        multipart.parse(content_type, body)
