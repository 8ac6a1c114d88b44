"""The client's media/upload and appchat/send with `safe`, against the
emulator over real HTTP."""

from __future__ import annotations

import pytest

from reconciler.wecom import ReadOnlyViolation, WeComError, WriteOutcomeUnknown
from reconciler.wecom.client import client_from_env
from tests.helpers import env_for
from tests.samples import PNG, amr


@pytest.fixture
def emu(emulator_factory):
    return emulator_factory(seed={"chats": [{"chatid": "team", "name": "Team", "owner": "alice",
                                             "userlist": ["alice", "bob"]}]})


def make_client(emu, read_only=False):
    return client_from_env(env_for(emu), read_only=read_only, sleep=lambda s: None)


def test_upload_returns_the_media_id_the_server_gave(emu):
    with make_client(emu) as client:
        media_id = client.upload_media("image", "截图 \"1\".png", PNG)
    [stored] = emu.media()
    assert stored["media_id"] == media_id
    assert stored["filename"] == "截图 \"1\".png" and stored["size"] == len(PNG)


def test_the_form_carries_the_filename_and_its_length():
    from reconciler.emulator import multipart
    from reconciler.wecom.multipart import form_data

    body, content_type = form_data("media", "note.amr", amr(1))
    [part] = multipart.parse(content_type, body)
    assert (part.name, part.filename, part.filelength, part.data) == ("media", "note.amr", len(amr(1)), amr(1))


def test_an_upload_error_is_a_wecom_error_with_its_code(emu):
    with make_client(emu) as client, pytest.raises(WeComError) as e:
        client.upload_media("image", "anim.gif", PNG)
    assert e.value.errcode == 40004


def test_a_read_only_client_uploads_nothing(emu):
    with make_client(emu, read_only=True) as client, pytest.raises(ReadOnlyViolation):
        client.upload_media("image", "a.png", PNG)
    assert emu.calls() == []


def test_a_dropped_upload_is_tried_again_but_a_dropped_send_is_not(emu):
    emu.set_faults(script=[{"fault": "drop", "path": "media/upload"}])
    with make_client(emu) as client:
        media_id = client.upload_media("image", "a.png", PNG)
        assert [m["media_id"] for m in emu.media()] == [media_id]
        emu.set_faults(script=[{"fault": "drop", "path": "appchat/send", "after": True}])
        with pytest.raises(WriteOutcomeUnknown):  # a repeated message would reach people twice
            client.send("team", "image", {"media_id": media_id})
    uploads = [c for c in emu.calls() if c["path"] == "media/upload"]
    assert [c["fault"] for c in uploads] == ["drop", None]
    assert len([c for c in emu.calls() if c["path"] == "appchat/send"]) == 1


@pytest.mark.parametrize("safe, sent", [(True, 1), (False, 0)])
def test_send_carries_safe(emu, safe, sent):
    with make_client(emu) as client:
        client.send("team", "text", {"content": "confidential"}, safe=safe)
    [call] = [c for c in emu.calls() if c["path"] == "appchat/send"]
    assert call["body"]["safe"] == sent
    assert emu.messages("team")[0]["safe"] == sent
