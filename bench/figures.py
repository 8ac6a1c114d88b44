"""The figures `make bench` judges: each a ratio to a baseline measured in
the same run, next to its goal, compared with the figure recorded in
docs/benchmarks.md.

A bench script prints a figure as one line, beside its own prose:

    FIGURE {"id": "planner.100pct.10000x200", "label": ..., "value": 1.2, "unit": "s",
            "baseline": "the set differences alone", "baseline_value": 0.4, "goal": 3.5, ...}

`ratio` is value / baseline_value (lower is better), or the value itself when
a figure has no baseline (a memory peak). bench/run_all.py runs each script
that prints figures three times (a long one, once: its runs say so) and
hands the lines here:

- summarise(): per figure the median ratio and the noise of this run, the
  spread of its ratios ((max - min) / median), known from MIN_RUNS runs on;
- verdict(): "regressed" when the median is worse than the recorded figure
  by more than the noise (the larger of this run's and the recorded one,
  whichever are known, and at least MIN_MARGIN), "improved" when better by
  as much, else "as recorded"; "not judged" when neither noise is known (one
  run against one run); and whether the goal is met;
- write_docs(): the blocks of docs/benchmarks.md, one per id prefix, each
  between its own markers, so no figure there is typed by hand. Figures this
  run did not measure keep their recorded row and its run column.
"""

from __future__ import annotations

import json
import os
import platform
import re
import statistics
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path

PREFIX = "FIGURE "
MIN_RUNS = 3  # the fewest runs a noise margin is measured from
# The table keeps about four significant digits: a figure that does not vary
# at all (a traced peak) must not "regress" by its own rounding.
MIN_MARGIN = 0.01
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

# Each section of docs/benchmarks.md holds the figures of one id prefix (the
# id's first part: `scale.plan.vs_bound.10000x200` is in the block "scale")
# between its own markers. Nothing between them is typed by hand.
_BEGIN = re.compile(r"^<!-- bench-figures:begin (?P<name>[a-z0-9_-]+) -->$", re.M)
_ROW = re.compile(r"^\| `(?P<id>[^`]+)` \|.*\| (?P<ratio>[0-9.]+)(?:x)? \| "
                  r"(?:±(?P<noise>[0-9.]+)%|(?P<runs>\d+) runs?) \|")
HEADER = ("| figure | what | median | baseline (same run) | ratio | noise | goal | run |",
          "|---|---|---:|---|---:|---:|---|---|")


def begin(name: str) -> str:
    return f"<!-- bench-figures:begin {name} -->"


def end(name: str) -> str:
    return f"<!-- bench-figures:end {name} -->"


def section(fid: str) -> str:
    return fid.split(".", 1)[0]


def blocks(text: str) -> dict[str, tuple[int, int]]:
    """block name -> (start of its begin marker, start of its end marker)."""
    found = {}
    for m in _BEGIN.finditer(text):
        stop = text.find(end(m["name"]), m.end())
        if stop < 0:
            raise ValueError(f"{begin(m['name'])} has no {end(m['name'])}")
        found[m["name"]] = (m.start(), stop)
    return found


