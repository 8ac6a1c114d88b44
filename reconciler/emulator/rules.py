"""The app-chat rules as pure functions: a request body plus what the server
knows in, a Reject or the new chat out. No I/O, no locking, no clock.

Where WeCom's documentation is silent the conservative choice is named in a
comment and in docs/emulator.md ("Behaviour where WeCom's documentation is
silent")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping, Optional

from reconciler.core import facts as C
from reconciler.core.facts import ErrCode as E
from reconciler.core.userids import UserIds

from . import errorbodies as M



@dataclass(frozen=True)
class Reject:
    errcode: int
    errmsg: str


@dataclass(frozen=True)
class Chat:
    chatid: str
    name: str
    owner: str
    userlist: tuple[str, ...]
    foreign: bool = False  # made by another app: every call on it answers 86008

    def data(self) -> dict:
        return {"chatid": self.chatid, "name": self.name, "owner": self.owner,
                "userlist": list(self.userlist)}


# What a removal of someone who has left may answer (both plausible, neither
# documented); 0 lets it through.
DEPARTED_ERRCODES = (0, E.MEMBER_NOT_ALLOWED, E.INVALID_USERID)

Lookup = Callable[[str], Optional[Chat]]
# The directory: the user ids that exist, as it spells them. None: any
# well-formed user id exists, spelled as it is first written.
Directory = Optional[UserIds]


def unique(users) -> tuple[str, ...]:
    """`users` with repeats merged, letter case ignored, keeping the first
    spelling and position."""
    return tuple(UserIds(users))


def check_chat_id(value) -> Reject | None:
    if not isinstance(value, str) or not value:
        return Reject(E.INVALID_CHATID, "invalid chatid")
    if len(value) > C.CHAT_ID_MAX_LEN:
        return Reject(E.CHATID_TOO_LONG, "chatid exceed max length")
    if not C.is_chat_id(value):
        return Reject(E.INVALID_CHATID, "invalid chatid")
    return None


def _check_name(value) -> Reject | None:
    # WeCom truncates names over 50 characters; the emulator rejects them so a
    # client that would have been silently truncated finds out in tests.
    if not isinstance(value, str) or not value or len(value) > C.CHAT_NAME_MAX_CHARS:
        return Reject(E.INVALID_CHAT_NAME, "invalid chat name")
    return None


def _user_list(value, field: str) -> Reject | tuple[str, ...]:
    if not isinstance(value, list):
        return Reject(M.DATA_FORMAT_ERROR, f"data format error: {field} must be an array")
    for user in value:
        if not C.is_user_id(user):
            return Reject(E.INVALID_USERID, f"invalid userid in {field}")
    # Repeated ids are merged (in any letter case), keeping the first position.
    return unique(value)


def _outside(users, directory: Directory) -> list[str]:
    return [] if directory is None else [u for u in users if u not in directory]


def _spelled(users, directory: Directory) -> tuple[str, ...]:
    """The ids as the directory spells them (as written when it is open)."""
    return tuple(users) if directory is None else tuple(directory.spelled(u, u) for u in users)


def _check_owner_format(owner) -> Reject | None:
    if not C.is_user_id(owner):
        return Reject(E.INVALID_OWNER, "invalid owner")
    return None


def _check_count(n: int, cap: int = C.MAX_MEMBERS) -> Reject | None:
    if n < C.MIN_MEMBERS or n > min(cap, C.MAX_MEMBERS):
        return Reject(E.MEMBER_COUNT, "invalid chat member count")
    return None


def _chat_for_write(chatid, lookup: Lookup) -> Reject | Chat:
    bad = check_chat_id(chatid)
    if bad:
        return bad
    chat = lookup(chatid)
    if chat is None:
        return Reject(E.CHAT_NOT_FOUND, "chatid not found")
    if chat.foreign:
        return Reject(E.NOT_APP_CHAT, "chat not created by this app")
    return chat


def create(body: Mapping, lookup: Lookup, directory: Directory,
           pick_owner: Callable[[tuple[str, ...]], str], cap: int = C.MAX_MEMBERS) -> Reject | Chat:
    """appchat/create. The server fills in `chatid` when the client omits it.
    `cap`: the corp admin's member cap (at most 2000)."""
    chatid = body.get("chatid")
    bad = check_chat_id(chatid)
    if bad:
        return bad
    name = body.get("name", "")
    if "name" in body:
        bad = _check_name(name)
        if bad:
            return bad
    if "userlist" not in body:
        return Reject(E.MEMBER_COUNT, "invalid chat member count, userlist missing")
    users = _user_list(body["userlist"], "userlist")
    if isinstance(users, Reject):
        return users
    bad = _check_count(len(users), cap)
    if bad:
        return bad
    owner = body.get("owner")
    if owner is None:
        owner = pick_owner(users)  # WeCom picks a random member
    else:
        bad = _check_owner_format(owner)
        if bad:
            return bad
        if owner not in UserIds(users):
            return Reject(E.OWNER_NOT_MEMBER, "owner not in userlist")
    if _outside(users, directory):
        return Reject(E.MEMBER_NOT_ALLOWED, "invalid member: user not in the directory")
    if lookup(chatid) is not None:
        return Reject(E.CHATID_EXISTS, "chatid already exists")
    users = _spelled(users, directory)
    owner = UserIds(users).spelled(owner)  # the member, as spelled in the chat
    return Chat(chatid, name, owner, users)


