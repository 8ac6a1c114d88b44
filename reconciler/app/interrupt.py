"""SIGINT and SIGTERM during `apply` (Ctrl-C; what GitHub and GitLab send
when a job is cancelled).

Before the first write a signal ends the run at once: nothing was written,
so there is nothing to wait for (Interrupted, a KeyboardInterrupt). Once
writes have started, the first signal only asks app.execute to start no
new chat and to let the chats already under way finish; the second (GitHub
sends SIGTERM 7.5 s after SIGINT) asks it to stop at once. Either way the
run ends with its report, so a cancelled job still says what it did.

The handlers are Python-level, so they run in the main thread between two
bytecodes and only set flags once writing; the executor's main thread polls
them while it waits for the workers.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(KeyboardInterrupt):
    """A signal arrived before the first write: nothing was applied."""

    def __init__(self, signal_name: str) -> None:
        super().__init__(signal_name)
        self.signal_name = signal_name


class Signals:
    """The apply command's handlers for SIGINT and SIGTERM, from `with` to
    its end (the previous handlers are put back). Outside the main thread
    (a test calling apply from a worker) nothing is installed."""

    def __init__(self) -> None:
        self.received: list[str] = []
        self.writing = False  # set by the executor before its first write
        self._previous: dict[int, object] = {}

    def __enter__(self) -> "Signals":
        if threading.current_thread() is threading.main_thread():
            for sig in SIGNALS:
                self._previous[sig] = signal.signal(sig, self._on_signal)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous.clear()

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        self.received.append(name)
        # Raised once: a second signal while the refusal is being printed
        # must not cut the report short.
        if not self.writing and len(self.received) == 1:
            raise Interrupted(name)

    @property
    def first(self) -> str | None:
        """The signal that interrupted the writes, or None."""
        return self.received[0] if self.received else None

    @property
    def forced(self) -> bool:
        """A second signal: stop at once."""
        return len(self.received) >= 2
