"""`apply --announce`: after a chat's update succeeded, send it one markdown
message naming who joined and who left (the wording is render.announce's)."""

from __future__ import annotations

from typing import Any

from reconciler.core.plan import Change
from reconciler.core.report import Announcement
from reconciler.render.announce import message_for
from reconciler.wecom.errors import WeComError


def announce_change(client: Any, change: Change) -> Announcement | None:
    """Send the announcement; a failure is reported, never raised, because
    the membership change it describes has already succeeded."""
    text = message_for(change)
    if text is None:
        return None
    try:
        client.send(change.chat_id, "markdown", {"content": text})
    except WeComError as exc:
        return Announcement("failed", exc.errcode, exc.errmsg)
    except Exception as exc:  # an announcement must not turn an applied chat into a failure
        return Announcement("failed", None, f"unexpected {type(exc).__name__}: {exc}")
    return Announcement("sent")
