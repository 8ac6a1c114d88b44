"""Member lists of plain user ids, taken out of the text before YAML
composes it: `members: [alice, bob, ...]` on one line, or the block form
(`members:` and then `- alice` per line, as `appchat import` writes).

Composing makes a node and two marks per list item, which is most of the
time and memory of a big load (2 million members: 2 s of 4), and nothing
ever looks at those nodes when every item is a plain, well-formed user id
written once. Such a list is cut down to `[]` in the text given to the
parser (a block list's lines become blank: same lines, same columns for
everything else), and its items are handed to the converter, which puts
them in the empty sequence node found at the same line and column, the
value of that key in a mapping (a block mapping for a block list).

The converter must claim every lifted list; if one is left over (the text
was inside a block scalar or a multi-line string, a duplicate key dropped
it, ...), or the cut text does not parse, the file is parsed again as
written. Either way the outcome is the one the full parse gives."""

from __future__ import annotations

import re
from functools import lru_cache

from reconciler.core.facts import USER_ID_PATTERN, user_keys

# A user id that YAML reads as a plain string: core.facts' rule without '@'
# (an id holding one, `zhang.san@corp`, takes the full parse: a cheap test
# that no lifted item is a group reference), and no quotes. Whether the
# first character makes YAML try bool/int/null is checked against the
# resolvers.
_ITEM = USER_ID_PATTERN[1:-1].replace("@", "")
_LIST = re.compile(
    rf"^(?P<indent> *)(?P<key>[A-Za-z0-9_.\-]+):"
    rf"(?: \[(?P<flow>(?:{_ITEM}, )*{_ITEM})\]$"  # KEY: [a, b] and nothing else on the line
    rf"|\n(?P<block>(?P<dash> *- ){_ITEM}\n(?:(?P=dash){_ITEM}\n)*))",  # KEY:, then "- a" lines
    re.M)
# What must follow a block list for it to end where the match ends: a line
# no more indented than the key that is not a comment or another "-" line.
_NEXT_KEY = re.compile(r" *[^ \n#\-]")
# The words YAML 1.1 reads as booleans, in lower case (config.yamlwords).
BOOLEAN_WORDS = frozenset({"yes", "no", "on", "off", "true", "false"})
# Line breaks other than "\n" that YAML counts (then the lines here and the
# parser's would differ: nothing is lifted).
_OTHER_BREAKS = ("\r", "\x85", "\u2028", "\u2029")

# (0-based line, column of '[') -> (items, 0 for a flow list, else the
# 0-based column of a block list's items, each on the line after the last)
Lifted = dict[tuple[int, int], tuple[list[str], int]]


def lift(text: str, implicit_resolvers: dict) -> tuple[str, Lifted]:
    """The text with every liftable list cut to `[]`, and the lists."""
    lifted: Lifted = {}
    if any(b in text for b in _OTHER_BREAKS):
        return text, lifted
    risky = _risky_start(frozenset(k for k in implicit_resolvers if k))
    pieces: list[str] = []
    done = 0  # text[:done] is in pieces
    line = counted = 0  # line is the number of "\n" in text[:counted]
    for match in _LIST.finditer(text):
        indent, key, flow, block = match.group("indent", "key", "flow", "block")
        if flow is not None:
            items = flow.split(", ")
        else:
            dash = match.group("dash")
            if len(dash) - 2 < len(indent) or not _ends_there(text, match.end(), len(indent)):
                continue
            items = block.replace(dash, "").split("\n")
            items.pop()  # after the last "\n"
        lowered = user_keys(items)
        if len(lowered) != len(items):
            continue  # the same id twice (in any letter case): an error, which needs the nodes' places
        if not lowered.isdisjoint(BOOLEAN_WORDS):
            continue  # `yEs`, `oFF`...: refused unquoted, at their place (config.yamlwords)
        if risky.search(", ".join(items)) and not _all_plain_strings(items, implicit_resolvers):
            continue
        line += text.count("\n", counted, match.start())
        counted = match.start()
        column = len(indent) + len(key) + 2
        lifted[line, column] = (items, 0 if flow is not None else len(match.group("dash")))
        if flow is not None:
            start, end = match.span("flow")
            pieces.append(text[done:start])
        else:
            start, end = match.span("block")
            pieces.append(text[done:start - 1] + " []\n" + "\n" * len(items))
        done = end
    if not lifted:
        return text, lifted
    pieces.append(text[done:])
    return "".join(pieces), lifted


def _ends_there(text: str, end: int, key_indent: int) -> bool:
    if end == len(text):
        return True
    following = _NEXT_KEY.match(text, end)
    return following is not None and following.end() - 1 - end <= key_indent


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
