"""Facts of the WeCom app-chat API (see shared/wecom-appchat-api.md).

The only module the client, the config rules and the emulator all import:
limits, id patterns and the one checker for each, API paths and error codes.
Nothing here does anything but answer.
"""

from __future__ import annotations

import re
from enum import IntEnum

DEFAULT_API_BASE = "https://qyapi.weixin.qq.com/cgi-bin/"

# Identifiers. The patterns are written as the JSON Schema writes them (a test
# ties the two together); the checkers use fullmatch, because Python's `$`
# also matches before a final newline and "team\n" is not a chat id.
CHAT_ID_PATTERN = r"^[0-9a-zA-Z]{1,32}$"
CHAT_ID_MAX_LEN = 32
USER_ID_PATTERN = r"^[A-Za-z0-9_.\-]{1,64}$"
USER_ID_MAX_LEN = 64
CHAT_NAME_MAX_CHARS = 50
# What a chat name may not hold, as a regex character class written the way
# the JSON Schema writes it (a test ties the two): control characters, and
# the bidirectional embeddings, overrides and isolates that reorder a line
# of text around them ("Ops\u202Egpj.exe" shows as "Opsexe.jpg").
CHAT_NAME_FORBIDDEN = r"\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069"

_CHAT_ID = re.compile(CHAT_ID_PATTERN[1:-1])
_USER_ID = re.compile(USER_ID_PATTERN[1:-1])


def is_chat_id(value: object) -> bool:
    return isinstance(value, str) and _CHAT_ID.fullmatch(value) is not None


def is_user_id(value: object) -> bool:
    return isinstance(value, str) and _USER_ID.fullmatch(value) is not None


_NAME_FORBIDDEN = re.compile(f"[{CHAT_NAME_FORBIDDEN}]")


def forbidden_in_name(name: str) -> str | None:
    """The first character of `name` a chat name may not hold, or None."""
    found = _NAME_FORBIDDEN.search(name)
    return found.group() if found else None


# Membership
MIN_MEMBERS = 2
MAX_MEMBERS = 2000

# Quotas (per corp)
CALLS_PER_MINUTE_PER_API = 10_000
CALLS_PER_HOUR_PER_API = 150_000
CHAT_CHANGES_PER_HOUR = 1_000
CHAT_CREATES_PER_DAY = 1_000
TOKEN_TTL_SECONDS = 7200

# appchat/send
TEXT_MAX_BYTES = 2048
MARKDOWN_MAX_BYTES = 2048
NEWS_MAX_ARTICLES = 8
MSG_TYPES = ("text", "markdown", "image", "voice", "file", "video", "textcard", "news", "mpnews")

# API paths, relative to the base URL
GETTOKEN = "gettoken"
APPCHAT_CREATE = "appchat/create"
APPCHAT_GET = "appchat/get"
APPCHAT_UPDATE = "appchat/update"
APPCHAT_SEND = "appchat/send"


class ErrCode(IntEnum):
    BUSY = -1
    OK = 0
    INVALID_SECRET = 40001
    INVALID_USERID = 40003
    INVALID_CORPID = 40013
    INVALID_MSGTYPE = 40008
    INVALID_TOKEN = 40014
    MISSING_TOKEN = 41001
    TOKEN_EXPIRED = 42001
    EMPTY_CONTENT = 44004
    CONTENT_TOO_LARGE = 45002
    TOO_MANY_ARTICLES = 45008
    FREQ_LIMIT = 45009
    TOO_MANY_CONCURRENT = 45033
    API_NOT_PERMITTED = 48002
    NO_PRIVILEGE = 60011
    IP_NOT_TRUSTED = 60020
    USERID_NOT_FOUND = 60111
    INVALID_CHATID = 86001
    CHAT_NOT_FOUND = 86003
    INVALID_CHAT_NAME = 86004
    INVALID_OWNER = 86005
    MEMBER_COUNT = 86006
    INVALID_MEMBER = 86007
    NOT_APP_CHAT = 86008
    CHATID_TOO_LONG = 86205
    OWNER_NOT_MEMBER = 86207
    CHATID_EXISTS = 86215
    MEMBER_NOT_ALLOWED = 86216
