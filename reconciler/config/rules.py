"""The rules that span files: chat ids and groups defined once, groups
expanded, owners among the members, 2 to 2000 members. Works on the parsed,
schema-checked files and builds the immutable desired chats."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Iterator

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from reconciler.config.diagnostics import Diagnostic, error, warning
from reconciler.config.groups import Entry, Expander, GroupDef, used_groups
from reconciler.config.yamlnodes import STR, ParsedFile, at, pairs
from reconciler.constants import CHAT_ID_PATTERN, CHAT_NAME_MAX_CHARS, MAX_MEMBERS, MIN_MEMBERS, USER_ID_PATTERN
from reconciler.model import DesiredChat, Source

# fullmatch, not match: `$` also matches before a final newline ("bob\n").
_CHAT_ID = re.compile(CHAT_ID_PATTERN)
_USER_ID = re.compile(USER_ID_PATTERN)


@dataclass
class ChatDef:
    chat_id: str
    source: Source  # the chat id's key
    name: str | None = None
    owner: str | None = None
    owner_source: Source | None = None
    entries: list[Entry] = field(default_factory=list)
    members_source: Source | None = None
    prune: bool = True
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


def _entries(file: str, node: Node | None) -> tuple[list[Entry], bool]:
    """The well-formed entries of a member list, and whether all were."""
    if not isinstance(node, SequenceNode):
        return [], False
    entries: list[Entry] = []
    complete = True
    seen: set[str] = set()
    for item in node.value:
        value = _string(item)
        if value is None or not _USER_ID.fullmatch(value.removeprefix("@")) or value == "@" or value in seen:
            complete = False
            continue
        seen.add(value)
        entries.append(Entry(value, at(file, item)))
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
                if _USER_ID.fullmatch(name):
                    entries, complete = _entries(file, value)
                    groups.append(GroupDef(name, at(file, key_node), entries, complete))
        elif top == "chats":
            for chat_id, key_node, value in _items(section):
                chat = _chat(file, chat_id, key_node, value)
                chat.id_ok = bool(_CHAT_ID.fullmatch(chat_id))
                chats.append(chat)
    return groups, chats


def _chat(file: str, chat_id: str, key_node: Node, node: Node) -> ChatDef:
    chat = ChatDef(chat_id, at(file, key_node))
    if not isinstance(node, MappingNode):
        chat.complete = False
        return chat
    fields = {key: (k, v) for key, k, v in _items(node)}
    name = _string(fields.get("name", (None, None))[1])
    chat.name = name if name and len(name) <= CHAT_NAME_MAX_CHARS else None
    owner_key, owner_node = fields.get("owner", (None, None))
    owner = _string(owner_node)
    if owner is not None and _USER_ID.fullmatch(owner):
        chat.owner, chat.owner_source = owner, at(file, owner_node)
    members_key, members = fields.get("members", (None, None))
    chat.entries, entries_ok = _entries(file, members)
    chat.members_source = at(file, members_key) if members_key is not None else chat.source
    prune = fields.get("prune", (None, None))[1]
    if prune is not None:
        value = _bool(prune)
        chat.prune = True if value is None else value
    chat.complete = (chat.name is not None and chat.owner is not None and entries_ok
                     and (prune is None or _bool(prune) is not None))
    return chat


def _shortest_first(chain: tuple[str, ...]) -> tuple:
    return len(chain), chain


def _bool(node: Node) -> bool | None:
    if isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:bool":
        return node.value.lower() in ("true", "yes", "on", "y")
    return None


def check(files: list[ParsedFile]) -> Outcome:
    errors: list[Diagnostic] = []
    warnings: list[Diagnostic] = []
    groups: dict[str, GroupDef] = {}
    chats: dict[str, ChatDef] = {}
    every_chat: list[ChatDef] = []  # with invalid ids and later duplicates
    for parsed in files:  # in sorted file order: the first definition wins
        file_groups, file_chats = collect(parsed)
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
        result = expander.entries(chat.entries)
        if not (chat.complete and result.complete):
            continue  # what is wrong has been reported; counting now would mislead
        members = frozenset(result.chains)
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
            via = {user: tuple(chains) if len(chains) == 1 else tuple(sorted(chains, key=_shortest_first))
                   for user, chains in result.chains.items()}
            desired.append(DesiredChat(chat.chat_id, chat.name, chat.owner, members, chat.prune,
                                       chat.source, MappingProxyType(via)))
    for chat in every_chat:  # the others: their unknown groups are still errors
        if chats.get(chat.chat_id) is not chat:
            expander.entries(chat.entries)
    errors.extend(expander.errors)

    used = used_groups(groups, [chat.entries for chat in every_chat])
    for name, group in groups.items():
        if name not in used:
            warnings.append(warning(group.source, f"group {name!r} is not used by any chat"))
    return Outcome(tuple(sorted(desired, key=lambda c: c.chat_id)),
                   {name: frozenset(e.chains) for name, e in expanded.items()}, errors, warnings)


