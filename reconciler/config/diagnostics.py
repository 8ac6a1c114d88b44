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


# `validate --format json|github` (issue 22): the same diagnostics for machines.
DIAGNOSTICS_FORMAT_VERSION = 1


def to_data(diagnostics: Iterable[Diagnostic]) -> dict:
    """`{"format_version": 1, "diagnostics": [{file, line, col, severity, message}, ...]}`."""
    return {"format_version": DIAGNOSTICS_FORMAT_VERSION,
            "diagnostics": [{"file": d.source.file, "line": d.source.line, "col": d.source.col,
                             "severity": d.severity, "message": d.message} for d in diagnostics]}


def _escape(text: str, prop: bool = False) -> str:
    # GitHub's workflow-command escaping: a message may not end the command early.
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def github_line(d: Diagnostic) -> str:
    """`::error file=F,line=L,col=C::MESSAGE`: an annotation on the line of the pull request's diff."""
    return (f"::{d.severity} file={_escape(d.source.file, True)},line={d.source.line},col={d.source.col}"
            f"::{_escape(d.message)}")
