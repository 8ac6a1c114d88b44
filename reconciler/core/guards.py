"""The guards both ways, in one place: what makes `apply` refuse a plan as a
whole before any write, and what `plan` shows as warnings (after octoDNS's
Plan.raise_if_unsafe: the plan is judged by a pure function that returns
typed refusals, and every caller asks it).

- Mass removal: a chat with at least 10 current members that would lose
  more than 30% of them (`--max-removal-ratio`). Removals whose membership
  ended (`until` passed) do not count: they were reviewed with their date.
- Mass addition, the mirror: a chat with at least 10 current members that
  would gain more than 100% of them (`--max-addition-ratio`), or a run that
  would add more than 1,000 members to existing chats in all
  (`--max-additions`): `dept:1` written by mistake adds the whole company.

Exactly the limit passes. Created chats count for neither (they have no
current members; the contract's `members_added` leaves them out too).
`--force` overrides all of them. Pure: plans in, decisions out.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any, Iterable

MIN_MEMBERS = 10
REMOVAL, ADDITION = "mass-removal", "mass-addition"
# The rules a refusal can come from, each with the option that moves its line.
REMOVAL_RATIO, ADDITION_RATIO, ADDITIONS = "--max-removal-ratio", "--max-addition-ratio", "--max-additions"


@dataclass(frozen=True)
class Limits:
    """Where the guards draw the line. The defaults are the contract's; the
    command line's help texts quote them from here."""

    removal_ratio: float = 0.3    # the share of a chat's current members one run may remove
    addition_ratio: float = 1.0   # the share of a chat's current members one run may add
    additions: int = 1000         # members one run may add to existing chats in all
    min_members: int = MIN_MEMBERS  # smaller chats have no ratio limit

    @classmethod
    def of(cls, removal_ratio: float | None = None, addition_ratio: float | None = None,
           additions: int | None = None) -> "Limits":
        """The defaults, with what the user gave (None: not given)."""
        d = DEFAULTS
        return cls(d.removal_ratio if removal_ratio is None else removal_ratio,
                   d.addition_ratio if addition_ratio is None else addition_ratio,
                   d.additions if additions is None else additions)


DEFAULTS = Limits()


def percent(ratio: float | Fraction) -> str:
    """0.3 -> `30%`, 0.125 -> `12.5%`, 1.0 -> `100%`."""
    return f"{round(float(ratio) * 100, 1):g}%"


@lru_cache(maxsize=32)
def _exact(ratio: float | Fraction) -> Fraction:
    # Exact arithmetic, so that "exactly 30% passes" holds for every ratio a
    # user can type: Fraction("0.3") is 3/10, the float 0.3 is not.
    return Fraction(str(ratio))


def over_ratio(current: int, count: int, ratio: float | Fraction, min_members: int = MIN_MEMBERS) -> bool:
    """More than `ratio` of a chat's `current` members (at least `min_members`)."""
    if current < min_members or current <= 0 or count <= 0:
        return False
    limit = _exact(ratio)
    return count * limit.denominator > limit.numerator * current


@dataclass(frozen=True)
class Hit:
    """One chat over a ratio limit (`chat_id`), or the whole run over the
    total (`chat_id` None: `count` members added to existing chats, `top`
    the chats adding the most, with how many)."""

    rule: str             # REMOVAL_RATIO, ADDITION_RATIO or ADDITIONS
    chat_id: str | None
    current: int          # the chat's members before (0 for the run)
    count: int            # the members that count against the limit
    ended: int = 0        # removals left out: their membership ended
    top: tuple[tuple[str, int], ...] = ()
    more: int = 0         # chats adding members beyond `top`
    limit: int = 0        # the run's total that passes (ADDITIONS)

    @property
    def guard(self) -> str:
        return REMOVAL if self.rule == REMOVAL_RATIO else ADDITION

    @property
    def message(self) -> str:
        """The plan's warning, word for word the refusal's detail."""
        if self.rule == ADDITIONS:
            return (f"mass addition: adds {self.count:,} members to existing chats in all, more than "
                    f"{self.limit:,} ({_named(self.top, self.more)})")
        share = percent(Fraction(self.count, self.current))
        if self.rule == ADDITION_RATIO:
            return f"mass addition: adds {self.count} to {self.current} members ({share})"
        text = f"mass removal: removes {self.count} of {self.current} members ({share})"
        if self.ended:
            text += f", not counting {self.ended} whose membership ended"
        return text

    @property
    def data(self) -> dict[str, Any]:
        return {"guard": self.guard, "option": self.rule, "chat_id": self.chat_id, "members": self.current,
                "count": self.count, "message": self.message}


