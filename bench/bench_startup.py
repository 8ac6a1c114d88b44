#!/usr/bin/env python3
"""Start-up: how long `appchat --version` and `appchat validate` on one small
file take, beside `python -c pass` (the interpreter alone), median of N.

Each command runs in a fresh process, all of them taking turns (so a burst
of load from elsewhere on the machine lands on all alike). Python's bytecode
cache is kept in a temporary directory (PYTHONPYCACHEPREFIX) after one
warm-up run, as an installed package has its .pyc files; the first run,
compiling everything, is printed apart. Figures are printed, never asserted.

    .venv/bin/python bench/bench_startup.py              # median of 10
    .venv/bin/python bench/bench_startup.py --runs 30
    git worktree add /tmp/before <commit>                # against an older version, turn about:
    .venv/bin/python bench/bench_startup.py --tree /tmp/before --tree .
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import figures

SMALL_FILE = """chats:
  sreoncall:
    name: SRE On-call
    owner: alice
    members: [alice, bob, carol]
"""


def commands(chat_file: Path, trees: list[str]) -> dict[str, tuple[list[str], dict]]:
    """name -> (argv, extra environment)."""
    out = {"python -c pass": ([sys.executable, "-c", "pass"], {})}
    appchat = Path(sys.executable).with_name("appchat")
    versions = [(f" [{tree}]", [sys.executable, "-m", "reconciler"], {"PYTHONPATH": os.path.abspath(tree)})
                for tree in trees]
    if not trees:
        versions = [("", [str(appchat)] if appchat.exists() else [sys.executable, "-m", "reconciler"], {})]
    for label, entry, env in versions:
        out[f"appchat --version{label}"] = ([*entry, "--version"], env)
        out[f"appchat validate (1 small file){label}"] = ([*entry, "validate", str(chat_file)], env)
    return out


def timed(argv: list[str], env: dict, cwd: str) -> float:
    started = time.perf_counter()
    # cwd: not the repository, where `python -m` would import ./reconciler whatever PYTHONPATH says
    proc = subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {proc.stderr.strip()}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=10, help="runs of each command (default 10)")
    p.add_argument("--quick", action="store_true", help="what `make bench` runs (the same: 10 runs, ~10 s)")
    p.add_argument("--tree", action="append", default=[], metavar="DIR",
                   help="time the reconciler package of this checkout (python -m reconciler with "
                        "PYTHONPATH=DIR) instead of the installed one; repeatable, to compare versions")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        chat_file = Path(tmp) / "chats.yaml"
        chat_file.write_text(SMALL_FILE, encoding="utf-8")
        base_env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        base_env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        cmds = {name: (argv_, {**base_env, **extra}) for name, (argv_, extra) in commands(chat_file, args.tree).items()}
        first = {name: timed(*cmd, tmp) for name, cmd in cmds.items()}  # compiles and caches the bytecode
        times: dict[str, list[float]] = {name: [] for name in cmds}
        for _ in range(args.runs):
            for name, cmd in cmds.items():
                times[name].append(timed(*cmd, tmp))
    base = statistics.median(times["python -c pass"])
    print(f"machine: {os.cpu_count()} cores (shared), Python {sys.version.split()[0]}; load average "
          f"{os.getloadavg()[0]:.1f}; median of {args.runs}, bytecode cached")
    for name, values in times.items():
        med = statistics.median(values)
        extra = "" if name == "python -c pass" else f"  (+{(med - base) * 1000:.0f} ms over the interpreter)"
        print(f"  {name:40} {med * 1000:6.0f} ms median  [{min(values) * 1000:.0f}-{max(values) * 1000:.0f}]"
              f"  first run, compiling: {first[name] * 1000:.0f} ms{extra}")
        if name != "python -c pass" and not args.tree:
            key = "version" if "--version" in name else "validate"
            figures.emit(f"startup.{key}", f"`{name}`, median of {args.runs}", med * 1000, "ms",
                         baseline="`python -c pass`", baseline_value=base * 1000)
    figures.emit("startup.interpreter", f"`python -c pass`, median of {args.runs}", base * 1000, "ms")
    return 0


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)
    sys.exit(main())
