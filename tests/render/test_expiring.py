"""`appchat expiring`'s JSON: the same escaping as every JSON view."""

from __future__ import annotations

import json
from datetime import date

from reconciler.core.expiry import expiring
from reconciler.core.model import USER, DesiredChat, Entry, Source
from reconciler.render.expiring import render_expiring_json


def test_a_reason_that_would_reorder_the_line_is_an_escape_and_the_same_value():
    reason = "contractor \u202eexe.txt\x85"
    grant = Entry.of_user("vera", Source("chats/a.yaml", 7, 9), date(2027, 1, 31), reason)
    chat = DesiredChat("ops", "Ops", "alice", frozenset({"alice", "bob"}), grants=(grant,))
    out = render_expiring_json(expiring([chat], date(2027, 1, 28)), date(2027, 1, 28), 14)
    assert "\u202e" not in out and "\x85" not in out
    assert "\\u202e" in out and "\\u0085" in out
    assert json.loads(out)["memberships"][0]["reason"] == reason
    assert out.endswith("}\n")
