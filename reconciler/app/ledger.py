"""The ledger's files: DIR/YYYY-MM.jsonl, one per month in China Standard
Time, appended to by `apply --ledger DIR` and read by `history`.

Writing: each line goes out in one os.write() of the whole line on a file
opened with O_APPEND, so a killed apply leaves whole lines only (a write of
a few hundred bytes to a regular file is not split by a signal in practice;
a short write, from a full disk, is cut back off at once). The lines of a
chat are fsync'd together. A file whose last line was cut short anyway
(power loss, a bad merge) gets a newline first: the broken line stays as
it was, flagged by readers, and the new lines stay whole.

Reading streams line by line, never holding the whole ledger: files outside
the asked months are not opened, and a line that cannot match (a cheap
substring test on the raw bytes) is never parsed. A partial last line is
ignored and reported, as is any line that is not a ledger line.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from reconciler.core.facts import CHAT_ID_PATTERN
from reconciler.core.history import Query, members_at, timeline
from reconciler.core.ledger import BadLine, LedgerLine, decode

_NAME = re.compile(r"^(\d{4}-\d{2})\.jsonl$")
_CHAT_ID = re.compile(b'"chat_id":"(' + CHAT_ID_PATTERN[1:-1].encode() + b')"')  # core.facts' rule
_CHUNK = 4 << 20


class LedgerError(OSError):
    """The ledger cannot be read or written; str() is the whole message."""


@dataclass(frozen=True)
class Ignored:
    """A line a reader skipped, and why."""

    file: str
    line: int
    why: str

    @property
    def data(self) -> dict:
        return {"file": self.file, "line": self.line, "why": self.why}


def month_files(directory: str | os.PathLike, first: str | None = None, last: str | None = None) -> list[Path]:
    """The ledger's files, oldest month first, within [first, last] (YYYY-MM)."""
    root = Path(directory)
    if not root.is_dir():
        raise LedgerError(f"no ledger at {directory}: not a directory (give --ledger DIR)")
    found = []
    for path in root.iterdir():
        m = _NAME.match(path.name)
        if m and (first is None or m.group(1) >= first) and (last is None or m.group(1) <= last):
            found.append(path)
    return sorted(found, key=lambda p: p.name)


def read_lines(directory: str | os.PathLike, query: Query | None = None,
               ignored: list[Ignored] | None = None) -> Iterator[LedgerLine]:
    """The ledger's lines oldest first (the order they were appended),
    only those that may match `query` when one is given. Skipped lines are
    added to `ignored`."""
    ignored = ignored if ignored is not None else []
    search = query.prefilter() if query is not None else None
    first, last = query.months() if query is not None else (None, None)
    for path in month_files(directory, first, last):
        try:
            fh = open(path, "rb")
        except OSError as exc:
            raise LedgerError(f"cannot read {path}: {exc.strerror}") from None
        with fh:
            found = _candidates(fh, re.compile(search[0]), search[1]) if search else _every_line(fh)
            for offset, raw in found:
                if not raw.endswith(b"\n"):
                    ignored.append(Ignored(str(path), _line_number(path, offset),
                                           "a partial last line (cut short), ignored"))
                    break
                try:
                    yield decode(raw)
                except BadLine as exc:
                    ignored.append(Ignored(str(path), _line_number(path, offset),
                                           f"not a ledger line ({exc}), ignored"))


def _every_line(fh) -> Iterator[tuple[int, bytes]]:
    """(offset, line) of every line; the last may lack its newline."""
    offset = 0
    for raw in fh:
        yield offset, raw
        offset += len(raw)


