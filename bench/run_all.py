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
--repeat times (three by default), so each figure has a median and a noise.
`--small` (what `make bench-quick` runs, within two minutes) runs only the
scripts whose --help mentions --small, with that flag. `--full` runs the
scripts at their own default sizes (what the docs' full-size figures come
from); then the long ones (LONG) run once unless --repeat says otherwise,
and their figures are recorded with the noise unknown. Arguments after `--`
go to every script run. BENCH_QUICK=1 is set for all of them.

    .venv/bin/python bench/run_all.py                 # all, quick (make bench)
    .venv/bin/python bench/run_all.py --small         # make bench-quick
    .venv/bin/python bench/run_all.py plan apply      # only bench_plan.py and bench_apply.py
    .venv/bin/python bench/run_all.py --write-docs    # and rewrite the figures in docs/benchmarks.md
    .venv/bin/python bench/run_all.py scale --full --write-docs               # 10,000 x 200, once
    .venv/bin/python bench/run_all.py concurrency --full --write-docs -- --only quota
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import figures

HERE = Path(__file__).resolve().parent
DEFAULT_TIMEOUT_S = 120  # per run of a script
MIN_RUNS = figures.MIN_RUNS
# At full size these take minutes a run: once, unless --repeat is given.
LONG = {"bench_scale", "bench_concurrency", "bench_directory"}


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


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    p = argparse.ArgumentParser(description="Run the quick version of every bench/bench_*.py.")
    p.add_argument("names", nargs="*", help="only these (plan, apply, load, ...)")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, help="seconds per run of a script")
    p.add_argument("--repeat", type=int, default=None,
                   help=f"runs of each script that prints figures (default {MIN_RUNS}; with --full, 1 for the "
                        f"long ones); under {MIN_RUNS}, the noise is unknown and recorded as such")
    p.add_argument("--small", action="store_true", help="smaller sizes, the scripts that have them (bench-quick)")
    p.add_argument("--full", action="store_true", help="the scripts' own default sizes, not --quick")
    p.add_argument("--write-docs", action="store_true", help="rewrite the figures' blocks in docs/benchmarks.md")
    args = p.parse_args(argv)
    load_start = os.getloadavg()[0]
    results, found, runs_of = [], [], {}
    for script in scripts(args.names):
        text = helptext(script)
        if args.small and "--small" not in text:
            continue
        flags = ["--small"] if args.small else ([] if args.full or "--quick" not in text else ["--quick"])
        repeat = args.repeat or (1 if args.full and script.stem in LONG else MIN_RUNS)
        argv_ = [sys.executable, str(script), *flags, *extra]
        name = f"{script.name} {' '.join([*flags, *extra])}".rstrip()
        status, seconds, lines = run_one(argv_, args.timeout, name)
        printed = figures.parse(lines)
        for n in range(2, repeat + 1 if printed and status == "ok" else 1):
            status, more, lines = run_one(argv_, args.timeout, f"{name} (run {n} of {repeat})")
            seconds += more
            printed += figures.parse(lines)
            if status != "ok":
                break
        if printed:
            runs_of[script.name] = repeat
        found += printed
        results.append((name, status, seconds))
    if not results:
        print("no bench/bench_*.py to run", file=sys.stderr)
        return 1
    print("\n### summary")
    for name, status, seconds in results:
        print(f"{name:32} {status:24} {seconds:7.1f} s")
    if found:
        header, load = None, (load_start, os.getloadavg()[0])
        if args.write_docs:
            command = " ".join(["bench/run_all.py", *argv, *(["--", *extra] if extra else [])])
            counts = sorted(set(runs_of.values()))
            runs = (f"median of {counts[0]} runs" if counts == [MIN_RUNS] else
                    "; ".join(f"{k}: {'median of ' if n > 1 else ''}{n} run{'s' if n > 1 else ''}"
                              for k, n in runs_of.items()))
            header = figures.header(command, runs, load)
        figures.judge(found, header, load)
    return 0 if all(status == "ok" for _, status, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
