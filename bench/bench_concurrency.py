#!/usr/bin/env python3
"""Issue 16: does the default (adaptive) concurrency get the speed the
latency and the quota allow, without tuning --concurrency?

Three experiments, `appchat plan --format json` through the real CLI call
path (in this process) against the emulator in a SUBPROCESS (its own
interpreter, so it does not share this one's GIL), reset between runs:

  latency  N chats at 20, 100 and 250 ms (±10% jitter): the default against
           the best fixed --concurrency of a sweep in the same run
           (goal: default within 1.25x of the best at every latency);
  cap      the same with the emulator answering 45033 past 20 requests in
           flight: failed chats (goal 0) and 45033 answers (goal < 1% of calls);
  quota    10,000 chats at 200 ms with defaults against the quota bound, 60 s
           for 10,000 reads at 10,000 a minute (goal within 1.03x, zero 45009; where the
           time went, from the time each request was sent and answered).

    .venv/bin/python bench/bench_concurrency.py                    # all three, 5,000 chats (~15 min)
    .venv/bin/python bench/bench_concurrency.py --repeat 3         # medians of 3 (what docs/benchmarks.md quotes)
    .venv/bin/python bench/bench_concurrency.py --quick            # 1,000 chats, no quota run (~1.5 min)
    .venv/bin/python bench/bench_concurrency.py --only cap --latencies 250

The sweep runs the fixed levels from the highest down and skips a level
that cannot beat the best so far even in theory (N x the lowest latency / c).
Each run line says where the time went: the client's CPU, the emulator
process's CPU (share of one core) and the most requests the emulator held at
once. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

import bench_plan  # noqa: E402  (make_world, write_files, _timed)
import figures  # noqa: E402
from bench_scale import cli_run  # noqa: E402
from emulator_process import EmulatorProcess  # noqa: E402
from reconciler.core.facts import APPCHAT_GET, CALLS_PER_MINUTE_PER_API, GETTOKEN, ErrCode  # noqa: E402
from reconciler.wecom.pacing import DEFAULT_CALLS_PER_MINUTE  # noqa: E402

CORP_ID, SECRET = bench_plan.CORP_ID, bench_plan.SECRET
MEMBERS = 20
LEVELS = (256, 128, 64, 32, 16, 8)
CAP = 20


class World:
    """N chats in files and in the emulator's seed (10% drifted, as bench_plan makes them)."""

    def __init__(self, tmp: Path, chats: int):
        live, desired = bench_plan.make_world(chats, MEMBERS, drift=0.1)
        self.chats = chats
        self.dir = tmp / f"chats{chats}"
        bench_plan.write_files(desired, self.dir)
        self.seed = tmp / f"seed{chats}.json"
        self.seed.write_text(json.dumps({"chats": live}), encoding="utf-8")


def plan_once(emu: EmulatorProcess, world: World, concurrency: int | None) -> dict:
    """One `appchat plan` (reset emulator first); its figures."""
    os.environ["WECOM_API_BASE"] = emu.base_url
    argv = ["plan", str(world.dir), "--format", "json"]
    if concurrency is not None:
        argv += ["--concurrency", str(concurrency)]
    emu_cpu, cpu = emu.cpu(), time.process_time()
    phases: dict[str, float] = {}
    started = time.monotonic()
    wall, code, out = cli_run(argv, phases)
    ended = time.monotonic()
    cpu, emu_cpu = time.process_time() - cpu, emu.cpu() - emu_cpu
    data = json.loads(out)
    codes = emu.errcodes()
    return {"wall": wall, "read": phases.get("read", float("nan")), "load": phases.get("load", float("nan")),
            "code": code,
            "failed": len(data["errors"]), "limit": data.get("read_concurrency", {}),
            "calls": sum(codes.values()), "45033": codes.get(ErrCode.TOO_MANY_CONCURRENT, 0),
            "45009": codes.get(ErrCode.FREQ_LIMIT, 0), "cpu": cpu, "emu_cpu": emu_cpu,
            "peak_in_flight": emu.load()["peak_in_flight"], "started": started, "ended": ended}


