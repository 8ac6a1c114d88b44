"""`appchat plan`: load the files, read the live chats (gettoken and
appchat/get only), print the changes, optionally save them for `apply --plan`.

Read-only by construction: the client is built with read_only=True, so any
POST would raise before reaching the network."""

from __future__ import annotations

import os
import sys
from functools import partial

from reconciler import planfile, reads

EXIT_OK, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2


def render(plan, fmt: str, stream=None) -> str:
    from reconciler.render import render_json, render_markdown, render_text
    from reconciler.term import use_colour

    if fmt == "json":
        return render_json(plan)
    if fmt == "markdown":
        return render_markdown(plan)
    return render_text(plan, colour=use_colour(stream or sys.stdout))


def save(plan, path: str) -> None:
    """The saved plan, with the digest `apply --plan` checks."""
    planfile.write(plan, path)


def _some(ids, limit: int = 10) -> str:
    ids = list(ids)
    more = f" and {len(ids) - limit} more" if len(ids) > limit else ""
    return ", ".join(ids[:limit]) + more


def exit_code(plan, detailed: bool) -> int:
    if plan.errors:
        return EXIT_ERROR
    if detailed and plan.has_changes:
        return EXIT_CHANGES
    return EXIT_OK


def _run(args) -> int:
    if args.out:
        # Found out now, not after reading 10,000 chats.
        directory = os.path.dirname(os.path.abspath(args.out))
        if not os.path.isdir(directory):
            print(f"error: cannot write {args.out}: no directory {directory}", file=sys.stderr)
            return EXIT_ERROR
    client = partial(reads.open_client, concurrency=args.concurrency, read_only=True)
    plan = reads.build_plan(args.paths, args.target, client)
    if plan is None:
        return EXIT_ERROR
    text = render(plan, args.format)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    sys.stdout.flush()
    if args.out:
        try:
            save(plan, args.out)
        except OSError as exc:
            print(f"error: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_ERROR
    if plan.errors:
        # The rest of the plan is printed above; the run still fails.
        print(f"error: {len(plan.errors)} chat(s) could not be read: {_some(e.chat_id for e in plan.errors)}",
              file=sys.stderr)
    return exit_code(plan, args.detailed_exitcode)


def run(args) -> int:
    return reads.guard(lambda: _run(args))
