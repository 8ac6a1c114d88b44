"""docs/benchmarks.md holds no figure typed by hand (issue 25): every
measured number is in a block bench/run_all.py --write-docs writes, and every
row of those blocks is a figure some bench script emits. Pure: it reads the
page and the scripts' source, never times anything."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "benchmarks.md"
BLOCK = re.compile(r"^<!-- bench-figures:begin (?P<name>[a-z0-9_-]+) -->$(?P<body>.*?)"
                   r"^<!-- bench-figures:end (?P=name) -->$", re.M | re.S)
FENCE = re.compile(r"^```.*?^```$", re.M | re.S)
CODE = re.compile(r"`[^`\n]+`")
# A measured figure: a time, a size, a share or a ratio. Sizes of inputs
# ("10,000 × 200") have spaces around their ×; a ratio ("1.07x") has none.
# A goal or a bound ("≤ 1.03x", "< 2 s") is not a measurement.
FIGURE = re.compile(r"(?<![\w.,])(?<![≤<≥>] )(?<![≤<≥>])\d[\d,]*(?:\.\d+)?"
                    r"(?:\s?(?:s|ms|µs|MB|MiB|GB|GiB|KB|KiB|%)|(?:x|×))(?![\w])")


def prose(text: str) -> str:
    """The page without its generated blocks, fenced code and code spans
    (blanked, so that its lines keep their numbers)."""
    for pattern in (BLOCK, FENCE, CODE):
        text = pattern.sub(lambda m: re.sub(r"[^\n]", " ", m[0]), text)
    return text


def emitted_patterns() -> list[re.Pattern]:
    """A regular expression per figures.emit(...) id in bench/*.py: an
    f-string's {fields} match any text."""
    found = []
    for script in sorted((ROOT / "bench").glob("*.py")):
        for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "emit" and node.args):
                continue
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append(re.compile(re.escape(first.value)))
            else:  # an f-string: its literal parts are the id's shape
                assert isinstance(first, ast.JoinedStr), f"{script.name}:{node.lineno}: write the id as a string"
                found.append(re.compile("".join(re.escape(v.value) if isinstance(v, ast.Constant) else r"[^`|]+"
                                                for v in first.values)))
    return found


def test_no_measured_figure_is_typed_outside_the_generated_blocks():
    text = DOCS.read_text(encoding="utf-8")
    blank = prose(text)
    typed = [f"line {blank.count(chr(10), 0, m.start()) + 1}: {m[0]}" for m in FIGURE.finditer(blank)]
    assert not typed, f"figures typed by hand in {DOCS.name} (put them in a generated block): {typed}"


def test_the_rule_sees_the_figures_it_must_and_spares_inputs_and_goals():
    seen = [m[0] for m in FIGURE.finditer(prose(
        "took 64.3 s, 1.07x the bound, 41 MB, 127 ms and 38%; sizes 10,000 × 200 and 2 cores; "
        "goal ≤ 1.03x, < 2 s; `--latency-ms 20` and `planner.10%.10000x2000`\n```sh\nbench 3.5 s\n```\n"))]
    assert seen == ["64.3 s", "1.07x", "41 MB", "127 ms", "38%"]


def test_every_generated_row_is_a_figure_a_bench_script_emits_in_its_own_block():
    text = DOCS.read_text(encoding="utf-8")
    patterns = emitted_patterns()
    assert len(patterns) >= 20  # the scan found the scripts' emit calls
    blocks = list(BLOCK.finditer(text))
    names = [b["name"] for b in blocks]
    assert len(names) == len(set(names)), f"a block appears twice: {names}"
    assert {"plan", "planner", "load", "scale", "concurrency", "directory", "apply", "history",
            "startup"} <= set(names)
    for block in blocks:
        ids = re.findall(r"^\| `([^`]+)` \|", block["body"], re.M)
        if ids:
            assert "Written by `bench/" in block["body"] and "Do not edit by hand." in block["body"]
        for fid in ids:
            assert fid.split(".", 1)[0] == block["name"], f"{fid} is in the block {block['name']}"
            assert any(p.fullmatch(fid) for p in patterns), f"no bench script emits {fid}"
