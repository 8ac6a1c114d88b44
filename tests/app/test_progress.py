"""The progress line fits the terminal it is drawn on: never as wide as the
terminal (a full-width line wraps, and every redraw then starts a new line),
measured at each redraw, and written with carriage returns and spaces only,
so a dumb terminal shows it right too."""

from __future__ import annotations

import fcntl
import io
import os
import select
import time
import pty
import struct
import termios

from reconciler.app.progress import Progress, terminal_columns


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def _redraws(text: str) -> list[str]:
    """What each redraw left on the line (the text between carriage returns)."""
    return text.split("\r")[1:]


def _draw_all(progress: Progress, total: int) -> None:
    progress.last = float("-inf")
    for done in range(0, total + 1, 7):
        progress(done)
        progress.last = float("-inf")           # redraw every time: no waiting on the clock
    progress(total)
    progress.finish()


def test_the_line_never_reaches_the_last_column():
    for columns in (80, 23, 12, 6, 3, 1):
        stream = Tty()
        _draw_all(Progress(stream, 1000, columns=lambda c=columns: c), 1000)
        text = stream.getvalue()
        assert "\n" not in text and "\x1b" not in text
        assert all(len(part) <= max(columns - 1, 0) for part in _redraws(text)), (columns, text)
        assert text.endswith("\r"), "the line is rubbed out at the end"
    wide, narrow = Tty(), Tty()
    Progress(wide, 1000, columns=lambda: 80)(1000)
    Progress(narrow, 1000, columns=lambda: 12)(1000)
    assert wide.getvalue() == "\rreading chats 1000/1000"
    assert narrow.getvalue() == "\r1000/1000", "a narrow terminal keeps the count, not half a word"


def test_a_terminal_narrowed_mid_run_is_followed():
    widths = iter([80, 80, 10, 10, 10, 10])
    stream = Tty()
    progress = Progress(stream, 100, columns=lambda: next(widths))
    progress(50)
    progress.last = float("-inf")
    progress(60)
    progress.last = float("-inf")
    progress(100)
    progress.finish()
    parts = _redraws(stream.getvalue())
    assert parts[0] == "reading chats 50/100"
    assert all(len(p) <= 9 for p in parts[2:]), parts


def test_the_width_is_read_from_the_real_terminal():
    master, slave = pty.openpty()
    try:
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 16, 0, 0))
        with open(slave, "w", closefd=False) as stream:
            assert terminal_columns(stream) == 16
            _draw_all(Progress(stream, 1000), 1000)
        # The pty hands the bytes on in its own time: read until the last
        # redraw has arrived (bounded), not once.
        written, deadline = "", time.monotonic() + 60
        while "1000/1000" not in written and time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                written += os.read(master, 65536).decode()
    finally:
        os.close(master)
        os.close(slave)
    assert written and all(len(part) <= 15 for part in _redraws(written.replace("\r\n", "\n"))), written
    assert "1000/1000" in written and "reading chats" not in written


def test_without_a_terminal_size_columns_or_80(monkeypatch):
    monkeypatch.setenv("COLUMNS", "42")
    assert terminal_columns(io.StringIO()) == 42
    monkeypatch.setenv("COLUMNS", "wide")
    assert terminal_columns(io.StringIO()) == 80
    monkeypatch.delenv("COLUMNS")
    assert terminal_columns(io.StringIO()) == 80
