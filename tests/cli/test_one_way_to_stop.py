"""One way to stop: every command returns an app.outcome.Outcome, and
cli.ending alone turns it into words, the JSON object of a failed run and
the exit code. Held by walking the package with ast: nothing in app/ or
cli/ but cli/ending.py exits the process or writes an `error:` line, app/
prints nothing, and the words of a chat that could not be planned are
written once."""

from __future__ import annotations

import ast
import re

import pytest

from reconciler.app.outcome import ExitCode, Outcome, failed, refused
from reconciler.cli import ending
from reconciler.cli.parser import COMMANDS, command_module
from tests.helpers import REPO

PACKAGE = REPO / "reconciler"
THE_ONE_PLACE = PACKAGE / "cli" / "ending.py"
SHELL = sorted(p for layer in ("app", "cli") for p in (PACKAGE / layer).rglob("*.py"))
ERROR_LINE = re.compile(r"(^|: )error: ")  # `error: ...`, `appchat plan: error: ...`; not "1 error: "


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def exits(source: str) -> list[str]:
    """Every way out of the process written in `source`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
            if name in ("exit", "_exit", "quit", "abort"):
                found.append(f"line {node.lineno}: {ast.unparse(f)}()")
        elif isinstance(node, ast.Raise) and node.exc is not None and "SystemExit" in ast.unparse(node.exc):
            found.append(f"line {node.lineno}: raise SystemExit")
    return found


def error_lines(source: str) -> list[str]:
    """Every string (docstrings aside) that begins an `error:` line."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    return [f"line {node.lineno}: {node.value!r}" for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
            and ERROR_LINE.search(node.value)]


def prints(source: str) -> list[str]:
    return [f"line {node.lineno}" for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print"]


def _others():
    return [p for p in SHELL if p != THE_ONE_PLACE]


@pytest.mark.parametrize("path", _others(), ids=lambda p: str(p.relative_to(REPO)))
def test_only_cli_ending_exits_the_process(path):
    assert exits(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("path", _others(), ids=lambda p: str(p.relative_to(REPO)))
def test_only_cli_ending_words_an_error_line(path):
    assert error_lines(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("path", sorted((PACKAGE / "app").rglob("*.py")), ids=lambda p: p.name)
def test_app_prints_nothing(path):
    # app reports through what it is given (an Output, a stream) and returns or raises an Outcome.
    assert prints(path.read_text(encoding="utf-8")) == []


def test_the_checks_see_what_they_forbid():
    bad = 'import os, sys\nprint(f"error: {x}")\nsys.exit(1)\nos._exit(1)\nraise SystemExit(2)\n' \
          'p.exit(1, f"{prog}: error: {m}")\n'
    assert len(exits(bad)) == 4
    assert len(error_lines(bad)) == 2
    assert prints(bad) == ["line 2"]
    assert error_lines('"""A docstring may say `error: LINE`."""\nfirst = "1 error: "\n') == []
    assert exits(THE_ONE_PLACE.read_text(encoding="utf-8")) and error_lines(THE_ONE_PLACE.read_text(encoding="utf-8"))


def test_could_not_be_planned_is_written_once():
    found = [f"{p.relative_to(REPO)}:{node.lineno}" for p in PACKAGE.rglob("*.py")
             for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
             if isinstance(node, ast.Constant) and isinstance(node.value, str) and "could not be planned" in node.value]
    assert len(found) == 1 and found[0].startswith("reconciler/render/planwords.py:"), found


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_returns_an_outcome(name):
    module = command_module(name)
    tree = ast.parse(open(module.__file__, encoding="utf-8").read())
    run = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "run")
    assert run.returns is not None and ast.unparse(run.returns) == "Outcome"


def test_ending_says_a_refusal_once_and_returns_its_code(capsys):
    printed = []
    code = ending.end(refused("the plan is stale", "a lock"), printed.append)
    err = capsys.readouterr().err
    assert code == ExitCode.ERROR
    assert err == ("error: refusing to apply: the plan is stale\nerror: refusing to apply: a lock\n"
                   "Nothing was applied.\n")
    assert [o.reasons for o in printed] == [("the plan is stale", "a lock")]


def test_ending_is_silent_for_what_is_said_or_shown(capsys):
    printed = []
    assert ending.end(failed("invalid files", said=True), printed.append) == 1
    assert ending.end(failed("2 chat(s) could not be read", shown=True), printed.append) == 1
    assert ending.end(Outcome(ExitCode.CHANGES), printed.append) == 2
    err = capsys.readouterr().err
    assert err == "error: 2 chat(s) could not be read\n"
    assert [o.message for o in printed] == ["invalid files"]  # said on stderr, still the one JSON object
