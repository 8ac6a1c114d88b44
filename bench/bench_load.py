#!/usr/bin/env python3
"""How fast is loading and validating chat files?

Generates 10,000 chats (spread over files, with nested groups) and times
`reconciler.config.load` (parse with locations + JSON Schema + cross-file
rules) with libyaml's C parser and with PyYAML's pure-Python one, with the
stages apart, next to a plain `yaml.load` of the same files (no locations,
no checks). Optionally one big file of ~N MB (`--big-mb 30`). Each
measurement runs in a fresh process, whose peak RSS is printed with it.

    .venv/bin/python bench/bench_load.py --quick      # 10,000 chats, C and pure Python
    .venv/bin/python bench/bench_load.py              # also a ~30 MB single file
    .venv/bin/python bench/bench_load.py --scale      # 10,000 chats x 200 members (issue 7), C only,
                                                      # one-line lists, then block lists
    .venv/bin/python bench/bench_load.py --chats 50000 --big-mb 0

Figures are printed, never asserted: timing belongs here, not in tests.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import figures
import yaml


from reconciler.config import collector_paused, crossfile, definitions, load, schema, yamlnodes  # noqa: E402


def generate(root: Path, chats: int, files: int, rng: random.Random, members: int = 0,
             block: bool = False) -> int:
    """Chat files under root; returns the bytes written. With `members`,
    every chat lists that many users directly (the shape of
    bench_plan.py --scale; `block`: one `- id` line each, as appchat import
    writes); without, 3-12 users and one '@team'."""
    if members:
        return _generate_flat(root, chats, files, rng, members, block)
    users = [f"user{i:05d}" for i in range(max(200, chats // 5))]
    groups = {f"team{i}": rng.sample(users, 8) for i in range(50)}
    for i in range(10, 50):  # nested: some teams include others
        groups[f"team{i}"].append(f"@team{i - 10}")
    lines = ["groups:"] + [f"  {g}: [{', '.join(m if not m.startswith('@') else repr(m) for m in ms)}]"
                           for g, ms in groups.items()]
    (root / "groups.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    size = (root / "groups.yaml").stat().st_size
    per_file = -(-chats // files)
    n = 0
    for f in range(files):
        out = ["# yaml-language-server: $schema=../schemas/chats.schema.json", "chats:"]
        for _ in range(per_file):
            if n >= chats:
                break
            members = rng.sample(users, rng.randint(3, 12))
            team = f"'@team{rng.randrange(50)}'"
            out.append(f"  chat{n:06d}:\n    name: Chat number {n} 群聊\n    owner: {members[0]}\n"
                       f"    members: [{', '.join(members)}, {team}]" + ("\n    prune: false" if n % 7 == 0 else ""))
            n += 1
        path = root / f"chats{f:03d}.yaml"
        path.write_text("\n".join(out) + "\n", encoding="utf-8")
        size += path.stat().st_size
    return size


def _generate_flat(root: Path, chats: int, files: int, rng: random.Random, members: int, block: bool) -> int:
    users = [f"user{i:05d}" for i in range(max(members * 4, 2000))]
    per_file = -(-chats // files)
    size = 0
    for f in range(files):
        out = ["chats:"]
        for n in range(f * per_file, min((f + 1) * per_file, chats)):
            listed = sorted(rng.sample(users, members))
            out += [f"  chat{n:05d}:", f'    name: "Team {n}"', f"    owner: {listed[0]}"]
            out += ["    members:"] + [f"      - {u}" for u in listed] if block else [f"    members: [{', '.join(listed)}]"]
        path = root / f"chats{f:03d}.yaml"
        path.write_text("\n".join(out) + "\n", encoding="utf-8")
        size += path.stat().st_size
    return size


def staged(path: str) -> dict[str, float]:
    """load()'s stages, timed apart (with the collector off, as load() has it)."""
    with collector_paused():
        return _staged(path)


def _staged(path: str) -> dict[str, float]:
    from reconciler.config import files as discover

    t = {"read+parse": 0.0, "schema": 0.0, "rules": 0.0}
    names, _ = discover.discover([path])
    found = []
    for name in names:
        raw, _ = discover.read(name)
        start = time.perf_counter()
        one = yamlnodes.parse(name, raw)
        t["read+parse"] += time.perf_counter() - start
        start = time.perf_counter()
        errors = schema.check(one)
        t["schema"] += time.perf_counter() - start
        assert not errors and not one.errors, (errors, one.errors)
        start = time.perf_counter()
        found.append(definitions.collect(one))
        del one  # as load() does: the nodes go as soon as the file is done
        t["rules"] += time.perf_counter() - start
    start = time.perf_counter()
    outcome = crossfile.check(found)
    t["rules"] += time.perf_counter() - start
    assert not outcome.errors, outcome.errors[:3]
    t["total"] = sum(t.values())
    return t


def plain_yaml(path: str, loader) -> tuple[float, float]:
    """yaml.load of the same files (no locations, no checks): with the
    cyclic collector on, as a user's script would run it, and off, as
    load() runs."""
    times = []
    for gc_off in (False, True):
        start = time.perf_counter()
        with collector_paused() if gc_off else contextlib.nullcontext():
            for f in sorted(Path(path).glob("*.yaml")):
                yaml.load(f.read_text(encoding="utf-8"), Loader=loader)
        times.append(time.perf_counter() - start)
    return times[0], times[1]


