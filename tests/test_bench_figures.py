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


def test_a_single_run_is_judged_only_by_a_noise_measured_elsewhere():
    [once] = figures.summarise(_runs([0.30]))
    assert once.runs == 1
    # Neither side measured its noise: the difference is shown, never "regressed".
    alone = figures.verdict(once, (0.20, None))
    assert alone.startswith("not judged") and "+50%" in alone
    # A record from three runs lends its noise to a single run, and the reverse.
    assert figures.verdict(once, (0.20, 0.05)).startswith("regressed")
    assert figures.verdict(once, (0.29, 0.05)).startswith("as recorded")
    [thrice] = figures.summarise(_runs([0.30, 0.31, 0.32]))
    assert figures.verdict(thrice, (0.20, None)).startswith("regressed")
    assert figures.verdict(thrice, (0.31, None)).startswith("as recorded")


def test_a_figure_with_no_noise_anywhere_still_has_the_minimum_margin():
    [s] = figures.summarise(_runs([0.5, 0.5, 0.5]))
    assert figures.verdict(s, (0.4995, 0.0)).startswith("as recorded")  # within MIN_MARGIN
    assert figures.verdict(s, (0.45, 0.0)).startswith("regressed")


def _docs(tmp_path, body: str):
    docs = tmp_path / "benchmarks.md"
    docs.write_text(body, encoding="utf-8")
    return docs


def test_each_figure_is_written_into_the_block_of_its_id_prefix_and_read_back(tmp_path):
    docs = _docs(tmp_path, f"# B\n\nbefore\n\n{figures.begin('plan')}\n"
                           f"| `plan.old` | kept | 1 s | — | 1.000 | ±2.0% | — | 2026-01-01 abc |\n"
                           f"{figures.end('plan')}\n\nmiddle\n\n{figures.begin('load')}\nuntouched\n"
                           f"{figures.end('load')}\n\nafter\n")
    summaries = figures.summarise(_runs([0.20, 0.21, 0.22], fid="plan.vs_sequential.1x1")
                                  + _runs([0.2], fid="plan.once.1x1") + _runs([1.0], fid="scale.homeless"))
    homeless = figures.write_docs(summaries, "Written by the bench.", "2026-12-07 def", docs)
    text = docs.read_text(encoding="utf-8")
    assert homeless == ["scale.homeless"] and "scale.homeless" not in text
    assert text.startswith("# B\n\nbefore\n\n") and text.endswith(f"{figures.end('load')}\n\nafter\n")
    assert f"{figures.begin('load')}\nuntouched\n" in text  # a block this run measured nothing of
    assert "Written by the bench." in text and "| 2026-01-01 abc |" in text and "| 2026-12-07 def |" in text
    recorded = figures.recorded(docs)
    assert recorded["plan.old"] == (1.0, 0.02)  # a figure this run did not measure keeps its row
    ratio, noise = recorded["plan.vs_sequential.1x1"]
    assert ratio == 0.21 and abs(noise - 0.095) < 0.001
    assert recorded["plan.once.1x1"] == (0.2, None)  # one run: its noise is unknown, and written so
    assert "| 1 run |" in text


def test_a_begin_marker_without_its_end_is_an_error(tmp_path):
    docs = _docs(tmp_path, f"{figures.begin('plan')}\nrows\n{figures.end('load')}\n")
    try:
        figures.recorded(docs)
    except ValueError as e:
        assert "bench-figures:end plan" in str(e)
    else:
        raise AssertionError("a block with no end was read")


def test_a_large_median_is_written_with_separators_and_its_ratio_is_still_read_back(tmp_path):
    docs = _docs(tmp_path, f"{figures.begin('directory')}\n{figures.end('directory')}\n")
    calls = [{"id": "directory.calls_vs_static.1", "label": "calls", "value": 10778.0, "unit": "calls",
              "baseline": "static", "baseline_value": 10001.0, "ratio": 10778 / 10001, "goal": None,
              "goal_on_value": False, "goal_text": ""}] * 3
    figures.write_docs(figures.summarise(calls), "Written by the bench.", "today", docs)
    assert "| 10,778 calls | static: 10,001 calls | 1.078x |" in docs.read_text(encoding="utf-8")
    assert figures.recorded(docs)["directory.calls_vs_static.1"] == (1.078, 0.0)
