"""A change's `causes` read back from a saved plan: the strict inverse of
what core.causes writes (why each person a change adds or removes joins or
leaves), refused saying where when it is not."""

from __future__ import annotations

from typing import Any, Mapping

from reconciler.core.causes import EXCLUDED, EXPIRED, KINDS, LISTED, NOT_IN_DIRECTORY, UNLISTED, Cause


_ENTRY_KEYS = {"entry": True, "source": True, "name": False, "via": False, "until": False, "reason": False}
_LEAVE_KEYS = {EXPIRED: ("entry", "source", "until", "reason"), EXCLUDED: ("entry", "source"),
               NOT_IN_DIRECTORY: ()}


def parse(data: Any, users: frozenset[str]) -> dict[str, Cause]:
    """A change's `causes` as the writer's change_data writes them, for `users` (who the
    change adds or removes); ValueError saying where when not."""
    if not isinstance(data, Mapping):
        raise ValueError("causes: expected an object of user id -> cause")
    extra = sorted(set(data) - users)
    if extra:
        raise ValueError(f"causes: {', '.join(map(str, extra))} neither join(s) nor leave(s)")
    return {user: _cause(cause, f"causes.{user}") for user, cause in data.items()}


def _cause(data: Any, where: str) -> Cause:
    kind = data.get("kind") if isinstance(data, Mapping) else None
    if kind == LISTED or (kind == UNLISTED and "former" in data):
        key = "entries" if kind == LISTED else "former"
        _keys(data, ("kind", key), (), where)
        if not isinstance(data[key], list) or not data[key]:
            raise ValueError(f"{where}.{key}: expected a non-empty list of entries")
        for i, entry in enumerate(data[key]):
            _entry(entry, f"{where}.{key}[{i}]")
    elif kind == UNLISTED:
        _keys(data, ("kind",), (), where)
    elif kind in _LEAVE_KEYS:
        _keys(data, ("kind", *_LEAVE_KEYS[kind]), ("name",) if kind == EXCLUDED else (), where)
        for key in ("entry", "source", "until", "name"):
            if key in data and not (isinstance(data[key], str) and data[key]):
                raise ValueError(f"{where}.{key}: expected a non-empty string")
        if kind == EXPIRED and data["reason"] is not None and not isinstance(data["reason"], str):
            raise ValueError(f"{where}.reason: expected a string or null")
    else:
        raise ValueError(f"{where}: expected an object whose kind is one of {', '.join(KINDS)}")
    return data


def _entry(data: Any, where: str) -> None:
    if not isinstance(data, Mapping):
        raise ValueError(f"{where}: expected an object")
    _keys(data, [k for k, needed in _ENTRY_KEYS.items() if needed], [k for k, n in _ENTRY_KEYS.items() if not n],
          where)
    for key in ("entry", "source", "name", "until", "reason"):
        if key in data and not (isinstance(data[key], str) and data[key]):
            raise ValueError(f"{where}.{key}: expected a non-empty string")
    if "via" in data and not (isinstance(data["via"], list) and data["via"]
                              and all(isinstance(g, str) and g for g in data["via"])):
        raise ValueError(f"{where}.via: expected a non-empty list of group names")


def _keys(data: Mapping, needed, optional, where: str) -> None:
    missing = [k for k in needed if k not in data]
    extra = sorted(set(data) - set(needed) - set(optional))
    if missing or extra:
        raise ValueError(f"{where}: " + "; ".join(
            ([f"missing key(s) {', '.join(missing)}"] if missing else [])
            + ([f"unexpected key(s) {', '.join(map(str, extra))}"] if extra else [])))


__all__ = ["parse"]
