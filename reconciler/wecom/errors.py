"""Typed errors of the WeCom client (re-exported by reconciler.wecom).

Every message goes through redact() when the error is built, so str(), repr()
and args of these errors never hold the secret or a token, whatever text they
were given (requests' exception text contains the full URL).
"""

from __future__ import annotations

from reconciler.core.facts import ErrCode
from reconciler.wecom.redact import redact

# Short, stable wording for the codes a user meets (WeCom's error code table,
# https://developer.work.weixin.qq.com/document/path/90313); WeCom's own errmsg changes and carries hints,
# IPs and URLs, so it is only the fallback.
DESCRIPTIONS: dict[int, str] = {
    ErrCode.BUSY: "WeCom is busy",
    ErrCode.INVALID_SECRET: "invalid credentials (wrong corp id or secret, or the app is disabled)",
    ErrCode.INVALID_CORPID: "invalid corp id",
    ErrCode.INVALID_USERID: "invalid user id",
    ErrCode.INVALID_FILE_TYPE: "WeCom does not take this type of file",
    ErrCode.INVALID_MEDIA_TYPE: "invalid media type (image, voice, video or file)",
    ErrCode.INVALID_FILE_SIZE: "invalid file size",
    ErrCode.INVALID_MEDIA_ID: "invalid media_id (unknown, or uploaded more than 3 days ago)",
    ErrCode.INVALID_MSGTYPE: "invalid message type",
    ErrCode.INVALID_IMAGE_SIZE: "invalid image size",
    ErrCode.INVALID_VIDEO_SIZE: "invalid video size",
    ErrCode.SAFE_NOT_SUPPORTED: "this message type cannot be sent as safe (news: use mpnews)",
    ErrCode.MISSING_MEDIA: "media data missing",
    ErrCode.INVALID_TOKEN: "invalid access token",
    ErrCode.MISSING_TOKEN: "missing access token",
    ErrCode.TOKEN_EXPIRED: "access token expired",
    ErrCode.EMPTY_CONTENT: "empty message content",
    ErrCode.CONTENT_TOO_LARGE: "message content too large",
    ErrCode.TOO_MANY_ARTICLES: "more than 8 articles",
    ErrCode.FREQ_LIMIT: "API frequency limit exceeded",
    ErrCode.TOO_MANY_CONCURRENT: "too many concurrent calls",
    ErrCode.API_NOT_PERMITTED: "API not permitted for this app (app chats need a self-built app visible to "
                               "the root department)",
    ErrCode.NO_PRIVILEGE: "no privilege over the user",
    ErrCode.IP_NOT_TRUSTED: "caller IP not in the app's trusted IP list",
    ErrCode.USERID_NOT_FOUND: "user id not found",
    ErrCode.INVALID_CHATID: "invalid chat id",
    ErrCode.CHAT_NOT_FOUND: "chat does not exist",
    ErrCode.INVALID_CHAT_NAME: "invalid chat name",
    ErrCode.INVALID_OWNER: "invalid owner",
    ErrCode.MEMBER_COUNT: "too many or too few members (2 to 2000, or fewer when the corp's admin set a lower "
                          "member cap)",
    ErrCode.INVALID_MEMBER: "invalid member",
    ErrCode.NOT_APP_CHAT: "chat was not created by this app",
    ErrCode.CHATID_TOO_LONG: "chat id too long",
    ErrCode.OWNER_NOT_MEMBER: "owner not in member list",
    ErrCode.CHATID_EXISTS: "chat id already exists",
    ErrCode.MEMBER_NOT_ALLOWED: "invalid member (to add: not in the directory; to remove: not in the chat)",
}


def describe(errcode: int | None, errmsg: str = "") -> str:
    """The user-facing text for an errcode (used for ReadError.message)."""
    if errcode is not None and errcode in DESCRIPTIONS:
        return DESCRIPTIONS[errcode]
    return redact(errmsg) if errmsg else (f"WeCom error {errcode}" if errcode is not None else "no answer from WeCom")


class WeComError(Exception):
    """A call to WeCom failed. errcode is None when no WeCom answer came."""

    def __init__(self, message: str, *, errcode: int | None = None, errmsg: str = "",
                 chat_id: str | None = None, path: str | None = None) -> None:
        self.errcode = errcode
        self.message = redact(message)
        # WeCom's own text for API errors; for the others (errcode None) the
        # message itself, so callers can always show errmsg
        self.errmsg = redact(errmsg) if errmsg else self.message
        self.chat_id = chat_id
        self.path = path
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, errcode={self.errcode!r}, chat_id={self.chat_id!r})"

    def __reduce__(self):  # keep keyword fields through pickling/copy
        return (_rebuild, (type(self), self.__dict__.copy()))


def _rebuild(cls, state):
    obj = cls.__new__(cls)
    Exception.__init__(obj, state.get("message", ""))
    obj.__dict__.update(state)
    return obj


class MissingCredentials(WeComError):
    """A required environment variable is unset or empty, or one that is set
    holds what cannot be used (an empty WECOM_API_BASE); the message names it."""

    def __init__(self, variable: str, message: str | None = None) -> None:
        super().__init__(message or f"{variable} is not set")
        self.variable = variable


class InvalidCredentials(WeComError):
    """40001 (wrong secret) or 40013 (wrong corp id) from gettoken. Never
    retried: WeCom blocks IPs that insist."""


class ChatNotFound(WeComError):
    """86003 from appchat/get: the chat does not exist (yet)."""


class RateLimited(WeComError):
    """45009 that outlasted the read back-off, or any 45009 on a write.

    A write is not retried here: the executor stops issuing writes on it, so a
    blocked corp is not hammered for the rest of its block (up to an hour).
    """


class ReadOnlyViolation(WeComError):
    """A write was attempted on a client opened read-only (`plan` never writes)."""


class TransportError(WeComError):
    """No usable WeCom answer: connection failure, timeout, HTTP error status or a
    body that is not the JSON object WeCom sends. errcode is None."""


class MalformedAnswer(TransportError):
    """WeCom answered errcode 0, but without a field this project uses, or
    with it of the wrong type. Never read as an empty list: the chats that
    need the answer are read errors. `path` names the endpoint, `field` the
    field (dotted, with list indexes: `chat_info.userlist`, `userlist[3].userid`)."""

    def __init__(self, message: str, *, path: str, field: str, chat_id: str | None = None) -> None:
        super().__init__(message, path=path, chat_id=chat_id)
        self.field = field


class WriteOutcomeUnknown(TransportError):
    """A write whose request may have reached WeCom, but no answer came back
    (connection dropped or read timeout after sending, or an HTTP error status).

    Not retried: app-chat updates are not idempotent (re-adding a member who was
    added is 86216), and a blind retry can turn an applied change into a
    failure or repeat a message. The caller re-reads the chat to learn the state.
    """
