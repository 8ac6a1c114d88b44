#!/usr/bin/env python3
"""How fast is `appchat plan`, and what does it cost WeCom?

One run, one process: the emulator is started in-process with per-request
latency and N seeded chats (a share of them drifted from the files), then

1. `appchat plan --format json` (the real CLI call path, JSON to /dev/null),
2. the script a user would otherwise write: plain `requests`, one gettoken,
   then appchat/get for each chat, one after the other,

and prints both wall times, the ratio, and the API calls each made (from the
emulator's own counts). Then the pure planner on 10,000 chats x 200 members
(CPU time) and peak memory.

    .venv/bin/python bench/bench_plan.py                 # 1,000 chats x 50, 20 ms
    .venv/bin/python bench/bench_plan.py --chats 200 --latency-ms 50
    .venv/bin/python bench/bench_plan.py --scale         # 10,000 x 200 against the quota bound (>= 60 s)
    .venv/bin/python bench/bench_plan.py --planner-only --planner-members 2000   # issue 25's 10,000 x 2,000

Its figures (bench/figures.py) are ratios to baselines of the same run: the
plan to the sequential loop, make_plan to the set differences alone (the
sorted before/after lists a rendered plan holds are timed apart).

Figures are printed, never asserted: timing belongs here, not in tests.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

import figures  # noqa: E402
import requests  # noqa: E402

from reconciler import cli  # noqa: E402
from reconciler.app import session  # noqa: E402
from reconciler.core.facts import CALLS_PER_MINUTE_PER_API, ErrCode  # noqa: E402
from reconciler.emulator import Emulator, EmulatorConfig  # noqa: E402
from reconciler.core.model import DesiredChat, LiveChat, Source  # noqa: E402

CORP_ID, SECRET = "wwbench", "bench-secret-not-real"
CHATS_PER_FILE = 250


# ---------------------------------------------------------------- data

def make_world(chats: int, members: int, drift: float, seed: int = 7):
    """(seed chats for the emulator, desired chats for the files). Drifted
    chats differ the ways real ones do: someone joined by hand, someone left
    the company, a renamed chat; one chat in 100 does not exist yet."""
    rng = random.Random(seed)
    pool = [f"user{i:05d}" for i in range(max(members * 4, 2000))]
    live, desired = [], []
    for n in range(chats):
        chat_id = f"chat{n:05d}"
        users = sorted(rng.sample(pool, members))
        want = {"chatid": chat_id, "name": f"Team {n}", "owner": users[0], "userlist": list(users)}
        have = dict(want, userlist=list(users))
        if rng.random() < drift:
            kind = rng.randrange(4)
            if kind == 0:    # joined by hand: plan removes them
                have["userlist"] = users + [u for u in rng.sample(pool, 3) if u not in users]
            elif kind == 1:  # left: plan adds them back
                have["userlist"] = [users[0]] + users[3:]
            elif kind == 2:  # renamed in the WeCom app
                have["name"] = f"Team {n} (old)"
            else:            # not created yet
                have = None
        if have is not None:
            live.append(have)
        desired.append(want)
    return live, desired


def write_files(desired: list[dict], directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for start in range(0, len(desired), CHATS_PER_FILE):
        lines = ["chats:"]
        for chat in desired[start:start + CHATS_PER_FILE]:
            lines += [f"  {chat['chatid']}:", f"    name: \"{chat['name']}\"", f"    owner: {chat['owner']}",
                      f"    members: [{', '.join(chat['userlist'])}]"]
        (directory / f"chats{start // CHATS_PER_FILE:03d}.yaml").write_text("\n".join(lines) + "\n",
                                                                           encoding="utf-8")


# ---------------------------------------------------------------- the two contenders

def _timed(phases: dict, name: str, fn):
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            phases[name] = phases.get(name, 0.0) + time.perf_counter() - started
    return wrapper


def run_plan(chats_dir: Path, concurrency: int) -> tuple[float, int, dict]:
    """The CLI call path, with the time of its two phases (loading the files,
    reading WeCom) taken from the shell's own helpers."""
    argv = ["plan", str(chats_dir), "--format", "json", "--concurrency", str(concurrency)]
    phases: dict[str, float] = {}
    originals = session.load_valid, session.read_live
    session.load_valid = _timed(phases, "load", session.load_valid)  # what build_plan calls
    session.read_live = _timed(phases, "read", session.read_live)
    try:
        with open(os.devnull, "w") as null, contextlib.redirect_stdout(null):
            started = time.perf_counter()
            code = cli.main(argv)
            return time.perf_counter() - started, code, phases
    finally:
        session.load_valid, session.read_live = originals


