"""What the chat files wanted when a plan was made, so that a saved plan is
applied only to the files it was made from (issue 22, "Main is the truth").

A saved plan records, for each chat it covers (its changes and its
unchanged chats), the resolved desired state: the name, the owner, the
members the files bring in, and for a `prune: false` chat the members they
name for removal (ended memberships, `exclude`). It also records the date it
resolved memberships on, and a digest of each chat's definition as written
(entries, not places), so that a difference can say what changed: the files,
the directory, or the date.

Pure: the caller resolves the files (config, core.membership) and hands the
date in.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from reconciler.core.membership import Resolution
from reconciler.core.model import DesiredChat, Entry
from reconciler.core.userids import UserIds, same_user

DEFINITION_PREFIX = "sha256:"


@dataclass(frozen=True)
class Wanted:
    """One chat as the files wanted it."""

    name: str
    owner: str
    members: frozenset[str]
    removes: UserIds | None = None  # prune: false only: who the files name for removal
    written: str | DesiredChat = field(default="", compare=False)  # the digest, or the chat to take it of

    @property
    def definition(self) -> str:
        """The digest of the chat's entries as written, taken when first asked
        for (writing a saved plan, explaining a difference): planning every
        chat must not cost a sort of each chat's members (issue 25)."""
        if isinstance(self.written, DesiredChat):
            object.__setattr__(self, "written", definition(self.written))
        return self.written


def _grant(g: Entry) -> list[Any]:
    return [g.kind, g.user if g.user is not None else str(g.unit), g.until.isoformat() if g.until else None]


def definition(chat: DesiredChat) -> str:
    """sha256 of what the chat's entries say, without where they are written
    (moving a chat to another line or file changes nothing) and without
    reasons and group names (they bring in nobody)."""
    canonical = {
        "name": chat.name, "owner": chat.owner, "prune": chat.prune,
        "members": sorted(chat.members),
        "grants": sorted(_grant(g) for g in chat.grants),
        "exclude": [sorted(chat.exclude.users), sorted(_grant(g) for g in chat.exclude.refs)],
    }
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return DEFINITION_PREFIX + hashlib.sha256(text.encode("utf-8")).hexdigest()


def wanted_of(chat: DesiredChat, resolved: Resolution) -> Wanted:
    removes = None
    if not chat.prune:
        removes = resolved.excluded | resolved.ended
    return Wanted(chat.name, chat.owner, frozenset(resolved.members), removes, chat)


def _listed(users) -> str:
    users = sorted(users)
    return users[0] if len(users) == 1 else ", ".join(users[:-1]) + " and " + users[-1]


def differences(chat_id: str, recorded: Wanted, now: Wanted | None, *, removed=(), added=()) -> list[str]:
    """What the files want now that the plan did not record, in words:
    `the files now want erin in ychat; this plan removes erin`. `removed` and
    `added`: who the plan's change for the chat removes and adds."""
    if now is None:
        return [f"the files no longer define {chat_id}; this plan changes it"]
    said: list[str] = []
    was, has, gone = UserIds(recorded.members), UserIds(now.members), UserIds(removed)
    new = list(has - was)
    if new:
        cut = [u for u in new if u in gone]
        what = (f"this plan removes {_listed(cut)}" if cut else f"this plan does not add {_listed(new)}")
        said.append(f"the files now want {_listed(new)} in {chat_id}; {what}")
    old = list(was - has)
    if old:
        brought = UserIds(added)
        put = [u for u in old if u in brought]
        what = f"this plan adds {_listed(put)}" if put else f"this plan keeps {_listed(old)}"
        said.append(f"the files no longer want {_listed(old)} in {chat_id}; {what}")
    if recorded.name != now.name:
        said.append(f"the files now name {chat_id} {now.name!r}; this plan names it {recorded.name!r}")
    if not same_user(recorded.owner, now.owner):
        said.append(f"the files now make {now.owner} owner of {chat_id}; this plan makes {recorded.owner} owner")
    if (recorded.removes is None) != (now.removes is None):
        said.append(f"the files now say `prune: {str(now.removes is None).lower()}` for {chat_id}; "
                    f"this plan was made with `prune: {str(recorded.removes is None).lower()}`")
    elif recorded.removes != now.removes:
        more, fewer = (now.removes or UserIds()) - (recorded.removes or UserIds()), \
            (recorded.removes or UserIds()) - (now.removes or UserIds())
        if more:
            said.append(f"the files now name {_listed(more)} for removal from {chat_id}; this plan does not")
        if fewer:
            said.append(f"the files no longer name {_listed(fewer)} for removal from {chat_id}; this plan does")
    return said


def cause(recorded: Wanted, now: Wanted | None, made: date | None, today: date | None,
          chat: DesiredChat | None = None) -> str:
    """What changed since the plan was made: the files, the date or the directory."""
    if now is None or chat is None or recorded.definition != now.definition:
        return "the files changed"
    dated = any(g.until is not None for g in chat.grants)
    if made != today and (dated or not chat.uses_directory):
        return f"the date changed ({made} then, {today} now)"
    return "the directory changed"


def same(recorded: Wanted, now: Wanted) -> bool:
    """What the chat would become is the same (the definition's digest only
    explains a difference; it is no difference of its own)."""
    return (recorded.name == now.name and same_user(recorded.owner, now.owner)
            and UserIds(recorded.members) == UserIds(now.members) and recorded.removes == now.removes)
