"""How `make bench` judges a figure (bench/figures.py), with made-up
figures: never a time measured here. A figure worse than the recorded one
by more than the noise of its runs is "regressed"; the docs' table is what
the bench writes, and reads back what it wrote."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("bench_figures", ROOT / "bench" / "figures.py")
figures = sys.modules.setdefault("bench_figures", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(figures)


def _runs(ratios, fid="plan.vs_sequential.1x1", goal=1.0):
    return [{"id": fid, "label": "plan", "value": r * 10, "unit": "s", "baseline": "loop", "baseline_value": 10.0,
             "ratio": r, "goal": goal, "goal_on_value": False, "goal_text": "< 1x"} for r in ratios]


def test_a_ratio_worse_than_recorded_by_more_than_the_noise_is_regressed():
    [s] = figures.summarise(_runs([0.20, 0.21, 0.22]))
    assert s.ratio == 0.21 and round(s.noise, 3) == round(0.02 / 0.21, 3)
    assert figures.verdict(s, (0.15, 0.01)).startswith("regressed")
    assert figures.verdict(s, (0.20, 0.01)).startswith("as recorded")  # within this run's ±9.5%
    assert figures.verdict(s, (0.30, 0.01)).startswith("improved")
    assert figures.verdict(s, None).startswith("nothing recorded")
    assert "goal met" in figures.verdict(s, None)
    [late] = figures.summarise(_runs([1.2, 1.2, 1.2]))
    assert "GOAL NOT MET" in figures.verdict(late, None)


def test_a_figure_that_never_varies_does_not_regress_by_the_tables_rounding():
    # A traced peak is the same every run (noise 0); the table keeps 1.744 of 1.7443.
    [s] = figures.summarise(_runs([1.7443, 1.7443, 1.7443]))
    assert s.noise == 0
    assert figures.verdict(s, (1.744, 0.0)).startswith("as recorded")
    assert figures.verdict(s, (1.70, 0.0)).startswith("regressed")  # 2.6% worse is still seen


def test_the_docs_table_is_written_between_the_markers_and_read_back(tmp_path):
    docs = tmp_path / "benchmarks.md"
    docs.write_text(f"# B\n\nbefore\n\n{figures.BEGIN}\n| `old.figure` | kept | 1 s | — | 1.000 | ±2.0% | — |\n"
                    f"{figures.END}\n\nafter\n", encoding="utf-8")
    summaries = figures.summarise(_runs([0.20, 0.21, 0.22]))
    figures.write_docs(summaries, "Written by the bench.", docs)
    text = docs.read_text(encoding="utf-8")
    assert text.startswith("# B\n\nbefore\n\n") and text.endswith(f"{figures.END}\n\nafter\n")
    assert "Written by the bench." in text
    recorded = figures.recorded(docs)
    assert recorded["old.figure"] == (1.0, 0.02)  # a figure this run did not measure keeps its row
    ratio, noise = recorded["plan.vs_sequential.1x1"]
    assert ratio == 0.21 and abs(noise - 0.095) < 0.001
