"""The figures `make bench` judges: each a ratio to a baseline measured in
the same run, next to its goal, compared with the figure recorded in
docs/benchmarks.md.

A bench script prints a figure as one line, beside its own prose:

    FIGURE {"id": "planner.100pct.10000x200", "label": ..., "value": 1.2, "unit": "s",
            "baseline": "the set differences alone", "baseline_value": 0.4, "goal": 3.5, ...}

`ratio` is value / baseline_value (lower is better), or the value itself when
a figure has no baseline (a memory peak). bench/run_all.py runs each script
that prints figures at least three times and hands the lines here:

- summarise(): per figure the median ratio and the noise of this run, the
  spread of its ratios ((max - min) / median);
- verdict(): "regressed" when the median is worse than the recorded figure
  by more than the noise (the larger of this run's and the recorded one),
  "improved" when better by as much, else "as recorded"; and whether the
  goal is met;
- write_docs(): the table between the markers in docs/benchmarks.md, so no
  figure there is typed by hand. Figures this run did not measure keep their
  recorded row.
"""

from __future__ import annotations

import json
import re
import statistics
from dataclasses import dataclass
from pathlib import Path

PREFIX = "FIGURE "
MIN_RUNS = 3  # the fewest runs a noise margin is measured from
# The table keeps about four significant digits: a figure that does not vary
# at all (a traced peak) must not "regress" by its own rounding.
MIN_MARGIN = 0.01
BEGIN, END = "<!-- bench-figures:begin -->", "<!-- bench-figures:end -->"
DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def emit(fid: str, label: str, value: float, unit: str, *, baseline: str | None = None,
         baseline_value: float | None = None, goal: float | None = None, goal_on_value: bool = False,
         goal_text: str = "") -> None:
    """Print one figure. `goal` bounds the ratio (value / baseline_value, or
    the value when there is no baseline), or the value itself with
    `goal_on_value` (the planner's seconds); lower is better."""
    ratio = value / baseline_value if baseline_value else value
    print(PREFIX + json.dumps({"id": fid, "label": label, "value": value, "unit": unit, "baseline": baseline,
                               "baseline_value": baseline_value, "ratio": ratio, "goal": goal,
                               "goal_on_value": goal_on_value, "goal_text": goal_text},
                              ensure_ascii=False), flush=True)


def parse(lines) -> list[dict]:
    return [json.loads(line[len(PREFIX):]) for line in lines if line.startswith(PREFIX)]


@dataclass
class Summary:
    id: str
    label: str
    unit: str
    baseline: str | None
    goal: float | None
    goal_on_value: bool
    goal_text: str
    runs: int
    value: float           # medians
    baseline_value: float | None
    ratio: float
    noise: float           # (max - min) / median of the ratios

    @property
    def has_baseline(self) -> bool:
        return self.baseline_value is not None


def summarise(figures: list[dict]) -> list[Summary]:
    by_id: dict[str, list[dict]] = {}
    for f in figures:
        by_id.setdefault(f["id"], []).append(f)
    out = []
    for fid, runs in by_id.items():
        ratios = [r["ratio"] for r in runs]
        med = statistics.median(ratios)
        bases = [r["baseline_value"] for r in runs if r["baseline_value"] is not None]
        last = runs[-1]
        out.append(Summary(fid, last["label"], last["unit"], last["baseline"], last["goal"],
                           last.get("goal_on_value", False), last["goal_text"],
                           len(runs), statistics.median(r["value"] for r in runs),
                           statistics.median(bases) if bases else None, med,
                           (max(ratios) - min(ratios)) / med if med else 0.0))
    return out


# ---------------------------------------------------------------- what docs/benchmarks.md records

_ROW = re.compile(r"^\| `(?P<id>[^`]+)` \|.*\| (?P<ratio>[0-9.]+)(?:x)? \| ±(?P<noise>[0-9.]+)% \|")


