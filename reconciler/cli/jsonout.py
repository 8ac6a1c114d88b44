"""--format json promises one JSON object on stdout whatever ends the run.
A command's own output is that object when it gets that far; otherwise
(invalid files, missing credentials, WeCom unreachable, a usage error) it
is render.fatal's {"format_version", "error", "diagnostics"}, printed from
here, by cli.ending. apply prints its report instead (its json_ending),
refusals and all."""

from __future__ import annotations

import argparse
import sys
from typing import Any, Mapping, Sequence


def wants_json(args: argparse.Namespace) -> bool:
    return getattr(args, "format", None) == "json"


def fatal(message: str, diagnostics: Sequence[Mapping[str, Any]] = ()) -> None:
    """Print the fatal-error object on stdout."""
    from reconciler.render.fatal import render_fatal

    sys.stdout.write(render_fatal(message, diagnostics))
    sys.stdout.flush()


def fatal_of(outcome) -> None:
    """`fatal` for a failed run's app.outcome.Outcome."""
    fatal(outcome.message, outcome.diagnostics)

