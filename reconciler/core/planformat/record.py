"""A saved plan's `wanted` key: what the chat files wanted when the plan was
made (core.wanted), written and read back, so that `apply --plan FILE
PATH...` applies it only to the files it was made from."""

from __future__ import annotations

from datetime import date
from typing import Any, Mapping

from reconciler.core.userids import UserIds
from reconciler.core.wanted import Wanted


def wanted_data(wanted: Wanted) -> dict[str, Any]:
    data: dict[str, Any] = {"name": wanted.name, "owner": wanted.owner, "members": sorted(wanted.members)}
    if wanted.removes is not None:
        data["removes"] = sorted(wanted.removes)
    data["definition"] = wanted.definition
    return data


def record_data(wanted: Mapping[str, Wanted], today: date | None) -> dict[str, Any]:
    """The saved plan's `wanted` key."""
    return {"date": today.isoformat() if today else None,
            "chats": {chat_id: wanted_data(wanted[chat_id]) for chat_id in sorted(wanted)}}


class WantedFormatError(ValueError):
    """A recorded `wanted` that this program did not write."""


def parse_record(data: Any) -> tuple[date | None, dict[str, Wanted]]:
    if not isinstance(data, Mapping) or set(data) != {"date", "chats"}:
        raise WantedFormatError("`wanted` must be an object with `date` and `chats`")
    when = data["date"]
    try:
        day = date.fromisoformat(when) if when is not None else None
    except (TypeError, ValueError):
        raise WantedFormatError(f"`wanted.date` must be a date YYYY-MM-DD or null, got {when!r}") from None
    chats = data["chats"]
    if not isinstance(chats, Mapping):
        raise WantedFormatError("`wanted.chats` must be an object")
    return day, {str(k): _wanted(v, f"wanted.chats.{k}") for k, v in chats.items()}


def _ids(value: Any, where: str) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise WantedFormatError(f"`{where}` must be a list of user ids")
    return frozenset(value)


def _wanted(data: Any, where: str) -> Wanted:
    if not isinstance(data, Mapping) or not {"name", "owner", "members", "definition"} <= set(data) \
            or set(data) - {"name", "owner", "members", "removes", "definition"}:
        raise WantedFormatError(f"`{where}` must hold name, owner, members, definition (and removes)")
    for key in ("name", "owner", "definition"):
        if not isinstance(data[key], str):
            raise WantedFormatError(f"`{where}.{key}` must be a string")
    removes = UserIds(_ids(data["removes"], f"{where}.removes")) if "removes" in data else None
    return Wanted(data["name"], data["owner"], _ids(data["members"], f"{where}.members"), removes,
                  data["definition"])


__all__ = ["record_data", "parse_record", "WantedFormatError", "wanted_data"]
