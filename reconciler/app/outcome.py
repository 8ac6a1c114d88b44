"""How a run ends: the contract's exit codes, and the failure a user reads
as one line."""

from __future__ import annotations

from enum import IntEnum
from typing import Any, Mapping, Sequence


class ExitCode(IntEnum):
    OK = 0          # success; for `plan --detailed-exitcode`: no changes
    ERROR = 1       # error or refusal (usage errors too: 2 would read as drift)
    CHANGES = 2     # `plan --detailed-exitcode` only: changes present


class UserError(Exception):
    """A failure the user must read as one line on stderr, then exit 1.

    `said`: its lines are on stderr already (the located errors of invalid
    chat files), so the CLI's guard does not print it again; `diagnostics`:
    those errors as data ({file, line, col, severity, message}), for the one
    JSON object a fatal error prints under --format json."""

    def __init__(self, message: str, *, said: bool = False,
                 diagnostics: Sequence[Mapping[str, Any]] = ()) -> None:
        super().__init__(message)
        self.said = said
        self.diagnostics = tuple(diagnostics)
