"""The org chart in the state file, so the separate commands of a demo (each
its own emulator on one --state file) see one directory.

Kept as the seed's own JSON in a table of its own and read back through the
seed's parser: one format, checked the same way twice. The caller (state.Store)
holds the connection and its transaction."""

from __future__ import annotations

import json
import sqlite3

from . import orgseed
from .org import Org

_SCHEMA = "CREATE TABLE IF NOT EXISTS org (id INTEGER PRIMARY KEY CHECK (id = 1), data TEXT NOT NULL)"


def read_org(db: sqlite3.Connection, where: str) -> Org:
    """The stored org; a SeedError starting with `where` when it cannot be
    read (a file edited by hand, or damaged)."""
    db.execute(_SCHEMA)
    row = db.execute("SELECT data FROM org WHERE id = 1").fetchone()
    if row is None:
        # A state file from before the directory: its users, in the root department.
        return Org.default(r[0] for r in db.execute("SELECT userid FROM users ORDER BY userid"))
    try:
        data = json.loads(row[0])
    except ValueError as exc:
        raise orgseed.SeedError(f"{where}: not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise orgseed.SeedError(f"{where}: not a JSON object")
    return orgseed.parse(data, where)[1]


def write_org(db: sqlite3.Connection, org: Org) -> None:
    db.execute(_SCHEMA)
    db.execute("INSERT OR REPLACE INTO org VALUES (1, ?)", (json.dumps(org.data(), ensure_ascii=False),))
