"""The one place where a failure that ends a whole run becomes one line on
stderr and exit 1: missing or refused credentials, WeCom unreachable, a
user error. Never a traceback, never a secret (messages are redacted once
more on the way out)."""

from __future__ import annotations

import sys
from typing import Callable, TextIO

from reconciler.app.outcome import ExitCode, UserError


def guarded(body: Callable[[], int], stream: TextIO | None = None) -> int:
    from reconciler.wecom.errors import MissingCredentials, WeComError
    from reconciler.wecom.redact import redact

    err = stream or sys.stderr
    try:
        return body()
    except MissingCredentials as exc:
        variable = exc.variable
        message = str(exc) if variable in str(exc) else f"{variable} is not set: {exc}"
        print(f"error: {redact(message)}", file=err)
    except (WeComError, UserError) as exc:  # e.g. gettoken unreachable: nothing could be read
        print(f"error: {redact(str(exc))}", file=err)
    return ExitCode.ERROR
