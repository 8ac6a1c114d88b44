"""The plan format's version, and the one place a plan's `format_version`
is checked (tests/core/test_planformat.py keeps it the one place)."""

from __future__ import annotations

from typing import Any, Mapping

FORMAT_VERSION = 1


class UnknownVersion(ValueError):
    """A plan of another format version (or none); `found` is what it says."""

    def __init__(self, found: Any) -> None:
        super().__init__(f"expected {FORMAT_VERSION}, got {found!r}")
        self.found = found


def check_version(data: Mapping[str, Any]) -> None:
    """UnknownVersion unless `data` is of this FORMAT_VERSION (`true` is not 1)."""
    found = data.get("format_version")
    if found != FORMAT_VERSION or isinstance(found, bool):
        raise UnknownVersion(found)
