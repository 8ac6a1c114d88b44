#!/usr/bin/env python3
"""`make bench`: the quick version of every bench/bench_*.py, one after the
other (the machine's cores are the benchmark's, not shared between them),
each in its own process and bounded in time; then every figure the scripts
printed, as a ratio to the baseline measured in the same run, next to its
goal, and "regressed" where it is worse than docs/benchmarks.md records by
more than the noise the runs show (bench/figures.py).

Convention for a bench script: it accepts `--quick` (a run of a minute or
so that still shows the figure that matters) and prints its figures on
stdout; a script whose --help does not mention --quick is run without
arguments. A script that prints FIGURE lines (bench/figures.py) is run
--repeat times (three at least), so each figure has a median and a noise.
`--small` (what `make bench-quick` runs, within two minutes) runs only the
scripts whose --help mentions --small, with that flag. BENCH_QUICK=1 is set
for all of them.

    .venv/bin/python bench/run_all.py                 # all, quick (make bench)
    .venv/bin/python bench/run_all.py --small         # make bench-quick
    .venv/bin/python bench/run_all.py plan apply      # only bench_plan.py and bench_apply.py
    .venv/bin/python bench/run_all.py --write-docs    # and rewrite the figures in docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import signal
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import figures

HERE = Path(__file__).resolve().parent
DEFAULT_TIMEOUT_S = 120  # per run of a script
MIN_RUNS = figures.MIN_RUNS


def scripts(names: list[str]) -> list[Path]:
    found = sorted(HERE.glob("bench_*.py"))
    if names:
        wanted = {n if n.startswith("bench_") else f"bench_{n}" for n in names}
        wanted = {w.removesuffix(".py") for w in wanted}
        found = [p for p in found if p.stem in wanted]
    return found


def helptext(script: Path) -> str:
    try:
        return subprocess.run([sys.executable, str(script), "--help"], capture_output=True, text=True,
                              timeout=30).stdout
    except subprocess.TimeoutExpired:
        return ""


def run_one(argv: list[str], timeout: float, label: str) -> tuple[str, float, list[str]]:
    """Run one script, its output shown as it comes; (status, seconds, lines)."""
    # This checkout's code, whatever the venv was installed from.
    path = os.pathsep.join(filter(None, [str(HERE.parent), os.environ.get("PYTHONPATH")]))
    env = dict(os.environ, BENCH_QUICK="1", PYTHONUNBUFFERED="1", PYTHONPATH=path)
    print(f"\n### {label}", flush=True)
    started = time.perf_counter()
    lines: list[str] = []
    # New session, so a timeout stops the script and whatever it started.
    proc = subprocess.Popen(argv, cwd=HERE.parent, env=env, start_new_session=True, stdout=subprocess.PIPE,
                            text=True)
    stopped = threading.Event()

    def stop() -> None:
        stopped.set()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)

    watchdog = threading.Timer(timeout, stop)
    watchdog.start()
    try:
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            if not line.startswith(figures.PREFIX):
                print(line, end="", flush=True)
        code = proc.wait()
    finally:
        watchdog.cancel()
    status = f"stopped after {timeout:.0f} s" if stopped.is_set() else "ok" if code == 0 else f"exit {code}"
    return status, time.perf_counter() - started, lines


def commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE.parent, capture_output=True,
                              text=True, timeout=10).stdout.strip() or "?"
    except (OSError, subprocess.TimeoutExpired):
        return "?"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Run the quick version of every bench/bench_*.py.")
    p.add_argument("names", nargs="*", help="only these (plan, apply, load, ...)")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, help="seconds per run of a script")
    p.add_argument("--repeat", type=int, default=MIN_RUNS,
                   help=f"runs of each script that prints figures (at least {MIN_RUNS})")
    p.add_argument("--small", action="store_true", help="smaller sizes, the scripts that have them (bench-quick)")
    p.add_argument("--write-docs", action="store_true", help="rewrite the figures table of docs/benchmarks.md")
    args = p.parse_args(argv)
    repeat = max(MIN_RUNS, args.repeat)
    results, found = [], []
    for script in scripts(args.names):
        text = helptext(script)
        if args.small and "--small" not in text:
            continue
        flags = ["--small"] if args.small else (["--quick"] if "--quick" in text else [])
        argv_ = [sys.executable, str(script), *flags]
        name = f"{script.name} {' '.join(flags)}".rstrip()
        status, seconds, lines = run_one(argv_, args.timeout, name)
        printed = figures.parse(lines)
        for n in range(2, repeat + 1 if printed and status == "ok" else 1):
            status, more, lines = run_one(argv_, args.timeout, f"{name} (run {n} of {repeat})")
            seconds += more
            printed += figures.parse(lines)
            if status != "ok":
                break
        found += printed
        results.append((name, status, seconds))
    if not results:
        print("no bench/bench_*.py to run", file=sys.stderr)
        return 1
    print("\n### summary")
    for name, status, seconds in results:
        print(f"{name:32} {status:24} {seconds:7.1f} s")
    if found:
        header = None
        if args.write_docs:
            header = (f"Written by `bench/run_all.py --write-docs{' --small' if args.small else ''}` on "
                      f"{date.today().isoformat()} at commit {commit()}: median of {repeat} runs, "
                      f"{os.cpu_count()} cores, Python {platform.python_version()}. Do not edit by hand.")
        figures.judge(found, header)
    return 0 if all(status == "ok" for _, status, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
