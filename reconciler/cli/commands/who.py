"""The chats USER_ID is in according to the files (and through which
group); with --live also according to WeCom, marking where they disagree."""

from __future__ import annotations

import sys

from reconciler.app.outcome import ExitCode
from reconciler.cli import options


def add_arguments(p) -> None:
    p.add_argument("user_id", metavar="USER_ID")
    options.paths(p)
    p.add_argument("--live", action="store_true", help="also read the chats from WeCom")
    options.output_format(p, ("text", "json"))
    options.concurrency(p)


def run(args) -> int:
    from reconciler.cli.guard import guarded

    return guarded(lambda: _run(args))


def _run(args) -> int:
    from reconciler import render
    from reconciler.app import session
    from reconciler.core.people import UNREADABLE, WhoAnswer, groups_of, membership

    loaded = session.load(args.paths)
    if loaded is None:
        return ExitCode.ERROR
    live = None
    if args.live:
        with session.client(args.concurrency) as client:
            live = session.read_live(client, [c.chat_id for c in loaded.chats])
    rows = membership(args.user_id, loaded.chats, live)
    answer = WhoAnswer(args.user_id, tuple(rows), tuple(groups_of(args.user_id, loaded.groups)), live is not None)
    sys.stdout.write(render.WHO[args.format](answer))
    return ExitCode.ERROR if any(r.live == UNREADABLE for r in rows) else ExitCode.OK