def recorded(path: Path = DOCS) -> dict[str, tuple[float, float]]:
    """figure id -> (ratio, noise) as the table between the markers holds them."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if BEGIN not in text:
        return {}
    block = text[text.index(BEGIN):text.index(END)]
    found = {}
    for line in block.splitlines():
        m = _ROW.match(line)
        if m:
            found[m["id"]] = (float(m["ratio"]), float(m["noise"]) / 100)
    return found


def verdict(s: Summary, record: tuple[float, float] | None) -> str:
    measured = s.value if s.goal_on_value else s.ratio
    goal = "" if s.goal is None else ("goal met" if measured <= s.goal else "GOAL NOT MET")
    if s.runs < MIN_RUNS:
        trend = f"not judged: {s.runs} run(s), the noise needs {MIN_RUNS}"
    elif record is None:
        trend = "nothing recorded"
    else:
        was, was_noise = record
        margin = max(s.noise, was_noise, MIN_MARGIN)
        if s.ratio > was * (1 + margin):
            trend = f"regressed (recorded {_num(was)}, noise ±{margin:.0%})"
        elif s.ratio < was * (1 - margin):
            trend = f"improved (recorded {_num(was)})"
        else:
            trend = f"as recorded ({_num(was)}, noise ±{margin:.0%})"
    return ", ".join(x for x in (trend, goal) if x)


def _num(x: float) -> str:
    return f"{x:.3f}" if x < 10 else f"{x:.1f}"


def _value(x: float | None, unit: str) -> str:
    return "" if x is None else f"{_num(x)} {unit}"


def line(s: Summary, record: tuple[float, float] | None) -> str:
    """One figure for the console: the ratio to its baseline, next to its goal."""
    against = f" / {s.baseline} {_value(s.baseline_value, s.unit)} = {_num(s.ratio)}x" if s.has_baseline else ""
    goal = f"; goal {s.goal_text}" if s.goal_text else ""
    return (f"{s.label}: {_value(s.value, s.unit)}{against} (median of {s.runs}, noise ±{s.noise:.0%}){goal} "
            f"-> {verdict(s, record)}")


def table(summaries: list[Summary], kept: dict[str, str]) -> list[str]:
    rows = ["| figure | what | median | baseline (same run) | ratio | noise | goal |",
            "|---|---|---:|---|---:|---:|---|"]
    lines = {s.id: (f"| `{s.id}` | {s.label} | {_value(s.value, s.unit)} | "
                    f"{f'{s.baseline}: {_value(s.baseline_value, s.unit)}' if s.has_baseline else '—'} | "
                    f"{_num(s.ratio)}{'x' if s.has_baseline else ''} | ±{s.noise * 100:.1f}% | {s.goal_text or '—'} |")
             for s in summaries}
    for fid, row in kept.items():
        lines.setdefault(fid, row)
    return rows + [lines[k] for k in sorted(lines)]


def write_docs(summaries: list[Summary], header: str, path: Path = DOCS) -> None:
    """Rewrite the table between the markers: this run's figures, and the
    recorded rows of figures it did not measure."""
    text = path.read_text(encoding="utf-8")
    start, end = text.index(BEGIN), text.index(END)
    kept = {}
    for row in text[start:end].splitlines():
        m = re.match(r"^\| `([^`]+)` \|", row)
        if m:
            kept[m[1]] = row
    note = " Rows of figures this run did not measure are kept as recorded." if set(kept) - {x.id for x in summaries} else ""
    block = [BEGIN, "", header + note, "", *table(summaries, kept), ""]
    path.write_text(text[:start] + "\n".join(block) + text[end:], encoding="utf-8")


def judge(found: list[dict], write: str | None = None) -> list[str]:
    """Print every figure with its verdict; with `write` (the header line),
    rewrite the table in docs/benchmarks.md. The ids that regressed."""
    summaries = summarise(found)
    record = recorded()
    print(f"\n### figures (ratio to a baseline of the same run; recorded: {DOCS.name})")
    for s in summaries:
        print(line(s, record.get(s.id)))
    regressed = [s.id for s in summaries if "regressed" in verdict(s, record.get(s.id))]
    print(f"regressed: {', '.join(regressed)}" if regressed else "regressed: none")
    if write is not None:
        write_docs(summaries, write)
        print(f"wrote the figures into {DOCS}")
    return regressed


if __name__ == "__main__":
    import argparse
    import sys

    ap = argparse.ArgumentParser(description="Judge the FIGURE lines of saved bench output (three runs at least).")
    ap.add_argument("files", nargs="+", help="saved output of bench scripts")
    ap.add_argument("--write-docs", metavar="HEADER", help="rewrite the table in docs/benchmarks.md")
    args = ap.parse_args()
    lines_ = [ln for f in args.files for ln in Path(f).read_text(encoding="utf-8").splitlines()]
    sys.exit(1 if judge(parse(lines_), args.write_docs) else 0)
