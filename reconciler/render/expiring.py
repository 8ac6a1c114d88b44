"""`appchat expiring`: text made to paste into a reminder, JSON for a
pipeline that opens an issue or messages each chat's owner."""

from __future__ import annotations

from datetime import date

from reconciler.core.expiry import Expiring
from reconciler.render.fatal import FORMAT_VERSION
from reconciler.render.words import dump_json, plural, safe


def _when(e: Expiring) -> str:
    if e.days_left < 0:
        return f"ended {plural(-e.days_left, 'day')} ago"
    if e.days_left == 0:
        return "last day today"
    return f"ends in {plural(e.days_left, 'day')}"


def render_expiring_text(found: list[Expiring], today: date, within: int) -> str:
    window = f"within {plural(within, 'day')} of {today.isoformat()}"
    head = f"Memberships that end {window}, and those already ended:"
    if not found:
        return f"No membership ends {window}, and none has ended.\n"
    lines = [head]
    for e in found:
        reason = f"  ({safe(e.grant.reason)})" if e.grant.reason else ""
        via = f" via {' > '.join('@' + g for g in e.grant.via)}" if e.grant.via else ""
        lines.append(f"- {e.grant.until.isoformat()}  {safe(e.who)} in {safe(e.chat_id)} "
                     f"\"{safe(e.chat_name)}\"{via}: {_when(e)}{reason}  [{e.grant.source}; owner {safe(e.owner)}]")
    ended = sum(1 for e in found if e.ended)
    if ended:
        lines.append(f"{ended} already ended: remove the entries (the next apply removes the people).")
    return "\n".join(lines) + "\n"


def render_expiring_json(found: list[Expiring], today: date, within: int) -> str:
    return dump_json({"format_version": FORMAT_VERSION, "today": today.isoformat(), "within_days": within, "memberships": [e.data for e in found]})
