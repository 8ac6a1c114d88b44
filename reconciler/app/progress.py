"""The progress line on stderr while many chats are read: only on a
terminal, so pipelines' logs stay free of carriage returns."""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

# Below this many chats a run takes a second or two and a progress line is
# just noise (and flicker).
PROGRESS_MIN_CHATS = 20
# Redraw at most this often: a thousand fast reads must not mean a thousand
# terminal writes.
PROGRESS_INTERVAL_S = 0.1


class Progress:
    """One updating stderr line: "reading chats 120/1000". Called from the
    client's worker threads, hence the lock."""

    def __init__(self, stream: TextIO, total: int) -> None:
        self.stream, self.total = stream, total
        self.lock = threading.Lock()
        self.last = 0.0
        self.drawn = False

    def __call__(self, done: int, total: int | None = None) -> None:
        total = total or self.total
        now = time.monotonic()
        with self.lock:
            if done < total and now - self.last < PROGRESS_INTERVAL_S:
                return
            self.last = now
            self.stream.write(f"\rreading chats {done}/{total}")
            self.stream.flush()
            self.drawn = True

    def finish(self) -> None:
        with self.lock:
            if self.drawn:
                # Leave the terminal clean for whatever comes next.
                self.stream.write("\r\x1b[K")
                self.stream.flush()


def wants_progress(count: int, stream: TextIO | None = None) -> bool:
    stream = stream or sys.stderr
    isatty = getattr(stream, "isatty", None)
    return count >= PROGRESS_MIN_CHATS and bool(isatty and isatty())
