"""The one way a run stops. A command returns an app.outcome.Outcome (or
something it calls raises one: app.outcome.Stop, UserError, a WeComError
for missing or refused credentials or WeCom unreachable); this module alone
turns it into words (`error: ...` lines on stderr, redacted once more on the
way out), into the one JSON object --format json promises when the run
failed before its own output (cli.jsonout's fatal object, apply's report for
apply), and into the exit code. Never a traceback, never a secret.

    main:        return ending.run(command_module, args)
    usage error: ending.usage_error(prog, message, json)   # argparse must not return
    apply cut short by a second signal: ending.leave_now()
"""

from __future__ import annotations

import os
import sys
from typing import Callable, Protocol, TextIO

from reconciler.app.outcome import ExitCode, Outcome, Stop, failed
from reconciler.cli import jsonout
from reconciler.wecom.errors import WeComError
from reconciler.wecom.redact import redact

JsonEnding = Callable[[Outcome], None]  # prints the one JSON object of a failed run

INTERRUPTED = Outcome(ExitCode.ERROR, then="interrupted")  # Ctrl-C outside apply's own handlers


class Command(Protocol):
    def run(self, args) -> Outcome: ...


def say(outcome: Outcome, stream: TextIO | None = None) -> None:
    """The outcome's lines on stderr, unless they are said already."""
    if outcome.said:
        return
    err = stream or sys.stderr
    by = f"{outcome.by}: " if outcome.by else ""
    for line in outcome.errors:
        print(f"{by}error: {redact(line)}", file=err)
    if outcome.then:
        print(outcome.then, file=err)


def end(outcome: Outcome, json: JsonEnding | None = None) -> int:
    """Say how the run ended; its exit code."""
    say(outcome)
    if json is not None and outcome.fatal:
        json(outcome)
    return int(outcome.code)


def stopped(exc: BaseException) -> Outcome:
    """The Outcome an exception that ends the run stands for."""
    if isinstance(exc, Stop):
        return exc.outcome
    return failed(redact(str(exc)))  # a WeComError: credentials missing or refused, WeCom unreachable


def json_ending(command, args) -> JsonEnding | None:
    """What --format json prints for a failed run: the command's own
    (apply: its report of a run that applied nothing) or the fatal object."""
    if not jsonout.wants_json(args):
        return None
    return getattr(command, "json_ending", None) or jsonout.fatal_of


def run(command: Command, args) -> int:
    """The command's run, ended here whatever ends it."""
    try:
        outcome = command.run(args)
    except (WeComError, Stop) as exc:
        outcome = stopped(exc)
    except KeyboardInterrupt:
        outcome = INTERRUPTED
    return end(outcome, json_ending(command, args))


def usage_error(prog: str, message: str, json: JsonEnding | None) -> None:
    """argparse's usage error (its usage is on stderr already): `PROG: error:
    MESSAGE`, the JSON object when asked for, exit 1 (2 would read as
    "changes present" to `plan --detailed-exitcode`). Raises SystemExit, as
    argparse's error() must not return."""
    raise SystemExit(end(failed(message, by=prog, why=(f"{prog}: {message}",)), json))


def leave_now(code: int = ExitCode.ERROR) -> None:
    """Exit at once, without joining threads. Only for apply cut short by a
    second signal: calls are still in flight in worker threads nobody will
    wait for, and the interpreter would join them at exit (concurrent.futures
    does, for every pool). The report is out: flush it, then go."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
