"""Saved plans (`plan --out FILE`, `apply --plan FILE`).

A saved plan is the contract's plan JSON plus what it was made from:
`digest` (sha256 of the canonical JSON of `changes`) and `generated_by`.
`apply --plan` executes the saved calls verbatim, so a file that was edited
by hand, cut short by a full disk or written by another version must be
refused rather than half-understood: the digest catches the first two, the
format version the third.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from reconciler import __version__
from reconciler.app import atomicfile
from reconciler.core.plan import FORMAT_VERSION as PLAN_FORMAT_VERSION
from reconciler.core.plan import InconsistentPlan, Plan
from reconciler.core.planjson import parse_plan

DIGEST_PREFIX = "sha256:"
# Keys this module adds to the contract's plan JSON; Plan.from_data never sees them.
_OWN_KEYS = ("digest", "generated_by")


class PlanFileError(ValueError):
    """A saved plan that cannot be applied; str() is the whole user-facing message."""


def digest(changes: Any) -> str:
    """sha256 of the canonical JSON of `changes` (sorted keys, no spaces, UTF-8)."""
    canonical = json.dumps(changes, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return DIGEST_PREFIX + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def to_data(plan: Plan) -> dict[str, Any]:
    data = dict(plan.data)
    data["digest"] = digest(data["changes"])
    data["generated_by"] = f"appchat {__version__}"
    return data


def write(plan: Plan, path: str) -> None:
    """Write atomically: a killed `plan --out` must not leave something that looks valid."""
    atomicfile.write_text(path, json.dumps(to_data(plan), indent=2, ensure_ascii=False) + "\n", prefix=".plan-")


def read(path: str) -> Plan:
    """The saved plan, or PlanFileError saying why it cannot be trusted."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as exc:
        raise PlanFileError(f"cannot read plan file {path}: {exc.strerror or exc}") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise PlanFileError(f"plan file {path} is not UTF-8 text; it was not written by `appchat plan --out`") from None
    except json.JSONDecodeError as exc:
        stripped = raw.rstrip()
        cut_short = bool(stripped) and (exc.pos >= len(stripped) or not stripped.endswith((b"}", b"]")))
        hint = " (truncated?)" if cut_short else ""
        raise PlanFileError(
            f"plan file {path} is not valid JSON{hint}: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    if not isinstance(data, dict):
        raise PlanFileError(f"plan file {path} is not a plan: expected a JSON object")
    version = data.get("format_version")
    if version != PLAN_FORMAT_VERSION or isinstance(version, bool):
        raise PlanFileError(
            f"plan file {path} has format_version {json.dumps(version)}; this appchat ({__version__}) "
            f"applies format_version {PLAN_FORMAT_VERSION} only: make the plan again with this version"
        )
    if "changes" not in data:
        raise PlanFileError(f"plan file {path} has no `changes`: it is not a plan (truncated or edited?)")
    recorded = data.get("digest")
    if not isinstance(recorded, str):
        raise PlanFileError(
            f"plan file {path} has no digest: only plans written by `appchat plan --out` can be applied"
        )
    if digest(data["changes"]) != recorded:
        raise PlanFileError(
            f"plan file {path} was edited after it was written: its changes no longer match its digest; "
            f"make a new plan with `appchat plan --out`"
        )
    try:
        return parse_plan({k: v for k, v in data.items() if k not in _OWN_KEYS})
    except InconsistentPlan as exc:
        raise PlanFileError(f"plan file {path} is inconsistent, so what it would run is not what it shows: "
                            f"{exc}") from None
    except ValueError as exc:
        raise PlanFileError(f"plan file {path} is not a valid plan: {exc}") from None
