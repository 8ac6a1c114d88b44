#!/usr/bin/env python3
"""`make bench`: the quick version of every bench/bench_*.py, one after the
other (the machine's cores are the benchmark's, not shared between them),
each in its own process and bounded in time.

Convention for a bench script: it accepts `--quick` (a run of a minute or
so that still shows the figure that matters) and prints its figures on
stdout. A script whose --help does not mention --quick is run without
arguments; the environment variable BENCH_QUICK=1 is set for all of them.

    .venv/bin/python bench/run_all.py                 # all, quick
    .venv/bin/python bench/run_all.py plan apply      # only bench_plan.py and bench_apply.py
    .venv/bin/python bench/run_all.py --timeout 300
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_TIMEOUT_S = 120  # per script; five of them stay under ~5 minutes in all


def scripts(names: list[str]) -> list[Path]:
    found = sorted(HERE.glob("bench_*.py"))
    if names:
        wanted = {n if n.startswith("bench_") else f"bench_{n}" for n in names}
        wanted = {w.removesuffix(".py") for w in wanted}
        found = [p for p in found if p.stem in wanted]
    return found


def supports_quick(script: Path) -> bool:
    try:
        helptext = subprocess.run([sys.executable, str(script), "--help"], capture_output=True, text=True,
                                  timeout=30).stdout
    except subprocess.TimeoutExpired:
        return False
    return "--quick" in helptext


def run_one(script: Path, timeout: float) -> tuple[str, float]:
    argv = [sys.executable, str(script)] + (["--quick"] if supports_quick(script) else [])
    env = dict(os.environ, BENCH_QUICK="1", PYTHONUNBUFFERED="1")
    print(f"\n### {script.name} {' '.join(argv[2:])}".rstrip(), flush=True)
    started = time.perf_counter()
    # New session, so a timeout stops the script and whatever it started.
    proc = subprocess.Popen(argv, cwd=HERE.parent, env=env, start_new_session=True)
    try:
        code = proc.wait(timeout=timeout)
        status = "ok" if code == 0 else f"exit {code}"
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()
        status = f"stopped after {timeout:.0f} s"
    return status, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Run the quick version of every bench/bench_*.py.")
    p.add_argument("names", nargs="*", help="only these (plan, apply, load, ...)")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, help="seconds per script")
    args = p.parse_args(argv)
    found = scripts(args.names)
    if not found:
        print("no bench/bench_*.py to run", file=sys.stderr)
        return 1
    results = [(s.name, *run_one(s, args.timeout)) for s in found]
    print("\n### summary")
    for name, status, seconds in results:
        print(f"{name:24} {status:24} {seconds:7.1f} s")
    return 0 if all(status == "ok" for _, status, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
