"""Messages for appchat/send: building them in WeCom's own shape, and every
limit of the API page checked before anything is sent (a message that
cannot go is refused without a single API call). Pure: files are read and
uploaded by app.sending; a file still to upload stands in the message as a
Pending value until resolve() puts its media_id there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping

from reconciler.core.facts import (ARTICLE_FIELDS, ARTICLE_REQUIRED, BTNTXT_MAX_CHARS, FIELD_MAX_BYTES,
                                   MARKDOWN_MAX_BYTES, MPNEWS_CONTENT_MAX_BYTES, MSG_FIELDS, MSG_REQUIRED, MSG_TYPES,
                                   NEWS_MAX_ARTICLES, SAFE_REFUSED, TEXT_MAX_BYTES, CHAT_ID_RULE, is_chat_id)

_BYTE_LIMITS = {"text": TEXT_MAX_BYTES, "markdown": MARKDOWN_MAX_BYTES}
_MEDIA_FIELDS = ("media_id", "thumb_media_id")
# In an articles file (`send --mpnews FILE`), a local image may stand for an uploaded one.
_LOCAL = {"thumb_media_id": "thumb"}
_TOP_KEYS = ("chatid", "msgtype", "safe")


@dataclass(frozen=True)
class Pending:
    """A local file that becomes a media_id once uploaded."""

    kind: str  # image, voice, video, file
    path: str


@dataclass(frozen=True)
class Message:
    msgtype: str
    payload: Mapping[str, Any] = field(default_factory=dict)
    safe: bool = False


def build(msgtype: str, safe: bool = False, **fields: Any) -> Message:
    """A message of `msgtype` with the fields given (None: left out)."""
    return Message(msgtype, {k: v for k, v in fields.items() if v is not None}, safe)


def from_wecom(data: Any, chat_id: str | None = None) -> tuple[Message | None, list[str]]:
    """A whole message as appchat/send takes it (`msgtype`, the payload
    under its type's name, optional `safe` and `chatid`): the Message, or
    None and why not."""
    if not isinstance(data, Mapping):
        return None, [f"a message is a mapping with msgtype and its fields, not {_kind(data)}"]
    msgtype = data.get("msgtype")
    if msgtype not in MSG_TYPES:
        shown = "missing" if msgtype is None else f"{msgtype!r}"
        return None, [f"msgtype is {shown}: expected one of {', '.join(MSG_TYPES)} (WeCom answers 40008)"]
    problems = [f"unknown key {k!r} (expected {', '.join((*_TOP_KEYS, msgtype))})"
                for k in data if k not in (*_TOP_KEYS, msgtype)]
    if "chatid" in data and data["chatid"] != chat_id:
        problems.append(f"chatid {data['chatid']!r} is not the chat it is sent to ({chat_id!r})")
    safe = data.get("safe", 0)
    if safe not in (0, 1) or isinstance(safe, float):
        problems.append(f"safe must be 0 or 1 (or true/false), not {safe!r}")
    if msgtype not in data:
        problems.append(f"{msgtype} is missing: the {msgtype} fields go under the key {msgtype!r}")
        return None, problems
    if not isinstance(data[msgtype], Mapping):
        problems.append(f"{msgtype} must be a mapping of its fields, not {_kind(data[msgtype])}")
        return None, problems
    return Message(msgtype, dict(data[msgtype]), bool(safe)), problems


def problems(chat_id: str, message: Message, local_thumbs: bool = False) -> list[str]:
    """Every reason WeCom would refuse (or silently drop) this message.
    `local_thumbs`: the mpnews articles came from an articles file, where
    `thumb: PATH` (a local image) may stand for `thumb_media_id`, so the
    messages name it too."""
    found = [] if is_chat_id(chat_id) else [f"invalid chat id {chat_id!r}: {CHAT_ID_RULE}"]
    msgtype = message.msgtype
    if msgtype not in MSG_TYPES:
        return found + [f"unknown message type {msgtype!r}: expected one of {', '.join(MSG_TYPES)}"]
    payload = message.payload
    found += _fields(msgtype, f"{msgtype}.", payload, MSG_FIELDS[msgtype], MSG_REQUIRED[msgtype])
    if msgtype in _BYTE_LIMITS:
        found += _byte_limit(f"{msgtype}.content", payload.get("content"), _BYTE_LIMITS[msgtype])
    found += _cut_fields(f"{msgtype}.", payload)
    if "articles" in MSG_FIELDS[msgtype] and "articles" in payload:
        found += _articles(msgtype, payload["articles"], local_thumbs and msgtype == "mpnews")
    if message.safe and msgtype in SAFE_REFUSED:
        found.append(f"{msgtype} cannot be sent as safe (WeCom answers 40074): send the articles as mpnews instead")
    return found


def pending(message: Message) -> list[Pending]:
    """The files still to upload, each once, in the order they appear."""
    return list(dict.fromkeys(v for _, _, v in _media_values(message) if isinstance(v, Pending)))


def resolve(message: Message, media_ids: Mapping[Pending, str]) -> Message:
    """The message with every Pending file replaced by its media_id."""
    def swap(fields: Mapping[str, Any]) -> dict[str, Any]:
        return {k: media_ids[v] if isinstance(v, Pending) else v for k, v in fields.items()}

    payload = swap(message.payload)
    if isinstance(payload.get("articles"), list):
        payload["articles"] = [swap(a) if isinstance(a, Mapping) else a for a in payload["articles"]]
    return Message(message.msgtype, payload, message.safe)


def _media_values(message: Message) -> Iterator[tuple[Mapping[str, Any], str, Any]]:
    items = [message.payload]
    articles = message.payload.get("articles")
    if isinstance(articles, list):
        items += [a for a in articles if isinstance(a, Mapping)]
    for item in items:
        for key in _MEDIA_FIELDS:
            if key in item:
                yield item, key, item[key]


def _kind(value: Any) -> str:
    return {bool: "true/false", int: "a number", float: "a number", str: "a string", list: "a list",
            type(None): "empty"}.get(type(value), "a mapping" if isinstance(value, Mapping) else type(value).__name__)


def _fields(where: str, prefix: str, payload: Mapping[str, Any], known: tuple[str, ...],
            required: tuple[str, ...], local: bool = False) -> list[str]:
    """`where` names the mapping, `prefix` + key one of its fields; `local`:
    `thumb` may stand for `thumb_media_id` (app.sending uploads it)."""
    shown = [name for k in known for name in ((_LOCAL[k], k) if local and k in _LOCAL else (k,))]
    found = [f"unknown key {k!r} in {where} (expected {', '.join(shown)})" for k in payload if k not in known]
    for key in known:
        value = payload.get(key)
        if key == "articles":
            if value is None:
                found.append(f"{prefix}articles is missing: a {where} message has 1 to {NEWS_MAX_ARTICLES} articles")
            continue
        if value is None:
            if key in required:
                either = f"{_LOCAL[key]} or " if local and key in _LOCAL else ""
                found.append(f"{prefix}{either}{key} is missing")
        elif isinstance(value, Pending) and key in _MEDIA_FIELDS:
            continue
        elif not isinstance(value, str):
            found.append(f"{prefix}{key} must be a string, not {_kind(value)}")
        elif key in required and not value.strip():
            found.append(f"{prefix}{key} is empty")
        elif _utf8_len(value) is None:
            found.append(f"{prefix}{key} is not valid UTF-8 text")
    return found


def _byte_limit(where: str, value: Any, limit: int) -> list[str]:
    size = _utf8_len(value) if isinstance(value, str) else None
    if size is not None and size > limit:
        return [f"{where} is {size} bytes (UTF-8); WeCom accepts at most {limit}"]
    return []


def _cut_fields(prefix: str, fields: Mapping[str, Any]) -> list[str]:
    """The fields WeCom would cut short: titles, descriptions, a button."""
    found = [p for key, limit in FIELD_MAX_BYTES.items() for p in _byte_limit(f"{prefix}{key}", fields.get(key), limit)]
    button = fields.get("btntxt")
    if isinstance(button, str) and len(button) > BTNTXT_MAX_CHARS:
        found.append(f"{prefix}btntxt is {len(button)} characters; WeCom shows at most {BTNTXT_MAX_CHARS}")
    return found


def _articles(msgtype: str, articles: Any, local: bool = False) -> list[str]:
    if not isinstance(articles, list):
        return [f"{msgtype}.articles must be a list of articles, not {_kind(articles)}"]
    if not 1 <= len(articles) <= NEWS_MAX_ARTICLES:
        answer = " (more: errcode 45008)" if len(articles) > NEWS_MAX_ARTICLES else ""
        return [f"{msgtype}.articles has {len(articles)} articles; WeCom sends 1 to {NEWS_MAX_ARTICLES}{answer}"]
    found = []
    for i, article in enumerate(articles, 1):
        where = f"{msgtype} article {i}"
        if not isinstance(article, Mapping):
            found.append(f"{where} must be a mapping of its fields, not {_kind(article)}")
        else:
            found += _fields(where, f"{where}: ", article, ARTICLE_FIELDS[msgtype], ARTICLE_REQUIRED[msgtype], local)
            found += _cut_fields(f"{where}: ", article)
            if msgtype == "mpnews":
                found += _byte_limit(f"{where}: content", article.get("content"), MPNEWS_CONTENT_MAX_BYTES)
    return found


def _utf8_len(text: str) -> int | None:
    try:
        return len(text.encode("utf-8"))
    except UnicodeEncodeError:  # lone surrogates: bytes on the command line that were not UTF-8
        return None
