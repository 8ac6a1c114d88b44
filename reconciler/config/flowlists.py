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
from sys import intern

from reconciler.core.facts import USER_ID_PATTERN
from reconciler.core.userids import UserIds, distinct_users, written_folded

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
BOOLEAN_USERS = UserIds(BOOLEAN_WORDS)  # the same words in any letter case
# Line breaks other than "\n" that YAML counts (then the lines here and the
# parser's would differ: nothing is lifted).
_OTHER_BREAKS = ("\r", "\x85", "\u2028", "\u2029")

# (0-based line, column of '[') -> (items, 0 for a flow list, else the
# 0-based column of a block list's items, each on the line after the last,
# the items as a set)
Lifted = dict[tuple[int, int], tuple[list[str], int, frozenset[str]]]


def lift(text: str, implicit_resolvers: dict) -> tuple[str, Lifted]:
    """The text with every liftable list cut to `[]`, and the lists."""
    lifted: Lifted = {}
    if any(b in text for b in _OTHER_BREAKS):
        return text, lifted
    risky = frozenset(k for k in implicit_resolvers if k)
    pieces: list[str] = []
    done = 0  # text[:done] is in pieces
    line = counted = 0  # line is the number of "\n" in text[:counted]
    for match in _LIST.finditer(text):
        indent, key, flow, block = match.group("indent", "key", "flow", "block")
        if flow is not None:
            items = list(map(intern, flow.split(", ")))  # interned: the same people are in many chats
        else:
            dash = match.group("dash")
            if len(dash) - 2 < len(indent) or not _ends_there(text, match.end(), len(indent)):
                continue
            items = list(map(intern, block[len(dash):-1].split("\n" + dash)))  # each line: dash, item, "\n"
        members = _once_and_no_word(items, flow if flow is not None else block)
        if members is None:
            continue  # an error, which needs the nodes' places: an id twice, or `yEs`, `oFF`... unquoted
        starts = (flow[0] in risky or _risky_start(risky, ", ").search(flow) is not None) if flow is not None \
            else _risky_start(risky, dash).search(block) is not None
        if starts and not _all_plain_strings(items, implicit_resolvers):
            continue
        line += text.count("\n", counted, match.start())
        counted = match.start()
        column = len(indent) + len(key) + 2
        lifted[line, column] = (items, 0 if flow is not None else len(match.group("dash")), members)
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


def _once_and_no_word(items: list[str], written: str) -> frozenset[str] | None:
    """The items as a set (a chat's members, as they will be kept), when
    each is there once in any letter case (core.userids) and none is a YAML 1.1
    boolean word (refused unquoted, at their place: config.yamlwords).
    `written`: the text the items were split from."""
    members = frozenset(items)
    if len(members) != len(items):
        return None
    if written_folded(written):  # no letter upper case: ids that differ as strings differ as users
        return members if members.isdisjoint(BOOLEAN_WORDS) else None
    return members if distinct_users(items, unlike=BOOLEAN_USERS) else None


@lru_cache(maxsize=8)
def _risky_start(first_chars: frozenset[str], before: str) -> re.Pattern:
    """Finds an item (after `before`: ", " in a flow list, the dash in a
    block list) that starts with a character YAML has resolvers for, so
    that it may be read as something else (`no`, `007`, `null`). The
    literal `before` first: the search skips along it in C."""
    return re.compile(re.escape(before) + "[" + "".join(re.escape(c) for c in sorted(first_chars)) + "]")


def _ends_there(text: str, end: int, key_indent: int) -> bool:
    if end == len(text):
        return True
    following = _NEXT_KEY.match(text, end)
    return following is not None and following.end() - 1 - end <= key_indent


def _all_plain_strings(items: list[str], implicit_resolvers: dict) -> bool:
    """No item is read as anything but a string (`no`, `007`, `null`)."""
    for item in items:
        for _tag, regexp in implicit_resolvers.get(item[0], ()):
            if regexp.match(item):
                return False
    return True
