"""Terminal facts the renderers and progress output depend on."""

from __future__ import annotations

import os
from typing import TextIO


def use_colour(stream: TextIO) -> bool:
    """Colour only on a terminal, never when NO_COLOR is set. Set at all, even
    empty: the contract says "set" and the README "set to anything", stricter
    than no-color.org's "non-empty", and off is the safe side for a pipeline."""
    if "NO_COLOR" in os.environ:
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class Palette:
    """ANSI styles, or nothing at all when colour is off."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def _wrap(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.enabled else text

    def green(self, text: str) -> str:
        return self._wrap("32", text)

    def red(self, text: str) -> str:
        return self._wrap("31", text)

    def yellow(self, text: str) -> str:
        return self._wrap("33", text)

    def bold(self, text: str) -> str:
        return self._wrap("1", text)
