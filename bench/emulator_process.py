"""`python -m reconciler emulator` in a process of its own, for the
benchmarks: the server then does not share the client's interpreter (its
GIL), so what a benchmark times is the client. Not a benchmark itself
(run_all runs bench_*.py only)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
CORP_ID, SECRET = "wwbench", "bench-secret-not-real"
TICK = os.sysconf("SC_CLK_TCK")


class EmulatorProcess:
    """`python -m reconciler emulator` in its own process group."""

    def __init__(self, seed_file: Path, *extra: str):
        argv = [sys.executable, "-m", "reconciler", "emulator", "--seed", str(seed_file), "--port", "0",
                "--corp-id", CORP_ID, "--corp-secret", SECRET, *extra]
        self.proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                     start_new_session=True)
        line = self.proc.stdout.readline().strip()
        if not line.startswith("listening on "):
            self.stop()
            raise SystemExit(f"emulator did not start: {line!r}")
        self.base_url = line.split()[-1]
        self.admin = self.base_url.replace("/cgi-bin/", "/_emulator/")
        self.http = requests.Session()

    def faults(self, **settings) -> None:
        self.http.post(self.admin + "faults", json=settings, timeout=60).raise_for_status()

    def reset(self, **faults) -> None:
        self.http.post(self.admin + "reset", json={}, timeout=120).raise_for_status()
        if faults:
            self.faults(**faults)

    def errcodes(self) -> dict[int, int]:
        calls = self.http.get(self.admin + "calls", timeout=120).json()["calls"]
        out: dict[int, int] = {}
        for c in calls:
            out[c.get("errcode")] = out.get(c.get("errcode"), 0) + 1
        return out

    def load(self) -> dict:
        return self.http.get(self.admin + "load", timeout=60).json()

    def cpu(self) -> float:
        """CPU seconds the emulator process has used so far."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def counts(self) -> dict:
        return self.http.get(self.admin + "counts", timeout=60).json()

    def calls(self) -> list[dict]:
        return self.http.get(self.admin + "calls", timeout=120).json()["calls"]

    def clear_calls(self) -> None:
        self.http.post(self.admin + "clear-calls", timeout=60).raise_for_status()

    def chat(self, chat_id: str) -> dict:
        return self.http.get(self.admin + f"chats/{chat_id}", timeout=30).json()
