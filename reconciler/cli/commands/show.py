"""Render a saved plan (`plan --out FILE`) exactly as `plan` rendered it
when it was made, like `terraform show PLANFILE`. Offline: no credentials,
no API call.

The file is read as `apply --plan` reads it (format version, digest,
consistency of every change), so what `show` shows is what `apply --plan`
would run; a file that fails is exit 1 with one line."""

from __future__ import annotations

import sys

from reconciler.app.outcome import OK, Outcome, failed
from reconciler.cli import options


def add_arguments(p) -> None:
    p.add_argument("plan_file", metavar="PLANFILE", help="a plan saved with `appchat plan --out FILE`")
    options.output_format(p, ("text", "markdown", "json"))


def run(args) -> Outcome:
    from reconciler import render
    from reconciler.app import planfile
    from reconciler.cli.term import use_colour

    try:
        plan = planfile.read(args.plan_file, views=True)
    except planfile.PlanFileError as exc:
        return failed(str(exc))  # with --format json, a script reading stdout still gets one JSON object
    sys.stdout.write(render.PLAN[args.format](plan, colour=use_colour(sys.stdout)))
    return OK