def run_sequential(base_url: str, chat_ids: list[str]) -> float:
    """What a user would write without this tool."""
    started = time.perf_counter()
    with requests.Session() as http:
        token = http.get(base_url + "gettoken", params={"corpid": CORP_ID, "corpsecret": SECRET},
                         timeout=30).json()["access_token"]
        found = {}
        for chat_id in chat_ids:
            data = http.get(base_url + "appchat/get", params={"access_token": token, "chatid": chat_id},
                            timeout=30).json()
            if data.get("errcode") == 0:
                info = data["chat_info"]
                found[chat_id] = (info["name"], info["owner"], frozenset(info["userlist"]))
    return time.perf_counter() - started


def count_45009(emu) -> int:
    return sum(1 for c in emu.calls() if c.get("errcode") == ErrCode.FREQ_LIMIT)


# ---------------------------------------------------------------- the pure planner

def planner_inputs(chats: int, members: int, drift: float = 0.1, seed: int = 11):
    rng = random.Random(seed)
    pool = [f"user{i:05d}" for i in range(max(members * 4, 2000))]
    desired, live = [], {}
    for n in range(chats):
        chat_id = f"chat{n:05d}"
        users = frozenset(rng.sample(pool, members))
        owner = min(users)
        desired.append(DesiredChat(chat_id, f"Team {n}", owner, users, True, Source("chats/x.yaml", n + 2, 3)))
        have = users
        if rng.random() < drift:
            have = (users - set(rng.sample(sorted(users - {owner}), 5))) | set(rng.sample(pool, 5))
        live[chat_id] = LiveChat(chat_id, f"Team {n}", owner, frozenset(have))
    return desired, live


def bare_differences(desired, live) -> float:
    """The baseline of the same run: the two set differences per chat that
    any planner must make to find a change, and nothing else (CPU s)."""
    started = time.process_time()
    for want in desired:
        have = live[want.chat_id].members
        have - want.members  # noqa: B018
        want.members - have  # noqa: B018
    return time.process_time() - started


def bench_planner(chats: int, members: int, drift: float = 0.1) -> dict:
    """make_plan alone (CPU), the set differences alone (the baseline), the
    sorted before/after lists a rendered or written plan holds (the plan format's change_data:
    measured apart, issue 25), and make_plan's traced peak."""
    from reconciler.config import collector_paused
    from reconciler.core.planformat.writer import change_data
    from reconciler.core.planner import make_plan

    desired, live = planner_inputs(chats, members, drift)
    bare = bare_differences(desired, live)
    cpu = time.process_time()
    wall = time.perf_counter()
    with collector_paused():  # as app.session plans
        plan = make_plan(desired, live)
    cpu = time.process_time() - cpu
    wall = time.perf_counter() - wall
    lists = time.process_time()
    for change in plan.changes:
        change_data(change)  # the sorted before/after lists, as render and --out build them
    lists = time.process_time() - lists
    changes = len(plan.changes)
    del plan
    tracemalloc.start()
    with collector_paused():
        make_plan(desired, live)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"cpu_s": cpu, "wall_s": wall, "changes": changes, "peak_mib": peak / 2**20, "bare_s": bare,
            "lists_s": lists}


def report_planner(chats: int, members: int, drift: float) -> None:
    r = bench_planner(chats, members, drift)
    size = f"{chats}x{members}"
    print(f"planner (make_plan)   {r['cpu_s']:8.2f} s CPU ({r['wall_s']:.2f} s wall) for {chats:,} chats x "
          f"{members} members, {drift:.0%} drifted ({r['changes']:,} changes); peak {r['peak_mib']:.0f} MiB traced; "
          f"set differences alone {r['bare_s']:.2f} s; sorted before/after lists (change_data) {r['lists_s']:.2f} s")
    at_goal_size = chats == 10_000 and members == 2_000
    goal_s = {1.0: 3.0}.get(drift) if at_goal_size else None
    figures.emit(f"planner.{drift:.0%}.{size}", f"make_plan, {chats:,} x {members:,}, {drift:.0%} drifted",
                 r["cpu_s"], "s CPU", baseline="set differences alone", baseline_value=r["bare_s"],
                 goal=goal_s, goal_on_value=True, goal_text="≤ 3 s" if goal_s else "")
    figures.emit(f"planner.memory.{drift:.0%}.{size}", f"make_plan peak, {chats:,} x {members:,}, {drift:.0%}",
                 r["peak_mib"], "MiB", goal=400.0 if at_goal_size else None,
                 goal_text="≤ 400 MB" if at_goal_size else "")
    figures.emit(f"planner.lists.{drift:.0%}.{size}",
                 f"sorted before/after lists (change_data), {chats:,} x {members:,}, {drift:.0%}",
                 r["lists_s"], "s CPU", baseline="set differences alone", baseline_value=r["bare_s"])


# ---------------------------------------------------------------- main

