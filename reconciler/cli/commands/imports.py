"""Read live chats and write them as a chat file that `plan` reads back with
no changes. All or nothing: any chat that cannot be read or written is
named, and nothing is written."""

from __future__ import annotations

import sys

from reconciler.app.outcome import OK, Outcome, failed
from reconciler.cli import options
from reconciler.core.facts import CHAT_ID_RULE, is_chat_id


def add_arguments(p) -> None:
    p.add_argument("chat_ids", nargs="*", metavar="CHAT_ID")
    p.add_argument("--ids-from", metavar="FILE", help="read chat ids from FILE, one per line (- for stdin)")
    p.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    options.concurrency(p)


def _nothing_written(problems: list[str]) -> Outcome:
    return failed(*problems, then="nothing written")


def run(args) -> Outcome:
    from reconciler.app import atomicfile, importer, session

    ids = importer.read_ids(args.chat_ids, args.ids_from)
    if not ids:
        return failed("no chat ids given (CHAT_ID ... or --ids-from FILE)")
    bad = [i for i in ids if not is_chat_id(i)]
    if bad:
        return failed(*(f"{chat_id!r} is not a chat id ({CHAT_ID_RULE})" for chat_id in bad))
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
        return OK
    try:
        atomicfile.write_text(args.output, text, prefix=".appchat-import-")
    except OSError as exc:
        return failed(f"cannot write {args.output}: {exc.strerror or exc}")
    print(f"wrote {len(found)} chat(s) to {args.output}", file=sys.stderr)
    return OK
