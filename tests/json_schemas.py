"""The published JSON Schemas of the outputs (schemas/*.schema.json), and
the check tests.helpers runs on every `--format json` run a test makes:
stdout is exactly one JSON object, valid against its command's schema
(its normal output, or the object a fatal error prints)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from tests.helpers import REPO

SCHEMAS = REPO / "schemas"
# command -> the schema of what it prints with --format json
SCHEMA_OF = {"plan": "plan", "show": "plan", "apply": "apply-report", "who": "who", "expiring": "expiring",
             "history": "history"}


@lru_cache(maxsize=None)
def schema(name: str) -> dict:
    return json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def validator(name: str):
    from jsonschema import Draft202012Validator, FormatChecker

    doc = schema(name)
    Draft202012Validator.check_schema(doc)
    return Draft202012Validator(doc, format_checker=FormatChecker())


def problems(name: str, data) -> list[str]:
    """Every way `data` breaks schemas/NAME.schema.json ([] when valid)."""
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
            for e in validator(name).iter_errors(data)]


def assert_valid(name: str, data) -> None:
    wrong = problems(name, data)
    assert not wrong, f"not valid against schemas/{name}.schema.json: {wrong[:5]}"


def _asks_for_json(words: list[str]) -> bool:
    return "--format=json" in words or any(a == "--format" and b == "json" for a, b in zip(words, words[1:]))


def schema_for(argv) -> str | None:
    """The schema a run's stdout must meet, or None (not JSON, help, a command without one)."""
    words = [str(a) for a in argv]
    if not _asks_for_json(words) or any(w in ("-h", "--help", "--version") for w in words):
        return None
    command = next((w for w in words if w in SCHEMA_OF), None)
    return SCHEMA_OF.get(command) if command else None


def check_output(argv, out: str) -> None:
    """With --format json, stdout is one JSON object whatever ended the run,
    and its command's schema accepts it."""
    name = schema_for(argv)
    if name is None:
        return
    try:
        data = json.loads(out)
    except ValueError:
        raise AssertionError(f"`{' '.join(map(str, argv))}` with --format json printed no single JSON object "
                             f"on stdout: {out[:200]!r}") from None
    assert_valid(name, data)