def end_to_end(args, label: str) -> None:
    live, desired = make_world(args.chats, args.members, args.drift)
    ids = [c["chatid"] for c in desired]
    with tempfile.TemporaryDirectory(prefix="bench-plan-") as tmp:
        chats_dir = Path(tmp) / "chats"
        write_files(desired, chats_dir)
        config = EmulatorConfig(corp_id=CORP_ID, corp_secret=SECRET, latency_ms=args.latency_ms,
                                seed={"chats": live})
        with Emulator(config) as emu:
            emu.start()
            os.environ.update({"WECOM_CORP_ID": CORP_ID, "WECOM_CORP_SECRET": SECRET,
                               "WECOM_API_BASE": emu.base_url})

            from reconciler import config as chat_config
            started = time.perf_counter()
            loaded = chat_config.load([str(chats_dir)])
            load_s = time.perf_counter() - started
            assert loaded.ok, "the generated files must be valid"

            emu.clear_calls()
            plan_s, code, phases = run_plan(chats_dir, args.concurrency)
            plan_calls = emu.call_counts()
            plan_45009 = count_45009(emu)
            read_s = phases.get("read", float("nan"))

            print(f"== {label}: {args.chats} chats x {args.members} members, {args.latency_ms} ms latency, "
                  f"{args.drift:.0%} drifted ==")
            print(f"load + validate       {load_s:8.2f} s  (config.load alone)")
            print(f"appchat plan          {plan_s:8.2f} s  (concurrency {args.concurrency}, exit {code}): "
                  f"load {phases.get('load', float('nan')):.2f} s, read {read_s:.2f} s, "
                  f"plan + render {plan_s - sum(phases.values()):.2f} s")
            print(f"  API calls           {plan_calls}  45009 answers: {plan_45009}")
            if args.scale:
                bound = args.chats / CALLS_PER_MINUTE_PER_API * 60
                print(f"quota bound           {bound:8.2f} s  ({args.chats:,} reads at {CALLS_PER_MINUTE_PER_API:,}"
                      f"/min); reads / bound = {read_s / bound:.2f}x, whole plan / bound = {plan_s / bound:.2f}x")
            if not args.no_sequential:
                emu.clear_calls()
                seq_s = run_sequential(emu.base_url, ids)
                seq_calls = emu.call_counts()
                print(f"sequential requests   {seq_s:8.2f} s  calls {seq_calls}  "
                      f"({seq_s * 1000 / (len(ids) + 1):.1f} ms per round trip)")
                print(f"speed-up              {seq_s / plan_s:8.1f}x")
                figures.emit(f"plan.vs_sequential.{args.chats}x{args.members}",
                             f"appchat plan, {args.chats:,} chats x {args.members} at {args.latency_ms} ms",
                             plan_s, "s", baseline="the sequential loop", baseline_value=seq_s, goal=1.0,
                             goal_text="faster than the loop (< 1x)")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--chats", type=int, default=1000)
    p.add_argument("--members", type=int, default=50)
    p.add_argument("--latency-ms", type=int, default=20)
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--drift", type=float, default=0.1, help="share of chats that differ (default 0.1)")
    p.add_argument("--planner-chats", type=int, default=10_000)
    p.add_argument("--planner-members", type=int, default=200)
    p.add_argument("--no-sequential", action="store_true", help="skip the sequential loop")
    p.add_argument("--scale", action="store_true",
                   help="10,000 chats x 200 members end to end against the quota bound (takes >= 60 s); "
                        "the sequential loop is skipped unless --chats/--members are given too")
    p.add_argument("--quick", action="store_true", help="the bounded version `make bench` runs (the defaults)")
    p.add_argument("--small", action="store_true",
                   help="`make bench-quick`: 200 chats x 50 end to end, the planner on 2,000 x 200")
    p.add_argument("--planner-only", action="store_true", help="only the pure planner (no emulator)")
    p.add_argument("--repeat", type=int, default=1, help="runs of the planner at each drift (figures: median)")
    args = p.parse_args(argv)

    if args.small:
        args.chats, args.members, args.planner_chats = 200, 50, 2_000
    if args.planner_only:
        pass
    elif args.scale:
        if args.chats == 1000:
            args.chats = 10_000
        if args.members == 50:
            args.members = 200
        args.no_sequential = True  # 10,000 x 20 ms one by one is 200 s+ of nothing new
        end_to_end(args, "scale")
    else:
        end_to_end(args, "plan vs sequential")

    for drift in (args.drift, 1.0):  # the usual day, and every chat drifted
        for _ in range(args.repeat):
            report_planner(args.planner_chats, args.planner_members, drift)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"peak RSS (whole run, emulator included) {rss:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)  # figures appear as they are measured
    sys.exit(main())
