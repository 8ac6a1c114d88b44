"""The emulator seeded from chat files: `appchat emulator --seed chats/`
(a directory of chat files, or one file) starts with the chats the files
describe, groups expanded, so a newcomer can start from the repository's own
files. The emulator's own seed shape (`chats:` as a list, users,
departments...) is left to the emulator.

A chat file seeds no directory, so a chat with `dept:` or `tag:` entries
(in its members or its exclude, directly or through a group) is refused:
the emulator could not say who they bring in."""

from __future__ import annotations

import os
from typing import Any

from reconciler.core.userids import UserIds
from reconciler.core.model import USER


class ChatSeedError(Exception):
    """The chat files cannot seed the emulator (one line: FILE:LINE:COL and why)."""


def is_chat_files(path: str) -> bool:
    """A directory, or a YAML file whose `chats` is a mapping or that has
    `groups`: chat files. Anything else is the emulator's own seed."""
    if os.path.isdir(path):
        return True
    if not path.endswith((".yaml", ".yml")):
        return False
    import yaml

    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return False  # the emulator says what is wrong with it
    return isinstance(data, dict) and (isinstance(data.get("chats"), dict) or "groups" in data)


def seed_from_chat_files(path: str) -> dict[str, Any]:
    """The emulator's seed (`{"chats": [...]}`) for the chats of the files
    under `path`, every membership counted (none has ended for a seed)."""
    from reconciler.config import load

    loaded = load([path])
    if not loaded.ok:
        first = sorted(loaded.errors)[0]
        more = f" (and {len(loaded.errors) - 1} more; run appchat validate)" if len(loaded.errors) > 1 else ""
        raise ChatSeedError(f"{first}{more}")
    chats = []
    for chat in loaded.chats:
        refs = [g for g in chat.grants if g.kind != USER] + list(chat.exclude.refs)
        if refs:
            ref = min(refs, key=lambda g: g.source)
            raise ChatSeedError(f"{ref.source.located}: chat {chat.chat_id!r}: {ref.entry} needs a directory, and "
                                f"a seed of chat files has none; seed the emulator with departments, users and "
                                f"tags instead (docs/emulator.md)")
        timed = {g.user for g in chat.grants if g.kind == USER}
        excluded = UserIds(chat.exclude.users)
        members = sorted(set(chat.members) | {u for u in timed if u not in excluded})
        chats.append({"chatid": chat.chat_id, "name": chat.name, "owner": chat.owner, "userlist": members})
    return {"chats": chats}
