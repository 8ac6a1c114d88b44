"""How a run ends: the contract's exit codes, and the failure a user reads
as one line."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0          # success; for `plan --detailed-exitcode`: no changes
    ERROR = 1       # error or refusal (usage errors too: 2 would read as drift)
    CHANGES = 2     # `plan --detailed-exitcode` only: changes present


class UserError(Exception):
    """A failure the user must read as one line on stderr, then exit 1."""
