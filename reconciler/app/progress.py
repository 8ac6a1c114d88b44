"""The progress line on stderr while many chats are read: only on a
terminal, so pipelines' logs stay free of carriage returns."""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import Callable, TextIO

# Below this many chats a run takes a second or two and a progress line is
# just noise (and flicker).
PROGRESS_MIN_CHATS = 20
# Redraw at most this often: a thousand fast reads must not mean a thousand
# terminal writes.
PROGRESS_INTERVAL_S = 0.1
_DEFAULT_COLUMNS = 80


def terminal_columns(stream: TextIO) -> int:
    """The width of the terminal `stream` writes to; COLUMNS, then 80, when
    it cannot say (not a real terminal, or one that reports 0 columns)."""
    try:
        columns = os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, ValueError, OSError):
        columns = 0
    if columns > 0:
        return columns
    try:
        return int(os.environ.get("COLUMNS", "")) or _DEFAULT_COLUMNS
    except ValueError:
        return _DEFAULT_COLUMNS


class Progress:
    """One updating stderr line: "reading chats 120/1000". Called from the
    client's worker threads, hence the lock.

    The line never reaches the terminal's last column: a line as wide as the
    terminal wraps, and every carriage return after it then starts a new line
    instead of redrawing the old one. The width is read at every redraw, so a
    resized terminal is followed. Only carriage returns and spaces are written,
    no escape sequences: they work on every terminal, TERM=dumb included."""

    def __init__(self, stream: TextIO, total: int, columns: Callable[[], int] | None = None) -> None:
        self.stream, self.total = stream, total
        self.columns = columns or (lambda: terminal_columns(stream))
        self.lock = threading.Lock()
        self.last = 0.0
        self.shown = 0            # characters on the line now

    def __call__(self, done: int, total: int | None = None) -> None:
        total = total or self.total
        now = time.monotonic()
        with self.lock:
            if done < total and now - self.last < PROGRESS_INTERVAL_S:
                return
            self.last = now
            room = self.columns() - 1
            self._draw(self._fit(done, total, room), room)

    @staticmethod
    def _fit(done: int, total: int, room: int) -> str:
        for text in (f"reading chats {done}/{total}", f"{done}/{total}"):
            if len(text) <= room:
                return text
        return f"{done}/{total}"[:max(room, 0)]

    def _draw(self, text: str, room: int) -> None:
        # Spaces rub out what a longer previous line left, never past the room.
        used = max(len(text), min(self.shown, room))
        self.stream.write("\r" + text.ljust(used))
        self.stream.flush()
        self.shown = used

    def finish(self) -> None:
        with self.lock:
            if self.shown:
                # Leave the terminal clean for whatever comes next.
                self.stream.write("\r" + " " * min(self.shown, max(self.columns() - 1, 0)) + "\r")
                self.stream.flush()
                self.shown = 0


def wants_progress(count: int, stream: TextIO | None = None) -> bool:
    stream = stream or sys.stderr
    isatty = getattr(stream, "isatty", None)
    return count >= PROGRESS_MIN_CHATS and bool(isatty and isatty())
