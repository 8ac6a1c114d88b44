#!/usr/bin/env python3
"""How fast does `appchat history` answer over a year of ledger?

Generates a ledger of about a year at 10,000 chats (~1M lines, twelve
month files, written as apply writes them) in a temporary directory, then
runs `appchat history USER` (and `history --at DAY --chat ID`) in a fresh
process each, printing wall and CPU seconds (resource.getrusage) and the
child's peak RSS (VmHWM: see _CHILD). Goal (issue 23): a user's timeline in under 2 s and
200 MB.

    .venv/bin/python bench/bench_history.py           # 1M lines (~400 MB on disk, ~30 s to generate)
    .venv/bin/python bench/bench_history.py --quick   # 200,000 lines
    .venv/bin/python bench/bench_history.py --lines 200000 --chats 2000

Figures are printed, never asserted: timing belongs here, not in tests.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import figures  # noqa: E402
from reconciler.core.ledger import LedgerLine  # noqa: E402

TARGET = {"corp_id": "wwbenchcorp", "api_base": "https://qyapi.weixin.qq.com/cgi-bin/"}
EVENTS = ("joined", "left", "joined", "left", "present", "owner")


def generate(root: Path, lines: int, chats: int, users: int, rng: random.Random) -> tuple[int, int]:
    """Month files under root; returns (bytes written, lines of the user `vera`)."""
    per_month = lines // 12
    size = vera = 0
    for month in range(1, 13):
        out = []
        for i in range(per_month):
            day = 1 + i * 28 // per_month
            user = "vera" if rng.random() < 1e-4 else f"user{rng.randrange(users):05d}"
            vera += user == "vera"
            chat = f"chat{rng.randrange(chats):05d}"
            at = f"2026-{month:02d}-{day:02d}T{i % 24:02d}:{i % 60:02d}:00+08:00"
            line = LedgerLine(at, chat, f"Chat {chat} 群", rng.choice(EVENTS), user, f"Name {user}",
                              "in the files (chats/team.yaml:12)", TARGET, "0" * 40, "sha256:" + "ab" * 32)
            out.append(line.encode())
        data = b"".join(out)
        (root / f"2026-{month:02d}.jsonl").write_bytes(data)
        size += len(data)
    return size, vera


# Runs appchat in the child and reports the child's own peak. getrusage in
# the parent (RUSAGE_CHILDREN) or in the child (RUSAGE_SELF) would count the
# parent's pages too: Python starts children with vfork, and Linux carries
# the pre-exec high-water mark over; VmHWM belongs to the new image alone.
_CHILD = """
import resource, runpy, sys
sys.argv = ["appchat", *sys.argv[1:]]
try:
    runpy.run_module("reconciler", run_name="__main__")
finally:
    hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
    ru = resource.getrusage(resource.RUSAGE_SELF)
    sys.stderr.write(f"PEAK {hwm} {ru.ru_utime + ru.ru_stime}\\n")
"""


def measure(argv: list[str]) -> tuple[float, float, float, int]:
    """(wall seconds, CPU seconds, peak RSS MB, stdout lines) of `appchat ARGV` in a fresh process."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", _CHILD, *argv], capture_output=True, env=env, check=True)
    seconds = time.monotonic() - started
    _, hwm, cpu = proc.stderr.decode().strip().splitlines()[-1].split()
    return seconds, float(cpu), int(hwm) / 1024, proc.stdout.count(b"\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--chats", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--quick", action="store_true", help="200,000 lines (for make bench)")
    args = parser.parse_args()
    if args.quick:
        args.lines = min(args.lines, 200_000)
    rng = random.Random(23)
    with tempfile.TemporaryDirectory(prefix="appchat-ledger-") as tmp:
        root = Path(tmp)
        started = time.monotonic()
        size, vera = generate(root, args.lines, args.chats, args.users, rng)
        print(f"ledger: {args.lines:,} lines, {args.chats:,} chats, {size / 2**20:.0f} MB in 12 files "
              f"(generated in {time.monotonic() - started:.1f} s); vera has {vera} lines")
        runs = [("user", "history vera", ["history", "vera", "--ledger", tmp]),
                ("user_json", "history vera --format json", ["history", "vera", "--ledger", tmp, "--format", "json"]),
                ("at_chat", "history --at 2026-12-31 --chat chat00042",
                 ["history", "--at", "2026-12-31", "--chat", "chat00042", "--ledger", tmp])]
        size = f"{args.lines // 1000}k"
        for key, label, argv in runs:
            seconds, cpu, peak, out = measure(argv)
            print(f"{label:<42} {seconds:5.2f} s wall  {cpu:5.2f} s CPU  peak RSS {peak:5.1f} MB  {out} lines out")
            goal = key.startswith("user")
            figures.emit(f"history.{key}.wall.{size}", f"`{label}`, {args.lines:,} lines", seconds, "s",
                         goal=2.0 if goal else None, goal_on_value=goal, goal_text="< 2 s" if goal else "")
            figures.emit(f"history.{key}.cpu.{size}", f"`{label}`, CPU", cpu, "s CPU")
            figures.emit(f"history.{key}.rss.{size}", f"`{label}`, peak RSS", peak, "MB",
                         goal=200.0 if goal else None, goal_text="< 200 MB" if goal else "")


if __name__ == "__main__":
    main()
