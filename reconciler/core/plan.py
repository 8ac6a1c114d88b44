"""The plan: what `appchat plan` shows and `appchat apply` executes.

A plan is a list of small Change values (after octoDNS's plan/change), and a
versioned data format (after Terraform's plans) that lives in
core.planformat, which imports this module and never the other way: its
writer makes the JSON outputs (`--format json` and the saved plan file:
`writer.plan_data(plan)`, `writer.change_data(change)`) and its reader is
the strict inverse; the text and markdown views read the same Change and
Plan objects.

A Change cannot be built with calls that do not take its `before` to its
`after`: what runs is always what was reviewed. The check costs what the
calls change (core.members); the sorted member lists the plan format shows
are built only when a plan is rendered or written.

Pure: no I/O, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum
from functools import cached_property
from typing import Any, Mapping, Sequence

from reconciler.core import guards
from reconciler.core.call import Call
from reconciler.core.expiry import Ending
from reconciler.core.model import ReadError
from reconciler.core.people import PeopleSummary, people_summary
from reconciler.core.state import ChatState, InconsistentCall, difference, fold

class Action(str, Enum):
    CREATE = "create"
    UPDATE = "update"

    def __str__(self) -> str:
        return self.value


class InconsistentPlan(ValueError):
    """A change whose calls do not lead from its `before` to its `after`."""


@dataclass(frozen=True)
class Change:
    """One chat that changes: its state before (None when created), after,
    and the calls that get it there, in order."""

    chat_id: str
    action: Action
    source: str
    before: ChatState | None
    after: ChatState
    calls: tuple[Call, ...]
    warnings: tuple[str, ...] = ()
    expired: tuple[Ending, ...] = ()  # who it removes because the only membership that brought them in ended
    # live members nobody in the directory has (None: the directory was not all read)
    not_in_directory: tuple[str, ...] | None = None
    announce: bool = True  # False: the chat file says `announce: false`
    # user id -> why they join or leave (core.causes), for everyone added or removed
    causes: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        try:
            action = Action(self.action)
        except ValueError:
            raise ValueError(f"change {self.chat_id}: action must be create or update, not {self.action!r}") from None
        object.__setattr__(self, "action", action)
        if (action is Action.CREATE) != (self.before is None):
            raise ValueError(f"change {self.chat_id}: before must be None exactly when the chat is created")
        object.__setattr__(self, "calls", tuple(self.calls))
        object.__setattr__(self, "warnings", tuple(self.warnings))
        if not self.calls:
            raise InconsistentPlan(f"chat {self.chat_id}: a change needs at least one call")
        if any(call.body.get("chatid") != self.chat_id for call in self.calls):
            raise InconsistentPlan(f"chat {self.chat_id}: a call names another chat")
        try:
            reached = fold(self.before, self.calls)
        except InconsistentCall as exc:
            raise InconsistentPlan(f"chat {self.chat_id}: its calls cannot be made as planned: {exc}") from None
        if not self.after.same(*reached):
            raise InconsistentPlan(f"chat {self.chat_id}: its calls do not take `before` to `after`: "
                                   + _difference(ChatState(*reached), self.after))

    @cached_property
    def added(self) -> frozenset[str]:
        """Who joins: every member of a created chat, the new members of an update."""
        if self.before is None:
            return self.after.member_set
        return self.after.view.since(self.before.view)[0]

    @cached_property
    def removed(self) -> frozenset[str]:
        if self.before is None:
            return frozenset()
        return self.after.view.since(self.before.view)[1]


def _difference(reached: ChatState, after: ChatState) -> str:
    return difference(reached, after).worded(
        "they also add {ids}", "they also remove {ids}", "they name it {now!r}, not {wanted!r}",
        "they make {now!r} owner, not {wanted!r}")


@dataclass(frozen=True)
class Target:
    """What a plan was made against: the corp id and the API base (with its
    trailing slash). A saved plan is applied only where it was made."""

    corp_id: str
    api_base: str

    @property
    def data(self) -> dict[str, str]:
        return {"corp_id": self.corp_id, "api_base": self.api_base}

    def __str__(self) -> str:
        return f"corp {self.corp_id} at {self.api_base}"


@dataclass(frozen=True)
class Plan:
    """Changes sorted by chat id, unchanged chat ids sorted, read errors
    sorted by chat id (sorted here, whatever order they were given in)."""

    changes: tuple[Change, ...] = ()
    unchanged: tuple[str, ...] = ()
    errors: tuple[ReadError, ...] = ()
    expiring: tuple[Ending, ...] = ()  # memberships ending within core.expiry.ENDING_SOON_DAYS
    names: Mapping[str, str] | None = field(default=None, compare=False)  # user id -> display name
    target: Target | None = None  # None: made without a client (tests, the pure planner)
    # How many reads ran at once ({"mode", "final", "peak"}) when the plan
    # was made from a live read. It says how the plan was made, not what it
    # does: not compared, not read back from a saved plan.
    read_concurrency: Mapping[str, Any] | None = field(default=None, compare=False)
    # What the files wanted, chat id -> core.wanted.Wanted, for every chat the
    # plan covers, and the date memberships were resolved on: a saved plan
    # records them (app.planfile) so that it is applied only to those files.
    wanted: Mapping[str, Any] | None = field(default=None, compare=False)
    wanted_date: date | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "changes", tuple(sorted(self.changes, key=lambda c: c.chat_id)))
        object.__setattr__(self, "unchanged", tuple(sorted(self.unchanged)))
        object.__setattr__(self, "errors", tuple(sorted(self.errors, key=lambda e: e.chat_id)))
        object.__setattr__(self, "expiring", tuple(sorted(
            self.expiring, key=lambda e: (e.until, e.chat_id, e.who))))
        seen: set[str] = set()
        for chat_id in [c.chat_id for c in self.changes] + list(self.unchanged) + [e.chat_id for e in self.errors]:
            if chat_id in seen:
                raise ValueError(f"chat {chat_id!r} appears more than once in the plan")
            seen.add(chat_id)

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    @property
    def updates(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.action is Action.UPDATE)

    @cached_property
    def summary(self) -> dict[str, int]:
        updates = self.updates
        return {
            "create": len(self.changes) - len(updates),
            "update": len(updates),
            "unchanged": len(self.unchanged),
            "errors": len(self.errors),
            # created chats' members are not counted: only existing chats gain or lose people
            "members_added": sum(len(c.added) for c in updates),
            "members_removed": sum(len(c.removed) for c in updates),
        }

    @cached_property
    def people(self) -> PeopleSummary:
        """The plan person by person, worked out once per plan."""
        return people_summary(self.changes)

    def unsafe(self, limits: guards.Limits = guards.DEFAULTS) -> tuple[guards.Refusal, ...]:
        """Why the guards refuse to apply this plan as a whole (none: it may
        be applied), after octoDNS's Plan.raise_if_unsafe: core.guards."""
        return guards.refusals(guards.check(self, limits), limits)

    def change(self, chat_id: str) -> Change | None:
        return next((c for c in self.changes if c.chat_id == chat_id), None)

    @classmethod
    def joined(cls, parts: Sequence[Plan]) -> Plan:
        """One plan of plans made of disjoint chats on the same day (the
        pipeline plans each chat as its read arrives): every part's lists,
        names and recorded wants, as `make_plan` of all of them makes it."""
        wanted = {k: v for p in parts for k, v in (p.wanted or {}).items()}
        names = {k: v for p in parts for k, v in (p.names or {}).items()}
        dates = {p.wanted_date for p in parts if p.wanted is not None}
        plan = cls(tuple(c for p in parts for c in p.changes), tuple(u for p in parts for u in p.unchanged),
                   tuple(e for p in parts for e in p.errors), tuple(e for p in parts for e in p.expiring),
                   wanted=wanted, wanted_date=dates.pop() if len(dates) == 1 else None)
        return plan.with_names(names) if any(p.names is not None for p in parts) else plan

    def with_names(self, names: Mapping[str, str]) -> Plan:
        return replace(self, names=dict(sorted(names.items())))

    def aimed_at(self, target: Target) -> "Plan":
        """This plan, recording what it was made against."""
        return replace(self, target=target)
