"""The contract's Plan JSON: plan.data as is (its key order is the contract's,
its lists are sorted), indented by 2, with a trailing newline."""

from __future__ import annotations

import json

from reconciler.core.plan import Plan


def render_json(plan: Plan, colour: bool = False) -> str:
    # Raw UTF-8, like the API itself: chat names are often Chinese.
    return json.dumps(plan.data, indent=2, ensure_ascii=False) + "\n"
