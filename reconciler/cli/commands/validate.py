"""Check chat files offline. Exit 0 when valid, 1 with every error otherwise.

`--format json` prints the diagnostics as one JSON object on stdout and
`--format github` one workflow command per diagnostic (an annotation on the
line of a pull request's diff); the text format prints them on stderr."""

from __future__ import annotations

import json
import sys

from reconciler.app.outcome import OK, ExitCode, Outcome
from reconciler.cli import options


def add_arguments(p) -> None:
    options.paths(p)
    options.today(p)
    options.output_format(p, ("text", "json", "github"),
                          "text (diagnostics on stderr), json (one object on stdout) or github "
                          "(workflow commands on stdout: annotations on a pull request's lines)")


def run(args) -> Outcome:
    from reconciler import config
    from reconciler.app import session

    today = options.today_of(args)
    if args.format == "text":
        result = session.load(args.paths, today=today)
        if result is None:
            return Outcome(ExitCode.ERROR, said=True)  # the located errors are on stderr
        files, chats, groups = len(result.files), len(result.chats), len(result.groups)
        print(f"valid: {files} file{'s' if files != 1 else ''}, {chats} chat{'s' if chats != 1 else ''}, "
              f"{groups} group{'s' if groups != 1 else ''}")
        return OK
    from reconciler.config.diagnostics import github_line, to_data

    result = config.load(list(args.paths) if args.paths else None, today)
    found = sorted(result.warnings + result.errors)
    if args.format == "json":
        sys.stdout.write(json.dumps(to_data(found), indent=2, ensure_ascii=False) + "\n")
    else:
        for d in found:
            print(github_line(d))
    n = len(result.errors)
    print(f"valid: {len(result.files)} file(s), {len(result.chats)} chat(s)" if result.ok
          else f"{n} error{'s' if n != 1 else ''}", file=sys.stderr)
    return Outcome(ExitCode.OK if result.ok else ExitCode.ERROR, shown=True)
