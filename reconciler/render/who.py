"""`appchat who`: the chats a person is in, as text or JSON."""

from __future__ import annotations

import unicodedata

from reconciler.core.people import MEMBER, MISSING, NOT_MEMBER, UNREADABLE, Row, WhoAnswer
from reconciler.render.words import dump_json, safe


def how(row: Row) -> str:
    """`direct`, `via @oncall > @sre`, or both."""
    if not row.in_files:
        return "not in files"
    parts = ["direct" if not chain else "via " + " > ".join(f"@{g}" for g in chain) for chain in row.via]
    return ", ".join(parts) or "direct"


def live_text(row: Row) -> str:
    if row.live == UNREADABLE:
        code = row.error.errcode if row.error and row.error.errcode is not None else "-"
        return f"unreadable ({code}: {row.error.message if row.error else ''})"
    if row.live == MISSING:
        return "DISAGREE: chat does not exist in WeCom"
    if row.in_files and row.live == NOT_MEMBER:
        return "DISAGREE: in files, not in WeCom"
    if not row.in_files and row.live == MEMBER:
        return "DISAGREE: in WeCom, not in files" + (" (owner)" if row.live_owner else "")
    if row.owner != bool(row.live_owner):
        return "DISAGREE: owner in files only" if row.owner else "DISAGREE: owner in WeCom only"
    return "in WeCom too"


def _width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def render_who_text(answer: WhoAnswer, colour: bool = False) -> str:
    rows = answer.rows
    in_files = [r for r in rows if r.in_files]
    head = f"{safe(answer.user)}: {len(in_files)} chat{'s' if len(in_files) != 1 else ''} in the files"
    if answer.live:
        in_live = [r for r in rows if r.live == MEMBER]
        head += f", {len(in_live)} in WeCom (of the chats named in the files)"
    lines = [head]
    if answer.groups:
        lines.append("groups: " + ", ".join(f"@{g}" for g in answer.groups))
    ids = [safe(r.chat_id) for r in rows]
    width_id = max((len(i) for i in ids), default=0)
    names = [safe(r.name) for r in rows]
    width_name = max((_width(n) for n in names), default=0)
    for r, chat_id, name in zip(rows, ids, names):
        cols = [chat_id.ljust(width_id), name + " " * (width_name - _width(name)),
                ("owner" if r.owner else "").ljust(5), how(r)]
        if answer.live:
            cols.append(safe(live_text(r)))
        lines.append("  " + "  ".join(cols).rstrip())
    return "\n".join(lines) + "\n"


def render_who_json(answer: WhoAnswer, colour: bool = False) -> str:
    chats = []
    for r in answer.rows:
        entry = {"chat_id": r.chat_id, "name": r.name, "source": r.source, "in_files": r.in_files,
                 "owner": r.owner, "direct": () in r.via, "via": [list(c) for c in r.via if c]}
        if answer.live:
            entry["live"] = {"state": r.live, "owner": r.live_owner,
                             "errcode": r.error.errcode if r.error else None,
                             "message": r.error.message if r.error else None}
            entry["agrees"] = r.agrees
        chats.append(entry)
    return dump_json({"user_id": answer.user, "groups": list(answer.groups), "chats": chats})
