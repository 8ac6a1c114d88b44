"""The keys of a saved plan that only views read: `names`, `expiring` and
`read_concurrency`. reader.parse_plan leaves them out (`apply --plan` acts on
the changes alone); `appchat show` reads them back with with_views, so a
saved plan renders exactly as `plan` rendered it when it was made.

As strict as the reader: a value of the wrong shape is refused, saying where,
never shown half-understood. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Mapping

from reconciler.core.expiry import Ending
from reconciler.core.model import DEPT, TAG, USER
from reconciler.core.plan import Plan
from reconciler.core.planformat.reader import PlanFormatError, ending_fields, whole

VIEW_KEYS = ("names", "expiring", "read_concurrency")


def _fail(where: str, message: str) -> None:
    raise PlanFormatError(f"not a valid plan: {where}: {message}")


def with_views(plan: Plan, data: Mapping[str, Any]) -> Plan:
    """`plan` (read by parse_plan from `data`) with the view keys `data` holds."""
    names = _names(data["names"]) if "names" in data else None
    expiring = data.get("expiring", [])
    if not isinstance(expiring, list) or ("expiring" in data and not expiring):
        _fail("expiring", "expected a non-empty list (written only when a membership ends soon)")
    endings = tuple(_ending(e, f"expiring[{i}]") for i, e in enumerate(expiring))
    figures = _figures(data["read_concurrency"]) if "read_concurrency" in data else None
    return replace(plan, names=names, expiring=endings, read_concurrency=figures)


def _names(data: Any) -> dict[str, str]:
    if not isinstance(data, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        _fail("names", "expected an object of user id -> display name")
    return dict(data)


def _ending(data: Any, where: str) -> Ending:
    keys = ("chat_id", "user_id", "until", "reason", "source")
    if not isinstance(data, Mapping) or sorted(data) != sorted(keys):
        _fail(where, f"expected an object with exactly the keys {', '.join(keys)}")
    for key in ("chat_id", "user_id", "source"):
        if not isinstance(data[key], str) or not data[key]:
            _fail(f"{where}.{key}", f"expected a non-empty string, got {data[key]!r}")
    until, reason, source = ending_fields(data, where)
    who = data["user_id"]
    kind, _, number = who.partition(":")
    if number and (kind not in (DEPT, TAG) or not whole(number)):  # `dept:12`, `tag:3`: an entry that brings in many
        _fail(f"{where}.user_id", f"expected a user id, dept:ID or tag:ID, got {who!r}")
    # A saved plan is read like a chat file: its `user_id` once, here.
    return Ending(data["chat_id"], who, until, reason, source, kind=kind if number else USER)


def _figures(data: Any) -> dict[str, Any]:
    if not (isinstance(data, Mapping) and sorted(data) == ["final", "mode", "peak"]
            and data["mode"] in ("adaptive", "fixed")
            and all(type(data[k]) is int and data[k] >= 0 for k in ("final", "peak"))):
        _fail("read_concurrency", 'expected {"mode": "adaptive" | "fixed", "final": N, "peak": M}')
    return dict(data)


__all__ = ["with_views", "VIEW_KEYS"]
