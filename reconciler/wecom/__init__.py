"""The WeCom client: the only code that speaks HTTP to WeCom and the only
place secrets live (tokens, retries, pacing, typed errors, redaction).

    from reconciler.wecom import WeComClient, client_from_env, WeComError

Names are loaded on first use, so importing an error type does not import
`requests` (commands that never talk to WeCom start faster).
"""

from __future__ import annotations

import importlib

_HOME = {
    "WeComClient": "client", "client_from_env": "client", "parse_chat_info": "answers",
    "Credentials": "credentials", "credentials_from_env": "credentials",
    "WeComError": "errors", "MissingCredentials": "errors", "InvalidCredentials": "errors",
    "ChatNotFound": "errors", "RateLimited": "errors", "ReadOnlyViolation": "errors",
    "TransportError": "errors", "MalformedAnswer": "errors", "WriteOutcomeUnknown": "errors", "describe": "errors",
}

__all__ = sorted(_HOME)


def __getattr__(name: str):
    if name in _HOME:
        return getattr(importlib.import_module(f"reconciler.wecom.{_HOME[name]}"), name)
    raise AttributeError(f"module 'reconciler.wecom' has no attribute {name!r}")
