"""The markdown message `apply --announce` sends a chat: who joined, who
left, a rename, a new owner; worded by a template (`--announce-template`)
or by the default one below.

A template is markdown with placeholders in braces (`{joined}`; `{{` and
`}}` for literal braces). A line holding a placeholder that has nothing to
say this time (nobody joined, the chat was not renamed) is left out, so one
template serves every change.

WeCom caps markdown content at 2048 bytes, so long lists are cut to "and N
more" rather than letting the API reject the whole message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from reconciler.core.facts import MARKDOWN_MAX_BYTES

PLACEHOLDERS = {
    "chat": "the chat's name",
    "chat_id": "the chat id",
    "owner": "the owner after the change",
    "joined": "who joined, comma-separated (cut to '... and N more' to fit)",
    "joined_count": "how many joined",
    "left": "who left, likewise",
    "left_count": "how many left",
    "renamed": "'Old name → New name' when the chat was renamed",
    "new_owner": "the new owner when the owner changed",
}
# Placeholders that can have nothing to say: their lines are left out then.
_OPTIONAL = frozenset({"joined", "joined_count", "left", "left_count", "renamed", "new_owner"})

DEFAULT_TEMPLATE = """**Membership update: {chat}**
> Renamed: {renamed}
> New owner: {new_owner}
> Joined ({joined_count}): {joined}
> Left ({left_count}): {left}"""

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


class TemplateError(ValueError):
    """A template that cannot be used: why, and where (1-based) when it is one place."""

    def __init__(self, message: str, line: int | None = None, col: int | None = None) -> None:
        super().__init__(message)
        self.line, self.col = line, col


@dataclass(frozen=True)
class AnnounceTemplate:
    # per line: literal text and placeholder names, alternating (text first)
    lines: tuple[tuple[str, ...], ...]


def parse_template(text: str, limit: int = MARKDOWN_MAX_BYTES) -> AnnounceTemplate:
    if not text.strip():
        raise TemplateError("the template is empty")
    lines = []
    literal_bytes = 0
    for number, line in enumerate(text.rstrip("\n").split("\n"), 1):
        pieces, literal, at = [], [], 0
        for match in _TOKEN.finditer(line):
            literal.append(line[at:match.start()])
            at = match.end()
            token = match.group()
            if token in ("{{", "}}"):
                literal.append(token[0])
                continue
            name = match.group(1)
            if name is None:
                raise TemplateError(f"a lone {token!r} (write {token * 2!r} for the character itself)",
                                    number, match.start() + 1)
            if name not in PLACEHOLDERS:
                raise TemplateError(f"unknown placeholder {token!r}; known: "
                                    + ", ".join("{" + p + "}" for p in PLACEHOLDERS), number, match.start() + 1)
            pieces += ["".join(literal), name]
            literal = []
        literal.append(line[at:])
        pieces.append("".join(literal))
        literal_bytes += sum(len(p.encode("utf-8")) for p in pieces[::2]) + 1
        lines.append(tuple(pieces))
    literal_bytes -= 1  # no line break after the last line
    if literal_bytes > limit:
        raise TemplateError(f"the template's own text is {literal_bytes} bytes; WeCom's markdown limit is {limit}")
    return AnnounceTemplate(tuple(lines))


DEFAULT = parse_template(DEFAULT_TEMPLATE)


def _names(ids: Sequence[str], shown: int) -> str:
    if shown >= len(ids):
        return ", ".join(ids)
    more = len(ids) - shown
    head = ", ".join(ids[:shown])
    return f"{head} and {more} more" if shown else f"{more} people"


def _render(template: AnnounceTemplate, values: dict[str, str], joined: Sequence[str], left: Sequence[str],
            shown: int) -> str:
    """The message; "" when every line that reports a change was left out
    (a template without such lines always says its piece)."""
    values = {**values, "joined": _names(joined, shown) if joined else "",
              "left": _names(left, shown) if left else ""}
    out = []
    reporting = kept = 0
    for pieces in template.lines:
        optional = [name for name in pieces[1::2] if name in _OPTIONAL]
        reporting += bool(optional)
        if any(not values[name] for name in optional):
            continue
        kept += bool(optional)
        out.append("".join(values[p] if i % 2 else p for i, p in enumerate(pieces)))
    return "\n".join(out) if kept or not reporting else ""


def message_for(change, limit: int = MARKDOWN_MAX_BYTES, template: AnnounceTemplate | None = None) -> str | None:
    """The markdown announcing `change`, at most `limit` UTF-8 bytes; None
    when nothing a member would care about changed."""
    template = template or DEFAULT
    joined = sorted(change.added)
    left = sorted(change.removed)
    before, after = change.before, change.after
    renamed = f"{before.name} → {after.name}" if before is not None and before.name != after.name else ""
    new_owner = after.owner if before is not None and before.owner != after.owner else ""
    if not (joined or left or renamed or new_owner):
        return None
    values = {"chat": after.name, "chat_id": change.chat_id, "owner": after.owner, "renamed": renamed,
              "new_owner": new_owner, "joined_count": str(len(joined)) if joined else "",
              "left_count": str(len(left)) if left else ""}

    def fits(shown: int) -> bool:
        return len(_render(template, values, joined, left, shown).encode("utf-8")) <= limit

    longest = max(len(joined), len(left))
    if fits(longest):
        text = _render(template, values, joined, left, longest)
    else:
        # The largest count of names per list that fits; the text only grows
        # with `shown`, so binary search is exact.
        lo, hi = 0, longest
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if fits(mid):
                lo = mid
            else:
                hi = mid - 1
        # The template's own text is under the limit and names are short ids,
        # so lo == 0 fits; the cut is belt and braces for a pathological one.
        text = _render(template, values, joined, left, lo).encode("utf-8")[:limit].decode("utf-8", "ignore")
    return text if text.strip() else None
