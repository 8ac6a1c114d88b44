"""Reading a seed: the directory and the chats an emulator starts with.

    users: [alice, bob]            # optional; absent = any well-formed user id exists
    chats: [{chatid, name, owner, userlist}]
    foreign_chats: [{chatid, name, owner, userlist}]   # another app's: 86008
    departments, tags, visible, and users as mappings: the directory (orgseed.py)
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

from reconciler.core import facts as C
from reconciler.core.userids import UserIds

from . import orgseed
from .org import Org
from .orgseed import SeedError
from .rules import Chat, unique


@dataclass(frozen=True)
class Seed:
    users: frozenset | None = None  # the directory, each user once (letter case ignored)
    chats: tuple[Chat, ...] = ()
    org: Org = Org.default()


def _load_file(path: str):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if path.endswith(".json"):
        return json.loads(text)
    import yaml  # a project dependency; JSON is valid YAML too
    return yaml.safe_load(text)


def _chat(item, where: str, foreign: bool) -> Chat:
    if not isinstance(item, dict):
        raise SeedError(f"{where}: a chat must be a mapping")
    unknown = set(item) - {"chatid", "name", "owner", "userlist"}
    if unknown:
        raise SeedError(f"{where}: unknown keys {', '.join(sorted(map(str, unknown)))}")
    chatid = item.get("chatid")
    if not C.is_chat_id(chatid):
        raise SeedError(f"{where}: invalid chatid {chatid!r}")
    users = item.get("userlist")
    if not isinstance(users, list) or not all(map(C.is_user_id, users)):
        raise SeedError(f"{where}: userlist must be a list of user ids")
    users = unique(users)  # `Alice` and `alice` are one member
    owner = item.get("owner", users[0] if users else None)
    spelled = UserIds(users)
    if not isinstance(owner, str) or owner not in spelled:
        raise SeedError(f"{where}: owner {owner!r} is not in userlist")
    name = item.get("name", "")
    if not isinstance(name, str):
        raise SeedError(f"{where}: name must be a string")
    return Chat(chatid, name, spelled.spelled(owner), users, foreign)


def load_seed(seed) -> Seed:
    """`seed` is None, a dict, or a path to a YAML or JSON file."""
    if seed is None:
        return Seed()
    source = "seed"
    if isinstance(seed, (str, os.PathLike)):
        source = os.fspath(seed)
        try:
            seed = _load_file(source)
        except Exception as e:  # OSError, JSON or YAML syntax: all mean "this seed is unusable"
            raise SeedError(f"{source}: {e}") from None
        if seed is None:
            return Seed()
    if not isinstance(seed, dict):
        raise SeedError(f"{source}: the seed must be a mapping with users, chats, foreign_chats")
    unknown = set(seed) - {"users", "chats", "foreign_chats", *orgseed.KEYS}
    if unknown:
        raise SeedError(f"{source}: unknown keys {', '.join(sorted(map(str, unknown)))}")
    users, org = orgseed.parse(seed, source)
    chats: dict[str, Chat] = {}
    for section, foreign in (("chats", False), ("foreign_chats", True)):
        items = seed.get(section) or []
        if not isinstance(items, list):
            raise SeedError(f"{source}: {section} must be a list")
        for i, item in enumerate(items):
            chat = _chat(item, f"{source}: {section}[{i}]", foreign)
            if chat.chatid in chats:
                raise SeedError(f"{source}: {section}[{i}]: chat {chat.chatid} is seeded twice")
            chats[chat.chatid] = chat
    # Members of seeded chats need not be in `users`: that is how a test shows
    # someone who left the company but is still in a chat.
    return Seed(users, tuple(chats.values()), org)
