"""`apply --ledger DIR`: what one apply writes to the ledger, and when.

As each chat is verified (execute's on_done, in the main thread, so lines
are appended in the order the chats finished), its change lines are
appended; a chat the ledger has never seen first gets `present` lines for
the members it had before this run. Chats the plan leaves unchanged, first
seen, get `present` lines from the live read at the end of the run (an
apply from a saved plan did not read them: its next run from paths does).

A chat that failed, or was only partly changed, gets no line: what it holds
is unknown, and the next run plans (and records) it again.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Callable, Mapping

from reconciler.app.ledger import LedgerError, LedgerWriter, read_lines, seen_chats
from reconciler.core.planformat.digest import digest
from reconciler.core.causes import UNLISTED, with_former
from reconciler.core.history import former_causes
from reconciler.core.ledger import CHINA_STANDARD_TIME, Stamp, change_lines, present_lines
from reconciler.core.model import LiveChat, LiveResult
from reconciler.core.plan import Plan
from reconciler.core.report import ChatResult
from reconciler.core.planformat.writer import change_data

COMMIT_VARIABLES = ("GITHUB_SHA", "CI_COMMIT_SHA")  # GitHub Actions, GitLab CI


def now_in_china() -> str:
    return datetime.now(CHINA_STANDARD_TIME).isoformat(timespec="seconds")


def commit_of(source_ref: str | None, environ: Mapping[str, str]) -> str | None:
    """--source-ref, else the CI's commit variable, else None."""
    if source_ref:
        return source_ref
    return next((environ[v] for v in COMMIT_VARIABLES if environ.get(v)), None)


def plan_digest(plan: Plan) -> str:
    """The digest a saved plan carries (core.planformat.digest), for any plan."""
    return digest([change_data(c) for c in plan.changes], plan.target.data if plan.target else None)


class Recorder:
    """Appends one apply's lines. A failure to write is kept in `error`
    (the changes themselves were made) and stops further lines."""

    def __init__(self, writer: LedgerWriter, plan: Plan, stamp: Stamp,
                 live: Mapping[str, LiveResult] | None = None, clock: Callable[[], str] = now_in_china):
        self.writer, self.plan, self.stamp, self.live, self.clock = writer, plan, stamp, live or {}, clock
        self.changes = {c.chat_id: c for c in plan.changes}
        self.seen = seen_chats(writer.directory, [*self.changes, *plan.unchanged])
        self.error: str | None = None

    def _append(self, lines) -> None:
        if self.error is not None or not lines:
            return
        try:
            self.writer.append(lines)
        except LedgerError as exc:
            self.error = str(exc)

    def done(self, outcome: ChatResult) -> None:
        """A chat's outcome: lines for it when it was read back as expected
        (applied, or failed only for ids WeCom refused, whose part of the
        change did not happen)."""
        change = self.changes.get(outcome.chat_id)
        if change is None or outcome.verified is not True:
            return
        at = self.clock()
        lines = []
        if change.chat_id not in self.seen and change.before is not None:
            lines += present_lines(change.chat_id, change.before.name, change.before.members, at, self.stamp,
                                   self.plan.names)
        # What WeCom refused (someone who left) did not happen: no line for it.
        not_made = [r.user_id for r in outcome.refused]
        lines += change_lines(change, at, self.stamp, self.plan.names, not_made)
        self.seen.add(change.chat_id)
        self._append(lines)

    def unchanged(self) -> None:
        """`present` lines for the unchanged chats the ledger has not seen."""
        at = self.clock()
        for chat_id in self.plan.unchanged:
            live = self.live.get(chat_id)
            if chat_id in self.seen or not isinstance(live, LiveChat):
                continue
            self._append(present_lines(chat_id, live.name, live.members, at, self.stamp, self.plan.names))
            self.seen.add(chat_id)

    @property
    def written(self) -> int:
        return self.writer.written


def open_recorder(directory: str, plan: Plan, source_ref: str | None,
                  live: Mapping[str, LiveResult] | None = None,
                  environ: Mapping[str, str] | None = None) -> Recorder | str:
    """A Recorder, or why the ledger cannot be written (said before any write)."""
    writer = LedgerWriter(directory)
    why = writer.prepare()
    if why is not None:
        return why
    stamp = Stamp(plan.target.data if plan.target else None,
                  commit_of(source_ref, os.environ if environ is None else environ), plan_digest(plan))
    return Recorder(writer, plan, stamp, live)


class _Chats:
    """What read_lines asks of a query: the lines of some chats, any month."""

    def __init__(self, chat_ids):
        self.pattern = b'"chat_id":"(?:' + b"|".join(re.escape(c.encode("utf-8")) for c in sorted(chat_ids)) + b')"'

    def prefilter(self):
        return self.pattern, ()

    def months(self):
        return None, None


def with_former_causes(plan: Plan, directory: str, missing_ok: bool = False) -> tuple[Plan, str | None]:
    """`plan --ledger DIR` (and apply's): each removal no entry explains
    (`not in the files`) with the join the ledger last recorded for it, so
    it reads `no longer in dept:3 (SRE)`. Reads only the lines of the chats
    concerned. A ledger that is not there yet changes nothing, and says so
    (unless `missing_ok`: apply's first run makes it)."""
    wanted = [(c.chat_id, user) for c in plan.changes for user in c.removed
              if c.causes.get(user, {}).get("kind") == UNLISTED]
    if not wanted:
        return plan, None
    if not Path(directory).is_dir():
        return plan, None if missing_ok else f"no ledger at {directory}: removals name no former cause"
    try:
        found = former_causes(read_lines(directory, _Chats({chat for chat, _ in wanted})), wanted)
    except LedgerError as exc:
        return plan, f"{exc}: removals name no former cause"
    if not found:
        return plan, None
    changes = []
    for change in plan.changes:
        named = {u: with_former(c, found[(change.chat_id, u)]) for u, c in change.causes.items()
                 if (change.chat_id, u) in found}
        changes.append(replace(change, causes={**change.causes, **named}) if named else change)
    return replace(plan, changes=tuple(changes)), None
