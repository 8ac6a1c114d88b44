"""The README and the chapters under docs/ keep up with the CLI: every command
and every flag the parser knows is documented, the README stays a short first
page whose first commands are the two a newcomer needs, every link between
the pages points at a file and a heading that exist, and every example output
of the pages in doc_examples.PAGES is what the tool prints for the same input
(the inputs live in tests/e2e/doc_examples.py)."""

from __future__ import annotations

import argparse
import json
import re
import unicodedata
from pathlib import Path

import pytest

from reconciler.cli import build_parser
from tests.e2e import doc_examples as X

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
# Every page a reader can follow a link to: the README, CONTRIBUTING.md and the
# chapters under docs/.
PAGES = sorted({ROOT / "README.md", *ROOT.glob("CONTRIBUTING.md"), *(ROOT / "docs").glob("*.md")})
ALL_TEXT = "\n".join(p.read_text(encoding="utf-8") for p in PAGES)


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def _long_flags(parser: argparse.ArgumentParser) -> list[str]:
    flags = []
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        longs = [o for o in action.option_strings if o.startswith("--")]
        flags += longs[:1]
    return flags


@pytest.mark.parametrize("command", sorted(_subparsers()))
def test_every_command_and_flag_is_documented(command):
    # The README's command table names every command and links to the chapter
    # that covers it; the flags may live in that chapter.
    rows = [line for line in README.splitlines() if line.startswith(f"| `appchat {command}")]
    assert rows, f"appchat {command} has no row in the README's command table"
    assert any(re.search(r"\]\((?:docs/[\w-]+\.md|CONTRIBUTING\.md)(?:#[\w-]+)?\)", row) for row in rows), \
        f"the README's row for appchat {command} links to no chapter"
    missing = [flag for flag in _long_flags(_subparsers()[command])
               if not re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", ALL_TEXT)]
    assert not missing, f"appchat {command}: flags missing from README.md and docs/*.md: {missing}"


def test_make_demo_and_make_test_come_first():
    first_block = README.split("```")[1]
    assert "make demo" in first_block and "make test" in first_block
    if "<!-- BEGIN:" in README:
        assert README.index("make demo") < README.index("<!-- BEGIN:")


def test_readme_is_a_first_page():
    assert len(README.splitlines()) < 300, "the README is the first five minutes: keep it under 300 lines"


def _anchor(heading: str) -> str:
    # GitHub's rule: lower case, drop punctuation except - and _, spaces to -.
    text = heading.strip().lower()
    text = "".join(c for c in text if c in "-_ " or unicodedata.category(c)[0] in "LN")
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    """The anchors GitHub makes for a page's headings; a repeated heading gets
    -1, -2, ... appended."""
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    seen: dict[str, int] = {}
    anchors = set()
    for heading in re.findall(r"^#{1,6} (.+)$", text, flags=re.M):
        base = _anchor(heading)
        n = seen.get(base, 0)
        seen[base] = n + 1
        anchors.add(base if n == 0 else f"{base}-{n}")
    return anchors


def _links(path: Path) -> list[str]:
    """The link targets of a page, outside code."""
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    text = re.sub(r"``.+?``|`[^`\n]+`", "CODE", text)  # code spans; [`x`](target) stays a link
    return re.findall(r"\]\(([^)\s]+)\)", text)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_links_point_at_files_and_headings_that_exist(page):
    broken = []
    for target in _links(page):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):       # https:, mailto:
            continue
        file_part, _, anchor = target.partition("#")
        dest = (page.parent / file_part).resolve() if file_part else page
        if not dest.exists():
            broken.append(f"{target}: no such file")
            continue
        if anchor:
            if dest.suffix != ".md":
                broken.append(f"{target}: an anchor into a file that is not markdown")
            elif anchor not in _anchors(dest):
                broken.append(f"{target}: no heading #{anchor} in {dest.relative_to(ROOT)}")
    assert not broken, f"{page.relative_to(ROOT)}: broken links: {broken}"


def test_there_are_links_to_check():
    assert any("#" in t for page in PAGES for t in _links(page)), "no links to headings found"


def test_exit_codes_are_documented():
    heading = re.search(r"^#{2,3} Exit codes$", README, flags=re.M)
    assert heading, "the README has no Exit codes heading"
    table = README[heading.end():]
    for code in ("| 0 |", "| 1 |", "| 2 |"):
        assert code in table


def test_the_fault_and_abuse_table_names_tests_that_exist():
    """docs/internals.md's table says which test proves each row: every file,
    test function and rules case it names exists."""
    page = (ROOT / "docs" / "internals.md").read_text(encoding="utf-8")
    table = page[page.index("## Fault and abuse table"):]
    rows = [line for line in table.splitlines() if line.startswith("| ") and not line.startswith("| **")]
    missing = []
    named = 0
    for row in rows[2:]:  # after the header and its rule
        proof = row.rstrip(" |").rsplit(" | ", 1)[-1]
        current = None
        for token in re.findall(r"`([^`]+)`", proof):
            if "/" not in token and not token.startswith("::"):
                continue  # a rules case, checked below
            path, _, test = token.partition("::")
            if path:
                current = ROOT / "tests" / path
                if not current.exists():
                    missing.append(token)
                    continue
            if test and (current is None or not re.search(rf"^def {re.escape(test)}\(",
                                                          current.read_text(encoding="utf-8"), re.M)):
                missing.append(token)
            named += 1
        for case in re.findall(r"cases? ((?:`\w+`(?:, )?)+)", proof):
            rules = (ROOT / "tests" / "config" / "test_rules.py").read_text(encoding="utf-8")
            missing += [c for c in re.findall(r"`(\w+)`", case) if f'Case("{c}"' not in rules]
    assert named >= 40 and not missing, missing


@pytest.mark.parametrize("page", X.PAGES)
def test_every_output_shown_on_the_example_pages_is_marked(page):
    # An unmarked output would be an example no test produces.
    unmarked = [b.where for b in X.blocks(page) if b.lang in X.OUTPUT_LANGS and b.marker is None]
    assert not unmarked, f"mark these blocks `<!-- example: NAME -->` (see tests/e2e/doc_examples.py): {unmarked}"


def test_every_example_has_its_recipe_and_every_recipe_its_example():
    names = [b.name for b in X.examples()]
    assert len(names) == len(set(names)), names
    assert set(names) == set(X.RECIPES)


@pytest.mark.parametrize("block", X.examples(), ids=lambda b: b.name)
def test_each_example_output_is_what_the_tool_prints_for_the_same_input(block, tmp_path, emulator_factory,
                                                                        monkeypatch, capsys):
    out = X.RECIPES[block.name](X.World(block, tmp_path, emulator_factory, monkeypatch, capsys))
    shown = block.body.split("\n", 1)[1] if block.body.startswith("$ ") else block.body
    if block.lang == "json":
        want, got = json.loads(shown), json.loads(out)
        if "format_version" in want:
            want, got = X.comparable_plan(want), X.comparable_plan(got)
        assert X.media_ids_as_id(want) == got, f"{block.where}: the page shows\n{shown}\nthe tool gives\n{out}"
    elif block.excerpt:
        lines, part = out.splitlines(), shown.splitlines()
        assert any(lines[i:i + len(part)] == part for i in range(len(lines))), \
            f"{block.where}: the page shows\n{shown}\nnot a run of the lines the tool prints:\n{out}"
    else:
        assert out.rstrip("\n") == shown, f"{block.where}: the page shows\n{shown}\nthe tool prints\n{out}"
