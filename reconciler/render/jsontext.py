"""json.dumps(value, indent=2, ensure_ascii=False), byte for byte, at about
three times its speed.

With `indent` the standard library leaves its C encoder for a pure-Python
generator that yields every bracket, comma and indent on its own: 0.16 s of
the 10,000-chat plan's JSON (3.6 MB), all of it after the last read
(docs/benchmarks.md, "Against the quota"). Here each container is one join,
and each string the C escaper's (the one json.dumps itself uses). Anything
this writer does not know (a type JSON cannot carry, a key that is not a
string) goes to json.dumps itself, which then says what is wrong as always.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring  # the C escaper when there is one: what ensure_ascii=False uses
from typing import Any

_INF = float("inf")


class _Unknown(Exception):
    """A value json.dumps should handle (and, most often, refuse)."""


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value == _INF:
        return "Infinity"
    if value == -_INF:
        return "-Infinity"
    return float.__repr__(value)


def _key(key: Any) -> str:
    if isinstance(key, str):
        return encode_basestring(key)
    if key is True:
        return '"true"'
    if key is False:
        return '"false"'
    if key is None:
        return '"null"'
    if isinstance(key, int):
        return encode_basestring(int.__repr__(key))
    if isinstance(key, float):
        return encode_basestring(_float(key))
    raise _Unknown


def _text(value: Any, pad: str) -> str:
    if isinstance(value, str):
        return encode_basestring(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _float(value)
    inner = pad + "  "
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        if all(type(item) is str for item in value):  # a member list: one join, no recursion
            items = map(encode_basestring, value)
        else:
            items = (_text(item, inner) for item in value)
        return "[\n" + inner + (",\n" + inner).join(items) + "\n" + pad + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        return ("{\n" + inner + (",\n" + inner).join(_key(k) + ": " + _text(v, inner) for k, v in value.items())
                + "\n" + pad + "}")
    raise _Unknown


def dumps_indented(value: Any) -> str:
    """json.dumps(value, indent=2, ensure_ascii=False)."""
    try:
        return _text(value, "")
    except (_Unknown, RecursionError):
        return json.dumps(value, indent=2, ensure_ascii=False)
