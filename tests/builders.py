"""The one home of the tests' chat builders: desired and live chats by
members (a list, or one string of ids split on spaces), and one sample plan
with a create and an update. A test module that wants other defaults binds
them with functools.partial rather than writing a builder of its own."""

from __future__ import annotations

from typing import Any, Iterable

from reconciler.core.model import DesiredChat, LiveChat
from reconciler.core.plan import Plan
from reconciler.core.planner import make_plan


def _ids(members: str | Iterable[str]) -> frozenset[str]:
    return frozenset(members.split() if isinstance(members, str) else members)


def desired(chat_id: str = "c1", members: str | Iterable[str] = "alice bob", owner: str | None = None,
            name: str | None = None, prune: bool = True, **fields: Any) -> DesiredChat:
    """A DesiredChat; the owner defaults to the first member in order, the
    name to "Chat ID"; `fields` are DesiredChat's other fields (source,
    grants, via, ...)."""
    ids = _ids(members)
    if "grants" in fields:
        fields["grants"] = tuple(fields["grants"])
    return DesiredChat(chat_id, f"Chat {chat_id}" if name is None else name, owner or min(ids), ids, prune,
                       **fields)


def live(chat_id: str = "c1", members: str | Iterable[str] = "alice bob", owner: str | None = None,
         name: str | None = None) -> LiveChat:
    ids = _ids(members)
    return LiveChat(chat_id, f"Chat {chat_id}" if name is None else name, owner or min(ids), ids)


def sample_plan() -> Plan:
    return make_plan(
        [desired("alpha", ["alice", "bob", "carol"]), desired("beta", ["alice", "dave"])],
        {"alpha": live("alpha", ["alice", "bob"]), "beta": None},
    )
