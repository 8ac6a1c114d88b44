"""`apply --plan FILE PATH...`: a saved plan is applied only to the chat
files it was made from (issue 22). The files given are loaded and resolved
as `plan` resolved them (the directory is read when a chat the plan
changes needs it); when, for any chat the plan changes, they want something
other than what the plan recorded (and so other than its `after`), the whole apply is refused before any write,
naming the chat, the difference and what changed (the files, the directory
or the date)."""

from __future__ import annotations

from datetime import date
from typing import Sequence

from reconciler.core.directory import needs
from reconciler.core.membership import resolve
from reconciler.core.model import DesiredChat, ReadError
from reconciler.core.plan import Plan
from reconciler.core.wanted import cause, differences, same, wanted_of
from reconciler.core.wecomapi import WeComApi
from reconciler.wecom.directoryreads import read_directory

ADVICE = "Plan again from these files (`appchat plan --out FILE PATH...`), review it, and apply that plan."


class Bound:
    """The files loaded for a saved plan: the chats it covers, and whether
    checking them needs the directory."""

    def __init__(self, plan: Plan, chats: Sequence[DesiredChat], today: date | None):
        self.plan = plan
        self.today = today
        # Only the chats the plan changes can be taken somewhere the files do
        # not want: an unchanged chat is not written, whatever the files say now.
        covered = {c.chat_id for c in plan.changes}
        self.chats = {c.chat_id: c for c in chats if c.chat_id in covered}
        self.needs = needs(self.chats.values())


def unrecorded(plan_file: str) -> str:
    return (f"plan file {plan_file} does not record what the chat files wanted when it was made (it was written "
            f"before plans did), so it cannot be checked against the files given. " + ADVICE)


def refusal(bound: Bound, client: WeComApi | None = None) -> str | None:
    """Why the plan must not be applied to these files, or None when they
    want exactly what the plan recorded. `client` reads the directory, and
    is needed only when bound.needs says so."""
    directory = None
    if bound.needs:
        directory = read_directory(client, bound.needs)
    plan, lines = bound.plan, []
    for change in plan.changes:
        chat_id = change.chat_id
        recorded = (plan.wanted or {}).get(chat_id)
        if recorded is None:
            lines.append(f"  {chat_id}: the plan does not record what the files wanted for it")
            continue
        chat = bound.chats.get(chat_id)
        now = None
        if chat is not None:
            resolved = resolve(chat, directory, bound.today)
            if isinstance(resolved, ReadError):
                lines.append(f"  {chat_id}: the files' {chat_id} cannot be resolved now ({resolved.message})")
                continue
            now = wanted_of(chat, resolved)
            if same(recorded, now):
                continue
        said = differences(chat_id, recorded, now, removed=change.removed, added=change.added)
        why = cause(recorded, now, plan.wanted_date, bound.today, chat)
        lines.append(f"  {chat_id}: " + "; ".join(said or ["the files want something else"]) + f" ({why})")
    if not lines:
        return None
    n = len(lines)
    return (f"the saved plan was made from other chat files than these: for {n} chat{'s' if n != 1 else ''} the "
            f"files now want something other than the plan, so applying it would undo what they say:\n"
            + "\n".join(lines) + "\n" + ADVICE)
