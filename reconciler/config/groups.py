"""Group expansion: `@name` references, nested, global across files.

Pure: takes the group definitions, returns who is in each group and through
which chain of groups, plus located errors for unknown groups and cycles."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from reconciler.config.diagnostics import Diagnostic, error
from reconciler.model import Source

# How many different group chains `who` is told about per user; diamonds of
# nested groups could otherwise multiply them without bound.
MAX_CHAINS_PER_USER = 4
MAX_NESTING = 100

Chains = dict[str, set[tuple[str, ...]]]  # user -> chains of group names


@dataclass
class Entry:
    """One item of a member list: a user id or "@group", where it was written."""

    value: str
    source: Source

    @property
    def group(self) -> str | None:
        return self.value[1:] if self.value.startswith("@") else None


@dataclass
class GroupDef:
    name: str
    source: Source  # the group name's key
    entries: list[Entry]
    complete: bool = True  # False when an entry was invalid (already reported)


@dataclass
class Expansion:
    """The outcome for one member list."""

    chains: Chains = field(default_factory=dict)
    complete: bool = True  # False when an unknown group or a cycle was involved


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

    def entries(self, entries: list[Entry], prefix: tuple[str, ...] = ()) -> Expansion:
        out = Expansion()
        for entry in entries:
            ref = entry.group
            if ref is None:
                _add(out.chains, entry.value, prefix)
                continue
            if ref not in self.groups:
                self._error(entry.source, f"unknown group {entry.value!r}{_did_you_mean(ref, self.groups)}")
                out.complete = False
            elif ref in self._stack:
                cycle = self._stack[self._stack.index(ref):] + [ref]
                self._error(entry.source, "group cycle: " + " -> ".join(f"@{g}" for g in cycle))
                out.complete = False
            elif len(self._stack) >= MAX_NESTING:
                self._error(entry.source, f"groups nested more than {MAX_NESTING} deep")
                out.complete = False
            else:
                inner = self.group(ref)
                out.complete = out.complete and inner.complete
                for user, chains in inner.chains.items():
                    for chain in chains:
                        _add(out.chains, user, prefix + chain)
        return out

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


def used_groups(groups: dict[str, GroupDef], roots: list[list[Entry]]) -> set[str]:
    """Groups reachable from the chats' member lists."""
    used: set[str] = set()
    todo = [e.group for entries in roots for e in entries if e.group]
    while todo:
        name = todo.pop()
        if name in used or name not in groups:
            continue
        used.add(name)
        todo.extend(e.group for e in groups[name].entries if e.group)
    return used
