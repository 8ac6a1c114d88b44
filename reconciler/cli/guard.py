"""The one place where a failure that ends a whole run becomes one line on
stderr and exit 1: missing or refused credentials, WeCom unreachable, a
user error (invalid chat files, an unknown --target: their lines are on
stderr already). Never a traceback, never a secret (messages are redacted
once more on the way out).

With --format json, `ended` prints the one JSON object that says why
(cli.jsonout.fatal for most commands, apply's report for apply)."""

from __future__ import annotations

import sys
from typing import Any, Callable, Mapping, Sequence, TextIO

from reconciler.app.outcome import ExitCode, UserError
from reconciler.wecom.errors import WeComError
from reconciler.wecom.redact import redact

Ended = Callable[[str, Sequence[Mapping[str, Any]]], None]  # (why, diagnostics)


def guarded(body: Callable[[], int], stream: TextIO | None = None, ended: Ended | None = None) -> int:
    """body(), or exit 1 with one line when it fails as a whole; `ended`
    is then told the line (already said) and the located errors, if any."""
    err = stream or sys.stderr
    try:
        return body()
    except (WeComError, UserError) as exc:  # credentials missing or refused, WeCom unreachable
        message = redact(str(exc))
        if not getattr(exc, "said", False):
            print(f"error: {message}", file=err)
        if ended is not None:
            ended(message, getattr(exc, "diagnostics", ()))
    return ExitCode.ERROR
