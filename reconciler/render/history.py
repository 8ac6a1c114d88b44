"""`appchat history`: a timeline of ledger lines, or who was in a chat at
the end of a day, as text for a person or JSON (schemas/history.schema.json)
for a script."""

from __future__ import annotations

from typing import Any, Sequence

from reconciler.core import causes
from reconciler.core.history import FORMAT_VERSION, Membership, Query
from reconciler.core.ledger import LedgerLine
from reconciler.render.escape import dump_json, safe
from reconciler.render.planwords import plural

_SIGN = {"joined": "+", "left": "-", "present": "=", "owner": "*", "renamed": "~", "created": "^"}


def cause_text(cause: Any, user: str | None = None) -> str:
    """A cause as the ledger holds it: text, or a plan's cause (core.causes),
    in the words the plan put beside its +/- line."""
    if cause is None:
        return "cause unknown"
    return safe(causes.cause_text(cause, user))


def _person(user_id: str | None, name: str | None) -> str:
    if user_id is None:
        return ""
    return safe(user_id) + (f" ({safe(name)})" if name else "")


def _when(at: str) -> str:
    return at[:19].replace("T", " ")


def _line(line: LedgerLine) -> str:
    chat = f"{safe(line.chat_id)} \"{safe(line.chat_name or '')}\""
    who = _person(line.user_id, line.name) or {"renamed": "renamed", "created": "created"}.get(line.event, "")
    if line.event == "renamed":
        who = f"renamed to \"{safe(line.chat_name or '')}\""
    why = cause_text(line.cause, line.user_id)
    text = f"{_when(line.at)}  {chat}  {_SIGN.get(line.event, '?')} {line.event:<7} {who}  ({why})"
    return text + (f"  [commit {safe(line.commit)}]" if line.commit else "")


def _subject(query: Query) -> str:
    parts = ([safe(query.user)] if query.user else []) + ([f"chat {safe(query.chat)}"] if query.chat else [])
    return " in ".join(parts) if parts else "the whole ledger"


def render_history_text(query: Query, lines: Sequence[LedgerLine] = (),
                        members: Sequence[Membership] | None = None) -> str:
    if members is not None:
        return _members_text(query, members)
    if not lines:
        return f"No ledger lines for {_subject(query)}.\n"
    head = f"{_subject(query)}: {plural(len(lines), 'line')}, oldest first"
    return "\n".join([head] + [_line(line) for line in lines]) + "\n"


def _members_text(query: Query, members: Sequence[Membership]) -> str:
    day = query.at.isoformat() if query.at else ""
    known = "(as far as the ledger knows)"
    if query.chat is not None:
        head = f"In chat {safe(query.chat)} at the end of {day} {known}: {plural(len(members), 'member')}"
        rows = [f"  {_person(m.user_id, m.name)}  since {_when(m.since)}  ({cause_text(m.cause, m.user_id)})"
                for m in members]
    else:
        head = f"{safe(query.user or '')} at the end of {day} {known}: in {plural(len(members), 'chat')}"
        rows = [f"  {safe(m.chat_id)} \"{safe(m.chat_name or '')}\"  since {_when(m.since)}  "
                f"({cause_text(m.cause, m.user_id)})"
                for m in members]
    return "\n".join([head] + rows) + "\n"


def render_history_json(query: Query, lines: Sequence[LedgerLine] = (),
                        members: Sequence[Membership] | None = None, ignored: Sequence[Any] = ()) -> str:
    data: dict[str, Any] = {"format_version": FORMAT_VERSION, "query": query.data}
    if members is not None:
        data["members"] = [m.data for m in members]
    else:
        data["lines"] = [line.data for line in lines]
    data["ignored"] = [i.data for i in ignored]
    return dump_json(data)
