"""`appchat who USER_ID [PATH ...]`: the chats a person is in, according to
the files (and through which groups) and, with --live, according to WeCom.

The functional core (`membership`, `render_text`, `render_json`) is pure;
`run` reads the files and, with --live, the chats."""

from __future__ import annotations

import json
import os
import sys
import unicodedata
from dataclasses import dataclass, replace
from typing import Mapping, Sequence

from reconciler.config import LoadResult, load, report
from reconciler.model import DesiredChat, LiveChat, LiveResult, ReadError

# Live states of one chat for one person.
MEMBER, NOT_MEMBER, MISSING, UNREADABLE = "member", "not_member", "missing", "unreadable"


@dataclass(frozen=True)
class Row:
    chat_id: str
    name: str
    source: str  # FILE:LINE of the chat in the files
    in_files: bool
    owner: bool  # owner according to the files
    via: tuple[tuple[str, ...], ...]  # () = listed directly
    live: str | None = None  # None without --live
    live_owner: bool | None = None
    error: ReadError | None = None

    @property
    def agrees(self) -> bool | None:
        if self.live is None:
            return None
        if self.live in (MISSING, UNREADABLE):
            return False  # such rows are always in the files
        return self.in_files == (self.live == MEMBER) and (self.owner == bool(self.live_owner))


def membership(user: str, chats: Sequence[DesiredChat],
               live: Mapping[str, LiveResult] | None = None) -> list[Row]:
    """One row per chat the user is in, in the files or (with live) in WeCom.
    Only chats named in the files can be seen live: there is no list API."""
    rows = []
    for chat in chats:
        in_files = user in chat.members
        row = Row(chat.chat_id, chat.name, str(chat.source), in_files, in_files and chat.owner == user,
                  tuple(chat.via.get(user, ())) if in_files else ())
        if live is not None:
            got = live.get(chat.chat_id)
            if isinstance(got, LiveChat):
                row = replace(row, live=MEMBER if user in got.members else NOT_MEMBER,
                              live_owner=got.owner == user)
            elif isinstance(got, ReadError):
                row = replace(row, live=UNREADABLE, error=got)
            else:  # None: WeCom says the chat does not exist
                row = replace(row, live=MISSING)
            if not in_files and row.live != MEMBER:
                continue
        elif not in_files:
            continue
        rows.append(row)
    return rows


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


def render_text(user: str, rows: list[Row], groups: list[str], live: bool) -> str:
    lines = []
    in_files = [r for r in rows if r.in_files]
    head = f"{user}: {len(in_files)} chat{'s' if len(in_files) != 1 else ''} in the files"
    if live:
        in_live = [r for r in rows if r.live == MEMBER]
        head += f", {len(in_live)} in WeCom (of the chats named in the files)"
    lines.append(head)
    if groups:
        lines.append("groups: " + ", ".join(f"@{g}" for g in groups))
    width_id = max((len(r.chat_id) for r in rows), default=0)
    width_name = max((_width(r.name) for r in rows), default=0)
    for r in rows:
        name = r.name + " " * (width_name - _width(r.name))
        cols = [r.chat_id.ljust(width_id), name, ("owner" if r.owner else "").ljust(5), how(r)]
        if live:
            cols.append(live_text(r))
        lines.append("  " + "  ".join(cols).rstrip())
    return "\n".join(lines) + "\n"


def _width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def render_json(user: str, rows: list[Row], groups: list[str], live: bool) -> str:
    chats = []
    for r in rows:
        entry = {"chat_id": r.chat_id, "name": r.name, "source": r.source, "in_files": r.in_files,
                 "owner": r.owner, "direct": () in r.via, "via": [list(c) for c in r.via if c]}
        if live:
            entry["live"] = {"state": r.live, "owner": r.live_owner,
                             "errcode": r.error.errcode if r.error else None,
                             "message": r.error.message if r.error else None}
            entry["agrees"] = r.agrees
        chats.append(entry)
    return json.dumps({"user_id": user, "groups": groups, "chats": chats}, indent=2, ensure_ascii=False) + "\n"


def groups_of(user: str, result: LoadResult) -> list[str]:
    return sorted(name for name, members in result.groups.items() if user in members)


def run(args) -> int:
    result = load(args.paths or None)
    report(result, sys.stderr)
    if not result.ok:
        return 1
    live = None
    if args.live:
        live = _read_live(result, args.concurrency)
        if live is None:
            return 1
    rows = membership(args.user_id, result.chats, live)
    render = render_json if args.format == "json" else render_text
    sys.stdout.write(render(args.user_id, rows, groups_of(args.user_id, result), live is not None))
    return 1 if any(r.live == UNREADABLE for r in rows) else 0


def _read_live(result: LoadResult, concurrency: int) -> dict[str, LiveResult] | None:
    from reconciler.wecom import WeComError, client_from_env

    try:
        with client_from_env(os.environ, concurrency=concurrency, read_only=True) as client:
            return client.read_chats([c.chat_id for c in result.chats])
    except WeComError as exc:  # missing or invalid credentials, and the like; never holds the secret
        print(f"error: {exc}", file=sys.stderr)
        return None
