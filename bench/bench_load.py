#!/usr/bin/env python3
"""How fast is loading and validating chat files?

Generates 10,000 chats (spread over files, with nested groups) and times
`reconciler.config.load` (parse with locations + JSON Schema + cross-file
rules) with libyaml's C parser and with PyYAML's pure-Python one, with the
stages apart, next to a plain `yaml.load` of the same files (no locations,
no checks). Optionally one big file of ~N MB (`--big-mb 30`).

    .venv/bin/python bench/bench_load.py --quick      # 10,000 chats, C and pure Python
    .venv/bin/python bench/bench_load.py              # also a ~30 MB single file
    .venv/bin/python bench/bench_load.py --chats 50000 --big-mb 0

Figures are printed, never asserted: timing belongs here, not in tests.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reconciler.config import _no_cyclic_gc, load, rules, schema, yamlnodes  # noqa: E402


def generate(root: Path, chats: int, files: int, rng: random.Random) -> int:
    """Chat files under root; returns the bytes written."""
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


def staged(path: str) -> dict[str, float]:
    """load()'s stages, timed apart (with the collector off, as load() has it)."""
    with _no_cyclic_gc():
        return _staged(path)


def _staged(path: str) -> dict[str, float]:
    from reconciler.config import files as discover

    t = {"read+parse": 0.0, "schema": 0.0, "rules": 0.0}
    names, _ = discover.discover([path])
    parsed = []
    for name in names:
        raw, _ = discover.read(name)
        start = time.perf_counter()
        one = yamlnodes.parse(name, raw)
        t["read+parse"] += time.perf_counter() - start
        start = time.perf_counter()
        errors = schema.check(one)
        t["schema"] += time.perf_counter() - start
        assert not errors and not one.errors, (errors, one.errors)
        parsed.append(one)
    start = time.perf_counter()
    outcome = rules.check(parsed)
    t["rules"] = time.perf_counter() - start
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
        with _no_cyclic_gc() if gc_off else contextlib.nullcontext():
            for f in sorted(Path(path).glob("*.yaml")):
                yaml.load(f.read_text(encoding="utf-8"), Loader=loader)
        times.append(time.perf_counter() - start)
    return times[0], times[1]


def measure(path: str, label: str, pure: bool) -> None:
    loaders = [("C (libyaml)", yaml.CSafeLoader)] if yamlnodes.HAVE_LIBYAML else []
    if pure or not loaders:
        loaders.append(("pure Python", yaml.SafeLoader))
    totals, parses = {}, {}
    for name, loader in loaders:
        yamlnodes.FastLoader = loader
        try:
            t = staged(path)
            start = time.perf_counter()
            result_chats = len(load([path]).chats)
            t["load"] = time.perf_counter() - start
            base = plain_yaml(path, loader)
        finally:
            yamlnodes.FastLoader = yaml.CSafeLoader if yamlnodes.HAVE_LIBYAML else yaml.SafeLoader
        totals[name], parses[name] = t["load"], t["read+parse"]
        print(f"  {label} {name:12s}: load+validate {t['load']:7.2f} s  (parse {t['read+parse']:.2f}, "
              f"schema {t['schema']:.2f}, rules {t['rules']:.2f})  {result_chats} chats;  "
              f"plain yaml.load {base[0]:.2f} s ({base[1]:.2f} s with the collector off)")
    if len(totals) == 2:
        c, p = totals.values()
        pc, pp = parses.values()
        print(f"  {label} pure Python / C: {p / c:.1f}x for load+validate, {pp / pc:.1f}x for the parse alone")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="10,000 chats only, no big file")
    ap.add_argument("--chats", type=int, default=10_000)
    ap.add_argument("--files", type=int, default=20)
    ap.add_argument("--big-mb", type=float, default=30.0, help="also one file of about this size (0: none)")
    ap.add_argument("--no-pure", action="store_true", help="skip the pure-Python loader (slow on big files)")
    args = ap.parse_args()
    if args.quick:
        args.big_mb = 0
    rng = random.Random(7)
    print(f"libyaml available: {yamlnodes.HAVE_LIBYAML}; python {sys.version.split()[0]}; "
          f"PyYAML {yaml.__version__}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "chats"
        root.mkdir()
        size = generate(root, args.chats, args.files, rng)
        print(f"{args.chats:,} chats in {args.files} files + groups.yaml, {size / 1e6:.1f} MB")
        measure(str(root), f"{args.chats // 1000}k chats", pure=not args.no_pure)
        if args.big_mb > 0:
            big = Path(tmp) / "big"
            big.mkdir()
            per_chat = size / args.chats
            n = int(args.big_mb * 1e6 / per_chat)
            size = generate(big, n, 1, rng)
            print(f"one file of {n:,} chats, {size / 1e6:.1f} MB")
            measure(str(big), f"{size / 1e6:.0f} MB", pure=not args.no_pure)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
