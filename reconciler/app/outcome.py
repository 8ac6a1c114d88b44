"""How a run ends. Every command returns an Outcome (app functions return
one, or raise Stop with one); cli.ending, the one place that does, turns it
into words on stderr, the JSON object --format json promises, and the exit
code. Nothing else prints an error line or exits.

    Outcome(ExitCode.OK)                       success
    failed("cannot write x: ...")              `error: cannot write x: ...`, exit 1
    refused("the plan is stale ...")           apply's `error: refusing to apply: ...`
                                               and `Nothing was applied.`, exit 1
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Mapping, Sequence


class ExitCode(IntEnum):
    OK = 0          # success; for `plan --detailed-exitcode`: no changes
    ERROR = 1       # error or refusal (usage errors too: 2 would read as drift)
    CHANGES = 2     # `plan --detailed-exitcode` only: changes present


@dataclass(frozen=True)
class Outcome:
    """The end of a run: its exit code and, when it failed, why.

    `errors`: the lines stderr says, each as `error: LINE` (`BY: error: LINE`
    when `by` names the program), then `then`, a closing line; none of it
    when `said` (the lines are out already: the located errors of invalid
    chat files). `reasons`: why, as the JSON says it (the fatal object's
    `error`, apply's report's refusals); the error lines unless given.
    `shown`: the command's own output is on stdout already, so --format json
    has its one object and no fatal object follows. `diagnostics`: the
    located errors of invalid files, for that object. `interrupted`: the
    signal that ended an apply before its first write, for its report."""

    code: ExitCode = ExitCode.OK
    errors: tuple[str, ...] = ()
    then: str | None = None
    said: bool = False
    by: str | None = None
    why: tuple[str, ...] | None = None
    shown: bool = False
    diagnostics: tuple[Mapping[str, Any], ...] = ()
    interrupted: str | None = None

    @property
    def reasons(self) -> tuple[str, ...]:
        return self.errors if self.why is None else self.why

    @property
    def message(self) -> str:
        """The reasons in one line."""
        return "; ".join(self.reasons)

    @property
    def fatal(self) -> bool:
        """It ended the run before the command's own output: under --format
        json, the fatal object (or apply's report) stands in for it."""
        return bool(self.reasons) and not self.shown


OK = Outcome()


def failed(*errors: str, then: str | None = None, said: bool = False, shown: bool = False,
           diagnostics: Sequence[Mapping[str, Any]] = (), by: str | None = None,
           why: Sequence[str] | None = None) -> Outcome:
    return Outcome(ExitCode.ERROR, tuple(errors), then, said, by, None if why is None else tuple(why), shown,
                   tuple(diagnostics))


def refused(*reasons: str, said: bool = False, interrupted: str | None = None,
            diagnostics: Sequence[Mapping[str, Any]] = ()) -> Outcome:
    """apply wrote nothing: each reason said as `refusing to apply: REASON`,
    then `Nothing was applied.` (unless said); its report lists the reasons."""
    return Outcome(ExitCode.ERROR, tuple(f"refusing to apply: {r}" for r in reasons), "Nothing was applied.",
                   said, None, tuple(reasons), False, tuple(diagnostics), interrupted)


class Stop(Exception):
    """An Outcome raised from deep in a run (the CLI's ending says it)."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.message)
        self.outcome = outcome


class UserError(Stop):
    """A failure the user reads as one line on stderr, then exit 1.

    `said`: its lines are on stderr already (the located errors of invalid
    chat files); `diagnostics`: those errors as data ({file, line, col,
    severity, message}), for the one JSON object a fatal error prints under
    --format json."""

    def __init__(self, message: str, *, said: bool = False,
                 diagnostics: Sequence[Mapping[str, Any]] = ()) -> None:
        super().__init__(failed(message, said=said, diagnostics=diagnostics))
        self.said = said
        self.diagnostics = tuple(diagnostics)
