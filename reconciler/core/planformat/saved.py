"""A saved plan (`plan --out FILE`) read back from its JSON data: the
contract's plan JSON plus what it was made from, `target` (the corp id and
API base it was planned against), `digest` (digest.py) and `generated_by`,
and `wanted` (record.py).

`apply --plan` executes the saved calls verbatim, so a plan that was edited
by hand, cut short by a full disk or written by another version must be
refused rather than half-understood: the digest catches the first two, the
format version the third. The digest is plain sha256, not a signature: what
stops an edited plan that is internally consistent with its digest is the
strict reader, which refuses any change whose calls do not take its
`before` to its `after`. Pure: app/planfile.py reads the file.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from reconciler.core.plan import InconsistentPlan, Plan
from reconciler.core.planformat.digest import digest
from reconciler.core.planformat.reader import parse_plan
from reconciler.core.planformat.record import parse_record
from reconciler.core.planformat.version import FORMAT_VERSION, UnknownVersion, check_version
from reconciler.core.planformat.views import with_views

# Keys a saved plan adds to the contract's plan JSON; parse_plan never sees them.
OWN_KEYS = ("digest", "generated_by", "wanted")


class PlanFileError(ValueError):
    """A saved plan that cannot be applied; str() is the whole user-facing message."""


def read_saved(data: Any, path: str, program: str, views: bool = False) -> Plan:
    """The plan `data` (parsed from the file at `path`) holds, or
    PlanFileError saying why it cannot be trusted. `program`: this appchat's
    version, for the words of a plan of another format version. With
    `views` (`appchat show`), also what only views read."""
    if not isinstance(data, dict):
        raise PlanFileError(f"plan file {path} is not a plan: expected a JSON object")
    try:
        check_version(data)
    except UnknownVersion as exc:
        raise PlanFileError(
            f"plan file {path} has format_version {json.dumps(exc.found)}; this appchat ({program}) "
            f"applies format_version {FORMAT_VERSION} only: make the plan again with this version"
        ) from None
    if "changes" not in data:
        raise PlanFileError(f"plan file {path} has no `changes`: it is not a plan (truncated or edited?)")
    recorded = data.get("digest")
    if not isinstance(recorded, str):
        raise PlanFileError(
            f"plan file {path} has no digest: only plans written by `appchat plan --out` can be applied"
        )
    if "target" not in data:
        raise PlanFileError(
            f"plan file {path} does not say which corp and API base it was made against (it was written "
            f"before saved plans recorded their target, or edited): make the plan again with "
            f"`appchat plan --out`"
        )
    if digest(data["changes"], data["target"], data.get("wanted")) != recorded:
        raise PlanFileError(
            f"plan file {path} was edited after it was written: its changes or target no longer match its digest; "
            f"make a new plan with `appchat plan --out`"
        )
    try:
        plan = parse_plan({k: v for k, v in data.items() if k not in OWN_KEYS})
        if "wanted" in data:
            day, wanted = parse_record(data["wanted"])
            plan = replace(plan, wanted=wanted, wanted_date=day)
        return with_views(plan, data) if views else plan
    except InconsistentPlan as exc:
        raise PlanFileError(f"plan file {path} is inconsistent, so what it would run is not what it shows: "
                            f"{exc}") from None
    except ValueError as exc:
        raise PlanFileError(f"plan file {path} is not a valid plan: {exc}") from None


__all__ = ["read_saved", "PlanFileError", "OWN_KEYS"]
