"""Every plan output of a generated world, byte for byte as recorded: the
text (plain and coloured), the markdown, the JSON, the saved plan's digest
and the --announce messages. The planner builds `before`/`after` lazily
(issue 25), so what it shows must not move by a byte.

The files in tests/render/golden/ were written by the planner before that
change; regenerate them only for an intended change of the outputs:

    PYTHONPATH=. .venv/bin/python tests/render/test_plan_golden.py --write
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from reconciler.core.planformat.digest import digest
from reconciler.core.planformat.reader import parse_plan
from reconciler.core.planformat.views import with_views
from reconciler.render import render_json, render_markdown, render_text
from reconciler.render.announce import message_for
from tests.render import golden_world

GOLDEN = Path(__file__).with_name("golden")


def outputs(plan) -> dict[str, str]:
    data = json.loads(render_json(plan))
    announce = [f"--- {c.chat_id}\n{message_for(c)}" for c in plan.changes]
    return {
        "plan.txt": render_text(plan),
        "plan-colour.txt": render_text(plan, colour=True),
        "plan.md": render_markdown(plan),
        "plan.json": render_json(plan),
        "digest.txt": digest(data["changes"], data["target"]) + "\n",
        "announce.md": "\n".join(announce) + "\n",
    }


@pytest.mark.parametrize("name", sorted(outputs(golden_world.plan())))
def test_plan_outputs_of_a_generated_world_are_the_recorded_bytes(name):
    assert outputs(golden_world.plan())[name] == (GOLDEN / name).read_text(encoding="utf-8")


def test_the_world_drifts_every_way_it_is_meant_to():
    summary = golden_world.plan().summary
    assert summary == json.loads((GOLDEN / "plan.json").read_text(encoding="utf-8"))["summary"]
    assert summary["create"] and summary["update"] and summary["unchanged"] and summary["errors"]
    assert summary["members_added"] and summary["members_removed"]


def test_a_plan_read_back_shows_the_same_bytes():
    plan = golden_world.plan()
    data = json.loads(render_json(plan))
    again = with_views(parse_plan(data), data)
    assert outputs(again) == outputs(plan)


if __name__ == "__main__" and "--write" in sys.argv:
    GOLDEN.mkdir(exist_ok=True)
    for filename, text in outputs(golden_world.plan()).items():
        (GOLDEN / filename).write_text(text, encoding="utf-8")
