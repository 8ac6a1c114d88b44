"""The one place where a failure that ends a whole run becomes one line on
stderr and exit 1: missing or refused credentials, WeCom unreachable, a
user error. Never a traceback, never a secret (messages are redacted once
more on the way out)."""

from __future__ import annotations

import sys
from typing import Callable, TextIO

from reconciler.app.outcome import ExitCode, UserError
from reconciler.wecom.errors import WeComError
from reconciler.wecom.redact import redact


def guarded(body: Callable[[], int], stream: TextIO | None = None,
            ended: Callable[[str], None] | None = None) -> int:
    """body(), or exit 1 with one line when it fails as a whole; `ended`
    (apply's JSON report) is then told the line, already said."""
    err = stream or sys.stderr
    try:
        return body()
    except (WeComError, UserError) as exc:  # credentials missing or refused, WeCom unreachable
        message = redact(str(exc))
        print(f"error: {message}", file=err)
        if ended is not None:
            ended(message)
    return ExitCode.ERROR
