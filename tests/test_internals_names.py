"""docs/internals.md names only what exists: every module path it writes
(`core/plan.py`, `tests/wecom/simserver.py`, `limiter.py`), every `app/`
module its design section lists, and every class or function it says a
module holds ("`core/call.py` holds `Call`") is defined in that module."""

from __future__ import annotations

import ast
import re

from tests.helpers import REPO

PAGE = (REPO / "docs" / "internals.md").read_text(encoding="utf-8")
PACKAGE = REPO / "reconciler"


def _exists(path: str) -> bool:
    if "/" not in path:  # a bare file name: some module of the package
        return any(PACKAGE.glob(f"*/{path}"))
    return any((base / path).is_file() for base in (REPO, PACKAGE, REPO / "tests"))


def _defined(path: str) -> set[str]:
    tree = ast.parse((PACKAGE / path).read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def _prose(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_every_module_path_the_page_names_exists():
    paths = set(re.findall(r"`([\w./-]+\.py)(?:::\w+)?`", PAGE))
    assert len(paths) >= 20, "the page names modules: the pattern must find them"
    assert not sorted(p for p in paths if not _exists(p))


def test_every_app_module_the_design_lists_exists():
    bullet = re.search(r"^- \*\*`app/`\*\*(.*?)(?=^- |^\S)", PAGE, re.M | re.S)
    assert bullet, "the design section has an app/ bullet"
    names = set(re.findall(r"`([a-z_]+)`", bullet.group(1))) - {"send"}  # `send`: the command
    assert {"session", "execute", "planfile"} <= names
    assert not sorted(n for n in names if not (PACKAGE / "app" / f"{n}.py").is_file())


def test_what_the_page_says_a_module_holds_is_defined_there():
    held = re.findall(r"`((?:core|config|wecom|app|render|cli)/[\w/]+\.py)` holds (.*?)\.(?: |$)", _prose(PAGE))
    assert len(held) >= 5
    missing = []
    for path, what in held:
        names = re.findall(r"`([A-Z]\w*)`|`(\w+)\(", what)
        defined = _defined(path)
        missing += [f"{path}: {n}" for pair in names for n in pair if n and n not in defined]
    assert not missing, missing


def test_the_checks_see_a_name_that_is_not_there():
    assert not _exists("app/report.py") and _exists("core/report.py") and _exists("limiter.py")
    assert "Call" not in _defined("core/plan.py") and "Call" in _defined("core/call.py")
