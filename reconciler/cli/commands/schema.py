"""Print the chat-file JSON Schema shipped in the package (for editors and
check-jsonschema)."""

from __future__ import annotations

import sys

from reconciler.app.outcome import OK, Outcome


def add_arguments(p) -> None:
    pass


def run(args) -> Outcome:
    from reconciler.config.schema import schema_text

    sys.stdout.write(schema_text())
    return OK
