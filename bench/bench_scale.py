#!/usr/bin/env python3
"""Issue 7's scale run: 10,000 chats x 200 members end to end, through the
real CLI call path, against the emulator with per-request latency.

    .venv/bin/python bench/bench_scale.py            # 10,000 x 200, 20 ms, apply of 1,000 changes (~3 min)
    .venv/bin/python bench/bench_scale.py --quick    # 2,000 x 200, apply of 200 changes (~40 s)

What it measures, in order:
1. load + validate: reconciler.config.load on the generated files (wall and CPU);
2. `appchat plan --format json --out FILE`: wall time split into the load
   phase and the read + plan phase, against the quota bound (N reads at
   10,000 a minute), the 45009 answers WeCom gave (target 0), and the CPU
   time of make_plan inside that run;
3. `appchat apply --plan FILE --format json` of exactly --changes updates
   (each chat lacks one member the files list): wall time and API calls;
4. the pure planner on its own (bench_plan.bench_planner), and peak RSS.

The emulator runs as a SUBPROCESS (`python -m reconciler emulator`), so the
peak RSS of this process is the tool's (plus the generated data it holds,
freed before the plan) and the emulator's is reported apart. Between plan
and apply the emulator's quota counters are reset (POST /_emulator/reset:
chats stay as seeded, plan wrote nothing), as if the apply ran in a later
minute; the 45009 answers of the apply are counted all the same.

Data generation, file writing and the planner micro-benchmark come from
bench/bench_plan.py. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


import bench_plan  # noqa: E402  (make_world, write_files, _timed, bench_planner)
import figures  # noqa: E402
from emulator_process import EmulatorProcess  # noqa: E402
from reconciler import cli  # noqa: E402
from reconciler.app import session  # noqa: E402
from reconciler.core.facts import CALLS_PER_MINUTE_PER_API, ErrCode  # noqa: E402

CORP_ID, SECRET = bench_plan.CORP_ID, bench_plan.SECRET


def rss_mib() -> float:
    """Peak RSS of this process so far (ru_maxrss: KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def world(chats: int, members: int, changes: int):
    """(seed for the emulator, desired chats): bench_plan's world with no
    random drift, then exactly `changes` chats spread evenly through the id
    range each missing one member live (plan: one appchat/update adding it)."""
    live, desired = bench_plan.make_world(chats, members, drift=0.0)
    step = max(1, chats // max(changes, 1))
    for n in range(0, chats, step)[:changes]:
        users = live[n]["userlist"]
        live[n] = dict(live[n], userlist=[u for u in users if u != users[-1] or u == live[n]["owner"]])
    return {"chats": live}, desired


def cli_run(argv: list[str], phases: dict | None = None) -> tuple[float, int, str]:
    """`appchat ARGV` in this process: (wall s, exit code, stdout). With
    `phases`, the load / read / make_plan time of the run goes there."""

    originals = session.load_valid, session.read_live, session.make_plan
    if phases is not None:
        session.load_valid = bench_plan._timed(phases, "load", session.load_valid)  # what build_plan calls
        session.read_live = bench_plan._timed(phases, "read", session.read_live)

        def make_plan(*a, **kw):
            cpu = time.process_time()
            try:
                return originals[2](*a, **kw)
            finally:
                phases["make_plan_cpu"] = phases.get("make_plan_cpu", 0.0) + time.process_time() - cpu
        session.make_plan = make_plan
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            started = time.perf_counter()
            code = cli.main(argv)
            return time.perf_counter() - started, code, out.getvalue()
    finally:
        session.load_valid, session.read_live, session.make_plan = originals


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--chats", type=int, default=10_000)
    p.add_argument("--members", type=int, default=200)
    p.add_argument("--latency-ms", type=int, default=20)
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--changes", type=int, default=1000, help="chats the apply updates (default 1,000)")
    p.add_argument("--quick", action="store_true", help="2,000 chats x 200 members, 200 changes (~40 s)")
    args = p.parse_args(argv)
    if args.quick:
        args.chats, args.changes = min(args.chats, 2000), min(args.changes, 200)

    bound = args.chats / CALLS_PER_MINUTE_PER_API * 60
    size, size_text = f"{args.chats}x{args.members}", f"{args.chats:,} x {args.members} at {args.latency_ms} ms"
    print(f"== scale: {args.chats:,} chats x {args.members} members, {args.latency_ms} ms latency, "
          f"concurrency {args.concurrency}, {args.changes:,} changes; emulator in a subprocess ==")
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        tmp = Path(tmp)
        started = time.perf_counter()
        seed, desired = world(args.chats, args.members, args.changes)
        chats_dir = tmp / "chats"
        bench_plan.write_files(desired, chats_dir)
        seed_file = tmp / "seed.json"
        seed_file.write_text(json.dumps(seed), encoding="utf-8")
        del seed, desired
        gc.collect()
        print(f"generate files + seed     {time.perf_counter() - started:8.2f} s; peak RSS so far {rss_mib():.0f} MiB")

        started = time.perf_counter()
        emu = EmulatorProcess(seed_file, "--latency-ms", str(args.latency_ms))
        print(f"emulator start + seed     {time.perf_counter() - started:8.2f} s")
        try:
            os.environ.update({"WECOM_CORP_ID": CORP_ID, "WECOM_CORP_SECRET": SECRET,
                               "WECOM_API_BASE": emu.base_url, "APPCHAT_LOCK_DIR": str(tmp)})
            os.environ.pop("NO_COLOR", None)

            from reconciler import config as chat_config
            wall, cpu = time.perf_counter(), time.process_time()
            loaded = chat_config.load([str(chats_dir)])
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            if not loaded.ok:
                print("the generated files are invalid", file=sys.stderr)
                return 1
            print(f"load + validate           {wall:8.2f} s wall, {cpu:.2f} s CPU "
                  f"({len(loaded.chats):,} chats; target < 15 s); peak RSS so far {rss_mib():.0f} MiB")
            figures.emit(f"scale.load.{size}", f"load + validate (config.load), {size_text}", wall, "s",
                         goal=15.0, goal_text="< 15 s")
            del loaded
            gc.collect()

            plan_file = tmp / "plan.json"
            phases: dict[str, float] = {}
            wall, code, out = cli_run(["plan", str(chats_dir), "--format", "json", "--out", str(plan_file),
                                       "--concurrency", str(args.concurrency)], phases)
            summary = json.loads(out)["summary"]
            del out
            read_plan = wall - phases.get("load", 0.0)
            counts = emu.counts()
            freq = emu.errcodes().get(ErrCode.FREQ_LIMIT, 0)
            print(f"appchat plan              {wall:8.2f} s (exit {code}): load phase {phases.get('load', 0):.2f} s, "
                  f"read + plan phase {read_plan:.2f} s (reads {phases.get('read', 0):.2f} s)")
            print(f"  quota bound             {bound:8.2f} s ({args.chats:,} reads at "
                  f"{CALLS_PER_MINUTE_PER_API:,}/min): read + plan = {read_plan / bound:.2f}x, "
                  f"whole plan = {wall / bound:.2f}x (target <= 1.1x)")
            print(f"  API calls               {counts}; 45009 answers: {freq} (target 0)")
            print(f"  make_plan CPU           {phases.get('make_plan_cpu', 0):8.2f} s; summary {summary}")
            quota = f"the quota bound ({args.chats:,} reads at {CALLS_PER_MINUTE_PER_API:,} a minute)"
            figures.emit(f"scale.plan.vs_bound.{size}", f"appchat plan --format json --out, {size_text}", wall,
                         "s", baseline=quota, baseline_value=bound, goal=1.1, goal_text="≤ 1.1x")
            figures.emit(f"scale.plan.load_phase.{size}", f"appchat plan's load phase, {size_text}",
                         phases.get("load", 0.0), "s")
            figures.emit(f"scale.plan.reads_vs_bound.{size}", f"appchat plan's read + plan phase (after the load), {size_text}", read_plan,
                         "s", baseline=quota, baseline_value=bound)
            figures.emit(f"scale.plan.reads_alone_vs_bound.{size}", f"appchat plan's reads alone (read_live), "
                         f"{size_text}", phases.get("read", 0.0), "s", baseline=quota, baseline_value=bound)
            figures.emit(f"scale.plan.45009.{size}", f"45009 answers during the plan, {size_text}", freq,
                         "answers", goal=0.0, goal_text="0")
            figures.emit(f"scale.plan.make_plan_cpu.{size}", f"make_plan CPU inside the plan, {size_text}",
                         phases.get("make_plan_cpu", 0.0), "s CPU")
            print(f"  peak RSS so far         {rss_mib():8.0f} MiB")

            emu.reset()
            wall, code, out = cli_run(["apply", "--plan", str(plan_file), "--format", "json",
                                       "--concurrency", str(args.concurrency)])
            report = json.loads(out)
            counts = emu.counts()
            freq = emu.errcodes().get(ErrCode.FREQ_LIMIT, 0)
            statuses: dict[str, int] = {}
            for o in report.get("outcomes", []):
                statuses[o["status"]] = statuses.get(o["status"], 0) + 1
            print(f"appchat apply --plan      {wall:8.2f} s (exit {code}) for {summary['update'] + summary['create']:,} "
                  f"changes: {statuses}")
            print(f"  API calls               {counts}; 45009 answers: {freq}")
            changes = summary["update"] + summary["create"]
            figures.emit(f"scale.apply.{changes}of{args.chats}", f"appchat apply --plan of {changes:,} changes "
                         f"(with the stale check's re-reads), {size_text}", wall, "s")
            figures.emit(f"scale.apply.45009.{changes}of{args.chats}", f"45009 answers during the apply, {size_text}",
                         freq, "answers", goal=0.0, goal_text="0")
            first = f"chat{0:05d}"
            print(f"  check: {first} has {len(emu.chat(first)['userlist'])} members after apply "
                  f"(expected {args.members})")
        finally:
            emu.stop()

    for drift in (0.1, 1.0):
        r = bench_plan.bench_planner(args.chats, args.members, drift)
        print(f"planner alone (make_plan) {r['cpu_s']:8.2f} s CPU for {args.chats:,} x {args.members}, "
              f"{drift:.0%} drifted ({r['changes']:,} changes); peak {r['peak_mib']:.0f} MiB traced")
    self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    emu_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    figures.emit(f"scale.rss.tool.{size}", f"peak RSS of the tool's process (generated data and the "
                 f"planner alone included), {size_text}", self_rss, "MiB")
    figures.emit(f"scale.rss.emulator.{size}", f"peak RSS of the emulator's process, {size_text}", emu_rss, "MiB")
    print(f"peak RSS                  tool process {self_rss:.0f} MiB (generated data and the planner "
          f"micro-benchmark included); emulator subprocess {emu_rss:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)
    sys.exit(main())
