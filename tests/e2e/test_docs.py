"""The README keeps up with the CLI: every command and every flag the parser
knows is documented, the two newcomer commands come first, and every
in-page link points at a heading that exists."""

from __future__ import annotations

import argparse
import re
import unicodedata
from pathlib import Path

import pytest

from reconciler.cli import build_parser

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


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
    assert f"`appchat {command}" in README, f"appchat {command} is not in the README"
    missing = [flag for flag in _long_flags(_subparsers()[command])
               if not re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", README)]
    assert not missing, f"appchat {command}: flags missing from the README: {missing}"


def test_make_demo_and_make_test_come_first():
    first_block = README.split("```")[1]
    assert "make demo" in first_block and "make test" in first_block
    assert README.index("make demo") < README.index("<!-- BEGIN:")


def _anchor(heading: str) -> str:
    # GitHub's rule: lower case, drop punctuation except - and _, spaces to -.
    text = heading.strip().lower()
    text = "".join(c for c in text if c in "-_ " or unicodedata.category(c)[0] in "LN")
    return text.replace(" ", "-")


def test_in_page_links_point_at_headings():
    text = re.sub(r"```.*?```", "", README, flags=re.S)
    anchors = {_anchor(h) for h in re.findall(r"^#{1,6} (.+)$", text, flags=re.M)}
    links = set(re.findall(r"\]\(#([^)]+)\)", text))
    assert links, "no in-page links found"
    assert not links - anchors, f"links to missing headings: {sorted(links - anchors)}"


def test_exit_codes_are_documented():
    table = README[README.index("### Exit codes"):]
    for code in ("| 0 |", "| 1 |", "| 2 |"):
        assert code in table
