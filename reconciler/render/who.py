"""`appchat who`: the chats a person is in, as text or JSON."""

from __future__ import annotations

import unicodedata

from reconciler.core.model import DEPT, USER, Entry
from reconciler.core.userchats import MEMBER, MISSING, NOT_MEMBER, UNREADABLE, Row, WhoAnswer
from reconciler.render.escape import dump_json, safe
from reconciler.render.fatal import FORMAT_VERSION


def _grant(grant: Entry, departments=None) -> str:
    """`dept:2 (研发中心)`, `until 2027-01-31: contractor`, `via @vendors until ...`."""
    via = "via " + " > ".join(f"@{g}" for g in grant.via) + " " if grant.via else ""
    what = "" if grant.kind == USER else grant.entry
    if grant.kind == DEPT and departments and grant.unit in departments:
        what += f" ({safe(departments[grant.unit])})"
    until = f"until {grant.until.isoformat()}" + (f": {safe(grant.reason)}" if grant.reason else "") \
        if grant.until else ""
    return (via + " ".join(p for p in (what, until) if p)).strip() or "direct"


def how(row: Row, departments=None) -> str:
    """`direct`, `via @oncall > @sre`, `dept:2 (研发中心)`, `until 2027-01-31`, or several."""
    if row.unresolved and not row.in_files:
        return "maybe: " + ", ".join(_grant(g) for g in row.unresolved) + " (--live resolves)"
    if not row.in_files and not row.ended:
        return "not in files"
    parts = ["direct" if not chain else "via " + " > ".join(f"@{g}" for g in chain) for chain in row.via]
    parts += [_grant(g, departments) for g in row.grants]
    parts += [f"ended {g.until.isoformat()}" + (f" ({safe(g.reason)})" if g.reason else "") for g in row.ended]
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
    maybe = [r for r in rows if r.unresolved and not r.in_files]
    if maybe:  # offline, never a confident "0 chats" while dept:/tag: entries may bring the user in
        if not in_files:
            head = f"{safe(answer.user)}: named in no chat in the files"
        more = " more" if in_files else ""
        head += (f"; {len(maybe)}{more} chat{'s have' if len(maybe) != 1 else ' has'} dept:/tag: entries that may "
                 f"bring {safe(answer.user)} in (--live resolves them)")
    if answer.live:
        in_live = [r for r in rows if r.live == MEMBER]
        head += f", {len(in_live)} in WeCom (of the chats named in the files)"
    if answer.name:
        head = head.replace(f"{safe(answer.user)}: ", f"{safe(answer.user)} ({safe(answer.name)}): ", 1)
    lines = [head]
    if answer.groups:
        lines.append("groups: " + ", ".join(f"@{g}" for g in answer.groups))
    ids = [safe(r.chat_id) for r in rows]
    width_id = max((len(i) for i in ids), default=0)
    names = [safe(r.name) for r in rows]
    width_name = max((_width(n) for n in names), default=0)
    for r, chat_id, name in zip(rows, ids, names):
        cols = [chat_id.ljust(width_id), name + " " * (width_name - _width(name)),
                ("owner" if r.owner else "").ljust(5), how(r, answer.departments)]
        if answer.live:
            cols.append(safe(live_text(r)))
        lines.append("  " + "  ".join(cols).rstrip())
    return "\n".join(lines) + "\n"


def render_who_json(answer: WhoAnswer, colour: bool = False) -> str:
    chats = []
    for r in answer.rows:
        entry = {"chat_id": r.chat_id, "name": r.name, "source": r.source, "in_files": r.in_files,
                 "owner": r.owner, "direct": () in r.via, "via": [list(c) for c in r.via if c]}
        if r.grants or r.ended:  # added only when there is something beyond a plain listing
            entry["memberships"] = ([_membership(g, False, answer.departments) for g in r.grants]
                                    + [_membership(g, True, answer.departments) for g in r.ended])
        if r.unresolved:  # offline: entries only the directory can resolve
            entry["unresolved"] = [{"entry": g.entry, "via": list(g.via), "source": g.source.located}
                                   for g in r.unresolved]
        if answer.live:
            entry["live"] = {"state": r.live, "owner": r.live_owner,
                             "errcode": r.error.errcode if r.error else None,
                             "message": r.error.message if r.error else None}
            entry["agrees"] = r.agrees
        chats.append(entry)
    return dump_json({"format_version": FORMAT_VERSION, "user_id": answer.user, "groups": list(answer.groups),
                      "chats": chats})


def _membership(grant: Entry, ended: bool, departments=None) -> dict:
    """One membership beyond a plain listing: an end date, or a directory entry."""
    data = {"entry": grant.entry, "via": list(grant.via), "until": grant.until.isoformat() if grant.until else None,
            "reason": grant.reason, "ended": ended, "source": grant.source.located}
    if grant.kind == DEPT and departments and grant.unit in departments:
        data["department"] = departments[grant.unit]
    return data
