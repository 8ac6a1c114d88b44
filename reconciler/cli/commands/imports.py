"""Read live chats and write them as a chat file that `plan` reads back with
no changes. All or nothing: any chat that cannot be read or written is
named, and nothing is written."""

from __future__ import annotations

import sys

from reconciler.app.outcome import ExitCode
from reconciler.cli import options
from reconciler.core.facts import CHAT_ID_RULE, is_chat_id


def add_arguments(p) -> None:
    p.add_argument("chat_ids", nargs="*", metavar="CHAT_ID")
    p.add_argument("--ids-from", metavar="FILE", help="read chat ids from FILE, one per line (- for stdin)")
    p.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    options.concurrency(p)


def run(args) -> int:
    from reconciler.cli.guard import guarded

    return guarded(lambda: _run(args))


def _nothing_written(problems: list[str]) -> int:
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    print("nothing written", file=sys.stderr)
    return ExitCode.ERROR


def _run(args) -> int:
    from reconciler.app import atomicfile, importer, session

    ids = importer.read_ids(args.chat_ids, args.ids_from)
    if not ids:
        print("error: no chat ids given (CHAT_ID ... or --ids-from FILE)", file=sys.stderr)
        return ExitCode.ERROR
    bad = [i for i in ids if not is_chat_id(i)]
    if bad:
        for chat_id in bad:
            print(f"error: {chat_id!r} is not a chat id ({CHAT_ID_RULE})", file=sys.stderr)
        return ExitCode.ERROR
    with session.client(args.concurrency) as client:
        live = session.read_live(client, ids)
    found, problems = importer.unreadable(ids, live)
    if problems:
        return _nothing_written(problems)
    text, problems = importer.chat_file(found, args.output)
    if problems:
        return _nothing_written(problems)
    if not args.output:
        sys.stdout.write(text)
        return ExitCode.OK
    try:
        atomicfile.write_text(args.output, text, prefix=".appchat-import-")
    except OSError as exc:
        print(f"error: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
        return ExitCode.ERROR
    print(f"wrote {len(found)} chat(s) to {args.output}", file=sys.stderr)
    return ExitCode.OK
