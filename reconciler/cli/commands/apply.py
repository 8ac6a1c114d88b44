"""Plan afresh from PATHs (or take a saved plan with --plan) and make the
changes. Every refusal happens before the first write; with --format json,
stdout is one report whatever ends the run."""

from __future__ import annotations

import logging
import sys
from typing import Any, Callable, TextIO

from reconciler.app.outcome import ExitCode
from reconciler.cli import options

PROMPT = "Apply these changes? Only 'yes' is accepted: "

log = logging.getLogger(__name__)


def add_arguments(p) -> None:
    options.paths(p)
    p.add_argument("--plan", dest="plan_file", metavar="FILE", help="apply exactly this saved plan")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.add_argument("--max-removal-ratio", type=options.ratio, default=None, metavar="R",
                   help="mass-removal guard ratio (default 0.3)")
    p.add_argument("--force", action="store_true", help="override the mass-removal guard")
    p.add_argument("--announce", action="store_true",
                   help="after a chat is updated, send it a markdown message naming who joined and left")
    options.target(p, "; with PATHs")
    options.concurrency(p, "parallel API calls, reads and writes",
                        "reads adaptive from 8, writes 8 chats at a time")
    options.output_format(p, ("text", "json"), "format of the final report")


def run(args) -> int:
    from reconciler.cli.guard import guarded

    if args.plan_file and args.paths:
        print("error: give either chat file PATHs or --plan FILE, not both", file=sys.stderr)
        return ExitCode.ERROR
    if args.plan_file and args.target:
        print("error: --target selects chats from chat files; a saved plan is applied whole", file=sys.stderr)
        return ExitCode.ERROR
    return guarded(lambda: _apply_saved(args) if args.plan_file else _apply_paths(args))


def _apply_paths(args) -> int:
    from reconciler.app import session

    # Files first: invalid files exit 1 before a client (or a token) exists.
    loaded = session.load(args.paths)
    desired = session.select(loaded.chats, args.target) if loaded else None
    if desired is None:
        return ExitCode.ERROR

    def body(client) -> int:
        plan = session.plan_for(desired, client)
        _show(plan, args)
        if not plan.has_changes:  # the text plan said "No changes."; unreadable chats still fail the run
            return _finish(args, plan)
        if not _preflight_ok(plan, client, args, saved=False):
            return ExitCode.ERROR
        if not args.yes and not _confirmed():
            return _refuse(args, "not confirmed (no terminal and no --yes, or an answer other than 'yes')",
                           printed=True)
        return _execute(plan, client, args)

    return _locked(args, body)


def _apply_saved(args) -> int:
    from reconciler.app import planfile

    try:
        plan = planfile.read(args.plan_file)
    except planfile.PlanFileError as exc:
        return _refuse(args, str(exc))
    if not plan.has_changes:
        # Chats the plan could not read are not "no changes": a pipeline that
        # plans and applies in two steps must not go green during an outage.
        print("No changes.", file=sys.stderr if args.format == "json" else sys.stdout)
        return _finish(args, plan)
    s = plan.summary
    print(f"Applying saved plan {args.plan_file}: {s['create']} to create, {s['update']} to update.",
          file=sys.stderr)

    def body(client) -> int:
        if not _preflight_ok(plan, client, args, saved=True):
            return ExitCode.ERROR
        return _execute(plan, client, args)

    return _locked(args, body)


def _locked(args, body: Callable[[Any], int]) -> int:
    """body(client) under the apply lock, with a writing client closed
    afterwards; refuses (exit 1) while another apply holds the lock."""
    from reconciler.app import session
    from reconciler.app.lock import ApplyLock

    lock = ApplyLock()
    busy = lock.acquire()
    if busy:
        return _refuse(args, busy)
    try:
        with session.client(args.concurrency, read_only=False) as client:
            return body(client)
    finally:
        lock.release()


def _show(plan, args) -> None:
    """The plan in text; on stderr when stdout carries the JSON report."""
    from reconciler import render
    from reconciler.cli.term import use_colour

    stream = sys.stderr if args.format == "json" else sys.stdout
    stream.write(render.PLAN["text"](plan, colour=use_colour(stream)))
    stream.flush()


def _preflight_ok(plan, client, args, *, saved: bool) -> bool:
    from reconciler.app import preflight

    refusals = preflight.preflight(plan, client, ratio=args.max_removal_ratio, force=args.force, saved=saved)
    if refusals:
        _refuse(args, *refusals)
        return False
    if args.force and preflight.guard_refusals(plan, ratio=args.max_removal_ratio, force=False):
        print("warning: --force: the mass-removal guard is overridden", file=sys.stderr)
    for note in preflight.quota_notes(plan):
        print(f"note: {note}", file=sys.stderr)
    return True


def _refuse(args, *refusals: str, printed: bool = False) -> int:
    """Nothing was applied: say why (unless already said) and, with --format
    json, print the report of a run that applied nothing."""
    from reconciler.core.report import ApplyReport

    if not printed:
        for refusal in refusals:
            print(f"error: refusing to apply: {refusal}", file=sys.stderr)
        print("Nothing was applied.", file=sys.stderr)
    _report(args, ApplyReport(refusals=refusals))
    return ExitCode.ERROR


def _confirmed(stdin: TextIO | None = None, stdout: TextIO | None = None) -> bool:
    from reconciler.cli.term import is_terminal

    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    if not (is_terminal(stdin) and is_terminal(stdout)):
        print("error: refusing to apply without confirmation: no terminal to ask on; "
              "pass --yes to apply non-interactively. Nothing was applied.", file=sys.stderr)
        return False
    stdout.write(PROMPT)
    stdout.flush()
    try:
        answer = stdin.readline()
    except (EOFError, KeyboardInterrupt):
        answer = ""
    if answer.strip() != "yes":
        print("Apply cancelled. Nothing was applied.", file=sys.stderr)
        return False
    return True


def _execute(plan, client, args) -> int:
    from reconciler.app.execute import execute

    report = execute(plan, client, concurrency=args.concurrency, announce=args.announce,
                     on_done=lambda o: log.info("%s: %s %s", o.chat_id, o.status, o.message))
    _report(args, report)
    if report.announcements_failed:
        print(f"warning: {len(report.announcements_failed)} announcement(s) could not be sent; "
              f"the membership changes themselves were applied", file=sys.stderr)
    return _finish(args, plan, report.ok, printed=True)


def _finish(args, plan, ok: bool = True, printed: bool = False) -> int:
    """The exit code: 1 when anything failed or a chat could not be read."""
    if not printed:
        from reconciler.core.report import ApplyReport

        _report(args, ApplyReport())
    if plan.errors:
        print(f"error: {len(plan.errors)} chat(s) could not be read and were not applied: "
              + ", ".join(e.chat_id for e in plan.errors), file=sys.stderr)
        return ExitCode.ERROR
    return ExitCode.OK if ok else ExitCode.ERROR


def _report(args, report) -> None:
    """The report on stdout: JSON always (one object per run); text only
    once something was attempted."""
    from reconciler import render

    if args.format == "json":
        sys.stdout.write(render.REPORT["json"](report))
    elif report.outcomes or report.notes or report.stopped:
        sys.stdout.write(render.REPORT["text"](report))
    sys.stdout.flush()
