"""The digest a saved plan carries: plain sha256, not a signature (anyone
can recompute it). It catches a plan edited by hand or cut short; what
stops an edited plan consistent with its digest is the strict reader."""

from __future__ import annotations

import hashlib
import json
from typing import Any

DIGEST_PREFIX = "sha256:"


def digest(changes: Any, target: Any, wanted: Any = None) -> str:
    """sha256 of the canonical JSON (sorted keys, no spaces, UTF-8) of
    `{"changes": changes, "target": target}`, plus `"wanted": wanted` when
    the plan records what the files wanted (plans written before did not)."""
    covered = {"changes": changes, "target": target}
    if wanted is not None:
        covered["wanted"] = wanted
    canonical = json.dumps(covered, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return DIGEST_PREFIX + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
