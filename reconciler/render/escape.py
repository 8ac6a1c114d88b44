"""How every view escapes what it shows: text from files or WeCom must not
be able to move the cursor, fake a line of output or reorder what is
shown; and the one way JSON is written."""

from __future__ import annotations

import json
import re
from typing import Any

# Characters that hide or reorder text and that JSON and YAML may carry raw
# (both escape the C0 controls themselves): DEL and the C1 controls, the
# bidirectional marks, embeddings, overrides and isolates, and the Unicode
# line and paragraph separators.
_REORDERING = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def escape_reordering(text: str) -> str:
    """JSON text, or a YAML double-quoted scalar, with each of those
    characters written as a \\uXXXX escape: the same value once parsed, and
    harmless when the text itself is shown on a terminal or in a diff."""
    return _REORDERING.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def dump_json(value: Any) -> str:
    """Every JSON view: indented by 2, raw UTF-8 (chat names are often
    Chinese) except the characters above, with a trailing newline."""
    return escape_reordering(json.dumps(value, indent=2, ensure_ascii=False)) + "\n"


def safe(text: str) -> str:
    """Non-printable characters (newlines, ESC, ...) as visible escapes:
    text from files or WeCom must not be able to move the cursor or fake a
    line of output."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def quoted(text: str) -> str:
    """A name in double quotes, escaped: JSON escapes quotes and C0 controls,
    safe() everything else that is not printable (U+202E, U+0085...)."""
    return safe(json.dumps(text, ensure_ascii=False))
