"""`appchat schema`: print the chat-file JSON Schema shipped in the package."""

from __future__ import annotations

import sys

from reconciler.config.schema import schema_text


def run(args) -> int:
    sys.stdout.write(schema_text())
    return 0
