"""Helpers other test files import: `from helpers import env_for, run_cli`
(tests/conftest.py puts tests/ on sys.path)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TEST_CORP_ID = "wwtestcorp"
TEST_CORP_SECRET = "test-secret-DO-NOT-LEAK"


def env_for(emu) -> dict[str, str]:
    """The environment a reconciler command needs to talk to `emu`."""
    return {"WECOM_CORP_ID": emu.config.corp_id, "WECOM_CORP_SECRET": emu.config.corp_secret,
            "WECOM_API_BASE": emu.base_url}


def subprocess_env(env: dict[str, str | None] | None = None) -> dict[str, str]:
    """This process's environment without WECOM_* / NO_COLOR, plus `env`
    (a None value removes a variable), with the working tree importable."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("WECOM_") and k != "NO_COLOR"}
    full["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    for key, value in (env or {}).items():
        if value is None:
            full.pop(key, None)
        else:
            full[key] = value
    return full


def run_cli(argv, env: dict[str, str | None] | None = None, *, timeout: float = 60,
            input: str | None = None, cwd: str | os.PathLike | None = None) -> tuple[int, str, str]:
    """Run `python -m reconciler ARGV` in a subprocess: (exit code, stdout, stderr).
    stdin is empty (not a terminal) unless `input` is given."""
    proc = subprocess.run([sys.executable, "-m", "reconciler", *map(str, argv)],
                          env=subprocess_env(env), input=input if input is not None else "",
                          capture_output=True, text=True, timeout=timeout, cwd=cwd or REPO)
    return proc.returncode, proc.stdout, proc.stderr