LOADERS = {"C (libyaml)": "CSafeLoader", "pure Python": "SafeLoader"}


def child(path: str, loader_name: str) -> None:
    """One measurement in this fresh process: load() first, so that the
    peak RSS is load()'s own (plus the interpreter and imports, about
    30 MB), then the stages and the plain yaml.load baseline."""
    loader = getattr(yaml, LOADERS[loader_name])
    yamlnodes.FastLoader = loader
    start = time.perf_counter()
    result = load([path])
    t = {"load": time.perf_counter() - start, "chats": len(result.chats), "errors": len(result.errors),
         "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    del result
    t.update(staged(path))
    t["plain"] = plain_yaml(path, loader)
    print(json.dumps(t))


def measure(path: str, label: str, pure: bool, goal: bool = False) -> None:
    """Each loader in a fresh process; a figure (bench/figures.py) per loader:
    load+validate as a ratio to plain yaml.load of the same files in the same
    process. `goal`: the case issue 25's goals are set for."""
    loaders = ["C (libyaml)"] if yamlnodes.HAVE_LIBYAML else []
    if pure or not loaders:
        loaders.append("pure Python")
    totals, parses = {}, {}
    for name in loaders:
        out = subprocess.run([sys.executable, __file__, "--child", path, "--loader", name],
                             check=True, capture_output=True, text=True).stdout
        t = json.loads(out.splitlines()[-1])
        base = t["plain"]
        totals[name], parses[name] = t["load"], t["read+parse"]
        print(f"  {label} {name:12s}: load+validate {t['load']:7.2f} s, peak RSS {t['rss_mb']:.0f} MB  "
              f"(parse {t['read+parse']:.2f}, schema {t['schema']:.2f}, rules {t['rules']:.2f})  "
              f"{t['chats']} chats, {t['errors']} errors;  "
              f"plain yaml.load {base[0]:.2f} s ({base[1]:.2f} s with the collector off)")
        case = "-".join(label.split()) + ("" if name.startswith("C") else ".pure")
        c_goal = goal and name.startswith("C")
        figures.emit(f"load.{case}", f"load+validate, {label}, {name}", t["load"], "s", baseline="plain yaml.load",
                     baseline_value=base[0], goal=0.15 if c_goal else None, goal_text="≤ 0.15x" if c_goal else "")
        figures.emit(f"load.rss.{case}", f"load peak RSS, {label}, {name}", t["rss_mb"], "MB",
                     goal=150.0 if c_goal else None, goal_text="≤ 150 MB" if c_goal else "")
    if len(totals) == 2:
        c, p = totals.values()
        pc, pp = parses.values()
        print(f"  {label} pure Python / C: {p / c:.1f}x for load+validate, {pp / pc:.1f}x for the parse alone")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="10,000 chats only, no big file")
    ap.add_argument("--small", action="store_true", help="`make bench-quick`: 2,000 chats in 4 files, C only")
    ap.add_argument("--chats", type=int, default=10_000)
    ap.add_argument("--files", type=int, default=20)
    ap.add_argument("--big-mb", type=float, default=30.0, help="also one file of about this size (0: none)")
    ap.add_argument("--no-pure", action="store_true", help="skip the pure-Python loader (slow on big files)")
    ap.add_argument("--members", type=int, default=0,
                    help="every chat lists this many users directly (default: 3-12 users and a group)")
    ap.add_argument("--scale", action="store_true",
                    help="issue 7's case: 10,000 chats x 200 members in 40 files, C parser only, no big file")
    ap.add_argument("--child", metavar="PATH", help=argparse.SUPPRESS)
    ap.add_argument("--loader", default="C (libyaml)", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.loader)
        return 0
    if args.quick:
        args.big_mb = 0
    if args.small:
        args.chats, args.files, args.big_mb, args.no_pure = 2_000, 4, 0, True
    if args.scale:
        args.chats, args.members, args.files, args.big_mb, args.no_pure = 10_000, 200, 40, 0, True
    rng = random.Random(7)
    print(f"libyaml available: {yamlnodes.HAVE_LIBYAML}; python {sys.version.split()[0]}; "
          f"PyYAML {yaml.__version__}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "chats"
        root.mkdir()
        size = generate(root, args.chats, args.files, rng, args.members)
        shape = f"x {args.members} members" if args.members else "+ groups.yaml"
        print(f"{args.chats:,} chats in {args.files} files {shape}, {size / 1e6:.1f} MB")
        measure(str(root), f"{args.chats // 1000}k chats" + (f" x {args.members}" if args.members else ""),
                pure=not args.no_pure, goal=args.scale)
        if args.big_mb > 0:
            big = Path(tmp) / "big"
            big.mkdir()
            per_chat = size / args.chats
            n = int(args.big_mb * 1e6 / per_chat)
            size = generate(big, n, 1, rng, args.members)
            print(f"one file of {n:,} chats, {size / 1e6:.1f} MB")
            measure(str(big), f"{size / 1e6:.0f} MB", pure=not args.no_pure)
        if args.scale:
            block = Path(tmp) / "block"
            block.mkdir()
            size = generate(block, args.chats, args.files, random.Random(7), args.members, block=True)
            print(f"the same as block lists ('- id' lines), {size / 1e6:.1f} MB")
            measure(str(block), f"{args.chats // 1000}k block", pure=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
