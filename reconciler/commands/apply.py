"""`appchat apply`: from chat files (plan afresh, show, confirm) or from a
saved plan (exactly its calls, no question). Every refusal happens before
the first write; see reconciler.executor for what runs after that.

The only command besides `send` that opens the client with read_only=False.
"""

from __future__ import annotations

import json
import logging
import sys
from typing import Any, TextIO

from reconciler import executor, planfile, reads

EXIT_OK, EXIT_ERROR = 0, 1
PROMPT = "Apply these changes? Only 'yes' is accepted: "

log = logging.getLogger(__name__)


def run(args) -> int:
    return reads.guard(lambda: _run(args))


def _run(args) -> int:
    if args.plan_file and args.paths:
        print("error: give either chat file PATHs or --plan FILE, not both", file=sys.stderr)
        return EXIT_ERROR
    if args.plan_file and args.target:
        print("error: --target selects chats from chat files; a saved plan is applied whole", file=sys.stderr)
        return EXIT_ERROR
    if args.plan_file:
        return _apply_saved(args)
    return _apply_paths(args)


def _client(args):
    return reads.open_client(concurrency=args.concurrency, read_only=False)


def _apply_paths(args) -> int:
    # Files first: invalid files exit 1 before a client (or a token) exists.
    loaded = reads.load_or_report(args.paths)
    if loaded is None:
        return EXIT_ERROR
    desired = reads.select_targets(loaded.chats, args.target)
    if desired is None:
        return EXIT_ERROR
    client = _client(args)
    try:
        plan = reads.plan_for(desired, client)
        _show(plan, args)
        if not plan.has_changes:
            # render_text already said "No changes."; unreadable chats still fail the run.
            return _read_errors(plan)
        if not _preflight_ok(plan, client, args, saved=False):
            return EXIT_ERROR
        if not args.yes and not _confirmed():
            return EXIT_ERROR
        return _execute(plan, client, args)
    finally:
        client.close()


def _apply_saved(args) -> int:
    try:
        plan = planfile.read(args.plan_file)
    except planfile.PlanFileError as exc:
        print(f"error: refusing to apply: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if not plan.has_changes:
        print("No changes.")
        return EXIT_OK
    s = plan.summary
    print(f"Applying saved plan {args.plan_file}: {s['create']} to create, {s['update']} to update.",
          file=sys.stderr)
    client = _client(args)
    try:
        if not _preflight_ok(plan, client, args, saved=True):
            return EXIT_ERROR
        return _execute(plan, client, args)
    finally:
        client.close()


def _show(plan, args) -> None:
    """The plan in text; on stderr when stdout carries the JSON report."""
    from reconciler.render import render_text
    from reconciler.term import use_colour

    stream = sys.stderr if args.format == "json" else sys.stdout
    stream.write(render_text(plan, colour=use_colour(stream)))
    stream.flush()


def _read_errors(plan) -> int:
    if not plan.errors:
        return EXIT_OK
    print(f"error: {len(plan.errors)} chat(s) could not be read and were not applied: "
          + ", ".join(e.chat_id for e in plan.errors), file=sys.stderr)
    return EXIT_ERROR


def _preflight_ok(plan, client, args, *, saved: bool) -> bool:
    refusals = executor.preflight(plan, client, ratio=args.max_removal_ratio, force=args.force, saved=saved)
    if refusals:
        for refusal in refusals:
            print(f"error: refusing to apply: {refusal}", file=sys.stderr)
        print("Nothing was applied.", file=sys.stderr)
        if args.format == "json":
            _print_json({"applied": False, "refusals": refusals, "outcomes": [], "notes": [], "stopped": None,
                         "summary": {"applied": 0, "failed": 0, "skipped": 0, "calls": 0,
                                     "announcements_failed": 0}})
        return False
    if args.force and executor.guard_refusals(plan, ratio=args.max_removal_ratio, force=False):
        print("warning: --force: the mass-removal guard is overridden", file=sys.stderr)
    for note in executor.quota_notes(plan):
        print(f"note: {note}", file=sys.stderr)
    return True


def _confirmed(stdin: TextIO | None = None, stdout: TextIO | None = None) -> bool:
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    if not (_isatty(stdin) and _isatty(stdout)):
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


def _isatty(stream: Any) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _execute(plan, client, args) -> int:
    def done(outcome) -> None:
        log.info("%s: %s %s", outcome.chat_id, outcome.status, outcome.message)

    report = executor.execute(plan, client, concurrency=args.concurrency, announce=args.announce,
                              on_done=done)
    if args.format == "json":
        _print_json({"applied": True, "refusals": [], **report.data})
    else:
        sys.stdout.write(executor.render_report_text(report))
        sys.stdout.flush()
    if report.announcements_failed:
        print(f"warning: {len(report.announcements_failed)} announcement(s) could not be sent; "
              f"the membership changes themselves were applied", file=sys.stderr)
    code = EXIT_OK if report.ok else EXIT_ERROR
    if _read_errors(plan) != EXIT_OK:
        code = EXIT_ERROR
    return code


def _print_json(data: dict) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()
