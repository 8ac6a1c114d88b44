"""The rules that span files: chat ids and groups defined once, groups
expanded, owners among the members, 2 to 2000 members. Works on the parsed,
schema-checked files and builds the immutable desired chats."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from sys import intern
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from reconciler.config.diagnostics import Diagnostic, error, warning
from reconciler.config.groups import DIRECT, Entry, Expander, GroupDef, Member, references, used_groups
from reconciler.config.yamldata import STR, at, pairs
from reconciler.config.yamlnodes import ParsedFile
from reconciler.core.facts import CHAT_NAME_MAX_CHARS, MAX_MEMBERS, MIN_MEMBERS, USER_ID_PATTERN, is_chat_id, is_user_id
from reconciler.core.model import DesiredChat, Source

# A member list item: a user id or "@" and a group name (the same characters).
_MEMBER_REF = re.compile("@?" + USER_ID_PATTERN.removeprefix("^").removesuffix("$") + r"\Z").match


@dataclass
class ChatDef:
    chat_id: str
    source: Source  # the chat id's key
    name: str | None = None
    owner: str | None = None
    owner_source: Source | None = None
    entries: list[Member] = field(default_factory=list)
    refs: list[Entry] = field(default_factory=list)  # the group references among the entries
    members_source: Source | None = None
    prune: bool = True
    announce: bool = True
    complete: bool = True  # every part present and well-formed
    id_ok: bool = True  # False: an invalid chat id, kept only to check its members


@dataclass
class Outcome:
    chats: tuple[DesiredChat, ...]
    groups: dict[str, frozenset[str]]
    errors: list[Diagnostic]
    warnings: list[Diagnostic]


def _string(node: Node | None) -> str | None:
    if isinstance(node, ScalarNode) and node.tag == STR:
        return node.value
    return None


def _items(node: Node) -> Iterator[tuple[str, Node, Node]]:
    if isinstance(node, MappingNode):
        for key, key_node, value_node in pairs(node)[0]:
            if isinstance(key, str):
                yield key, key_node, value_node


def _entries(parsed: ParsedFile, node: Node | None) -> tuple[list[Member], bool]:
    """The well-formed entries of a member list, and whether all were: a
    user id as its string (interned: the same people are in many chats),
    a group reference as an Entry with where it was written (for the
    errors only a reference can have)."""
    if not isinstance(node, SequenceNode):
        return [], False
    file = parsed.file
    items = node.value
    # The usual list, all plain well-formed strings written once (which the
    # schema's quick check has often seen already), in C-speed passes;
    # anything else takes the item-by-item way below.
    values = parsed.strings.get(id(node))
    if values is not None and id(values) in parsed.checked:
        fast = True
    else:
        if values is None:
            values = [item.value if item.__class__ is ScalarNode and item.tag == STR else None for item in items]
        try:
            fast = all(map(_MEMBER_REF, values)) and len(set(values)) == len(values)
        except TypeError:  # a None: not a string
            fast = False
    if fast:
        entries: list[Member] = list(map(intern, values))
        if "@" in "".join(values):  # the pattern allows '@' only in front
            for i, value in enumerate(values):
                if value[0] == "@":
                    entries[i] = Entry(value, at(file, items[i]))
        return entries, True
    entries = []
    complete = True
    seen: set[str] = set()
    for item in items:
        value = _string(item)
        if value is None or not is_user_id(value.removeprefix("@")) or value == "@" or value in seen:
            complete = False
            continue
        seen.add(value)
        entries.append(Entry(value, at(file, item)) if value[0] == "@" else intern(value))
    return entries, complete


def collect(parsed: ParsedFile) -> tuple[list[GroupDef], list[ChatDef]]:
    """The group and chat definitions of one file, well-formed parts only
    (the schema check has reported the rest)."""
    groups: list[GroupDef] = []
    chats: list[ChatDef] = []
    if parsed.root is None:
        return groups, chats
    file = parsed.file
    for top, _, section in _items(parsed.root):
        if top == "groups":
            for name, key_node, value in _items(section):
                if is_user_id(name):
                    entries, complete = _entries(parsed, value)
                    groups.append(GroupDef(name, at(file, key_node), entries, complete))
        elif top == "chats":
            for chat_id, key_node, value in _items(section):
                chat = _chat(parsed, chat_id, key_node, value)
                chat.id_ok = bool(is_chat_id(chat_id))
                chats.append(chat)
    return groups, chats


def _chat(parsed: ParsedFile, chat_id: str, key_node: Node, node: Node) -> ChatDef:
    file = parsed.file
    chat = ChatDef(chat_id, at(file, key_node))
    if not isinstance(node, MappingNode):
        chat.complete = False
        return chat
    fields = {key: (k, v) for key, k, v in _items(node)}
    name = _string(fields.get("name", (None, None))[1])
    chat.name = name if name and len(name) <= CHAT_NAME_MAX_CHARS else None
    owner_key, owner_node = fields.get("owner", (None, None))
    owner = _string(owner_node)
    if owner is not None and is_user_id(owner):
        chat.owner, chat.owner_source = owner, at(file, owner_node)
    members_key, members = fields.get("members", (None, None))
    chat.entries, entries_ok = _entries(parsed, members)
    chat.refs = references(chat.entries)
    chat.members_source = at(file, members_key) if members_key is not None else chat.source
    prune = fields.get("prune", (None, None))[1]
    if prune is not None:
        value = _bool(prune)
        chat.prune = True if value is None else value
    announce = fields.get("announce", (None, None))[1]
    chat.announce = _bool(announce) is not False if announce is not None else True
    chat.complete = (chat.name is not None and chat.owner is not None and entries_ok
                     and (prune is None or _bool(prune) is not None)
                     and (announce is None or _bool(announce) is not None))
    return chat


def _shortest_first(chain: tuple[str, ...]) -> tuple:
    return len(chain), chain


def _bool(node: Node) -> bool | None:
    if isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:bool":
        return node.value.lower() in ("true", "yes", "on", "y")
    return None


class LazyVia(Mapping):
    """The `via` of a chat that uses groups: user -> the group chains that
    bring them in, worked out on first use. Only `who` reads it, and
    working it out for every chat was a third of a big load. The expander
    has every group it needs expanded already, and the chat's list was
    complete (no unknown group, no cycle), so the answer is the one the
    load would have got, and no error can come of it."""

    __slots__ = ("_expander", "_entries", "_map")

    def __init__(self, expander: Expander, entries: list[Member]):
        self._expander, self._entries = expander, entries
        self._map: dict[str, tuple[tuple[str, ...], ...]] | None = None

    def _chains(self) -> dict[str, tuple[tuple[str, ...], ...]]:
        if self._map is None:
            result = self._expander.entries(self._entries)
            self._map = {user: (DIRECT if () in chains else tuple(chains)) if len(chains) == 1
                         else tuple(sorted(chains, key=_shortest_first))
                         for user, chains in result.chains.items()}
        return self._map

    def __getitem__(self, user: str) -> tuple[tuple[str, ...], ...]:
        return self._chains()[user]

    def __iter__(self) -> Iterator[str]:
        return iter(self._chains())

    def __len__(self) -> int:
        return len(self._chains())


class DirectVia(Mapping):
    """The `via` of a chat whose members are all listed directly: every one
    maps to DIRECT. A view instead of a dict of 200 entries per chat (a
    10,000-chat load kept 2 million of them); iterates in written order,
    as the dict did."""

    __slots__ = ("_order", "_members")

    def __init__(self, order: list[str], members: frozenset[str]):
        self._order, self._members = order, members

    def __getitem__(self, user: str) -> tuple[tuple[str, ...], ...]:
        if user in self._members:
            return DIRECT
        raise KeyError(user)

    def __contains__(self, user: object) -> bool:
        return user in self._members

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._members)


def check(files: Iterable[tuple[list[GroupDef], list[ChatDef]]]) -> Outcome:
    """The cross-file rules over what `collect` found in each file, given in
    sorted file order (the first definition wins)."""
    errors: list[Diagnostic] = []
    warnings: list[Diagnostic] = []
    groups: dict[str, GroupDef] = {}
    chats: dict[str, ChatDef] = {}
    every_chat: list[ChatDef] = []  # with invalid ids and later duplicates
    for file_groups, file_chats in files:
        every_chat.extend(file_chats)
        for group in file_groups:
            first = groups.setdefault(group.name, group)
            if first is not group:
                errors.append(error(group.source, f"group {group.name!r} is already defined at {first.source}"))
        for chat in filter(lambda c: c.id_ok, file_chats):
            first = chats.setdefault(chat.chat_id, chat)
            if first is not chat:
                errors.append(error(chat.source, f"chat id {chat.chat_id!r} is already defined at {first.source}"))

    expander = Expander(groups)
    expanded = {name: expander.group(name) for name in groups}
    desired: list[DesiredChat] = []
    for chat in chats.values():
        if chat.refs:
            members, complete = expander.members(chat.entries)
            if not (chat.complete and complete):
                continue  # what is wrong has been reported; counting now would mislead
            via: Mapping[str, Any] = LazyVia(expander, chat.entries)
        elif chat.complete:  # everyone listed directly, each once: no expansion to do
            members = frozenset(chat.entries)
            via = DirectVia(chat.entries, members)
        else:
            continue
        count = len(members)
        ok = True
        if not MIN_MEMBERS <= count <= MAX_MEMBERS:
            ok = False
            errors.append(error(chat.members_source,
                                f"chat {chat.chat_id!r} has {count} member{'s' if count != 1 else ''} after group "
                                f"expansion; a chat needs {MIN_MEMBERS} to {MAX_MEMBERS}"))
        if chat.owner not in members:
            ok = False
            errors.append(error(chat.owner_source, f"owner {chat.owner!r} is not a member of chat {chat.chat_id!r}"))
        if ok:
            desired.append(DesiredChat(chat.chat_id, chat.name, chat.owner, members, chat.prune,
                                       chat.source, via, announce=chat.announce))
    for chat in every_chat:  # the others: their unknown groups are still errors
        if chat.refs and chats.get(chat.chat_id) is not chat:
            expander.members(chat.entries)
    errors.extend(expander.errors)

    used = used_groups(groups, [chat.refs for chat in every_chat])
    for name, group in groups.items():
        if name not in used:
            warnings.append(warning(group.source, f"group {name!r} is not used by any chat"))
    return Outcome(tuple(sorted(desired, key=lambda c: c.chat_id)),
                   {name: frozenset(e.chains) for name, e in expanded.items()}, errors, warnings)


