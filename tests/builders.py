"""Small builders of plans for the pure tests: desired and live chats by
members, and one sample plan with a create and an update."""

from __future__ import annotations

from reconciler.core.model import DesiredChat, LiveChat
from reconciler.core.plan import Plan
from reconciler.core.planner import make_plan


def desired(chat_id, members, owner=None, name=None, prune=True):
    members = frozenset(members)
    return DesiredChat(chat_id, name or f"Chat {chat_id}", owner or sorted(members)[0], members, prune)


def live(chat_id, members, owner=None, name=None):
    members = frozenset(members)
    return LiveChat(chat_id, name or f"Chat {chat_id}", owner or sorted(members)[0], members)


def sample_plan() -> Plan:
    return make_plan(
        [desired("alpha", ["alice", "bob", "carol"]), desired("beta", ["alice", "dave"])],
        {"alpha": live("alpha", ["alice", "bob"]), "beta": None},
    )
