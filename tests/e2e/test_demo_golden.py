"""The demo world's plan, byte for byte as recorded: `appchat plan` of the
repository's chats/ against the emulator seeded with demo/seed.yaml (what
`make demo` shows a newcomer), as text, markdown and JSON. A change of any
of them must be meant; then regenerate them:

    WRITE_GOLDEN=1 .venv/bin/python -m pytest tests/e2e/test_demo_golden.py
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.helpers import REPO, run_in_process, wecom_env

GOLDEN = Path(__file__).with_name("golden_demo")
SEED = REPO / "demo" / "seed.yaml"
TODAY = "2027-01-25"  # scripts/demo.sh's first --today
FORMATS = {"plan.txt": "text", "plan.md": "markdown", "plan.json": "json"}


def _stable(out: str) -> str:
    """The emulator's port and the read concurrency the run happened to reach
    are the only parts that differ from run to run."""
    out = re.sub(r"http://127\.0\.0\.1:\d+/", "http://127.0.0.1:PORT/", out)
    return re.sub(r'("read_concurrency": \{)[^}]*(\})', r"\1…\2", out)


def demo_outputs(capsys) -> dict[str, str]:
    found = {}
    for name, fmt in FORMATS.items():
        r = run_in_process(capsys, "plan", "--today", TODAY, "--format", fmt, str(REPO / "chats"))
        assert r.code == 0, r.err
        found[name] = _stable(r.out.replace(str(REPO) + "/", ""))
    return found


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_the_demo_plan_is_as_recorded(name, emulator_factory, monkeypatch, capsys):
    wecom_env(monkeypatch, emulator_factory(seed=str(SEED)))
    monkeypatch.delenv("NO_COLOR", raising=False)
    out = demo_outputs(capsys)[name]
    if os.environ.get("WRITE_GOLDEN") == "1":
        GOLDEN.mkdir(exist_ok=True)
        (GOLDEN / name).write_text(out, encoding="utf-8")
    assert out == (GOLDEN / name).read_text(encoding="utf-8")