def show(label: str, r: dict) -> None:
    limit = r["limit"]
    where = (f"client CPU {r['cpu']:.1f} s ({r['cpu'] / r['wall']:.0%} of a core), emulator CPU "
             f"{r['emu_cpu']:.1f} s ({r['emu_cpu'] / r['wall']:.0%}), emulator held up to {r['peak_in_flight']}")
    print(f"  {label:18} {r['wall']:7.2f} s (reads {r['read']:6.2f} s)  limit {limit.get('mode', '?')} "
          f"final {limit.get('final', '?')} peak {limit.get('peak', '?')}; calls {r['calls']:,}, "
          f"45033 {r['45033']}, 45009 {r['45009']}, failed chats {r['failed']}; {where}", flush=True)


def median_run(runs: list[dict]) -> dict:
    """The run with the median wall time (its other figures stay consistent)."""
    ordered = sorted(runs, key=lambda r: r["wall"])
    return ordered[(len(ordered) - 1) // 2]


def sweep(emu, world, latency: int, levels, repeat: int, faults: dict) -> tuple[dict, dict[int, dict]]:
    """(the default's median run, {level: median run}) for one latency."""
    defaults: list[dict] = []
    fixed: dict[int, list[dict]] = {}
    skipped: dict[int, str] = {}
    for rnd in range(repeat):
        emu.reset(**faults)
        r = plan_once(emu, world, None)
        defaults.append(r)
        show(f"default #{rnd + 1}", r)
        for level in levels:
            if level in skipped:
                continue
            best = min((median_run(v)["wall"] for v in fixed.values()), default=float("inf"))
            bound = world.chats * latency * 0.9 / 1000 / level
            if rnd == 0 and bound >= best:
                skipped[level] = f"skipped: {world.chats:,} x {latency * 0.9:.0f} ms / {level} = {bound:.1f} s " \
                                 f"cannot beat {best:.1f} s"
                print(f"  --concurrency {level:<4} {skipped[level]}", flush=True)
                continue
            emu.reset(**faults)
            r = plan_once(emu, world, level)
            fixed.setdefault(level, []).append(r)
            show(f"--concurrency {level} #{rnd + 1}", r)
    return median_run(defaults), {level: median_run(runs) for level, runs in fixed.items()}


def latency_experiment(tmp: Path, args, *, capped: bool) -> list[tuple]:
    world = World(tmp, args.chats)
    name = f"cap {CAP}" if capped else "latency"
    print(f"\n== {name}: {args.chats:,} chats x {MEMBERS} members, latency ±10% jitter"
          f"{f', 45033 past {CAP} in flight' if capped else ''}; median of {args.repeat} ==", flush=True)
    rows = []
    emu = EmulatorProcess(world.seed, "--calls-per-minute", "0", "--calls-per-minute-per-ip", "0",
                          "--calls-per-hour-per-ip", "0")  # quota: its own experiment
    try:
        for latency in args.latencies:
            faults = {"latency_ms": latency, "latency_jitter_ms": latency // 10}
            if capped:
                faults["max_concurrent"] = CAP
            levels = [lv for lv in (args.levels or LEVELS) if not capped or lv <= CAP] or [CAP]
            if capped and CAP not in levels:
                levels = [CAP, *levels]
            print(f"-- {latency} ms", flush=True)
            default, fixed = sweep(emu, world, latency, levels, args.repeat, faults)
            best_level, best = min(fixed.items(), key=lambda kv: kv[1]["wall"])
            rows.append((latency, default, best_level, best))
    finally:
        emu.stop()
    print("\n   latency | default plan (reads) | limit final/peak | best fixed: plan (reads) | default/best "
          "plan (reads) | 45033 (share of calls) | failed chats")
    for latency, d, level, b in rows:
        share = d["45033"] / d["calls"] if d["calls"] else 0.0
        print(f"   {latency:4d} ms | {d['wall']:6.2f} s ({d['read']:6.2f} s) | {d['limit'].get('final')}/"
              f"{d['limit'].get('peak')} | --concurrency {level}: {b['wall']:6.2f} s ({b['read']:6.2f} s) | "
              f"{d['wall'] / b['wall']:.2f}x ({d['read'] / b['read']:.2f}x) | {d['45033']} ({share:.2%}) | "
              f"{d['failed']}", flush=True)
    goal = "default/best <= 1.25x" if not capped else "0 failed chats, 45033 < 1% of calls"
    print(f"   goal: {goal}", flush=True)
    for latency, d, level, b in rows:
        emit_row(args.chats, latency, d, level, b, capped)
    return rows


def emit_row(chats: int, latency: int, d: dict, level: int, b: dict, capped: bool) -> None:
    """The figures of one latency: the default as a ratio to the best fixed
    level of the same run (under the cap: to the fixed cap), and the cap's
    refusals and failures."""
    at = f"{chats}.{latency}ms"
    text = f"{chats:,} chats at {latency} ms"
    if not capped:
        figures.emit(f"concurrency.default_vs_best.{at}", f"appchat plan, default concurrency, {text}", d["wall"],
                     "s", baseline=f"best fixed (--concurrency {level})", baseline_value=b["wall"], goal=1.25,
                     goal_text="≤ 1.25x")
        figures.emit(f"concurrency.limit_peak.{at}", f"the adaptive limit's peak, {text}",
                     float(d["limit"].get("peak") or 0), "in flight")
        return
    figures.emit(f"concurrency.cap{CAP}.default_vs_fixed.{at}", f"default under a cap of {CAP} in flight, {text}",
                 d["wall"], "s", baseline=f"--concurrency {level}", baseline_value=b["wall"])
    share = 100 * d["45033"] / d["calls"] if d["calls"] else 0.0
    figures.emit(f"concurrency.cap{CAP}.45033_share.{at}", f"45033 answers under the cap, share of calls, {text}",
                 share, "%", goal=1.0, goal_text="< 1%")
    figures.emit(f"concurrency.cap{CAP}.failed.{at}", f"failed chats under the cap, {text}", float(d["failed"]),
                 "chats", goal=0.0, goal_text="0")


def quota_experiment(tmp: Path, args) -> None:
    chats, latency = args.quota_chats, 200
    world = World(tmp, chats)
    bound = chats / CALLS_PER_MINUTE_PER_API * 60
    print(f"\n== quota: {chats:,} chats x {MEMBERS} members at {latency} ms (±10%), defaults, WeCom's "
          f"quota enforced by the emulator; median of {args.repeat} ==", flush=True)
    emu = EmulatorProcess(world.seed, "--latency-ms", str(latency), "--latency-jitter-ms", str(latency // 10))
    runs = []
    try:
        for rnd in range(args.repeat):
            if rnd:
                # a new quota minute for the emulator (as if the next run came a minute later)
                emu.reset(latency_ms=latency, latency_jitter_ms=latency // 10)
            with _send_times() as sends:
                r = plan_once(emu, world, None)
            r["timeline"] = _timeline(sends, r)
            runs.append(r)
            show(f"default #{rnd + 1}", r)
    finally:
        emu.stop()
    r = median_run(runs)
    print(f"   quota bound {bound:.1f} s ({chats:,} reads at {CALLS_PER_MINUTE_PER_API:,}/min): plan {r['wall']:.2f} s "
          f"= {r['wall'] / bound:.2f}x, reads {r['read']:.2f} s = {r['read'] / bound:.2f}x; 45009 answers "
          f"{r['45009']}; failed chats {r['failed']}  (goal: <= 1.03x, zero 45009)", flush=True)
    # Reads include planning each chat as it arrives (app.pipeline); loading comes before any call.
    print(f"   load {r['load']:.2f} s before the first call; after the reads (the rest of the plan, the "
          f"output) {r['wall'] - r['load'] - r['read']:.2f} s", flush=True)
    print(f"   where the time went: {r['timeline']}", flush=True)
    at, quota = f"{chats}.{latency}ms", f"the quota bound ({chats:,} reads at {CALLS_PER_MINUTE_PER_API:,} a minute)"
    text = f"{chats:,} chats at {latency} ms"
    figures.emit(f"concurrency.quota.vs_bound.{at}", f"appchat plan, defaults, {text}", r["wall"], "s",
                 baseline=quota, baseline_value=bound, goal=1.03, goal_text="≤ 1.03x")
    figures.emit(f"concurrency.quota.reads_vs_bound.{at}", f"appchat plan's reads, each chat planned as it "
                 f"arrives, {text}", r["read"], "s", baseline=quota, baseline_value=bound)
    figures.emit(f"concurrency.quota.load.{at}", f"appchat plan's load, before any call, {text}", r["load"], "s")
    figures.emit(f"concurrency.quota.45009.{at}", f"45009 answers to appchat plan, {text}", float(r["45009"]),
                 "answers", goal=0.0, goal_text="0")


@contextlib.contextmanager
def _send_times():
    """The monotonic (path, sent, answered) of every HTTP attempt the client makes, and when the run began."""
    from reconciler.wecom import transport

    original = transport.Transport.exchange
    sends: list[tuple[str, float, float]] = []

    def exchange(self, method, path, *args, **kwargs):
        sent = time.monotonic()
        try:
            return original(self, method, path, *args, **kwargs)
        finally:
            sends.append((path, sent, time.monotonic()))

    transport.Transport.exchange = exchange
    try:
        yield sends
    finally:
        transport.Transport.exchange = original


def _timeline(sends: list, r: dict) -> str:
    """The quota run's wall time, step by step. The pacer lets the read that
    is `pacer limit` places after read k go only once read k has left the
    sliding minute, so the last read goes 60 s after read N - 9,500: how
    long the first N - 9,500 reads took to go out (the adaptive limit's
    ramp) is paid once more at the end."""
    token = next(s for s in sends if s[0] == GETTOKEN)
    reads = sorted(s[1:] for s in sends if s[0] == APPCHAT_GET)
    early = max(1, len(reads) - DEFAULT_CALLS_PER_MINUTE)
    last_answer = max(a for _, a in reads)
    first = reads[0][0]
    start = r["started"]
    return (f"start-up and load {token[1] - start:.2f} s, gettoken {token[2] - token[1]:.2f} s, "
            f"reads 1..{early:,} out in {reads[early - 1][0] - first:.2f} s (the ramp), read {early:,} to the "
            f"last read's send {reads[-1][0] - reads[early - 1][0]:.2f} s (the sliding minute), the last answers "
            f"{last_answer - reads[-1][0]:.2f} s, after them {r['ended'] - last_answer:.2f} s "
            f"(last plans, the JSON); wall {r['ended'] - start:.2f} s")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--chats", type=int, default=5000)
    p.add_argument("--quota-chats", type=int, default=10_000)
    p.add_argument("--latencies", type=lambda s: [int(x) for x in s.split(",")], default=[20, 100, 250])
    p.add_argument("--levels", type=lambda s: [int(x) for x in s.split(",")], default=None,
                   help=f"fixed --concurrency levels of the sweep (default {','.join(map(str, LEVELS))})")
    p.add_argument("--repeat", type=int, default=1, help="runs of each configuration; medians are shown")
    p.add_argument("--only", choices=("latency", "cap", "quota"), action="append", default=None)
    p.add_argument("--quick", action="store_true",
                   help="what `make bench` runs: 1,000 chats, cap at 100 ms only, no quota run (~1.5 min)")
    args = p.parse_args(argv)
    only = set(args.only or ("latency", "cap", "quota"))
    cap_latencies = args.latencies
    if args.quick:
        args.chats, args.repeat = min(args.chats, 1000), 1
        args.levels = args.levels or [128, 32, 8]
        cap_latencies = [100]
        only.discard("quota")
    os.environ.update({"WECOM_CORP_ID": CORP_ID, "WECOM_CORP_SECRET": SECRET})
    print(f"machine: {os.cpu_count()} cores (shared: figures move with the load of others), Python "
          f"{sys.version.split()[0]}; load average {os.getloadavg()[0]:.1f}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-concurrency-") as tmp:
        tmp_path = Path(tmp)
        os.environ["APPCHAT_LOCK_DIR"] = tmp
        if "latency" in only:
            latency_experiment(tmp_path, args, capped=False)
        if "cap" in only:
            latency_experiment(tmp_path, argparse.Namespace(**{**vars(args), "latencies": cap_latencies}),
                               capped=True)
        if "quota" in only:
            quota_experiment(tmp_path, args)
        elif args.quick:
            print("\n(quota: 10,000 chats at 200 ms take over a minute: run without --quick, or --only quota)")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)
    sys.exit(main())
