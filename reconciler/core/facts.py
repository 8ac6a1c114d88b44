"""Facts of the WeCom app-chat API (https://developer.work.weixin.qq.com/document/path/90244).

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
# Each rule once, as a pattern and in the words every message and the
# schema's descriptions use (tests/core/test_id_rules.py checks every copy).
CHAT_ID_PATTERN = r"^[0-9a-zA-Z]{1,32}$"
CHAT_ID_MAX_LEN = 32
CHAT_ID_RULE = "1-32 characters of 0-9 a-z A-Z"
# Doc 90195: 1-64 bytes of letters, digits and _-@., the first a letter or a
# digit; uniqueness ignores letter case (core.userids).
USER_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.@\-]{0,63}$"
USER_ID_RULE = "1-64 characters of letters, digits, '_', '-', '@', '.', beginning with a letter or a digit"
# Ours, not WeCom's: the names of reusable member groups (`@name`).
GROUP_NAME_PATTERN = r"^[A-Za-z0-9_.\-]{1,64}$"
GROUP_NAME_RULE = "1-64 characters of letters, digits, '-', '_', '.'"
# WeCom numbers departments and tags with positive 32-bit-ish integers; ten
# digits is the schema's bound for both forms (`dept:ID` and `{dept: ID}`).
DIRECTORY_ID_PATTERN = r"^[1-9][0-9]{0,9}$"
DIRECTORY_ID_MAX = 9_999_999_999
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
# A corp's admin may set a lower cap for group chats, from 5 to 2000.
MEMBER_CAP_MIN = 5

# Quotas (per corp)
CALLS_PER_MINUTE_PER_API = 10_000
CALLS_PER_HOUR_PER_API = 150_000
CHAT_CHANGES_PER_HOUR = 1_000
CHAT_CREATES_PER_DAY = 1_000
# Per caller IP, over every API (doc 90454).
CALLS_PER_MINUTE_PER_IP = 20_000
CALLS_PER_HOUR_PER_IP = 600_000
# A 45009 block lasts from the call that hit the limit: a minute, an hour,
# or for a daily limit the rest of the natural day (China Standard Time).
WECOM_UTC_OFFSET_SECONDS = 8 * 3600
TOKEN_TTL_SECONDS = 7200

# The message budget (doc 90248, 90454). Per member, from one app: past these
# the messages are dropped silently (the call still answers ok).
MESSAGES_PER_MEMBER_PER_MINUTE = 200
MESSAGES_PER_MEMBER_PER_DAY = 10_000
# Per corp, in person-times: a message to a chat of N members counts N.
MESSAGE_PERSON_TIMES_PER_MINUTE = 20_000
# The hourly budget depends on the company's size, from 150,000 to 700,000
# person-times; the smallest is the one a run can be sure of.
MESSAGE_PERSON_TIMES_PER_HOUR_MIN = 150_000

# appchat/send
TEXT_MAX_BYTES = 2048
MARKDOWN_MAX_BYTES = 2048
NEWS_MAX_ARTICLES = 8
MSG_TYPES = ("text", "markdown", "image", "voice", "file", "video", "textcard", "news", "mpnews")
# Each type's fields, as appchat/send names them (and which must be given):
# the one list both the client's checks and the emulator's rules read.
MSG_FIELDS = {
    "text": ("content",),
    "markdown": ("content",),
    "image": ("media_id",),
    "voice": ("media_id",),
    "file": ("media_id",),
    "video": ("media_id", "title", "description"),
    "textcard": ("title", "description", "url", "btntxt"),
    "news": ("articles",),
    "mpnews": ("articles",),
}
MSG_REQUIRED = {"text": ("content",), "markdown": ("content",), "image": ("media_id",),
                "voice": ("media_id",), "file": ("media_id",), "video": ("media_id",),
                "textcard": ("title", "description", "url"), "news": ("articles",), "mpnews": ("articles",)}
ARTICLE_FIELDS = {"news": ("title", "description", "url", "picurl"),
                  "mpnews": ("title", "thumb_media_id", "author", "content_source_url", "content", "digest")}
ARTICLE_REQUIRED = {"news": ("title", "url"), "mpnews": ("title", "thumb_media_id", "content")}
SAFE_REFUSED = frozenset({"news"})  # 40074: send such articles as mpnews
# Longer fields are cut by WeCom (doc 90248): titles, descriptions (an mpnews
# article's `digest` is its description) in bytes of UTF-8, a text card's
# button in characters, an mpnews article's HTML content ("666 K", read as KiB).
FIELD_MAX_BYTES = {"title": 128, "description": 512, "digest": 512}
BTNTXT_MAX_CHARS = 4
MPNEWS_CONTENT_MAX_BYTES = 666 * 1024

# media/upload. A media_id is good for 3 days. "MB" read as MiB, the
# larger of the two readings (not documented which one WeCom means).
MEDIA_TYPES = ("image", "voice", "video", "file")
MEDIA_MIN_BYTES = 6  # "every file > 5 bytes"
MEDIA_MAX_BYTES = {"image": 10 * 1024 * 1024, "voice": 2 * 1024 * 1024,
                   "video": 10 * 1024 * 1024, "file": 20 * 1024 * 1024}
MEDIA_EXTENSIONS = {"image": (".jpg", ".jpeg", ".png"), "voice": (".amr",), "video": (".mp4",),
                    "file": None}  # None: any
MEDIA_TTL_SECONDS = 3 * 24 * 3600
VOICE_MAX_SECONDS = 60

# API paths, relative to the base URL
GETTOKEN = "gettoken"
APPCHAT_CREATE = "appchat/create"
APPCHAT_GET = "appchat/get"
APPCHAT_UPDATE = "appchat/update"
APPCHAT_SEND = "appchat/send"
DEPARTMENT_SIMPLELIST = "department/simplelist"
DEPARTMENT_GET = "department/get"
USER_SIMPLELIST = "user/simplelist"
USER_GET = "user/get"
TAG_GET = "tag/get"
MEDIA_UPLOAD = "media/upload"


class ErrCode(IntEnum):
    BUSY = -1
    OK = 0
    INVALID_SECRET = 40001
    INVALID_USERID = 40003
    INVALID_CORPID = 40013
    INVALID_FILE_TYPE = 40004   # 不合法的媒体文件类型: the file breaks its type's format rule
    INVALID_MEDIA_TYPE = 40005  # 不合法的type参数: media/upload's `type` is none of the four
    INVALID_FILE_SIZE = 40006
    INVALID_MEDIA_ID = 40007
    INVALID_MSGTYPE = 40008
    INVALID_IMAGE_SIZE = 40009
    INVALID_VIDEO_SIZE = 40011
    SAFE_NOT_SUPPORTED = 40074
    INVALID_TOKEN = 40014
    MISSING_TOKEN = 41001
    MISSING_MEDIA = 41005
    TOKEN_EXPIRED = 42001
    EMPTY_CONTENT = 44004
    CONTENT_TOO_LARGE = 45002
    TOO_MANY_ARTICLES = 45008
    FREQ_LIMIT = 45009
    TOO_MANY_CONCURRENT = 45033
    API_NOT_PERMITTED = 48002
    NO_PRIVILEGE = 60011
    IP_NOT_TRUSTED = 60020
    DEPARTMENT_NOT_FOUND = 60003
    USERID_NOT_FOUND = 60111
    INVALID_DEPARTMENT = 60123
    INVALID_TAG = 40068
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
