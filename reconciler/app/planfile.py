"""Saved plans (`plan --out FILE`, `apply --plan FILE`).

A saved plan is the contract's plan JSON plus what it was made from:
`target` (the corp id and API base it was planned against), `digest`
(sha256 of the canonical JSON of `changes` and `target`) and `generated_by`.
`apply --plan` executes the saved calls verbatim, so a file that was edited
by hand, cut short by a full disk or written by another version must be
refused rather than half-understood: the digest catches the first two, the
format version the third; and a plan is applied only against the target it
was made against (target_refusal), so a dry run against the emulator or a
staging corp never lands in production.

The digest is plain sha256, not a signature: anyone can recompute it. What
stops an edited plan that is internally consistent with its digest is the
strict reader (core.planjson), which refuses any change whose calls do not
take its `before` to its `after`.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import replace
from typing import Any

from reconciler import __version__
from reconciler.app import atomicfile
from reconciler.core.plan import FORMAT_VERSION as PLAN_FORMAT_VERSION
from reconciler.core.plan import InconsistentPlan, Plan, Target
from reconciler.core.planjson import parse_plan
from reconciler.core.planviews import with_views
from reconciler.core.wanted import parse_record, record_data
from reconciler.render.words import dump_json
from reconciler.wecom.credentials import ENV_API_BASE, ENV_CORP_ID

DIGEST_PREFIX = "sha256:"
# Keys this module adds to the contract's plan JSON; core.planjson.parse_plan never sees them.
_OWN_KEYS = ("digest", "generated_by", "wanted")
MB = 1024 * 1024
# The contract's bound: a plan of 10,000 chats x 2,000 members is a few
# hundred MB at most.
MAX_PLAN_BYTES = 256 * MB


class PlanFileError(ValueError):
    """A saved plan that cannot be applied; str() is the whole user-facing message."""


def digest(changes: Any, target: Any, wanted: Any = None) -> str:
    """sha256 of the canonical JSON (sorted keys, no spaces, UTF-8) of
    `{"changes": changes, "target": target}`, plus `"wanted": wanted` when
    the plan records what the files wanted (plans written before did not)."""
    covered = {"changes": changes, "target": target}
    if wanted is not None:
        covered["wanted"] = wanted
    canonical = json.dumps(covered, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return DIGEST_PREFIX + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def to_data(plan: Plan) -> dict[str, Any]:
    if plan.target is None:
        raise ValueError("a plan is saved only with the target it was made against")
    data = dict(plan.data)
    if plan.wanted is not None:  # what the files wanted: `apply --plan FILE PATH...` compares
        data["wanted"] = record_data(plan.wanted, plan.wanted_date)
    data["digest"] = digest(data["changes"], data["target"], data.get("wanted"))
    data["generated_by"] = f"appchat {__version__}"
    return data


def write(plan: Plan, path: str) -> None:
    """Write atomically: a killed `plan --out` must not leave something that looks valid."""
    atomicfile.write_text(path, dump_json(to_data(plan)), prefix=".plan-")


def target_refusal(plan: Plan, path: str, here: Target) -> str | None:
    """Why `plan` (read from `path`) must not be applied against `here`, or
    None when it was made against it."""
    if plan.target == here:
        return None
    made = plan.target
    return (f"plan file {path} was made against {made}, but the environment ({ENV_CORP_ID}, {ENV_API_BASE}) "
            f"targets {here}: a saved plan is applied only against the target it was made against. "
            f"Make a new plan against this target (`appchat plan --out FILE`) and review it")


def read(path: str, views: bool = False, max_bytes: int = MAX_PLAN_BYTES) -> Plan:
    """The saved plan, or PlanFileError saying why it cannot be trusted.
    No file makes it raise anything else: a plan nested however deep or
    holding a number however long is refused, and one over `max_bytes` is
    refused unread (issue 20: 300 MB took 940 MB of memory). With `views`
    (`appchat show`), also what only views read (names, the memberships
    ending soon), so it renders as `plan` rendered it."""
    raw = _raw(path, max_bytes)
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
    except RecursionError:
        raise _too_deep(path) from None
    except ValueError:  # an integer past Python's digit limit
        raise PlanFileError(f"plan file {path} holds a number too long to be a plan's; it was not written by "
                            f"`appchat plan --out`") from None
    try:
        return _checked(data, path, views)
    except RecursionError:  # nesting json took but digest or checks cannot
        raise _too_deep(path) from None


def _raw(path: str, max_bytes: int) -> bytes:
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):  # a FIFO would block, /dev/zero never end
            raise PlanFileError(f"cannot read plan file {path}: not a regular file")
        if info.st_size > max_bytes:
            raise _too_big(path, max_bytes)
        with open(path, "rb") as f:
            raw = f.read(max_bytes + 1)
    except OSError as exc:
        raise PlanFileError(f"cannot read plan file {path}: {exc.strerror or exc}") from None
    if len(raw) > max_bytes:
        raise _too_big(path, max_bytes)
    return raw


def _too_big(path: str, max_bytes: int) -> PlanFileError:
    return PlanFileError(f"plan file {path} is larger than {max_bytes / MB:g} MB (a MB of 1,048,576 bytes): "
                         f"not read; no plan is that big")


def _too_deep(path: str) -> PlanFileError:
    return PlanFileError(f"plan file {path} is nested too deep to be a plan; it was not written by "
                         f"`appchat plan --out`")


def _checked(data: Any, path: str, views: bool) -> Plan:
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
        plan = parse_plan({k: v for k, v in data.items() if k not in _OWN_KEYS})
        if "wanted" in data:
            day, wanted = parse_record(data["wanted"])
            plan = replace(plan, wanted=wanted, wanted_date=day)
        return with_views(plan, data) if views else plan
    except InconsistentPlan as exc:
        raise PlanFileError(f"plan file {path} is inconsistent, so what it would run is not what it shows: "
                            f"{exc}") from None
    except ValueError as exc:
        raise PlanFileError(f"plan file {path} is not a valid plan: {exc}") from None
