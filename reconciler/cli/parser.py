"""The command line: one subparser per command, each filled by its module's
add_arguments(p), and options allowed anywhere: `appchat -v plan chats/`,
`appchat plan -v chats/` and `appchat plan chats/ -v` are the same run."""

from __future__ import annotations

import argparse
import difflib
import importlib
import sys

from reconciler import __version__
from reconciler.cli import ending, jsonout, options

# command name -> (module under reconciler.cli.commands, one line of help)
COMMANDS = {
    "validate": ("validate", "check chat files offline"),
    "plan": ("plan", "show the API calls that would make WeCom match the files"),
    "apply": ("apply", "make the changes"),
    "show": ("show", "render a saved plan as `plan` did, offline"),
    "import": ("imports", "write live chats as a chat file"),
    "send": ("send", "send one message to a chat"),
    "who": ("who", "the chats a person is in"),
    "expiring": ("expiring", "memberships that end soon, and those that ended"),
    "history": ("history", "who joined and left a chat, when and why (from the ledger)"),
    "schema": ("schema", "print the chat-file JSON Schema"),
    "emulator": ("emulator", "run a local WeCom API server"),
}


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on a usage error, but 2 means "changes present" to a
    pipeline running `plan --detailed-exitcode` (the contract keeps 2 for that
    alone): a mistyped flag must fail the job as an error (1), not as drift.

    Options are never abbreviated: were `--detailed-exitcod` accepted, a new
    option sharing its prefix would change what an old script means."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs["allow_abbrev"] = False
        super().__init__(*args, **kwargs)

    # --format json promises one JSON object whatever ends the run, a usage
    # error included: a parser whose --format offers json prints
    # cli.jsonout's fatal object, unless its command module has its own
    # json_ending (apply: a report of a run that applied nothing), set here.
    json_ending = None
    _words: list[str] = []
    _intermixed = False

    def parse_known_args(self, args=None, namespace=None):
        if not self._intermixed:  # its second pass sees the positionals alone
            self._words = list(sys.argv[1:] if args is None else args)
        return super().parse_known_args(args, namespace)

    def parse_known_intermixed_args(self, args=None, namespace=None):
        self._words = list(sys.argv[1:] if args is None else args)
        self._intermixed = True
        try:
            return super().parse_known_intermixed_args(args, namespace)
        finally:
            self._intermixed = False

    def error(self, message: str):
        self.print_usage(sys.stderr)
        report = self._json_report() if _asks_for_json(self._words) else None
        ending.usage_error(self.prog, f"{message}{self._suggestion(message)}", report)

    def _json_report(self):
        if self.json_ending is not None:
            return self.json_ending
        action = self._option_string_actions.get("--format")
        if action is not None and "json" in (action.choices or ()):
            return jsonout.fatal_of
        return None

    def _suggestion(self, message: str) -> str:
        """`; did you mean --out?` for the first unrecognized option close to
        one of this parser's (`-out`, `--detailed-exitcod`)."""
        prefix = "unrecognized arguments: "
        if not message.startswith(prefix):
            return ""
        known = [o for o in self._option_string_actions if o.startswith("--")]
        for word in message[len(prefix):].split():
            name = word.split("=", 1)[0]
            if not name.startswith("-") or name in known:
                continue
            if not name.startswith("--") and "-" + name in known:
                return f"; did you mean -{name}?"
            close = difflib.get_close_matches("--" + name.lstrip("-"), known, n=1, cutoff=0.8)
            if close:
                return f"; did you mean {close[0]}?"
        return ""


def _asks_for_json(words: list[str]) -> bool:
    pairs = zip(words, words[1:] + [""])
    return "--format=json" in words or any(a == "--format" and b == "json" for a, b in pairs)


def command_module(name: str):
    return importlib.import_module(f"reconciler.cli.commands.{COMMANDS[name][0]}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="appchat", description="WeCom app-chat membership as code.")
    parser.add_argument("--version", action="version", version=f"appchat {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True, parser_class=_Parser)
    for name, (_, summary) in COMMANDS.items():
        module = command_module(name)
        p = sub.add_parser(name, help=summary, description=(module.__doc__ or summary).strip().split("\n\n")[0])
        module.add_arguments(p)
        p.json_ending = getattr(module, "json_ending", None)
        options.verbose(p)
    return parser


def subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def _takes_value(option: str, parsers) -> bool:
    """Whether `option` (as written, without =VALUE) consumes the next word
    in any command, so a command's name after it is its value, not the
    command."""
    for p in parsers:
        action = p._option_string_actions.get(option)
        if action is not None and action.nargs != 0:
            return True
    return False


def split_command(argv: list[str], parser: argparse.ArgumentParser) -> tuple[str | None, list[str]]:
    """The command's name and every other word, in order: options written
    before the command move behind it. (None, argv) when there is no command
    (`appchat --version`, `appchat -h`, a typo)."""
    parsers = list(subparsers(parser).values())
    i = 0
    while i < len(argv):
        word = argv[i]
        if word == "--":
            break
        if word in COMMANDS:
            return word, argv[:i] + argv[i + 1:]
        if word.startswith("-") and "=" not in word and _takes_value(word, parsers):
            i += 1
        i += 1
    return None, argv


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line as a Namespace, positionals and options in any order
    (argparse alone stops filling a positional list at the first option)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    command, rest = split_command(argv, parser)
    if command is None or any(w in ("-h", "--help", "--version") for w in argv[:argv.index(command)]):
        return parser.parse_args(argv)  # help, version, or argparse's own usage error
    return subparsers(parser)[command].parse_intermixed_args(rest, argparse.Namespace(command=command))