def _named(top: tuple[tuple[str, int], ...], more: int = 0) -> str:
    return ", ".join(f"{chat_id} +{n:,}" for chat_id, n in top) + (f" and {more} more chats" if more else "")


_TOP = 5  # chats named by the run-wide total


def chat_hits(chat_id: str, current: int, added: int, removed: int, ended: int = 0,
              limits: Limits = DEFAULTS) -> list[Hit]:
    """The ratio limits one existing chat breaks: `current` members before,
    `added` and `removed` by the plan, `ended` of the removed because their
    membership ended (those do not count)."""
    hits = []
    if over_ratio(current, removed - ended, limits.removal_ratio, limits.min_members):
        hits.append(Hit(REMOVAL_RATIO, chat_id, current, removed - ended, ended))
    if over_ratio(current, added, limits.addition_ratio, limits.min_members):
        hits.append(Hit(ADDITION_RATIO, chat_id, current, added))
    return hits


def check(plan, limits: Limits = DEFAULTS) -> tuple[Hit, ...]:
    """Every limit `plan` breaks: per chat, in chat_id order, then the run's total."""
    hits: list[Hit] = []
    adding: list[tuple[str, int]] = []
    for change in plan.updates:
        added = len(change.added)
        hits += chat_hits(change.chat_id, change.before.size, added, len(change.removed),
                          len(change.expired), limits)
        if added:
            adding.append((change.chat_id, added))
    total = sum(n for _, n in adding)
    if total > limits.additions:
        adding.sort(key=lambda a: (-a[1], a[0]))
        hits.append(Hit(ADDITIONS, None, 0, total, top=tuple(adding[:_TOP]),
                        more=max(0, len(adding) - _TOP), limit=limits.additions))
    return tuple(hits)


@dataclass(frozen=True)
class Refusal:
    """Why the guards refuse a whole apply, one rule at a time."""

    rule: str
    hits: tuple[Hit, ...]
    limits: Limits

    @property
    def guard(self) -> str:
        return self.hits[0].guard

    @property
    def named(self) -> str:
        """What the rule's hits would have done, chat by chat."""
        return "; ".join(f"{h.chat_id}: {h.message}" if h.chat_id else h.message for h in self.hits)

    @property
    def text(self) -> str:
        many = len(self.hits) != 1
        chats = f"{len(self.hits)} chat{'s' if many else ''}"
        their = "their" if many else "its"
        named = ", ".join(f"{h.chat_id} ({h.message})" for h in self.hits)
        if self.rule == REMOVAL_RATIO:
            return (f"mass-removal guard: {chats} would lose more than {percent(self.limits.removal_ratio)} of "
                    f"{their} members: {named}. Check the chat files; pass --force to apply anyway or "
                    f"--max-removal-ratio to change the limit.")
        why = ("Check the chat files (a `dept:` or `tag:` entry that brings in more people than meant?); pass "
               "--force to apply anyway or")
        if self.rule == ADDITION_RATIO:
            return (f"mass-addition guard: {chats} would gain more than {percent(self.limits.addition_ratio)} of "
                    f"{their} current members: {named}. {why} --max-addition-ratio to change the limit.")
        hit = self.hits[0]
        return (f"mass-addition guard: this run would add {hit.count:,} members to existing chats in all, more "
                f"than {hit.limit:,} ({_named(hit.top, hit.more)}). {why} --max-additions to change the limit.")

    def __str__(self) -> str:
        return self.text

    @property
    def data(self) -> dict[str, Any]:
        return {"guard": self.guard, "option": self.rule, "message": self.text, "hits": [h.data for h in self.hits]}


def refusals(hits: Iterable[Hit], limits: Limits = DEFAULTS) -> tuple[Refusal, ...]:
    """The hits grouped into one refusal per rule, removal first."""
    hits = tuple(hits)
    return tuple(Refusal(rule, tuple(h for h in hits if h.rule == rule), limits)
                 for rule in (REMOVAL_RATIO, ADDITION_RATIO, ADDITIONS) if any(h.rule == rule for h in hits))


def run_warnings(plan) -> list[str]:
    """The plan's warnings that belong to no one chat (the run's total); each
    chat's own are in its change's `warnings`, put there by the planner."""
    return [h.message for h in check(plan) if h.chat_id is None]
