"""The record of API calls, for tests and benchmarks. It never holds the corp
secret or an access token: query values of those names are masked, and any
other place they turn up (a body, a path) is scrubbed too."""

from __future__ import annotations

from collections import Counter
from typing import Iterable

MASK = "***"
SECRET_PARAMS = frozenset({"corpsecret", "access_token"})


def redact_query(query: dict[str, list[str]]) -> dict[str, str | list[str]]:
    out: dict[str, str | list[str]] = {}
    for key, values in query.items():
        if key.lower() in SECRET_PARAMS:
            out[key] = MASK
        else:
            out[key] = values[0] if len(values) == 1 else list(values)
    return out


def scrub(value, secrets: Iterable[str]):
    """`value` (a JSON-like structure) with every secret substring masked."""
    secrets = [s for s in secrets if s]
    if isinstance(value, str):
        for s in secrets:
            value = value.replace(s, MASK)
        return value
    if isinstance(value, list):
        return [scrub(v, secrets) for v in value]
    if isinstance(value, dict):
        return {scrub(k, secrets): scrub(v, secrets) for k, v in value.items()}
    return value


class CallLog:
    def __init__(self, limit: int = 100_000):
        self._calls: list[dict] = []
        self._counts: Counter = Counter()
        self._limit = limit  # a long benchmark must not grow memory without end

    def add(self, entry: dict) -> None:
        self._counts[entry["path"]] += 1
        self._calls.append(entry)
        if len(self._calls) > self._limit:
            del self._calls[: len(self._calls) - self._limit]

    def calls(self) -> list[dict]:
        return [dict(c) for c in self._calls]

    def counts(self) -> dict[str, int]:
        return dict(sorted(self._counts.items()))

    def clear(self) -> None:
        self._calls.clear()
        self._counts.clear()
