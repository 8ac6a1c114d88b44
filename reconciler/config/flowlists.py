"""Member lists written on one line, `members: [alice, bob, ...]`, taken out
of the text before YAML composes it.

Composing makes a node and two marks per list item, which is most of the
time and memory of a big load (2 million members: 2 s of 4), and nothing
ever looks at those nodes when every item is a plain, well-formed user id
written once. Such a list is cut down to `[]` in the text given to the
parser (same lines, same columns for everything else), and its items are
handed to the converter, which puts them in the empty sequence node found
at the same line and column.

The converter must claim every lifted list; if one is left over (the `[`
was inside a block scalar or a multi-line string, a duplicate key dropped
it, ...), or the cut text does not parse, the file is parsed again as
written. Either way the outcome is the one the full parse gives."""

from __future__ import annotations

import re
from functools import lru_cache

# A user id that YAML reads as a plain string in a flow sequence: no
# leading '-' or '.', no quotes, no '@' (references need their own
# locations). Whether the first character makes YAML try bool/int/null is
# checked against the loader's resolvers.
_ITEM = r"[A-Za-z0-9_][A-Za-z0-9_.\-]{0,63}"
# `KEY: [item, item, ...]` and nothing else on the line.
_FLOW_LIST = re.compile(rf"^ *[A-Za-z0-9_.\-]+: \[((?:{_ITEM}, )*{_ITEM})\]$", re.M)
# Line breaks other than "\n" that YAML counts (then the lines here and the
# parser's would differ: nothing is lifted).
_OTHER_BREAKS = ("\r", "\x85", "\u2028", "\u2029")

Lifted = dict[tuple[int, int], list[str]]  # (0-based line, column of '[') -> items


def lift(text: str, implicit_resolvers: dict) -> tuple[str, Lifted]:
    """The text with every liftable list cut to `[]`, and the lists."""
    lifted: Lifted = {}
    if "[" not in text or any(b in text for b in _OTHER_BREAKS):
        return text, lifted
    risky = _risky_start(frozenset(k for k in implicit_resolvers if k))
    pieces: list[str] = []
    done = 0  # text[:done] is in pieces
    line = 0
    for match in _FLOW_LIST.finditer(text):
        written = match.group(1)
        items = written.split(", ")
        if len(set(items)) != len(items):
            continue
        if risky.search(written) and not _all_plain_strings(items, implicit_resolvers):
            continue
        line += text.count("\n", done, match.start())
        start, end = match.span(1)
        lifted[line, start - 1 - match.start()] = items
        pieces.append(text[done:start])
        done = end
    if not lifted:
        return text, lifted
    pieces.append(text[done:])
    return "".join(pieces), lifted


@lru_cache(maxsize=4)
def _risky_start(first_chars: frozenset[str]) -> re.Pattern:
    """Finds an item starting with a character YAML has resolvers for."""
    return re.compile("(?:^|, )[" + "".join(re.escape(c) for c in sorted(first_chars)) + "]")


def _all_plain_strings(items: list[str], implicit_resolvers: dict) -> bool:
    """No item is read as anything but a string (`no`, `007`, `null`)."""
    for item in items:
        for _tag, regexp in implicit_resolvers.get(item[0], ()):
            if regexp.match(item):
                return False
    return True
