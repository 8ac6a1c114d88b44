"""Group expansion: `@name` references, nested, global across files.

Pure: takes the group definitions, returns who is in each group and through
which chain of groups, plus located errors for unknown groups and cycles."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from reconciler.config.diagnostics import Diagnostic, error
from reconciler.core.model import Source

# How many different group chains `who` is told about per user; diamonds of
# nested groups could otherwise multiply them without bound.
MAX_CHAINS_PER_USER = 4
MAX_NESTING = 100

Chains = dict[str, set[tuple[str, ...]]]  # user -> chains of group names
# The `via` of a member listed directly, one shared value for all of them.
DIRECT: tuple[tuple[str, ...], ...] = ((),)


@dataclass
class Entry:
    """One item of a member list: a user id or "@group", where it was written."""

    value: str
    source: Source

    @property
    def group(self) -> str | None:
        return self.value[1:] if self.value.startswith("@") else None


# A member list item: a user id as a plain string (no location kept: nothing
# can be wrong with a well-formed id across files, and a million sources
# would cost more than the ids), or an Entry for a "@group" reference.
Member = str | Entry


@dataclass
class GroupDef:
    name: str
    source: Source  # the group name's key
    entries: list[Member]
    complete: bool = True  # False when an entry was invalid (already reported)


@dataclass
class Expansion:
    """The outcome for one member list."""

    chains: Chains = field(default_factory=dict)
    complete: bool = True  # False when an unknown group or a cycle was involved
    _users: frozenset[str] | None = None

    @property
    def users(self) -> frozenset[str]:
        """Everyone in it (computed once: a group's expansion is final)."""
        if self._users is None:
            self._users = frozenset(self.chains)
        return self._users


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
                continue
            inner = self._inner(entry)
            if inner is None:
                out.complete = False
                continue
            out.complete = out.complete and inner.complete
            for user, chains in inner.chains.items():
                for chain in chains:
                    _add(out.chains, user, prefix + chain)
        return out

    def members(self, entries: list[Member]) -> tuple[frozenset[str], bool]:
        """A chat's members and whether the list was complete: what
        entries() finds and reports, without the chains, which only `who`
        reads (and which cost most of a big load)."""
        users = {entry for entry in entries if entry.__class__ is str}
        complete = True
        for entry in references(entries):
            inner = self._inner(entry)
            if inner is None:
                complete = False
                continue
            complete = complete and inner.complete
            users.update(inner.users)
        return frozenset(users), complete

    def _inner(self, entry: Entry) -> Expansion | None:
        """The expansion of a group reference, or None (reported) when it
        names an unknown group, closes a cycle or nests too deep."""
        ref = entry.group
        if ref not in self.groups:
            self._error(entry.source, f"unknown group {entry.value!r}{_did_you_mean(ref, self.groups)}")
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


def references(entries: list[Member]) -> list[Entry]:
    """The group references of a member list."""
    return [e for e in entries if e.__class__ is not str]


def used_groups(groups: dict[str, GroupDef], roots: list[list[Member]]) -> set[str]:
    """Groups reachable from the chats' member lists."""
    used: set[str] = set()
    todo = [e.group for entries in roots for e in references(entries)]
    while todo:
        name = todo.pop()
        if name in used or name not in groups:
            continue
        used.add(name)
        todo.extend(e.group for e in references(groups[name].entries))
    return used
