"""One plan format (issue 21, item 4): the reader, the writer, the digest and
the version live in core.planformat, and a plan's `format_version` is
checked in one place, so a new version is decided there alone."""

from __future__ import annotations

import ast

import pytest

from reconciler.core.plan import Plan
from reconciler.core.planformat.reader import PlanFormatError, parse_plan
from reconciler.core.planformat.version import FORMAT_VERSION, UnknownVersion, check_version
from tests.helpers import REPO
from reconciler.core.planformat.writer import plan_data

PACKAGE = REPO / "reconciler"


def _reads_format_version(node: ast.AST) -> bool:
    """`x["format_version"]` read, `x.get("format_version")`, or a comparison with a FORMAT_VERSION."""
    if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
        return isinstance(node.slice, ast.Constant) and node.slice.value == "format_version"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
        return any(isinstance(a, ast.Constant) and a.value == "format_version" for a in node.args)
    if isinstance(node, ast.Compare):
        names = [n for n in [node.left, *node.comparators] if isinstance(n, (ast.Name, ast.Attribute))]
        return any((n.id if isinstance(n, ast.Name) else n.attr).endswith("FORMAT_VERSION") for n in names)
    return False


def _checks() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found += [f"{path.relative_to(PACKAGE).as_posix()}:{n.lineno}" for n in ast.walk(tree)
                  if _reads_format_version(n)]
    return found


def test_format_version_is_read_and_checked_in_one_place():
    checks = _checks()
    assert len(checks) == 2 and {c.split(":")[0] for c in checks} == {"core/planformat/version.py"}, checks


def test_the_search_sees_a_second_check():
    # The test must be able to fail: a check written elsewhere is an ast node it finds.
    tree = ast.parse('if data.get("format_version") != 1 or data["format_version"] != FORMAT_VERSION: pass')
    assert sum(_reads_format_version(n) for n in ast.walk(tree)) == 3


@pytest.mark.parametrize("version", [None, 0, 2, True, "1", 1.5])
def test_a_plan_of_another_version_is_refused_by_the_one_check(version):
    data = plan_data(Plan())
    assert data["format_version"] == FORMAT_VERSION and parse_plan(data) == Plan()
    data["format_version"] = version
    with pytest.raises(UnknownVersion) as caught:
        check_version(data)
    assert caught.value.found == version
    with pytest.raises(PlanFormatError, match="format_version: expected 1"):
        parse_plan(data)
