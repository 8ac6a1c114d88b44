"""Memberships that end within DAYS days (default 14), and those already
ended, sorted by date: offline, for a weekly reminder."""

from __future__ import annotations

import sys

from reconciler.app.outcome import OK, Outcome
from reconciler.cli import options


def add_arguments(p) -> None:
    options.paths(p)
    p.add_argument("--within", type=options.days, default=14, metavar="DAYS",
                   help="how many days ahead to look, at most 3650 (default 14)")
    options.output_format(p, ("text", "json"))
    options.today(p)


def run(args) -> Outcome:
    from reconciler.app import session
    from reconciler.core.expiry import expiring
    from reconciler.render.expiring import render_expiring_json, render_expiring_text

    today = options.today_of(args)
    # Loaded as if nothing had ended: a chat an ended membership makes invalid
    # for a plan (its owner's ended, too few left) is what this list is for.
    loaded = session.load_valid(args.paths, today=None)
    found = expiring(loaded.chats, today, args.within)
    render = render_expiring_json if args.format == "json" else render_expiring_text
    sys.stdout.write(render(found, today, args.within))
    return OK
