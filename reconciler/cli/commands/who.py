"""The chats USER_ID is in according to the files (and through which
group); with --live also according to WeCom, marking where they disagree."""

from __future__ import annotations

import sys

from reconciler.app.outcome import ExitCode, Outcome
from reconciler.cli import options


def add_arguments(p) -> None:
    p.add_argument("user_id", metavar="USER_ID")
    options.paths(p)
    p.add_argument("--live", action="store_true",
                   help="also read the chats from WeCom, and the directory for dept:/tag: entries")
    options.output_format(p, ("text", "json"))
    options.concurrency(p)
    options.today(p)


def run(args) -> Outcome:
    from reconciler import render
    from reconciler.app import session, whoanswer
    from reconciler.core.userchats import UNREADABLE

    today = options.today_of(args)
    loaded = session.load_valid(args.paths, today=today)
    answer = whoanswer.who(args.user_id, loaded, today, args.live, args.concurrency)
    rows = answer.rows
    sys.stdout.write(render.WHO[args.format](answer))
    # A chat that could not be read is marked in the answer, which fails the run.
    return Outcome(ExitCode.ERROR if any(r.live == UNREADABLE for r in rows) else ExitCode.OK, shown=True)
