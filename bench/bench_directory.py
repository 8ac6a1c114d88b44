#!/usr/bin/env python3
"""What do members from the directory (dept:, tag:, exclude:) cost a plan?

One run: a 20,000-person company with 1,000 departments and 50
tags is seeded into the emulator (in its own process, so it does not share the
client's interpreter; with per-request latency), and 2,000 chats,
half of them written with dept:/tag: entries (and some excludes), 10% drifted.
Then, each through the real CLI call path (`appchat plan --format json`):

1. the plan of those files: the calls by API (counted by the emulator), how
   many departments and tags were needed, the CPU spent resolving and
   planning, the wall time;
2. the same chats written as static lists (each directory chat resolved once
   by hand into its user ids): the wall time of a plan that reads no
   directory.

It prints the ratio of the two wall times, checks that every department and
tag was read at most once, how many chat reads were answered before the
directory's last read (the chats that use it cannot be planned before it),
and prints peak memory.

Two bounds to measure it against: WeCom's, each API's own quota (the
emulator's default; at 10,000 chats and 200 ms both plans wait for the
appchat/get quota, so the directory's calls cost next to nothing), and
`--max-concurrent N`, the emulator's cap on requests in flight shared by
every API (then the directory's calls take slots the chat reads would have).

    .venv/bin/python bench/bench_directory.py              # the issue's size
    .venv/bin/python bench/bench_directory.py --quick      # what `make bench` runs
    .venv/bin/python bench/bench_directory.py --chats 10000 --latency-ms 200        # WeCom's bound (~3 min)
    .venv/bin/python bench/bench_directory.py --latency-ms 100 --max-concurrent 20  # a cap shared by all APIs

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
from collections import Counter
from pathlib import Path

import json

import figures
from emulator_process import CORP_ID, SECRET, EmulatorProcess
from reconciler import cli
from reconciler.app import session

DIRECTORY_PATHS = ("department/simplelist", "user/simplelist", "tag/get")


def make_company(people: int, departments: int, tags: int, rng: random.Random) -> dict:
    """A department tree (each department under one made before it), people
    spread over the departments, tags holding a few people and departments."""
    depts = [{"id": 1, "name": "Company", "parentid": 0}]
    for ident in range(2, departments + 1):
        parent = rng.randint(max(1, ident - 40), ident - 1)  # a bushy tree a few levels deep
        depts.append({"id": ident, "name": f"Dept {ident}", "parentid": parent})
    users = [{"userid": f"u{i:05d}", "name": f"用户{i}", "department": [rng.randint(1, departments)]}
             for i in range(people)]
    has_children = {d["parentid"] for d in depts}
    leaves = [d["id"] for d in depts if d["id"] not in has_children]
    tag_list = [{"tagid": t, "tagname": f"tag{t}", "users": [u["userid"] for u in rng.sample(users, 20)],
                 "departments": rng.sample(leaves, 2)} for t in range(1, tags + 1)]
    return {"departments": depts, "users": users, "tags": tag_list}


def subtree_users(company: dict) -> dict[int, set[str]]:
    children: dict[int, list[int]] = {}
    for d in company["departments"]:
        children.setdefault(d["parentid"], []).append(d["id"])
    direct: dict[int, set[str]] = {}
    for u in company["users"]:
        for d in u["department"]:
            direct.setdefault(d, set()).add(u["userid"])
    memo: dict[int, set[str]] = {}

    def users(d: int) -> set[str]:
        if d not in memo:
            found = set(direct.get(d, ()))
            for child in children.get(d, ()):
                found |= users(child)
            memo[d] = found
        return memo[d]
    for d in company["departments"]:
        users(d["id"])
    return memo


def make_chats(company: dict, chats: int, rng: random.Random, drift: float = 0.1):
    """(seed chats, file chats with entries, the same chats as static lists)."""
    below = subtree_users(company)
    leaves = [d["id"] for d in company["departments"] if 5 <= len(below[d["id"]]) <= 150]
    tag_users = {t["tagid"]: set(t["users"]).union(*(below[d] for d in t["departments"])) for t in company["tags"]}
    people = [u["userid"] for u in company["users"]]
    seed, entries, static = [], [], []
    for n in range(chats):
        chat_id = f"chat{n:05d}"
        if n % 2:  # written with the directory
            depts = rng.sample(leaves, rng.randint(1, 2))
            tag = rng.choice(list(tag_users)) if n % 6 == 1 else None
            members = set().union(*(below[d] for d in depts)) | (tag_users[tag] if tag else set())
            exclude = rng.sample(sorted(members), 1) if n % 10 == 1 else []
            members -= set(exclude)
            written = [f'"dept:{d}"' for d in depts] + ([f'"tag:{tag}"'] if tag else [])
        else:
            members = set(rng.sample(people, 40))
            exclude, written = [], sorted(members)
        owner = min(members)
        if len(members) < 2:
            members |= set(rng.sample(people, 2))
            written += sorted(members - {owner})[:2]
        entries.append({"chatid": chat_id, "owner": owner, "written": written, "exclude": exclude})
        static.append({"chatid": chat_id, "owner": owner, "written": sorted(members), "exclude": []})
        have = {"chatid": chat_id, "name": f"Team {n}", "owner": owner, "userlist": sorted(members)}
        if rng.random() < drift:
            have["userlist"] = sorted(members)[1:] + ["u19999"] if len(members) > 3 else have["userlist"]
            have["userlist"] = sorted(set(have["userlist"]) | {owner})
        seed.append(have)
    return seed, entries, static


def write_files(chats: list[dict], directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for start in range(0, len(chats), 250):
        lines = ["chats:"]
        for chat in chats[start:start + 250]:
            lines += [f"  {chat['chatid']}:", f"    name: \"Team {int(chat['chatid'][4:])}\"",
                      f"    owner: {chat['owner']}", f"    members: [{', '.join(chat['written'])}]"]
            if chat["exclude"]:
                lines.append(f"    exclude: [{', '.join(chat['exclude'])}]")
        (directory / f"chats{start // 250:03d}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def run_plan(chats_dir: Path) -> tuple[float, int, float]:
    """(wall s, exit code, CPU s of make_plan) through the CLI call path."""
    cpu = {"make_plan": 0.0}
    original = session.make_plan

    def timed(*args, **kwargs):
        started = time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            cpu["make_plan"] += time.process_time() - started
    session.make_plan = timed
    try:
        with open(os.devnull, "w") as null, contextlib.redirect_stdout(null):
            started = time.perf_counter()
            code = cli.main(["plan", str(chats_dir), "--format", "json"])
            return time.perf_counter() - started, code, cpu["make_plan"]
    finally:
        session.make_plan = original


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--people", type=int, default=20_000)
    p.add_argument("--departments", type=int, default=1_000)
    p.add_argument("--tags", type=int, default=50)
    p.add_argument("--chats", type=int, default=2_000)
    p.add_argument("--latency-ms", type=int, default=20)
    p.add_argument("--max-concurrent", type=int, default=0,
                   help="the emulator answers 45033 past N requests in flight, all APIs together (default 0: no cap)")
    p.add_argument("--quick", action="store_true", help="a bounded run for `make bench`: 500 chats")
    args = p.parse_args(argv)
    if args.quick:
        args.chats = 500
    rng = random.Random(13)
    company = make_company(args.people, args.departments, args.tags, rng)
    seed_chats, entries, static = make_chats(company, args.chats, rng)
    print(f"== the directory: {args.people:,} people, {args.departments:,} departments, {args.tags} tags; "
          f"{args.chats:,} chats, half with dept:/tag:; {args.latency_ms} ms latency"
          f"{f', at most {args.max_concurrent} in flight (all APIs)' if args.max_concurrent else ''} ==")
    os.environ.update(WECOM_CORP_ID=CORP_ID, WECOM_CORP_SECRET=SECRET)
    with tempfile.TemporaryDirectory() as tmp:
        seed = Path(tmp, "seed.json")
        seed.write_text(json.dumps({**company, "chats": seed_chats}), encoding="utf-8")
        emu = EmulatorProcess(seed, "--latency-ms", str(args.latency_ms), "--max-concurrent", str(args.max_concurrent))
        try:
            os.environ["WECOM_API_BASE"] = emu.base_url
            with_entries, as_lists = Path(tmp, "entries"), Path(tmp, "static")
            write_files(entries, with_entries)
            write_files(static, as_lists)

            emu.clear_calls()
            wall_dir, code_dir, cpu_dir = run_plan(with_entries)
            counts = emu.counts()
            calls = emu.calls()
            counts_45033 = sum(1 for c in calls if c.get("errcode") == 45033)
            per_key = Counter((c["path"], tuple(sorted(c["query"].items()))) for c in calls  # 45033: not read
                              if c["path"] in (*DIRECTORY_PATHS, "department/get") and c.get("errcode") != 45033)
            twice = sum(1 for n in per_key.values() if n > 1)
            order = sorted(calls, key=lambda c: c["ts"])  # answered in this order
            last_dir = max((i for i, c in enumerate(order) if c["path"] in DIRECTORY_PATHS), default=-1)
            chats_before = sum(1 for c in order[:last_dir] if c["path"] == "appchat/get")
            emu.clear_calls()
            wall_static, code_static, cpu_static = run_plan(as_lists)
            static_counts = emu.counts()
        finally:
            emu.stop()

    print(f"plan with dept:/tag:     {wall_dir:7.2f} s wall (exit {code_dir}), make_plan {cpu_dir:.2f} s CPU "
          f"(resolving and planning)")
    print("  calls                  " + ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items())))
    print(f"  read more than once    {twice} department or tag read(s) (goal: 0)")
    print(f"  directory all read     after {chats_before:,} of the {args.chats:,} chat reads "
          f"({chats_before / args.chats:.0%}); 45033 answers {counts_45033}")
    print(f"plan of static lists     {wall_static:7.2f} s wall (exit {code_static}), make_plan {cpu_static:.2f} s CPU")
    print("  calls                  " + ", ".join(f"{k} {v:,}" for k, v in sorted(static_counts.items())))
    print(f"ratio directory / static {wall_dir / wall_static:7.2f}x; calls {sum(counts.values()) / sum(static_counts.values()):.2f}x")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the client {peak:.0f} MiB")
    cap = f".cap{args.max_concurrent}" if args.max_concurrent else ""
    at = f"{args.chats}.{args.latency_ms}ms{cap}"
    text = (f"{args.chats:,} chats at {args.latency_ms} ms"
            f"{f', {args.max_concurrent} in flight (all APIs)' if args.max_concurrent else ''}")
    figures.emit(f"directory.vs_static.{at}", f"plan with dept:/tag:, {text}", wall_dir, "s",
                 baseline="the same chats as static lists", baseline_value=wall_static)
    figures.emit(f"directory.calls_vs_static.{at}", f"API calls with dept:/tag:, {text}", sum(counts.values()),
                 "calls", baseline="static lists", baseline_value=sum(static_counts.values()))
    figures.emit(f"directory.read_twice.{at}", f"departments or tags read more than once, {text}", twice, "reads",
                 goal=0.0, goal_text="0")
    figures.emit(f"directory.read_after.{at}", f"chat reads answered before the directory's last, {text}",
                 100 * chats_before / args.chats, "% of chats")
    figures.emit(f"directory.make_plan_cpu.{at}", f"make_plan CPU (resolving and planning), {text}", cpu_dir,
                 "s CPU", goal=1.0, goal_text="< 1 s")
    return 0


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)
    sys.exit(main())
