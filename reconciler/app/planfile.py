"""Saved plans on disk (`plan --out FILE`, `apply --plan FILE`): the file
I/O alone. What a saved plan holds, its digest, its format version and the
strict reading of it live in core.planformat (saved.py); here: the size
limit (a plan over it is refused unread), the refusal of anything but a
regular file (a FIFO would block), JSON decoding that no file can make
raise anything but PlanFileError, and the atomic write. And a plan is
applied only against the target it was made against (target_refusal), so a
dry run against the emulator or a staging corp never lands in production.
"""

from __future__ import annotations

import json
import os
import stat
from typing import Any

from reconciler import __version__
from reconciler.app import atomicfile
from reconciler.core.plan import Plan, Target
from reconciler.core.planformat.digest import DIGEST_PREFIX, digest
from reconciler.core.planformat.saved import PlanFileError, read_saved
from reconciler.core.planformat.writer import saved_data
from reconciler.render.escape import dump_json
from reconciler.wecom.credentials import ENV_API_BASE, ENV_CORP_ID

MB = 1024 * 1024
# The contract's bound: a plan of 10,000 chats x 2,000 members is a few
# hundred MB at most.
MAX_PLAN_BYTES = 256 * MB


def to_data(plan: Plan) -> dict[str, Any]:
    return saved_data(plan, f"appchat {__version__}")


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
        return read_saved(data, path, __version__, views)
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


__all__ = ["read", "write", "to_data", "digest", "target_refusal", "PlanFileError", "DIGEST_PREFIX",
           "MAX_PLAN_BYTES"]
