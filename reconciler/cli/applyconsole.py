"""`apply` on a terminal or in a pipeline's log: the Output of app.applying.
Results on stdout (the report: JSON always, one object per run, with
--format json), everything else on stderr. Its error lines are worded by
cli.ending, the one way a run stops."""

from __future__ import annotations

import sys
from typing import Sequence, TextIO

from reconciler import render
from reconciler.app.outcome import failed
from reconciler.cli import ending, term
from reconciler.render.planwords import UNPLANNED

PROMPT = "Apply these changes? Only 'yes' is accepted: "


class ApplyConsole:
    def __init__(self, fmt: str = "text", stdin: TextIO | None = None) -> None:
        self.json = fmt == "json"
        self.stdin = stdin

    @property
    def _results(self) -> TextIO:
        return sys.stderr if self.json else sys.stdout  # stdout carries the JSON report alone

    def show(self, plan) -> None:
        stream = self._results
        stream.write(render.PLAN["text"](plan, colour=term.use_colour(stream)))
        stream.flush()

    def saying(self, text: str, result: bool = False) -> None:
        print(text, file=self._results if result else sys.stderr)

    def warn(self, text: str) -> None:
        print(f"warning: {text}", file=sys.stderr)

    def can_ask(self) -> bool:
        # The question goes where the results go: with --format json, stdout
        # is the report alone.
        return term.is_terminal(self.stdin or sys.stdin) and term.is_terminal(self._results)

    def confirmed(self) -> bool:
        stdin, stdout = self.stdin or sys.stdin, self._results
        stdout.write(PROMPT)
        stdout.flush()
        try:
            answer = stdin.readline()
        except (EOFError, KeyboardInterrupt):
            answer = ""
        if answer.strip() != "yes":
            print("Apply cancelled. Nothing was applied.", file=sys.stderr)
            return False
        return True

    def report(self, report) -> None:
        if self.json:
            sys.stdout.write(render.REPORT["json"](report))
        elif report.outcomes or report.notes or report.stopped:
            sys.stdout.write(render.REPORT["text"](report))
        sys.stdout.flush()
        for o in report.outcomes:
            for r in o.warnings:  # refused removals: exit 0, but a pipeline's log should show them
                print(f"warning: {o.chat_id}: WeCom refused to {r.text}", file=sys.stderr)
        if report.interrupted and not report.refusals:  # a refusal has said it: nothing was written
            again = "plan again and apply the new plan" if report.saved else "run apply again"
            ending.say(failed(f"interrupted by {report.interrupted}; {again} to finish"))
        if report.forced:
            # Calls are still in flight in worker threads that nobody will wait
            # for (the interpreter would, at exit): say what is known, then go.
            ending.leave_now()

    def unread(self, chat_ids: Sequence[str]) -> None:
        ending.say(failed(f"{len(chat_ids)} chat(s) {UNPLANNED} and were not applied: " + ", ".join(chat_ids)))