def recorded(path: Path = DOCS) -> dict[str, tuple[float, float | None]]:
    """figure id -> (ratio, noise) as the generated blocks hold them; the
    noise is None when the figure was recorded from fewer than MIN_RUNS runs."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    found = {}
    for start, stop in blocks(text).values():
        for line in text[start:stop].splitlines():
            m = _ROW.match(line)
            if m:
                found[m["id"]] = (float(m["ratio"]), None if m["noise"] is None else float(m["noise"]) / 100)
    return found


def verdict(s: Summary, record: tuple[float, float | None] | None) -> str:
    """"regressed" / "improved" / "as recorded" against the recorded figure,
    by a margin of at least one MEASURED noise (this run's, from MIN_RUNS
    runs or more, or the recorded one) and never under MIN_MARGIN. A single
    run against a single run has no noise to judge by: not judged, the
    difference shown."""
    measured = s.value if s.goal_on_value else s.ratio
    goal = "" if s.goal is None else ("goal met" if measured <= s.goal else "GOAL NOT MET")
    noises = [n for n in (s.noise if s.runs >= MIN_RUNS else None, record[1] if record else None) if n is not None]
    if record is None:
        trend = "nothing recorded"
    elif not noises:
        was = record[0]
        diff = f"{(s.ratio - was) / was:+.0%} against" if was else "against"
        trend = (f"not judged: noise unknown ({s.runs} run(s) here, fewer than {MIN_RUNS} recorded); "
                 f"{diff} recorded {_num(was)}")
    else:
        was = record[0]
        margin = max(*noises, MIN_MARGIN)
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
    """A median or a baseline, for reading (the ratio column stays plain: it is read back)."""
    return "" if x is None else f"{x:,.0f} {unit}" if x >= 1000 else f"{_num(x)} {unit}"


def _noise(s: Summary) -> str:
    return f"±{s.noise * 100:.1f}%" if s.runs >= MIN_RUNS else f"{s.runs} run{'s' if s.runs > 1 else ''}"


def line(s: Summary, record: tuple[float, float | None] | None) -> str:
    """One figure for the console: the ratio to its baseline, next to its goal."""
    against = f" / {s.baseline} {_value(s.baseline_value, s.unit)} = {_num(s.ratio)}x" if s.has_baseline else ""
    goal = f"; goal {s.goal_text}" if s.goal_text else ""
    spread = f"median of {s.runs}, noise ±{s.noise:.0%}" if s.runs >= MIN_RUNS else f"{s.runs} run(s), noise unknown"
    return f"{s.label}: {_value(s.value, s.unit)}{against} ({spread}){goal} -> {verdict(s, record)}"


def row(s: Summary, stamp: str) -> str:
    base = f"{s.baseline}: {_value(s.baseline_value, s.unit)}" if s.has_baseline else "—"
    return (f"| `{s.id}` | {s.label} | {_value(s.value, s.unit)} | {base} | "
            f"{_num(s.ratio)}{'x' if s.has_baseline else ''} | {_noise(s)} | {s.goal_text or '—'} | {stamp} |")


def write_docs(summaries: list[Summary], header: str, stamp: str = "", path: Path = DOCS) -> list[str]:
    """Rewrite each block that holds a figure this run measured: `header`,
    then a row per figure, this run's (stamped `stamp`: date and commit) and
    the recorded rows of figures it did not measure (their own stamps).
    Blocks of which this run measured nothing are left as they are. The
    ids of figures with no block to go into (a block is added by hand:
    its two markers)."""
    text = path.read_text(encoding="utf-8")
    by_block: dict[str, dict[str, str]] = {}
    for s in summaries:
        by_block.setdefault(section(s.id), {})[s.id] = row(s, stamp)
    where = blocks(text)
    homeless = [fid for name, rows in by_block.items() if name not in where for fid in rows]
    for name, (start, stop) in sorted(where.items(), key=lambda kv: -kv[1][0]):  # from the end: offsets hold
        if name not in by_block:
            continue
        rows = by_block[name]
        kept = {}
        for old in text[start:stop].splitlines():
            m = re.match(r"^\| `([^`]+)` \|", old)
            if m and m[1] not in rows:
                kept[m[1]] = old
        note = " Rows of figures this run did not measure are kept as recorded, with their own run." if kept else ""
        lines = {**kept, **rows}
        block = [begin(name), "", header + note, "", *HEADER, *(lines[k] for k in sorted(lines)), ""]
        text = text[:start] + "\n".join(block) + text[stop:]
    path.write_text(text, encoding="utf-8")
    return homeless


def stamp(load: tuple[float, float] | None = None) -> str:
    """The run column of a row: today's date, the commit measured and the
    machine's highest load average (start, end) during the run."""
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=DOCS.parent.parent, capture_output=True,
                             text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        rev = ""
    busy = f", load {max(load):.1f}" if load else ""
    return f"{date.today().isoformat()} {rev or '?'}{busy}"


def header(command: str, runs: str, load: tuple[float, float]) -> str:
    """The line above a block's table: what wrote it, on what machine, under what load."""
    return (f"Written by `{command}` on {date.today().isoformat()}: {runs}, {os.cpu_count()} cores "
            f"(shared), Python {platform.python_version()}, load average {load[0]:.1f} at the start and "
            f"{load[1]:.1f} at the end. Do not edit by hand.")


def judge(found: list[dict], write: str | None = None, load: tuple[float, float] | None = None) -> list[str]:
    """Print every figure with its verdict; with `write` (the header line),
    rewrite the blocks of docs/benchmarks.md that hold this run's figures.
    The ids that regressed."""
    summaries = summarise(found)
    record = recorded()
    print(f"\n### figures (ratio to a baseline of the same run; recorded: {DOCS.name})")
    for s in summaries:
        print(line(s, record.get(s.id)))
    regressed = [s.id for s in summaries if "regressed" in verdict(s, record.get(s.id))]
    print(f"regressed: {', '.join(regressed)}" if regressed else "regressed: none")
    if write is not None:
        homeless = write_docs(summaries, write, stamp(load))
        print(f"wrote the figures into {DOCS}")
        if homeless:
            print(f"no block in {DOCS.name} for: {', '.join(homeless)} (add its markers: {begin('NAME')})")
    return regressed


if __name__ == "__main__":
    import argparse
    import sys

    ap = argparse.ArgumentParser(description="Judge the FIGURE lines of saved bench output.")
    ap.add_argument("files", nargs="+", help="saved output of bench scripts")
    ap.add_argument("--write-docs", metavar="HEADER", help="rewrite the blocks of docs/benchmarks.md")
    args = ap.parse_args()
    lines_ = [ln for f in args.files for ln in Path(f).read_text(encoding="utf-8").splitlines()]
    sys.exit(1 if judge(parse(lines_), args.write_docs) else 0)
