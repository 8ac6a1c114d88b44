"""`appchat expiring`: text made to paste into a reminder, JSON for a
pipeline that opens an issue or messages each chat's owner."""

from __future__ import annotations

from datetime import date
from typing import Any

from reconciler.core.expiry import Ending
from reconciler.core.model import DesiredChat
from reconciler.render.escape import dump_json, safe
from reconciler.render.fatal import FORMAT_VERSION
from reconciler.render.planwords import plural

Found = list[tuple[DesiredChat, Ending]]  # core.expiry.expiring: each membership with its chat


def _when(e: Ending, today: date) -> str:
    days_left = e.days_left(today)
    if days_left < 0:
        return f"ended {plural(-days_left, 'day')} ago"
    if days_left == 0:
        return "last day today"
    return f"ends in {plural(days_left, 'day')}"


def render_expiring_text(found: Found, today: date, within: int) -> str:
    window = f"within {plural(within, 'day')} of {today.isoformat()}"
    head = f"Memberships that end {window}, and those already ended:"
    if not found:
        return f"No membership ends {window}, and none has ended.\n"
    lines = [head]
    for chat, e in found:
        reason = f"  ({safe(e.reason)})" if e.reason else ""
        via = f" via {' > '.join('@' + g for g in e.via)}" if e.via else ""
        lines.append(f"- {e.until.isoformat()}  {safe(e.who)} in {safe(e.chat_id)} "
                     f"\"{safe(chat.name)}\"{via}: {_when(e, today)}{reason}  [{e.source}; owner {safe(chat.owner)}]")
    ended = sum(1 for _, e in found if e.ended(today))
    if ended:
        lines.append(f"{ended} already ended: remove the entries (the next apply removes the people).")
    return "\n".join(lines) + "\n"


def render_expiring_json(found: Found, today: date, within: int) -> str:
    return dump_json({"format_version": FORMAT_VERSION, "today": today.isoformat(), "within_days": within,
                      "memberships": [_data(chat, e, today) for chat, e in found]})


def _data(chat: DesiredChat, e: Ending, today: date) -> dict[str, Any]:
    """`source` is FILE:LINE here (the plan's views say FILE:LINE:COL)."""
    return {"chat_id": e.chat_id, "chat_name": chat.name, "owner": chat.owner, "user_id": e.who,
            "until": e.until.isoformat(), "days_left": e.days_left(today), "ended": e.ended(today),
            "reason": e.reason, "via": list(e.via), "source": str(e.source),
            "kind": e.written[0], "entry": e.written[1]}  # the entry that ends: `user_id` is whom (or what) it brings
