"""Live chats written as a chat file (`appchat import`), such that `plan`
on it shows no changes: every scalar quoted where YAML could read it as
anything but the string it is."""

from __future__ import annotations

import re

import yaml

from reconciler.core.model import LiveChat
from reconciler.render.escape import escape_reordering

DEFAULT_SCHEMA_REF = "../schemas/chats.schema.json"  # the layout of chats/ next to schemas/

# Plain scalars that are safe in every YAML version's eyes: no leading digit,
# sign or dot (numbers, octal 0o17, .inf), no y/n (YAML 1.1 booleans).
_PLAIN_SAFE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
_YN = {"y", "Y", "n", "N"}
# In any letter case (`oN`, `yEs`): validate refuses them unquoted.
_BOOLEAN_WORDS = {"yes", "no", "on", "off", "true", "false"}


def _double_quoted(text: str) -> str:
    # YAML counts U+202E and friends as printable and would write them raw;
    # escaped, the file reads back the same and cannot reorder a line in an
    # editor or a diff (validate then asks for the name to be changed).
    out = yaml.safe_dump(text, default_style='"', allow_unicode=True, width=float("inf"))
    return escape_reordering(out.strip().removesuffix("...").strip())


def scalar(text: str) -> str:
    """`text` as a YAML scalar that every loader reads back as this string:
    plain when unambiguous, double-quoted otherwise (`no`, `on`, `007`, `1e3`,
    `null`, `~`...)."""
    if text in _YN or text.lower() in _BOOLEAN_WORDS or not _PLAIN_SAFE.match(text):
        return _double_quoted(text)
    try:
        if yaml.safe_load(text) != text:
            return _double_quoted(text)
    except yaml.YAMLError:
        return _double_quoted(text)
    return text


def render_chat_file(chats: list[LiveChat], schema_ref: str = DEFAULT_SCHEMA_REF) -> str:
    lines = [f"# yaml-language-server: $schema={schema_ref}",
             "# Written by `appchat import` from the live chats; `appchat plan` on it shows no changes.",
             "chats:"]
    for chat in sorted(chats, key=lambda c: c.chat_id):
        lines.append(f"  {scalar(chat.chat_id)}:")
        lines.append(f"    name: {_double_quoted(chat.name)}")
        lines.append(f"    owner: {scalar(chat.owner)}")
        lines.append("    members:")
        lines.extend(f"      - {scalar(m)}" for m in sorted(chat.members))
    return "\n".join(lines) + "\n"
