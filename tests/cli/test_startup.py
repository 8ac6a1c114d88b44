"""Start-up: commands import only what they use. jsonschema (a quarter of a
second with its schema check), requests and the planner are loaded when a
run needs them, not by `appchat --version` or by `validate` on a valid file.
What is asserted is which modules got imported, never a time (the figures
are in docs/benchmarks.md, measured by bench/bench_startup.py)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys

import pytest

from tests.helpers import REPO, subprocess_env

HEAVY = ("jsonschema", "requests", "urllib3", "deepdiff", "reconciler.core.planner", "reconciler.wecom.client")

PROBE = """
import json, sys
from reconciler import cli
try:
    code = cli.main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def _imported(*argv) -> tuple[int, set[str]]:
    proc = subprocess.run([sys.executable, "-c", PROBE, *map(str, argv)], capture_output=True, text=True,
                          env=subprocess_env(), timeout=60)
    report = json.loads(proc.stderr.strip().splitlines()[-1])
    return report["code"], set(report["modules"])


def _heavy(modules: set[str]) -> list[str]:
    return [h for h in HEAVY if h in modules]


@pytest.fixture
def valid(tmp_path):
    path = tmp_path / "chats.yaml"
    path.write_text("chats:\n  sre:\n    name: SRE\n    owner: alice\n    members: [alice, bob]\n",
                    encoding="utf-8")
    return path


def test_version_imports_nothing_heavy():
    code, modules = _imported("--version")
    assert code == 0
    assert _heavy(modules) == []


def test_validate_of_a_valid_file_imports_nothing_heavy(valid):
    code, modules = _imported("validate", valid)
    assert code == 0
    assert _heavy(modules) == []


def test_an_invalid_file_still_gets_jsonschema(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("chats:\n  sre:\n    name: SRE\n    owner: alice\n    members: [alice, bob]\n    color: red\n",
                   encoding="utf-8")
    code, modules = _imported("validate", bad)
    assert code == 1
    assert "jsonschema" in modules   # the quick test refused the chat: jsonschema says why


# The modules that import inside a function, each to keep an import out of
# the start-up of a command that does not use it (docs/internals.md,
# "Imports made inside functions", gives the figures). Anywhere else an
# import goes at the top of its module.
DEFERRING = {"app/chatseed.py", "app/session.py", "app/whoanswer.py", "cli/jsonout.py", "cli/options.py", "config/schema.py",
             "emulator/seed.py", *(f"cli/commands/{name}.py" for name in ("apply", "emulator", "expiring", "history",
                                                                         "imports", "plan", "schema", "send", "show",
                                                                         "validate", "who"))}


def _imports_inside_functions(path) -> int:
    return sum(isinstance(node, (ast.Import, ast.ImportFrom))
               for fn in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
               if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) for node in ast.walk(fn))


def test_only_the_modules_that_defer_for_start_up_import_inside_functions():
    package = REPO / "reconciler"
    found = {str(p.relative_to(package)) for p in package.rglob("*.py") if _imports_inside_functions(p)}
    assert found == DEFERRING
