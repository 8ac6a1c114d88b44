"""The command line: argument parsing and exit codes only. Each command is
reconciler.cli.commands.<name>: add_arguments(p) and run(args) -> Outcome,
which cli.ending, the one way a run stops, says and turns into the exit code."""

from __future__ import annotations

import logging
import sys

from reconciler.cli import ending
from reconciler.cli.parser import build_parser, command_module, parse

__all__ = ["main", "build_parser", "parse"]


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    return ending.run(command_module(args.command), args)
