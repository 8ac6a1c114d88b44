"""One parsed, schema-checked file -> its group and chat definitions: the
well-formed parts only (the schema check has reported the rest), with the
located errors only code can find (config.entries). The rules across files
are config.crossfile's."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from sys import intern

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from reconciler.config import entries as parse_entry
from reconciler.config.diagnostics import Diagnostic
from reconciler.config.groups import GroupDef, GroupRef, Member, references
from reconciler.config.places import Places
from reconciler.config.yamldata import STR, at, pairs
from reconciler.config.yamlnodes import ParsedFile
from reconciler.config.flowlists import BOOLEAN_USERS
from reconciler.config.yamlwords import unquoted_word, yaml11_boolean
from reconciler.core.facts import (CHAT_NAME_MAX_CHARS, GROUP_NAME_PATTERN, USER_ID_PATTERN, is_chat_id, is_user_id)
from reconciler.core.model import USER, Entry, Source
from reconciler.core.userids import UserMap, distinct_users

# A member list item that needs no Entry: a user id, or "@" and a group name.
_PLAIN = re.compile(rf"(?:@{GROUP_NAME_PATTERN[1:-1]}|{USER_ID_PATTERN[1:-1]})\Z").match


@dataclass
class ChatDef:
    chat_id: str
    source: Source  # the chat id's key
    name: str | None = None
    owner: str | None = None
    owner_source: Source | None = None
    entries: list[Member] = field(default_factory=list)  # each user once, in any letter case
    refs: list[GroupRef] = field(default_factory=list)  # the group references among the entries and exclude
    plain: bool = False  # every entry a plain user id (no Entry or GroupRef), and no exclude
    member_set: frozenset[str] | None = None  # the entries as a set, when flowlists.lift made one
    members_source: Source | None = None
    places: Places | None = None  # where each of `entries` is written
    exclude: list[Member] = field(default_factory=list)
    exclude_places: Places | None = None  # where each of `exclude` is written
    prune: bool = True
    announce: bool = True
    complete: bool = True  # every part present and well-formed
    id_ok: bool = True  # False: an invalid chat id, kept only to check its members


@dataclass
class FileDefs:
    groups: list[GroupDef]
    chats: list[ChatDef]
    errors: list[Diagnostic]


def _string(node: Node | None) -> str | None:
    if isinstance(node, ScalarNode) and node.tag == STR:
        return node.value
    return None


def _items(node: Node) -> Iterator[tuple[str, Node, Node]]:
    if isinstance(node, MappingNode):
        for key, key_node, value_node in pairs(node)[0]:
            if isinstance(key, str):
                yield key, key_node, value_node


def _entries(parsed: ParsedFile, node: Node | None, list_name: str, problems: list[Diagnostic],
             in_exclude: bool = False) -> tuple[list[Member], bool, Places | None, bool]:
    """The well-formed entries of a member list, whether all were, where
    each is written: a user id as its string (interned: the same people are
    in many chats), anything else as an Entry or GroupRef with its Source;
    and whether all are user ids."""
    if not isinstance(node, SequenceNode):
        return [], False, None, True
    file = parsed.file
    items = node.value
    # The usual list, all plain well-formed strings written once (which the
    # schema's quick check has often seen already), in C-speed passes;
    # anything else takes the item-by-item way below.
    values = parsed.strings.get(id(node))
    if values is not None and id(values) in parsed.clean:  # plain user ids, each once, interned: flowlists.lift
        return values, True, Places.of_lifted(file, parsed.lifted_at[id(node)], values), True  # type: ignore
    if values is not None and id(values) in parsed.checked:  # well-formed, but dept:/tag: need an Entry
        fast = ":" not in "".join(values) and _once_and_no_word(values)
    else:
        if values is None:
            values = [item.value if item.__class__ is ScalarNode and item.tag == STR else None for item in items]
        try:
            fast = all(map(_PLAIN, values)) and _once_and_no_word(values)
        except TypeError:  # a None: not a string
            fast = False
    if fast:
        out: list[Member] = list(map(intern, values))
        plain = "@" not in "".join(values)
        if not plain:
            for i, value in enumerate(values):
                if value[0] == "@":
                    out[i] = GroupRef(value[1:], at(file, items[i]))
        geometry = parsed.lifted_at.get(id(node))
        places = Places.of_lifted(file, geometry, out) if geometry else Places.of_nodes(file, items)
        return out, True, places, plain
    out = []
    places = Places(file)
    complete = True
    seen_users: UserMap[tuple[Node, str]] = UserMap()
    seen_groups: dict[str, tuple[Node, str]] = {}
    for item in items:
        entry = parse_entry.member(file, item, in_exclude=in_exclude, problems=problems)
        written = entry if isinstance(entry, str) else entry.entry if entry else None
        if written is None:
            complete = False  # reported here or by the schema
            continue
        # One user however it is written: plain or as a mapping, in any letter
        # case (WeCom's ids ignore it); group names keep their case.
        is_user = isinstance(entry, str) or entry.__class__ is Entry and entry.kind == USER
        first, first_written = (seen_users if is_user else seen_groups).setdefault(written, (item, written))
        if first is not item:
            complete = False
            both_plain = not isinstance(item, MappingNode) and not isinstance(first, MappingNode)
            if not (both_plain and first_written == written):  # that one is the schema's (uniqueItems)
                problems.append(parse_entry.twice(file, item, first, written, list_name, first_written))
            continue
        out.append(intern(entry) if isinstance(entry, str) else entry)
        places.append(item)
    return out, complete, places, all(e.__class__ is str for e in out)


def _once_and_no_word(values: list[str]) -> bool:
    """Each id once (in any letter case), none a YAML 1.1 boolean word."""
    return distinct_users(values, unlike=BOOLEAN_USERS)


def collect(parsed: ParsedFile) -> FileDefs:
    """The group and chat definitions of one file."""
    found = FileDefs([], [], [])
    if parsed.root is None:
        return found
    file = parsed.file
    for top, _, section in _items(parsed.root):
        if top == "groups":
            for name, key_node, value in _items(section):
                if _refused_word(file, key_node, "group name", found.errors):
                    continue
                if parse_entry.is_group_name(name):
                    members, complete, places, _ = _entries(parsed, value, f"group {name!r}", found.errors)
                    found.groups.append(GroupDef(name, at(file, key_node), members, complete, places))
        elif top == "chats":
            for chat_id, key_node, value in _items(section):
                chat = _chat(parsed, chat_id, key_node, value, found.errors)
                chat.id_ok = is_chat_id(chat_id) and not _refused_word(file, key_node, "chat id", found.errors)
                found.chats.append(chat)
    return found


def _chat(parsed: ParsedFile, chat_id: str, key_node: Node, node: Node, problems: list[Diagnostic]) -> ChatDef:
    file = parsed.file
    chat = ChatDef(chat_id, at(file, key_node))
    if not isinstance(node, MappingNode):
        chat.complete = False
        return chat
    fields = {key: (k, v) for key, k, v in _items(node)}
    name = _string(fields.get("name", (None, None))[1])
    chat.name = name if name and len(name) <= CHAT_NAME_MAX_CHARS else None
    if _refused_word(file, fields.get("name", (None, None))[1], f"the name of chat {chat_id!r}", problems):
        chat.name = None
    owner_key, owner_node = fields.get("owner", (None, None))
    owner = _string(owner_node)
    if _refused_word(file, owner_node, f"the owner of chat {chat_id!r}", problems):
        owner = None
    if owner is not None and is_user_id(owner):
        chat.owner, chat.owner_source = owner, at(file, owner_node)
    members_key, members = fields.get("members", (None, None))
    chat.entries, entries_ok, chat.places, plain = _entries(parsed, members, f"the members of chat {chat_id!r}",
                                                            problems)
    chat.members_source = at(file, members_key) if members_key is not None else chat.source
    exclude_ok = True
    if "exclude" in fields:
        chat.exclude, exclude_ok, chat.exclude_places, _ = _entries(parsed, fields["exclude"][1],
                                                                    f"the exclude list of chat {chat_id!r}", problems,
                                                                    in_exclude=True)
    chat.plain = plain and not chat.exclude
    if chat.plain and (values := parsed.strings.get(id(members))) is not None:
        chat.member_set = parsed.clean.get(id(values))
    chat.refs = [] if chat.plain else references(chat.entries) + references(chat.exclude)
    prune = fields.get("prune", (None, None))[1]
    for flag in ("prune", "announce"):
        if (bad := yaml11_boolean(file, fields.get(flag, (None, None))[1], f"{flag} of chat {chat_id!r}")):
            problems.append(bad)
    if prune is not None:
        value = _bool(prune)
        chat.prune = True if value is None else value
    announce = fields.get("announce", (None, None))[1]
    chat.announce = _bool(announce) is not False if announce is not None else True
    chat.complete = (chat.name is not None and chat.owner is not None and entries_ok and exclude_ok
                     and (prune is None or _bool(prune) is not None)
                     and (announce is None or _bool(announce) is not None))
    return chat


def _bool(node: Node) -> bool | None:
    """true or false; None for anything else (YAML 1.1's yes/no/on/off too)."""
    if isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:bool" and node.value.lower() in ("true", "false"):
        return node.value.lower() == "true"
    return None


def _refused_word(file: str, node: Node | None, what: str, problems: list[Diagnostic]) -> bool:
    bad = unquoted_word(file, node, what)
    if bad is not None:
        problems.append(bad)
    return bad is not None
