#!/usr/bin/env python3
"""Apply N chat changes against the emulator with latency: wall time, calls
and the speed-up of parallel chats over one at a time.

    .venv/bin/python bench/bench_apply.py                  # 1,000 changes, 20 ms latency
    .venv/bin/python bench/bench_apply.py --latency-ms 200 --changes 1000
    .venv/bin/python bench/bench_apply.py --quick          # 200 changes

Each change is one appchat/update (+1 member, -1 member) on its own chat, so
1,000 changes are exactly WeCom's hourly chat-change quota (the emulator
enforces it; it is reset between the two runs). Only execute() is timed: the
plan is made first, like `apply --plan`. Every chat is read once more right
before its write (the concurrency guard), so each change costs a get and an
update.
"""

from __future__ import annotations

import argparse
import sys
import time



import figures  # noqa: E402
from reconciler.app import execute  # noqa: E402
from reconciler.emulator import Emulator, EmulatorConfig  # noqa: E402
from reconciler.core.model import DesiredChat  # noqa: E402
from reconciler.core.planner import make_plan  # noqa: E402
from reconciler.wecom import client_from_env  # noqa: E402


def seed_and_desired(n: int, members: int):
    seed, desired = [], []
    for i in range(n):
        base = [f"user{j:04d}" for j in range(members)]
        seed.append({"chatid": f"bench{i:05d}", "name": f"Bench {i}", "owner": base[0],
                     "userlist": base + ["leaver"]})
        desired.append(DesiredChat(f"bench{i:05d}", f"Bench {i}", base[0], frozenset(base + ["joiner"])))
    return {"chats": seed}, desired


def one_run(emu: Emulator, seed: dict, desired, concurrency: int, recheck: bool) -> dict:
    emu.reset(seed)
    env = {"WECOM_CORP_ID": emu.config.corp_id, "WECOM_CORP_SECRET": emu.config.corp_secret,
           "WECOM_API_BASE": emu.base_url}
    with client_from_env(env, concurrency=max(8, concurrency), read_only=False) as client:
        plan = make_plan(desired, client.read_chats([d.chat_id for d in desired]))
        emu.clear_calls()
        started = time.perf_counter()
        report = execute.execute(plan, client, concurrency=concurrency, recheck=recheck)
        wall = time.perf_counter() - started
    counts = emu.call_counts()
    return {"concurrency": concurrency, "wall": wall, "report": report, "counts": counts,
            "changes": len(plan.changes)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--changes", type=int, default=1000)
    parser.add_argument("--members", type=int, default=20, help="members per chat (default 20)")
    parser.add_argument("--latency-ms", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--no-recheck", action="store_true", help="skip the per-chat re-read (for comparison)")
    parser.add_argument("--quick", action="store_true", help="200 changes")
    args = parser.parse_args()
    n = 200 if args.quick else args.changes
    seed, desired = seed_and_desired(n, args.members)
    config = EmulatorConfig(latency_ms=args.latency_ms, seed=seed)
    print(f"apply of {n} chat changes, {args.members + 1} members each, emulator latency {args.latency_ms} ms, "
          f"per-chat re-read {'off' if args.no_recheck else 'on'}")
    results = []
    with Emulator(config) as emu:
        for concurrency in (args.concurrency, 1):
            r = one_run(emu, seed, desired, concurrency, not args.no_recheck)
            results.append(r)
            s = r["report"].summary
            calls = {k: v for k, v in sorted(r["counts"].items()) if v}
            print(f"  concurrency {concurrency:>2}: {r['wall']:7.2f} s wall, {r['changes'] / r['wall']:7.1f} "
                  f"changes/s, applied {s['applied']}, failed {s['failed']}, skipped {s['skipped']}, "
                  f"calls {calls}")
            if not r["report"].ok:
                print(f"    not all applied: {r['report'].stopped or ''}", file=sys.stderr)
                return 1
    parallel, sequential = results
    print(f"  speed-up vs sequential: {sequential['wall'] / parallel['wall']:.1f}x "
          f"(concurrency {args.concurrency})")
    at = f"{n}.{args.latency_ms}ms"
    figures.emit(f"apply.c{args.concurrency}_vs_c1.{at}", f"apply, --concurrency {args.concurrency}, {n:,} changes "
                 f"at {args.latency_ms} ms", parallel["wall"], "s", baseline="--concurrency 1",
                 baseline_value=sequential["wall"], goal=1.0, goal_text="< 1x")
    figures.emit(f"apply.changes_per_s.c{args.concurrency}.{at}", f"changes a second, --concurrency "
                 f"{args.concurrency}", parallel["changes"] / parallel["wall"], "changes/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
