"""Read the live chats named in the files (gettoken and appchat/get, plus
the directory when a chat uses dept:/tag: or --check-users is given) and
print the changes that would make them match.

Read-only by construction: the client is opened with read_only=True, so any
POST would raise before reaching the network."""

from __future__ import annotations

import os
import sys
from functools import partial

from reconciler.app.outcome import ExitCode, Outcome, UserError, failed
from reconciler.cli import options


def add_arguments(p) -> None:
    options.paths(p)
    options.output_format(p, ("text", "json", "markdown"))
    p.add_argument("--out", metavar="FILE", help="also write the plan as JSON, for `apply --plan`")
    p.add_argument("--detailed-exitcode", action="store_true",
                   help="exit 0 no changes, 2 changes present, 1 error")
    options.target(p)
    options.concurrency(p)
    options.check_users(p)
    options.today(p)
    p.add_argument("--ledger", metavar="DIR", default=None,
                   help="read the membership ledger in DIR to say which entry last brought in each person a "
                        "removal no entry explains (`no longer in dept:3`); never read unless given")


def exit_code(plan, detailed: bool) -> ExitCode:
    if plan.errors:
        return ExitCode.ERROR
    if detailed and plan.has_changes:
        return ExitCode.CHANGES
    return ExitCode.OK


def _some(ids, limit: int = 10) -> str:
    ids = list(ids)
    more = f" and {len(ids) - limit} more" if len(ids) > limit else ""
    return ", ".join(ids[:limit]) + more


def _former(ledger: str, plan):
    """`--ledger DIR`: each removal no entry explains names the join the
    ledger last recorded for it (before the departments are named)."""
    from reconciler.app.ledgerrun import with_former_causes

    plan, why_not = with_former_causes(plan, ledger)
    if why_not:
        print(f"warning: {why_not}", file=sys.stderr)
    return plan


def run(args) -> Outcome:
    from reconciler import render
    from reconciler.app import planfile, session
    from reconciler.cli.term import use_colour
    from reconciler.render.planwords import UNPLANNED

    if args.out:
        # Found out now, not after reading 10,000 chats.
        directory = os.path.dirname(os.path.abspath(args.out))
        if not os.path.isdir(directory):
            raise UserError(f"cannot write {args.out}: no directory {directory}")
    plan = session.build_plan(args.paths, args.target,
                              partial(session.open_client, concurrency=args.concurrency, read_only=True),
                              today=options.today_of(args), check_users=args.check_users,
                              amend=partial(_former, args.ledger) if args.ledger else None)
    text = render.PLAN[args.format](plan, colour=use_colour(sys.stdout))
    sys.stdout.write(text)
    sys.stdout.flush()
    if args.out:
        try:
            planfile.write(plan, args.out)
        except OSError as exc:
            return failed(f"cannot write {args.out}: {exc.strerror or exc}", shown=True)
    if plan.errors:
        # The rest of the plan is printed above; the run still fails.
        return failed(f"{len(plan.errors)} chat(s) {UNPLANNED}: {_some(e.chat_id for e in plan.errors)}",
                      shown=True)
    return Outcome(exit_code(plan, args.detailed_exitcode))
