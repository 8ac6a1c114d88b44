"""Send one message to a chat. Every limit WeCom would check is checked
first, so a message that cannot go is refused without a single API call
(not even gettoken)."""

from __future__ import annotations

import sys

from reconciler.app.outcome import ExitCode


def add_arguments(p) -> None:
    p.add_argument("chat_id", metavar="CHAT_ID")
    body = p.add_mutually_exclusive_group(required=True)
    body.add_argument("--text", metavar="TEXT")
    body.add_argument("--markdown", metavar="TEXT")


def check(chat_id: str, msgtype: str, content: str) -> str | None:
    """Why this message cannot be sent, or None."""
    from reconciler.core.facts import MARKDOWN_MAX_BYTES, TEXT_MAX_BYTES, is_chat_id

    if not is_chat_id(chat_id):
        return f"invalid chat id {chat_id!r}: 1-32 characters of 0-9 a-z A-Z"
    if not content.strip():
        return f"the {msgtype} message is empty"
    try:
        size = len(content.encode("utf-8"))
    except UnicodeEncodeError:
        return f"the {msgtype} message is not valid UTF-8"
    limit = {"text": TEXT_MAX_BYTES, "markdown": MARKDOWN_MAX_BYTES}[msgtype]
    if size > limit:
        return f"the {msgtype} message is {size} bytes (UTF-8); WeCom accepts at most {limit}"
    return None


def run(args) -> int:
    from reconciler.cli.guard import guarded

    return guarded(lambda: _run(args))


def _run(args) -> int:
    from reconciler.app import session
    from reconciler.wecom.errors import WeComError

    msgtype, content = ("text", args.text) if args.text is not None else ("markdown", args.markdown)
    problem = check(args.chat_id, msgtype, content)
    if problem:
        print(f"error: {problem}. Nothing was sent.", file=sys.stderr)
        return ExitCode.ERROR
    with session.client(1, read_only=False) as client:
        try:
            client.send(args.chat_id, msgtype, {"content": content})
        except WeComError as exc:
            print(f"error: sending to {args.chat_id} failed: {exc}", file=sys.stderr)
            return ExitCode.ERROR
    print(f"Sent a {msgtype} message to {args.chat_id}.")
    return ExitCode.OK
