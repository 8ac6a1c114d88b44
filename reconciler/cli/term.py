"""Terminal facts the views depend on, read from the environment here so
the views themselves stay pure."""

from __future__ import annotations

import os
from typing import Any, TextIO


def is_terminal(stream: Any) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def use_colour(stream: TextIO) -> bool:
    """Colour only on a terminal, never when NO_COLOR is set, never when
    TERM=dumb. NO_COLOR set at all, even empty: the contract says "set" and
    the docs "set to anything", stricter than no-color.org's "non-empty", and
    off is the safe side for a pipeline. A dumb terminal (Emacs' shell, some
    CI log viewers) shows escape sequences as garbage."""
    if "NO_COLOR" in os.environ or os.environ.get("TERM") == "dumb":
        return False
    return is_terminal(stream)
