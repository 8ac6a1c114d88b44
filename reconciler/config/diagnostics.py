"""Diagnostics: one located message each, printed as `FILE:LINE:COL: error: MESSAGE`."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Iterable, TextIO

from reconciler.core.model import Source

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    # Field order is the sort order: by file, line, column, then text.
    source: Source
    severity: str
    message: str

    def __str__(self) -> str:
        return f"{self.source.located}: {self.severity}: {self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    @property
    def data(self) -> dict:
        """As `validate --format json` and every fatal JSON object list it."""
        return {"file": self.source.file, "line": self.source.line, "col": self.source.col,
                "severity": self.severity, "message": self.message}


def error(source: Source, message: str) -> Diagnostic:
    return Diagnostic(source, ERROR, message)


def warning(source: Source, message: str) -> Diagnostic:
    return Diagnostic(source, WARNING, message)


def sort_unique(diagnostics: Iterable[Diagnostic]) -> tuple[Diagnostic, ...]:
    # The same mistake can be reached twice (an alias used in two places
    # points at one spot): say it once.
    return tuple(sorted(set(diagnostics)))


def write(diagnostics: Iterable[Diagnostic], stream: TextIO | None = None) -> None:
    out = stream if stream is not None else sys.stderr
    for d in diagnostics:
        print(d, file=out)
