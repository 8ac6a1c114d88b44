"""The tests build desired and live chats in one place, tests/builders.py:
no other test module defines a function that returns a DesiredChat or a
LiveChat it builds (a module with other defaults binds them with
functools.partial)."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.builders import desired, live
from tests.helpers import REPO

BUILT = {"DesiredChat", "LiveChat"}


def builders_in(path: Path) -> list[str]:
    """The module-level functions of a file that return a chat they build."""
    found = []
    for fn in ast.parse(path.read_text(encoding="utf-8")).body:
        if not isinstance(fn, ast.FunctionDef):
            continue
        for node in ast.walk(fn):
            if isinstance(node, ast.Return) and isinstance(node.value, ast.Call) \
                    and getattr(node.value.func, "id", None) in BUILT:
                found.append(f"{path.relative_to(REPO)}: {fn.name}")
    return found


def test_desired_and_live_chats_are_built_in_one_home():
    tests = [p for p in sorted((REPO / "tests").rglob("*.py")) if "node_modules" not in p.parts]
    assert builders_in(REPO / "tests" / "builders.py"), "the home's builders are seen"
    assert not [b for p in tests if p.name != "builders.py" for b in builders_in(p)]


def test_the_builders_take_members_as_a_list_or_one_string():
    assert desired("c1", "bob alice") == desired("c1", ["alice", "bob"])
    chat = live("c1", "bob alice")
    assert (chat.owner, chat.name, chat.members) == ("alice", "Chat c1", frozenset({"alice", "bob"}))
