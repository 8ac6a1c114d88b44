"""Argument parsing and exit codes. Nothing else: every command's work is in
reconciler.commands.<name>.run(args) -> exit code."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from reconciler import __version__

EXIT_OK, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on a usage error, but 2 means "changes present" to a
    pipeline running `plan --detailed-exitcode` (the contract keeps 2 for that
    alone): a mistyped flag must fail the job as an error (1), not as drift."""

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\n")


def _ratio(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a decimal fraction: {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1: {text!r}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging on stderr")


def _paths(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", metavar="PATH", default=None,
                   help="chat files or directories (default: chats/)")


def _add_validate(sub) -> None:
    p = sub.add_parser("validate", help="check chat files offline",
                       description="Check chat files offline. Exit 0 when valid, 1 with every error otherwise.")
    _paths(p)
    _common(p)


def _add_plan(sub) -> None:
    p = sub.add_parser("plan", help="show the API calls that would make WeCom match the files",
                       description="Read the live chats named in the files (gettoken and appchat/get only) "
                                   "and print the changes that would make them match.")
    _paths(p)
    p.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    p.add_argument("--out", metavar="FILE", help="also write the plan as JSON, for `apply --plan`")
    p.add_argument("--detailed-exitcode", action="store_true",
                   help="exit 0 no changes, 2 changes present, 1 error")
    p.add_argument("--target", action="append", metavar="CHAT_ID", default=[],
                   help="only this chat (repeatable)")
    p.add_argument("--concurrency", type=_positive_int, default=8, metavar="N",
                   help="parallel API reads (default 8)")
    _common(p)


def _add_apply(sub) -> None:
    p = sub.add_parser("apply", help="make the changes",
                       description="Plan afresh from PATHs (or take a saved plan with --plan) and make the changes.")
    _paths(p)
    p.add_argument("--plan", dest="plan_file", metavar="FILE", help="apply exactly this saved plan")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.add_argument("--max-removal-ratio", type=_ratio, default=None, metavar="R",
                   help="mass-removal guard ratio (default 0.3)")
    p.add_argument("--force", action="store_true", help="override the mass-removal guard")
    p.add_argument("--announce", action="store_true",
                   help="after a chat is updated, send it a markdown message naming who joined and left")
    p.add_argument("--target", action="append", metavar="CHAT_ID", default=[],
                   help="only this chat (repeatable; with PATHs)")
    p.add_argument("--concurrency", type=_positive_int, default=8, metavar="N",
                   help="parallel API calls (default 8)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="format of the final report")
    _common(p)


def _add_import(sub) -> None:
    p = sub.add_parser("import", help="write live chats as a chat file",
                       description="Read live chats and write them as a chat file that plans with no changes.")
    p.add_argument("chat_ids", nargs="*", metavar="CHAT_ID")
    p.add_argument("--ids-from", metavar="FILE", help="read chat ids from FILE, one per line")
    p.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    p.add_argument("--concurrency", type=_positive_int, default=8, metavar="N")
    _common(p)


def _add_send(sub) -> None:
    p = sub.add_parser("send", help="send one message to a chat")
    p.add_argument("chat_id", metavar="CHAT_ID")
    body = p.add_mutually_exclusive_group(required=True)
    body.add_argument("--text", metavar="TEXT")
    body.add_argument("--markdown", metavar="TEXT")
    _common(p)


def _add_who(sub) -> None:
    p = sub.add_parser("who", help="the chats a person is in",
                       description="The chats USER_ID is in according to the files (and through which "
                                   "group); with --live also according to WeCom.")
    p.add_argument("user_id", metavar="USER_ID")
    _paths(p)
    p.add_argument("--live", action="store_true", help="also read the chats from WeCom")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--concurrency", type=_positive_int, default=8, metavar="N")
    _common(p)


def _add_schema(sub) -> None:
    p = sub.add_parser("schema", help="print the chat-file JSON Schema")
    _common(p)


def _add_emulator(sub) -> None:
    from reconciler.emulator.cli import add_arguments

    p = sub.add_parser("emulator", help="run a local WeCom API server",
                       description="A local WeCom server for demos, tests and pipeline dry runs.")
    add_arguments(p)
    _common(p)


COMMANDS = {
    "validate": _add_validate,
    "plan": _add_plan,
    "apply": _add_apply,
    "import": _add_import,
    "send": _add_send,
    "who": _add_who,
    "schema": _add_schema,
    "emulator": _add_emulator,
}


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="appchat", description="WeCom app-chat membership as code.")
    parser.add_argument("--version", action="version", version=f"appchat {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add in COMMANDS.values():
        add(sub)
    return parser


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line as a Namespace. argparse stops filling a positional
    list at the first option, so `who bob --live chats/` or `validate a -v b`
    would leave a PATH "unrecognized"; the command's own arguments are then
    parsed again intermixed (positionals wherever they stand)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        # Only -h and --version come before the command, and both exit: argv[0] is the command.
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        args = sub.choices[args.command].parse_intermixed_args(argv[1:],
                                                               argparse.Namespace(command=args.command))
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    module = "imports" if args.command == "import" else args.command
    run = importlib.import_module(f"reconciler.commands.{module}").run
    try:
        return run(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_ERROR
