"""Chats and the directory, in SQLite: a file with --state so separate runs
see the same chats, ":memory:" otherwise. One code path for both.

Not thread-safe by itself: the caller (api.Api) holds its lock around every use."""

from __future__ import annotations

import json
import os
import sqlite3

from reconciler.core.userids import UserIds

from .orgseed import SeedError
from .orgstore import read_org, write_org
from .rules import Chat
from .seed import Seed

_SCHEMA = """
CREATE TABLE IF NOT EXISTS chats (
    chatid TEXT PRIMARY KEY, name TEXT NOT NULL, owner TEXT NOT NULL,
    userlist TEXT NOT NULL, foreign_app INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS users (userid TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class StateError(ValueError):
    """A --state file that cannot be used; the message says which and why."""


class Store:
    def __init__(self, path: str | None = None):
        self._db = _open(path)
        try:
            # the directory endpoints read it without the lock: never mutated
            self.org = read_org(self._db, f"state file {path}: its directory")
        except SeedError as exc:  # the state file is at fault, not a seed: say so
            self._db.close()
            raise StateError(str(exc)) from None
        self._directory_cache: UserIds | None = None
        self._directory_loaded = False

    @property
    def initialised(self) -> bool:
        return self._db.execute("SELECT 1 FROM meta WHERE key='initialised'").fetchone() is not None

    def load(self, seed: Seed) -> None:
        """Replace everything with `seed`."""
        with self._db:
            self._db.execute("BEGIN")
            self._db.execute("DELETE FROM chats")
            self._db.execute("DELETE FROM users")
            self._db.execute("DELETE FROM meta")
            self._db.execute("INSERT INTO meta VALUES ('initialised', '1')")
            self._db.execute("INSERT INTO meta VALUES ('directory', ?)",
                             ("open" if seed.users is None else "closed",))
            self._db.executemany("INSERT INTO users VALUES (?)", [(u,) for u in sorted(seed.users or ())])
            for chat in seed.chats:
                self._put(chat)
            write_org(self._db, seed.org)
        self.org = seed.org  # once the transaction holds
        self._directory_loaded = False

    def directory(self) -> UserIds | None:
        """The user ids that exist, as spelled (rules.Directory), or None
        when any well-formed id does."""
        if not self._directory_loaded:
            row = self._db.execute("SELECT value FROM meta WHERE key='directory'").fetchone()
            if row is None or row[0] == "open":
                self._directory_cache = None
            else:
                users = [r[0] for r in self._db.execute("SELECT userid FROM users ORDER BY rowid")]
                self._directory_cache = UserIds(users)
            self._directory_loaded = True
        return self._directory_cache

    def get(self, chatid: str) -> Chat | None:
        row = self._db.execute("SELECT chatid, name, owner, userlist, foreign_app FROM chats WHERE chatid=?",
                               (chatid,)).fetchone()
        if row is None:
            return None
        return Chat(row[0], row[1], row[2], tuple(json.loads(row[3])), bool(row[4]))

    def put(self, chat: Chat) -> None:
        self._put(chat)

    def _put(self, chat: Chat) -> None:
        self._db.execute("INSERT OR REPLACE INTO chats VALUES (?, ?, ?, ?, ?)",
                         (chat.chatid, chat.name, chat.owner, json.dumps(list(chat.userlist)), int(chat.foreign)))

    def chat_ids(self) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT chatid FROM chats ORDER BY chatid")]

    def close(self) -> None:
        self._db.close()


# The tables every state file the emulator wrote has (a later version may add
# tables of its own: those do not make a file foreign).
_OURS = {"chats": ["chatid", "name", "owner", "userlist", "foreign_app"], "users": ["userid"],
         "meta": ["key", "value"]}


def _ours(db: sqlite3.Connection) -> bool:
    for table, columns in _OURS.items():
        if [c[1] for c in db.execute(f"PRAGMA table_info({table!r})")] != columns:
            return False
    return True


def _open(path: str | None) -> sqlite3.Connection:
    """The database, with the tables in place, or StateError saying in one
    line what is wrong with the file (never sqlite3's traceback)."""
    if path:
        directory = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(directory):
            raise StateError(f"state file {path}: no directory {directory}")
        if os.path.isdir(path):
            raise StateError(f"state file {path} is a directory")
    db = None
    try:
        db = sqlite3.connect(path or ":memory:", check_same_thread=False, isolation_level=None)
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        # Another program's database is left untouched, not given our tables.
        if tables and not _ours(db):
            raise sqlite3.DatabaseError("no such table")
        db.executescript(_SCHEMA)
    except sqlite3.DatabaseError as exc:
        if db is not None:
            db.close()
        text = str(exc)
        if "not a database" in text or "malformed" in text:
            raise StateError(f"state file {path} is not an SQLite database: give a new file name, or the "
                             f"file an earlier `appchat emulator --state` wrote") from None
        if "no such column" in text or "no such table" in text:
            raise StateError(f"state file {path} is an SQLite database, but not one the emulator wrote") from None
        raise StateError(f"state file {path}: {text}") from None
    return db
