"""Group expansion: `@name` references, nested, global across files.

Pure: takes the group definitions, returns who is in each group and through
which chain of groups, the grants (members with an end date, `dept:` and
`tag:` entries) the groups carry, and located errors for unknown groups and
cycles."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from reconciler.config.diagnostics import Diagnostic, error
from reconciler.core.model import Entry, Source

# How many different group chains `who` is told about per user; diamonds of
# nested groups could otherwise multiply them without bound.
MAX_CHAINS_PER_USER = 4
MAX_NESTING = 100

Chains = dict[str, set[tuple[str, ...]]]  # user -> chains of group names
# The `via` of a member listed directly, one shared value for all of them.
DIRECT: tuple[tuple[str, ...], ...] = ((),)
GROUP = "group"  # the mapping form's key: {group: name}


@dataclass(frozen=True, slots=True)
class GroupRef:
    """`@name` (or `{group: name}`, which may carry an end date) in a member
    list: the config layer's own, gone once groups are expanded."""

    name: str
    source: Source
    until: date | None = None
    reason: str | None = None

    @property
    def entry(self) -> str:
        return f"@{self.name}"


# A member list item: a user id as a plain string (no location kept: a
# million sources would cost more than the ids; the one check that can fail
# later, --check-users, asks config.places), a group reference, or the core
# Entry the plan carries (`dept:`, `tag:`, a user with an end date).
Member = str | GroupRef | Entry


@dataclass
class GroupDef:
    name: str
    source: Source  # the group name's key
    entries: list[Member]
    complete: bool = True  # False when an entry was invalid (already reported)
    places: Any = None  # config.places.Places of the entries: where each is written


@dataclass
class Expansion:
    """The outcome for one member list."""

    chains: Chains = field(default_factory=dict)
    grants: list[Entry] = field(default_factory=list)
    complete: bool = True  # False when an unknown group or a cycle was involved
    _users: frozenset[str] | None = None

    @property
    def users(self) -> frozenset[str]:
        """Everyone always in it (computed once: a group's expansion is final)."""
        if self._users is None:
            self._users = frozenset(self.chains)
        return self._users


def _until(outer: date | None, inner: date | None) -> date | None:
    """A membership inside a membership ends with the first of the two."""
    if outer is None or inner is None:
        return outer or inner
    return min(outer, inner)


class Expander:
    def __init__(self, groups: dict[str, GroupDef]):
        self.groups = groups
        self.errors: list[Diagnostic] = []
        self._done: dict[str, Expansion] = {}
        self._stack: list[str] = []
        self._reported: set[Source] = set()

    def group(self, name: str) -> Expansion:
        if name in self._done:
            return self._done[name]
        definition = self.groups[name]
        self._stack.append(name)
        result = self.entries(definition.entries, prefix=(name,))
        result.complete = result.complete and definition.complete
        self._stack.pop()
        self._done[name] = result
        return result

    def entries(self, entries: list[Member], prefix: tuple[str, ...] = ()) -> Expansion:
        out = Expansion()
        for entry in entries:
            if entry.__class__ is str:
                _add(out.chains, entry, prefix)
            elif entry.__class__ is Entry:
                out.grants.append(replace(entry, via=prefix) if prefix else entry)
            else:
                inner = self._inner(entry)
                if inner is None:
                    out.complete = False
                    continue
                out.complete = out.complete and inner.complete
                self._merge(out, inner, entry, prefix)
        return out

    def _merge(self, out: Expansion, inner: Expansion, entry: GroupRef, prefix: tuple[str, ...]) -> None:
        if entry.until is None:
            for user, chains in inner.chains.items():
                for chain in chains:
                    _add(out.chains, user, prefix + chain)
            out.grants.extend(replace(g, via=prefix + g.via) for g in inner.grants)
            return
        # `{group: g, until: D}`: everyone g brings in, until D (or earlier).
        for user, chains in inner.chains.items():
            out.grants.append(Entry.of_user(user, entry.source, entry.until, entry.reason,
                                            prefix + min(chains, key=len), entry.name))
        for g in inner.grants:
            own = g.until is not None and g.until <= entry.until  # the inner entry ends first: it says why
            out.grants.append(replace(g, via=prefix + g.via, until=_until(entry.until, g.until),
                                      reason=g.reason if own else entry.reason,
                                      source=g.source if own else entry.source,
                                      group=g.group if own else entry.name))

    def members(self, entries: list[Member]) -> tuple[frozenset[str], list[Entry], bool]:
        """A chat's static members, its grants and whether the list was
        complete: what entries() finds, without the chains, which only `who`
        reads (and which cost most of a big load)."""
        users = {entry for entry in entries if entry.__class__ is str}
        grants: list[Entry] = []
        complete = True
        for entry in entries:
            if entry.__class__ is str:
                continue
            if entry.__class__ is Entry:
                grants.append(entry)
                continue
            inner = self._inner(entry)
            if inner is None:
                complete = False
                continue
            complete = complete and inner.complete
            if entry.until is None and not inner.grants:
                users.update(inner.users)
            else:
                merged = Expansion()
                self._merge(merged, inner, entry, ())
                users.update(merged.chains)
                grants.extend(merged.grants)
        return frozenset(users), grants, complete

    def _inner(self, entry: GroupRef) -> Expansion | None:
        """The expansion of a group reference, or None (reported) when it
        names an unknown group, closes a cycle or nests too deep."""
        ref = entry.name
        if ref not in self.groups:
            self._error(entry.source, f"unknown group {'@' + ref!r}{_did_you_mean(ref, self.groups)}")
        elif ref in self._stack:
            cycle = self._stack[self._stack.index(ref):] + [ref]
            self._error(entry.source, "group cycle: " + " -> ".join(f"@{g}" for g in cycle))
        elif len(self._stack) >= MAX_NESTING:
            self._error(entry.source, f"groups nested more than {MAX_NESTING} deep")
        else:
            return self.group(ref)
        return None

    def _error(self, source: Source, message: str) -> None:
        if source not in self._reported:
            self._reported.add(source)
            self.errors.append(error(source, message))


def _add(chains: Chains, user: str, chain: tuple[str, ...]) -> None:
    known = chains.setdefault(user, set())
    if len(known) < MAX_CHAINS_PER_USER:
        known.add(chain)


def _did_you_mean(name: str, known: Any) -> str:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"; did you mean '@{close[0]}'?" if close else ""


def references(entries: list[Member]) -> list[GroupRef]:
    """The group references of a member list."""
    return [e for e in entries if e.__class__ is GroupRef]


def used_groups(groups: dict[str, GroupDef], roots: list[list[Member]]) -> set[str]:
    """Groups reachable from the chats' member lists."""
    used: set[str] = set()
    todo = [e.name for entries in roots for e in references(entries)]
    while todo:
        name = todo.pop()
        if name in used or name not in groups:
            continue
        used.add(name)
        todo.extend(e.name for e in references(groups[name].entries))
    return used
