"""What goes out of a chat app: appchat/send's messages and media/upload's
files. The API dispatches both endpoints here and holds the lock.

Media ids live 3 days on the emulator's clock (a fake one in tests), then
answer 40007 like an id that never was. Uploads are kept in memory only,
even with --state: a restarted emulator has forgotten them, as a media id
three days old is forgotten by WeCom. Sent messages are kept with the corp
secret and every access token masked, wherever a client put them.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any, Callable

from reconciler.core import facts as C
from reconciler.core.facts import ErrCode as E

from . import multipart, rules
from .calllog import scrub

_SIZE_ERRORS = {"image": E.INVALID_IMAGE_SIZE, "video": E.INVALID_VIDEO_SIZE}


@dataclass(frozen=True)
class Media:
    media_id: str
    kind: str
    filename: str
    size: int
    sha256: str
    created_at: float

    def data(self) -> dict:
        return {"media_id": self.media_id, "type": self.kind, "filename": self.filename, "size": self.size,
                "sha256": self.sha256, "created_at": self.created_at}


@dataclass(frozen=True)
class Form:
    """A media/upload body, read once and outside the Api lock: what the call
    log keeps of it (the file's name and size, not its bytes), and the file,
    or why there is none."""
    logged: Any
    file: multipart.Part | None = None
    sha256: str = ""
    missing: str | None = None  # 41005's errmsg


def read_form(content_type: str | None, raw: bytes) -> Form:
    try:
        parts = multipart.parse(content_type, raw)
    except multipart.BadForm as exc:
        return Form({"unreadable": str(exc), "length": len(raw)}, missing=f"media data missing: {exc}")
    logged = {p.name: {"filename": p.filename, "length": len(p.data)} if p.filename is not None
              else p.data.decode("utf-8", "replace") for p in parts}
    media = [p for p in parts if p.name == "media"]
    if not media or media[0].filename is None:
        return Form(logged, missing="media data missing: no file in the form field 'media'")
    return Form(logged, media[0], hashlib.sha256(media[0].data).hexdigest())


class Outbox:
    def __init__(self, clock: Callable[[], float]):
        self._clock = clock
        self.messages: list[dict] = []
        self._media: dict[str, Media] = {}

    # -- media/upload --------------------------------------------------------

    def upload(self, kind: str | None, form: Form, err) -> dict:
        if kind not in C.MEDIA_TYPES:
            return err(E.INVALID_MEDIA_TYPE, "invalid media type")
        part = form.file
        if part is None:
            return err(E.MISSING_MEDIA, form.missing)
        allowed = C.MEDIA_EXTENSIONS[kind]
        ext = "." + part.filename.rpartition(".")[2].lower() if "." in part.filename else ""
        if allowed is not None and ext not in allowed:
            return err(E.INVALID_FILE_TYPE, "invalid file type")
        if not C.MEDIA_MIN_BYTES <= len(part.data) <= C.MEDIA_MAX_BYTES[kind]:
            return err(_SIZE_ERRORS.get(kind, E.INVALID_FILE_SIZE), f"invalid {kind} size")
        now = self._clock()
        self._forget_expired(now)
        media = Media(secrets.token_urlsafe(40), kind, part.filename, len(part.data), form.sha256, now)
        self._media[media.media_id] = media
        return {"errcode": 0, "errmsg": "", "type": kind, "media_id": media.media_id,
                "created_at": str(int(now))}

    def usable(self, media_id: str, kind: str) -> bool:
        """A media id uploaded as `kind` less than 3 days ago."""
        media = self._media.get(media_id)
        return media is not None and media.kind == kind and self._clock() < media.created_at + C.MEDIA_TTL_SECONDS

    def _forget_expired(self, now: float) -> None:
        for media_id in [m.media_id for m in self._media.values() if now >= m.created_at + C.MEDIA_TTL_SECONDS]:
            del self._media[media_id]

    # -- appchat/send --------------------------------------------------------

    def send(self, body: dict, lookup: rules.Lookup, quotas, err, secret_values: list[str]) -> dict:
        """`quotas` (quotas.Quotas) counts the corp's person-times a minute
        (past them: 45009, nothing delivered) and each member's messages
        (past those: dropped silently, named in "undelivered")."""
        result = rules.send(body, lookup, self.usable)
        if isinstance(result, rules.Reject):
            return err(result.errcode, result.errmsg)
        if not quotas.can_message(len(result.userlist)):
            return err(E.FREQ_LIMIT, "api freq out of limit: message person-times this minute")
        missed = quotas.deliver(result.userlist)
        msgtype = body["msgtype"]
        self.messages.append(scrub({"chatid": result.chatid, "msgtype": msgtype, msgtype: body[msgtype],
                                    "safe": 1 if body.get("safe") == 1 else 0, "ts": self._clock(),
                                    "undelivered": sorted(missed)}, secret_values))
        return {"errcode": 0, "errmsg": "ok"}

    # -- looking inside --------------------------------------------------------

    def sent(self, chat_id: str | None = None) -> list[dict]:
        return [dict(m) for m in self.messages if chat_id in (None, m["chatid"])]

    def media(self) -> list[dict]:
        return [m.data() for m in self._media.values() if self.usable(m.media_id, m.kind)]

    def clear(self) -> None:
        self.messages.clear()
        self._media.clear()