def update(body: Mapping, lookup: Lookup, directory: Directory, departed: int = 0,
           cap: int = C.MAX_MEMBERS) -> Reject | Chat:
    """appchat/update: the chat as it is after the call. `departed`: the
    errcode (86216 or 40003) a removal of someone who has left answers, 0 to
    let it through (WeCom does not document which; see DEPARTED_ERRCODES).
    `cap`: the corp admin's member cap, which refuses an addition past it (a
    chat already over a cap set later may still lose members)."""
    chat = _chat_for_write(body.get("chatid"), lookup)
    if isinstance(chat, Reject):
        return chat
    name = chat.name
    if "name" in body:
        bad = _check_name(body["name"])
        if bad:
            return bad
        name = body["name"]
    add = _user_list(body.get("add_user_list", []), "add_user_list")
    if isinstance(add, Reject):
        return add
    dele = _user_list(body.get("del_user_list", []), "del_user_list")
    if isinstance(dele, Reject):
        return dele
    leaving = UserIds(dele)
    if not leaving.isdisjoint(add):
        # Not documented; adding and removing one person in one call is
        # contradictory, so it is refused rather than resolved either way.
        return Reject(E.INVALID_MEMBER, "invalid member: in both add_user_list and del_user_list")
    current = UserIds(chat.userlist)
    if [u for u in dele if u not in current]:
        return Reject(E.MEMBER_NOT_ALLOWED, "invalid member: del_user_list user not in chat")
    if departed and _outside(dele, directory):
        # Someone who left is a member no longer in the seeded directory.
        return Reject(departed, "invalid member: del_user_list user has left the company" if departed ==
                      E.MEMBER_NOT_ALLOWED else "invalid userid: del_user_list user has left the company")
    joining = [u for u in add if u not in current]  # adding a member (in any case) changes nothing
    if _outside(joining, directory):
        return Reject(E.MEMBER_NOT_ALLOWED, "invalid member: add_user_list user not in the directory")
    owner = chat.owner
    if "owner" in body:
        bad = _check_owner_format(body["owner"])
        if bad:
            return bad
        # Not documented whether the owner may be someone this same call adds.
        # Conservative rule of the project: the new owner must already be a
        # member, and must not be leaving in this call.
        wanted = body["owner"]
        if wanted not in current or wanted in leaving:
            return Reject(E.OWNER_NOT_MEMBER, "owner not in chat member list")
        owner = current.spelled(wanted)  # as the chat spells its member
    elif chat.owner in leaving:
        return Reject(E.INVALID_OWNER, "invalid owner: removing the owner requires a new owner")
    members = tuple(u for u in chat.userlist if u not in leaving) + _spelled(joining, directory)
    bad = _check_count(len(members), cap if joining else C.MAX_MEMBERS)
    if bad:
        return bad
    return Chat(chat.chatid, name, owner, members)


