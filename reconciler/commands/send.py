"""`appchat send CHAT_ID (--text TEXT | --markdown TEXT)`: one message.

Every limit WeCom would check is checked here first, so a message that
cannot go is refused without a single API call (not even gettoken).
"""

from __future__ import annotations

import re
import sys

from reconciler import reads
from reconciler.constants import CHAT_ID_PATTERN, MARKDOWN_MAX_BYTES, TEXT_MAX_BYTES

EXIT_OK, EXIT_ERROR = 0, 1
LIMITS = {"text": TEXT_MAX_BYTES, "markdown": MARKDOWN_MAX_BYTES}


def check(chat_id: str, msgtype: str, content: str) -> str | None:
    """Why this message cannot be sent, or None."""
    if not re.fullmatch(CHAT_ID_PATTERN, chat_id):
        return f"invalid chat id {chat_id!r}: 1-32 characters of 0-9 a-z A-Z"
    if not content.strip():
        return f"the {msgtype} message is empty"
    try:
        size = len(content.encode("utf-8"))
    except UnicodeEncodeError:
        return f"the {msgtype} message is not valid UTF-8"
    limit = LIMITS[msgtype]
    if size > limit:
        return f"the {msgtype} message is {size} bytes (UTF-8); WeCom accepts at most {limit}"
    return None


def run(args) -> int:
    return reads.guard(lambda: _run(args))


def _run(args) -> int:
    from reconciler.wecom import WeComError

    msgtype, content = ("text", args.text) if args.text is not None else ("markdown", args.markdown)
    problem = check(args.chat_id, msgtype, content)
    if problem:
        print(f"error: {problem}. Nothing was sent.", file=sys.stderr)
        return EXIT_ERROR
    client = reads.open_client(concurrency=1, read_only=False)
    try:
        client.send(args.chat_id, msgtype, {"content": content})
    except WeComError as exc:
        print(f"error: sending to {args.chat_id} failed: {exc}", file=sys.stderr)
        return EXIT_ERROR
    finally:
        client.close()
    print(f"Sent a {msgtype} message to {args.chat_id}.")
    return EXIT_OK