def _candidates(fh, pattern: re.Pattern, also: tuple[bytes, ...]) -> Iterator[tuple[int, bytes]]:
    """(offset, line) of the lines `pattern` finds that hold every one of
    `also`, searched in big chunks by the regex engine rather than line by
    line in Python: a user's few lines among a million cost little more
    than reading the file. A last line without its newline comes last."""
    tail, offset = b"", 0  # offset: where `chunk` starts in the file
    while data := fh.read(_CHUNK):
        chunk = tail + data
        end = chunk.rfind(b"\n") + 1
        for match in pattern.finditer(chunk, 0, end):
            start = chunk.rfind(b"\n", 0, match.start()) + 1
            line = chunk[start:chunk.find(b"\n", match.end()) + 1]
            if all(a in line for a in also):
                yield offset + start, line
        offset, tail = offset + end, chunk[end:]
    if tail:
        yield offset, tail


def _line_number(path: Path, offset: int) -> int:
    """The 1-based number of the line at byte `offset` (only for a line
    that is reported, so the search need not count lines)."""
    count, done = 1, 0
    with open(path, "rb") as fh:
        while done < offset and (data := fh.read(min(_CHUNK, offset - done))):
            count += data.count(b"\n")
            done += len(data)
    return count


def seen_chats(directory: str | os.PathLike, chat_ids: Iterable[str]) -> set[str]:
    """Which of `chat_ids` the ledger has a line for: newest month first,
    scanning the bytes (no JSON), stopping once all are found."""
    wanted = set(chat_ids)
    found: set[str] = set()
    root = Path(directory)
    if not wanted or not root.is_dir():
        return found
    for path in reversed(month_files(root)):
        with open(path, "rb") as fh:
            tail = b""
            while chunk := fh.read(_CHUNK):
                chunk = tail + chunk
                cut = chunk.rfind(b"\n") + 1
                tail = chunk[cut:]
                found.update(c.decode("ascii") for c in _CHAT_ID.findall(chunk, 0, cut))
        found &= wanted
        if found == wanted:
            break
    return found


class LedgerWriter:
    """Appends lines to DIR/YYYY-MM.jsonl (the month of each line's `at`)."""

    def __init__(self, directory: str | os.PathLike):
        self.directory = Path(directory)
        self.written = 0

    def prepare(self) -> str | None:
        """Why the ledger cannot be written (before apply's first write), or None."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return f"the ledger directory {self.directory} cannot be made: {exc.strerror}"
        if not os.access(self.directory, os.W_OK | os.X_OK):
            return f"the ledger directory {self.directory} is not writable"
        return None

    def append(self, lines: Iterable[LedgerLine]) -> None:
        """Append `lines` in order; fsync'd before returning. LedgerError
        when a line could not be written (nothing of it stays)."""
        fd, month = None, None
        try:
            for line in lines:
                if line.month != month:
                    if fd is not None:
                        self._close(fd)
                    fd, month = None, line.month
                    fd = self._open(self.directory / f"{month}.jsonl")
                _write_whole(fd, line.encode())
                self.written += 1
        except OSError as exc:
            raise LedgerError(f"cannot write the ledger in {self.directory}: {exc.strerror or exc}") from None
        finally:
            if fd is not None:
                self._close(fd)

    @staticmethod
    def _open(path: Path) -> int:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        size = os.fstat(fd).st_size
        if size:
            with open(path, "rb") as fh:
                fh.seek(size - 1)
                cut_short = fh.read(1) != b"\n"
            if cut_short:
                _write_whole(fd, b"\n")  # end a line cut short earlier: it stays flagged, ours stay whole
        return fd

    @staticmethod
    def _close(fd: int) -> None:
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_whole(fd: int, data: bytes) -> None:
    """One write of the whole line; a short one is cut back off."""
    start = os.fstat(fd).st_size
    written = os.write(fd, data)
    if written != len(data):
        os.ftruncate(fd, start)
        raise OSError(f"short write ({written} of {len(data)} bytes): the disk may be full")


def answer(directory: str | os.PathLike, query: Query):
    """`history`'s answer: (timeline lines, or None; members at the end of
    query.at, or None; ignored lines). LedgerError when it cannot be read."""
    ignored: list[Ignored] = []
    lines = read_lines(directory, query, ignored)
    if query.at is not None:
        return None, members_at(lines, query.at, query.chat, query.user), ignored
    return list(timeline(lines, query)), None, ignored
