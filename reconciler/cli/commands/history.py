"""The ledger's lines for a user and/or a chat, oldest first, with their
causes; with --at DATE, who was in a chat (or in which chats a user was) at
the end of that day, as far as the ledger knows. Offline."""

from __future__ import annotations

import sys

from reconciler.app.outcome import OK, Outcome, failed
from reconciler.cli import options


def add_arguments(p) -> None:
    p.add_argument("user", metavar="USER", nargs="?", default=None, help="a user id (letter case ignored)")
    p.add_argument("--chat", metavar="CHAT_ID", default=None, help="only this chat")
    p.add_argument("--since", type=options.iso_date, metavar="YYYY-MM-DD", help="lines from this day on")
    p.add_argument("--until", type=options.iso_date, metavar="YYYY-MM-DD", help="lines up to this day")
    p.add_argument("--at", type=options.iso_date, metavar="YYYY-MM-DD",
                   help="who was in --chat (or in which chats USER was) at the end of this day")
    p.add_argument("--ledger", metavar="DIR", default="ledger/", help="the ledger directory (default ledger/)")
    options.output_format(p, ("text", "json"))


def run(args) -> Outcome:
    from reconciler.app.ledger import LedgerError, answer
    from reconciler.core.history import Query
    from reconciler.render.history import render_history_json, render_history_text

    try:
        query = Query(args.user, args.chat, args.since, args.until, args.at)
        lines, members, ignored = answer(args.ledger, query)
    except (ValueError, LedgerError) as exc:
        return failed(str(exc))
    for skipped in ignored:
        print(f"warning: {skipped.file}:{skipped.line}: {skipped.why}", file=sys.stderr)
    if args.format == "json":
        sys.stdout.write(render_history_json(query, lines or (), members, ignored))
    else:
        sys.stdout.write(render_history_text(query, lines or (), members))
    return OK
