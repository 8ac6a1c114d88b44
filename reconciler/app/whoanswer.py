"""`who`'s answer: the chats one person is in by the files and, with
`live`, by WeCom (core.userchats makes the rows), read with app.session's
client and read_world. Only `who --live` names departments: the directory
reader (66 ms of start-up, docs/internals.md) is imported when it does.
"""

from __future__ import annotations

from datetime import date

from reconciler.app.session import client, read_world
from reconciler.core.membership import Resolution, resolve
from reconciler.core.model import DEPT
from reconciler.core.userchats import WhoAnswer, groups_of, membership


def who(user: str, loaded, today: date, live: bool, concurrency: int | None = None) -> WhoAnswer:
    """`who`'s answer: from the files, and with `live` also from WeCom:
    the live chats, and the directory when a chat uses dept:/tag: (with the
    names of the departments that bring the user in)."""
    groups = tuple(groups_of(user, loaded.groups))
    if not live:
        return WhoAnswer(user, tuple(membership(user, loaded.chats, today=today)), groups, False)
    with client(concurrency) as reader:
        live, directory = read_world(reader, loaded.chats)
        brought = {}
        if directory is not None:
            for chat in loaded.chats:
                resolved = resolve(chat, directory, today)
                if isinstance(resolved, Resolution):
                    brought[chat.chat_id] = resolved.brought
        rows = membership(user, loaded.chats, live, brought, today)
        shown = {g.unit for r in rows for g in r.grants if g.kind == DEPT}
        departments = None
        if shown:
            from reconciler.wecom.directoryreads import department_names

            departments = department_names(reader, shown)
    name = directory.name(user) if directory else None
    return WhoAnswer(user, tuple(rows), groups, True, departments, name)
