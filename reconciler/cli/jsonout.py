"""--format json promises one JSON object on stdout whatever ends the run.
A command's own output is that object when it gets that far; otherwise
(invalid files, missing credentials, WeCom unreachable, a usage error) it
is render.fatal's {"format_version", "error", "diagnostics"}, printed from
here. apply prints its report instead (cli.console), refusals and all.

    return guarded(lambda: _run(args), ended=jsonout.ended(args))
    jsonout.fatal("why", diagnostics)   # e.g. validate, when it says why itself
"""

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


def ended(args: argparse.Namespace):
    """guarded's `ended` for this run: `fatal` with --format json, else None."""
    return fatal if wants_json(args) else None