def get(chatid, lookup: Lookup) -> Reject | Chat:
    return _chat_for_write(chatid, lookup)


def _content(payload, field: str, limit: int | None) -> Reject | None:
    value = payload.get(field)
    if value is None or value == "":
        return Reject(E.EMPTY_CONTENT, f"empty content: {field}")
    if not isinstance(value, str):
        return Reject(M.DATA_FORMAT_ERROR, f"data format error: {field} must be a string")
    if limit is not None and len(value.encode("utf-8")) > limit:
        return Reject(E.CONTENT_TOO_LARGE, "content size out of limit")
    return None


MediaCheck = Optional[Callable[[str, str], bool]]  # (media_id, type) -> usable; None: any id


def _media(payload, kind: str, media_ok: MediaCheck, field: str = "media_id") -> Reject | None:
    media = payload.get(field)
    if not isinstance(media, str) or not media or (media_ok is not None and not media_ok(media, kind)):
        return Reject(E.INVALID_MEDIA_ID, f"invalid media_id: {field}")
    return None


def _articles(payload, msgtype: str, media_ok: MediaCheck) -> Reject | None:
    articles = payload.get("articles")
    if not isinstance(articles, list) or not articles:
        return Reject(E.EMPTY_CONTENT, "empty content: articles")
    if len(articles) > C.NEWS_MAX_ARTICLES:
        return Reject(E.TOO_MANY_ARTICLES, "article size out of limit")
    for article in articles:
        if not isinstance(article, dict):
            return Reject(M.DATA_FORMAT_ERROR, "data format error: article must be an object")
        for field in C.ARTICLE_REQUIRED[msgtype]:
            # an mpnews thumbnail is an image uploaded with media/upload
            bad = (_media(article, "image", media_ok, field) if field == "thumb_media_id"
                   else _content(article, field, None))
            if bad:
                return bad
    return None


def _check_payload(msgtype: str, payload: dict, media_ok: MediaCheck) -> Reject | None:
    if msgtype == "text":
        return _content(payload, "content", C.TEXT_MAX_BYTES)
    if msgtype == "markdown":
        return _content(payload, "content", C.MARKDOWN_MAX_BYTES)
    if msgtype in C.MEDIA_TYPES:
        return _media(payload, msgtype, media_ok)
    if msgtype == "textcard":
        for field in C.MSG_REQUIRED["textcard"]:
            bad = _content(payload, field, None)
            if bad:
                return bad
        return None
    return _articles(payload, msgtype, media_ok)  # news, mpnews


def send(body: Mapping, lookup: Lookup, media_ok: MediaCheck = None) -> Reject | Chat:
    """appchat/send: the chat the message goes to, or why it does not.
    `media_ok` says whether a media id may be sent as a given type."""
    chat = _chat_for_write(body.get("chatid"), lookup)
    if isinstance(chat, Reject):
        return chat
    msgtype = body.get("msgtype")
    if msgtype not in C.MSG_TYPES:
        return Reject(E.INVALID_MSGTYPE, "invalid message type")
    payload = body.get(msgtype)
    if not isinstance(payload, dict):
        return Reject(E.EMPTY_CONTENT, f"empty content: {msgtype} missing")
    bad = _check_payload(msgtype, payload, media_ok)
    if bad:
        return bad
    if msgtype in C.SAFE_REFUSED and body.get("safe") == 1:
        return Reject(E.SAFE_NOT_SUPPORTED, f"{msgtype} message does not support safe")
    return chat
