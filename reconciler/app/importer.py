"""`appchat import`: live chats in, a chat file out that `plan` reads back
with no changes.

All or nothing: if any chat cannot be read (unknown id, foreign chat, API
error) or cannot be expressed in a valid chat file, every such chat is
named, and nothing is written."""

from __future__ import annotations

import os
import sys
from typing import Iterable

from reconciler import config
from reconciler.app.outcome import UserError
from reconciler.core.facts import ErrCode
from reconciler.core.model import LiveChat, LiveResult, ReadError
from reconciler.render.chatfile import DEFAULT_SCHEMA_REF, render_chat_file

SCHEMA_REL = os.path.join("schemas", "chats.schema.json")


def read_ids(chat_ids: Iterable[str], ids_from: str | None) -> list[str]:
    """The ids given, then those of --ids-from (one per line, # comments), each once."""
    ids = list(chat_ids or [])
    if ids_from:
        try:
            if ids_from == "-":
                text = sys.stdin.read()
            else:
                with open(ids_from, encoding="utf-8") as fh:
                    text = fh.read()
        except OSError as exc:
            raise UserError(f"cannot read {ids_from}: {exc.strerror or exc}") from None
        for line in text.splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                ids.append(line)
    return list(dict.fromkeys(ids))


def unreadable(ids: list[str], live: dict[str, LiveResult]) -> tuple[list[LiveChat], list[str]]:
    """(the chats read, a problem per chat that was not)."""
    found: list[LiveChat] = []
    problems: list[str] = []
    for chat_id in ids:
        result = live.get(chat_id)
        if isinstance(result, LiveChat):
            found.append(result)
        elif isinstance(result, ReadError):
            code = f" ({result.errcode})" if result.errcode is not None else ""
            problems.append(f"chat {chat_id}: cannot read it{code}: {result.message}")
        else:
            problems.append(f"chat {chat_id}: no such chat ({int(ErrCode.CHAT_NOT_FOUND)})")
    return found, problems


def schema_ref_for(output: str | None) -> str:
    """The schema path as the editor will resolve it: relative to the written
    file, pointing at the nearest schemas/chats.schema.json above it."""
    if not output:
        return DEFAULT_SCHEMA_REF
    start = os.path.dirname(os.path.abspath(output))
    here = start
    while True:
        candidate = os.path.join(here, SCHEMA_REL)
        if os.path.isfile(candidate):
            return os.path.relpath(candidate, start).replace(os.sep, "/")
        parent = os.path.dirname(here)
        if parent == here:
            return DEFAULT_SCHEMA_REF
        here = parent


def self_check(text: str, chats: list[LiveChat]) -> list[str]:
    """Load the rendered file with the real loader and compare with the live
    chats: whatever the config rules refuse (a one-member chat, a 51-character
    name, an odd user id) is named here instead of being written."""
    result = config.load_text(text, "imported.yaml")
    # Which chat a diagnostic is about: the last chat key above its line.
    starts = [(n, line.strip()[:-1]) for n, line in enumerate(text.splitlines(), 1)
              if line.startswith("  ") and not line.startswith("   ") and line.endswith(":")]
    problems: list[str] = []
    for diag in result.errors:
        owner = [key for n, key in starts if n <= diag.source.line]
        about = f"chat {owner[-1].strip(chr(34))}" if owner else "the imported file"
        problems.append(f"{about} cannot be written as a valid chat file: {diag.message}")
    if result.errors:
        return problems
    loaded = {c.chat_id: c for c in result.chats}
    for chat in chats:
        got = loaded.get(chat.chat_id)
        if got is None or (got.name, got.owner, got.members) != (chat.name, chat.owner, chat.members):
            problems.append(f"chat {chat.chat_id} does not read back as imported")
    return problems


def chat_file(found: list[LiveChat], output: str | None) -> tuple[str, list[str]]:
    """(the chat file's text, why it cannot be written)."""
    text = render_chat_file(found, schema_ref_for(output))
    return text, self_check(text, found)
