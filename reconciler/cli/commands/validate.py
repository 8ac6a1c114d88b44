"""Check chat files offline. Exit 0 when valid, 1 with every error otherwise."""

from __future__ import annotations


from reconciler.app.outcome import ExitCode
from reconciler.cli import options


def add_arguments(p) -> None:
    options.paths(p)
    options.today(p)


def run(args) -> int:
    from reconciler.app import session

    result = session.load(args.paths, today=options.today_of(args))
    if result is None:
        return ExitCode.ERROR
    files, chats, groups = len(result.files), len(result.chats), len(result.groups)
    print(f"valid: {files} file{'s' if files != 1 else ''}, {chats} chat{'s' if chats != 1 else ''}, "
          f"{groups} group{'s' if groups != 1 else ''}")
    return ExitCode.OK
