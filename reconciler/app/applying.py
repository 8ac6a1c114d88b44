"""`apply`'s way from the chat files or a saved plan to WeCom: every refusal
before the first write (invalid files, a plan for another target or edited
or inconsistent, the lock, the guard, a stale plan, no confirmation), then
the calls, then the Outcome (cli.ending says a refusal and turns it into
the exit code). What goes on along the way is the Output's to say
(cli.applyconsole for a terminal)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Callable, Protocol, Sequence

from reconciler.app import boundfiles, planfile, preflight, session
from reconciler.app.execute import execute
from reconciler.app.ledgerrun import open_recorder, with_former_causes
from reconciler.app.lock import ApplyLock
from reconciler.app.outcome import OK, ExitCode, Outcome, Stop, refused
from reconciler.core.guards import DEFAULTS, Limits
from reconciler.core.plan import Plan
from reconciler.core.report import ApplyReport
from reconciler.core.wecomapi import WeComApi


class Output(Protocol):
    def show(self, plan: Plan) -> None: ...                      # the plan about to be applied
    def saying(self, text: str, result: bool = False) -> None: ...  # a line of what is going on (or its outcome)
    def warn(self, text: str) -> None: ...
    def can_ask(self) -> bool: ...                              # a terminal to ask on
    def confirmed(self) -> bool: ...                            # "yes" on a terminal (else it said why not)
    def report(self, report: ApplyReport) -> None: ...
    def unread(self, chat_ids: Sequence[str]) -> None: ...      # chats that could not be planned (an error)


@dataclass(frozen=True)
class Request:
    """What the user asked for, free of the command line."""

    paths: Sequence[str] | None = None
    plan_file: str | None = None
    targets: Sequence[str] = ()
    yes: bool = False
    limits: Limits = DEFAULTS  # the guards' lines (--max-removal-ratio, --max-addition-ratio, --max-additions)
    force: bool = False
    announce: bool = False
    template: Any = None  # a loaded announcement template, or None
    concurrency: int | None = None  # None: reads adapt, writes 8 at a time
    check_users: bool = False
    today: date | None = None
    ledger: str | None = None  # --ledger DIR
    source_ref: str | None = None  # the commit the ledger names (else the CI's)


# A refusal's reason when nothing was confirmed, and the line a run without a
# terminal says (it names the way out).
NOT_CONFIRMED = "not confirmed (no terminal and no --yes, or an answer other than 'yes')"
NO_TERMINAL = Outcome(ExitCode.ERROR, ("refusing to apply without confirmation: no terminal to ask on; "
                                       "pass --yes to apply non-interactively. Nothing was applied.",),
                      why=(NOT_CONFIRMED,))


def apply_paths(request: Request, out: Output, signals=None) -> Outcome:
    # Files first: invalid files exit 1 before a client (or a token) exists.
    # UserError (invalid files, an unknown --target) reaches the CLI's ending,
    # already said on stderr; the report then names the first error.
    desired = session.select(session.load_valid(request.paths, today=request.today).chats, request.targets)

    def body(client: WeComApi) -> Outcome:
        live: dict | None = {} if request.ledger else None

        def former(plan: Plan) -> Plan:  # a removal no entry explains names the entry that last brought them in
            plan, why_not = with_former_causes(plan, request.ledger, missing_ok=True)  # the first run makes it
            if why_not:
                out.warn(why_not)
            return plan

        plan = session.plan_for(desired, client, today=request.today, check_users=request.check_users,
                                live_out=live, amend=former if request.ledger else None)
        out.show(plan)
        if not plan.has_changes:  # the plan said "No changes."; unreadable chats still fail the run
            recorder = _recorder(plan, request, live)
            return _ledger_end(out, recorder, _finish(out, plan))
        refusal = _preflight(plan, client, request, out, saved=False) or _unconfirmed(request, out)
        if refusal:
            return refusal
        recorder = _recorder(plan, request, live)
        return _execute(plan, client, request, out, signals, recorder=recorder)

    return _locked(request, body)


def apply_saved(request: Request, out: Output, signals=None) -> Outcome:
    try:
        plan = planfile.read(request.plan_file)
    except planfile.PlanFileError as exc:
        return refused(str(exc))
    # Before anything else, and before any request (not even gettoken): a
    # plan made against the emulator or a staging corp is never applied here.
    mismatch = planfile.target_refusal(plan, request.plan_file, session.target_from_env())
    if mismatch:
        return refused(mismatch)
    if not plan.has_changes:
        # Chats the plan could not read are not "no changes": a pipeline that
        # plans and applies in two steps must not go green during an outage.
        out.saying("No changes.", result=True)
        return _finish(out, plan)
    bound = None
    if request.paths:  # bound to these files: loaded (and checked offline when it can be) before any request
        bound = _bind(plan, request)
    s = plan.summary
    out.saying(f"Applying saved plan {request.plan_file}: {s['create']} to create, {s['update']} to update.")

    def body(client: WeComApi) -> Outcome:
        refusal = _files_disagree(bound, client) if bound is not None and bound.needs else None
        refusal = refusal or _preflight(plan, client, request, out, saved=True)
        if refusal:
            return refusal
        recorder = _recorder(plan, request, None)
        return _execute(plan, client, request, out, signals, saved=True, recorder=recorder)

    return _locked(request, body)


def _bind(plan: Plan, request: Request):
    """The files a saved plan is applied to, checked now when the directory
    has no say in them; Stop with the refusal when they cannot be."""
    if plan.wanted is None:
        raise Stop(refused(boundfiles.unrecorded(request.plan_file)))
    loaded = session.load(request.paths, today=request.today)
    if loaded is None:
        raise Stop(refused("the chat files are not valid (the errors are above)", said=True))
    bound = boundfiles.Bound(plan, loaded.chats, request.today)
    refusal = not bound.needs and _files_disagree(bound)
    if refusal:
        raise Stop(refusal)
    return bound


def _files_disagree(bound, client: WeComApi | None = None) -> Outcome | None:
    refusal = boundfiles.refusal(bound, client)
    return refused(refusal) if refusal else None


def _unconfirmed(request: Request, out: Output) -> Outcome | None:
    if request.yes:
        return None
    if not out.can_ask():
        return NO_TERMINAL
    if not out.confirmed():
        return refused(NOT_CONFIRMED, said=True)  # the Output said it was cancelled
    return None


def _locked(request: Request, body: Callable[[WeComApi], Outcome]) -> Outcome:
    """body(client) under the apply lock of the target (corp and normalised
    API base), with a writing client closed afterwards; refuses while
    another apply holds the lock, or when the lock cannot be taken."""
    lock = ApplyLock(session.target_from_env())
    busy = lock.acquire()
    if busy:
        return refused(busy)
    try:
        with session.client(request.concurrency, read_only=False) as client:
            return body(client)
    finally:
        lock.release()


def _preflight(plan: Plan, client: WeComApi, request: Request, out: Output, *, saved: bool) -> Outcome | None:
    """The refusal of the checks made before the first write, or None (with
    the notes and warnings of a run that goes on said)."""
    refusals = preflight.preflight(plan, client, limits=request.limits, force=request.force, saved=saved)
    if refusals:
        return refused(*refusals)
    if request.force:
        for overridden in plan.unsafe(request.limits):
            out.warn(f"--force: the {overridden.guard} guard is overridden ({overridden.named})")
    for note in preflight.quota_notes(plan):
        out.saying(f"note: {note}")
    if request.announce or request.template is not None:
        for warning in preflight.announcement_warnings(plan):
            out.warn(warning)
    return None


def _recorder(plan: Plan, request: Request, live):
    """The ledger's Recorder (None without --ledger); Stop with the refusal
    when the ledger cannot be written: that stops the run before its first
    write."""
    if not request.ledger:
        return None
    recorder = open_recorder(request.ledger, plan, request.source_ref, live)
    if isinstance(recorder, str):
        raise Stop(refused(recorder))
    return recorder


def _ledger_end(out: Output, recorder, outcome: Outcome) -> Outcome:
    """Unchanged chats' `present` lines, then the ledger's outcome: a line
    that could not be written fails the run (the changes were made)."""
    if recorder is None:
        return outcome
    recorder.unchanged()
    if recorder.error:
        out.warn(f"{recorder.error}; the changes were made, but the ledger misses them from there on")
        return FAILED
    out.saying(f"ledger: {recorder.written} line(s) appended in {recorder.writer.directory}")
    return outcome


def _execute(plan: Plan, client: WeComApi, request: Request, out: Output, signals, saved: bool = False,
             recorder=None) -> Outcome:
    log = logging.getLogger(__name__)

    def done(o) -> None:
        if recorder is not None:
            recorder.done(o)  # before the log line: what was logged is on record
        log.info("%s: %s %s", o.chat_id, o.status, o.message)

    report = execute(plan, client, concurrency=request.concurrency,
                     announce=request.announce or request.template is not None,
                     announce_template=request.template, signals=signals, saved=saved, on_done=done)
    out.report(replace(report, unread=plan.errors))
    if report.announcements_failed:
        out.warn(f"{len(report.announcements_failed)} announcement(s) could not be sent; "
                 f"the membership changes themselves were applied")
    outcome = _ledger_end(out, recorder, _finish(out, plan, report.ok, reported=True))
    return FAILED if report.interrupted else outcome


# A run that failed after its report: everything is said (the report, the
# Output's lines), only the exit code is left.
FAILED = Outcome(ExitCode.ERROR, shown=True)


def _finish(out: Output, plan: Plan, ok: bool = True, reported: bool = False) -> Outcome:
    """The end of a run that got to its report: failed when anything failed
    or a chat could not be read."""
    if not reported:
        out.report(ApplyReport(unread=plan.errors))
    if plan.errors:
        out.unread([e.chat_id for e in plan.errors])
        return FAILED
    return OK if ok else FAILED
