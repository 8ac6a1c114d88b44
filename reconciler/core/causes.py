"""Why each person a change adds or removes joins or leaves: a change's
`causes`, user id -> cause, as the plan's JSON holds it (contract, "Plan
JSON"), and the words the text and markdown plans put beside each +/- line.

A join lists the entries that bring the person in:
    {"kind": "listed", "entries": [{"entry": "dept:3", "name": "SRE",
     "via": ["oncall"], "source": "chats/sre.yaml:6", "until": "2027-01-31",
     "reason": "..."}]}
(`name`, `via`, `until`, `reason` only when they say something; a tag's
`name` comes from the directory read, a department's from department/get
after planning: with_department_names). A leave is
one of
    {"kind": "expired", "entry", "source", "until", "reason"}
    {"kind": "excluded", "entry", "source"} (and `name` for dept:/tag:)
    {"kind": "unlisted"} and, from the ledger (`plan --ledger`), "former":
        the entries of the join that last brought them in
    {"kind": "not_in_directory"}

Worked out for who joins and leaves only, so a change still costs what
changes (issue 25). Pure: the directory and the places are inputs.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from reconciler.core.directory import Directory
from reconciler.core.model import DEPT, TAG, DesiredChat, Entry, Source
from reconciler.core.userids import UserIds, UserMap, same_user

LISTED, EXPIRED, EXCLUDED, UNLISTED, NOT_IN_DIRECTORY = "listed", "expired", "excluded", "unlisted", "not_in_directory"
KINDS = (LISTED, EXPIRED, EXCLUDED, UNLISTED, NOT_IN_DIRECTORY)
NOT_IN_FILES = "not in the files"
NOT_IN_DIRECTORY_TEXT = "not in the directory: left, or outside the app's visible range"
_MANY = 2  # more people than this and their places are found in one walk of the chat

Cause = Mapping[str, Any]


def _line(source: Source | None) -> str:
    return str(source) if source is not None else "<unknown>"


def _named(kind: str, unit: int | None, directory: Directory | None) -> str | None:
    """The department's or tag's name, when the directory read it."""
    if directory is None or kind not in (DEPT, TAG):
        return None
    known = (directory.departments if kind == DEPT else directory.tags).get(unit)
    return getattr(known, "name", None) or None


def _grant_entry(grant: Entry, directory: Directory | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"entry": grant.entry, "source": str(grant.source)}
    name = _named(grant.kind, grant.unit, directory)
    if name:
        entry["name"] = name
    if grant.via:
        entry["via"] = list(grant.via)
    if grant.until is not None:
        entry["until"] = grant.until.isoformat()
        if grant.reason:
            entry["reason"] = grant.reason
    return entry


def _places(locator: Any, users: list[str]) -> dict[str, tuple[Source | None, tuple[str, ...]]]:
    """user -> (where it is written, the groups it came through), for the
    chat's static members among `users`."""
    if locator is None:
        return {}
    many = getattr(locator, "locate_many", None)
    if many is not None:
        return many(users, walk=len(users) > _MANY)
    return {u: (locator(u), ()) for u in users}


def joins(chat: DesiredChat, users: Iterable[str], brought: Mapping[str, tuple[Entry, ...]],
          directory: Directory | None) -> dict[str, Cause]:
    """Why each of `users` joins: the static entry that lists them (in the
    chat or a group it reaches) and every live grant that brings them in."""
    users = list(users)
    static = [u for u in users if u in chat.members]
    places = _places(chat.written_at, static)
    fallback = chat.members_source or chat.source
    keyed: Mapping[str, tuple[Entry, ...]] | None = None
    out: dict[str, Cause] = {}
    for user in users:
        entries: list[dict[str, Any]] = []
        if user in chat.members:
            where, chain = places.get(user, (None, ()))
            entry: dict[str, Any] = {"entry": user, "source": _line(where or fallback)}
            if chain:
                entry["via"] = list(chain)
            entries.append(entry)
        grants = brought.get(user)
        if grants is None and brought:
            if keyed is None:  # spelled otherwise by the list than by an entry: once per chat, and only then
                keyed = brought if isinstance(brought, UserMap) else UserMap.of(brought)
            grants = keyed.get(user)
        entries += [_grant_entry(g, directory) for g in grants or ()]
        out[user] = {"kind": LISTED, "entries": entries}
    return out


def leaves(chat: DesiredChat, users: Iterable[str], ended: Mapping[str, Entry], excluded: Iterable[str],
           directory: Directory | None) -> dict[str, Cause]:
    """Why each of `users` leaves: their membership ended, `exclude` names
    them, nobody in the directory has them (--check-users), or no entry
    brings them in."""
    out: dict[str, Cause] = {}
    gone = ended if isinstance(ended, UserMap) else UserMap(ended)
    excluded = UserIds(excluded) or None  # the usual chat: nobody ended, nobody excluded, nothing folded
    complete = directory is not None and directory.complete
    for user in users:
        grant = gone.get(user)
        if grant is not None:
            out[user] = {"kind": EXPIRED, "entry": grant.entry, "source": str(grant.source),
                         "until": grant.until.isoformat(), "reason": grant.reason}
        elif excluded is not None and user in excluded:
            out[user] = excluded_by(chat, user, directory)
        elif complete and not directory.knows(user):
            out[user] = {"kind": NOT_IN_DIRECTORY}
        else:
            out[user] = {"kind": UNLISTED}
    return out


def excluded_by(chat: DesiredChat, user: str, directory: Directory | None) -> Cause:
    """The `exclude` entry that names `user`: the id itself (in the list or
    a group), else the first department or tag that holds them."""
    if user in UserIds(chat.exclude.users):
        locator = chat.exclude.written_at
        where = locator(user) if locator is not None else None
        return {"kind": EXCLUDED, "entry": user, "source": _line(where or chat.source)}
    for grant in chat.exclude.refs:
        found = directory.users(grant.kind, grant.unit) if directory is not None else ()
        if not isinstance(found, frozenset) or user not in UserIds(found):
            continue
        cause = {"kind": EXCLUDED, "entry": grant.entry, "source": str(grant.source)}
        name = _named(grant.kind, grant.unit, directory)
        return {**cause, "name": name} if name else cause
    return {"kind": EXCLUDED, "entry": user, "source": _line(chat.source)}


def with_former(cause: Cause, former: Any) -> Cause:
    """An unlisted leave, with the join cause the ledger last recorded for
    it (kept only when it names entries: `before the ledger` names none)."""
    if cause.get("kind") != UNLISTED or not isinstance(former, Mapping) or former.get("kind") != LISTED:
        return cause
    entries = [e for e in former.get("entries", ()) if isinstance(e, Mapping) and isinstance(e.get("entry"), str)]
    return {**cause, "former": [dict(e) for e in entries]} if entries else cause


def departments_shown(causes: Iterable[Cause]) -> set[int]:
    """The departments `causes` show without a name: a join's `dept:` entries,
    an exclude by one, a former join's (the expired cause shows no entry)."""
    found = {_dept(e) for cause in causes for e in _shown(cause) if not e.get("name")}
    found.discard(None)
    return found


def with_department_names(cause: Cause, names: Mapping[int, str]) -> Cause:
    """`cause` with each `dept:` entry it shows named from `names` (dept id
    -> name; one missing keeps the entry bare, as `dept:3`)."""
    def named(entry: Mapping[str, Any]) -> Mapping[str, Any]:
        name = None if entry.get("name") else names.get(_dept(entry))
        return {**entry, "name": name} if name else entry
    kind = cause.get("kind") if isinstance(cause, Mapping) else None
    if kind == EXCLUDED:
        return named(cause)
    key = "entries" if kind == LISTED else "former" if kind == UNLISTED and cause.get("former") else None
    return {**cause, key: [named(e) for e in cause[key]]} if key else cause


def _dept(entry: Mapping[str, Any]) -> int | None:
    text = entry.get("entry")
    return int(text[5:]) if isinstance(text, str) and text.startswith("dept:") and text[5:].isdecimal() else None


def _shown(cause: Cause) -> list[Mapping[str, Any]]:
    kind = cause.get("kind") if isinstance(cause, Mapping) else None
    if kind == EXCLUDED:
        return [cause]
    return list(cause.get("entries", ()) if kind == LISTED else cause.get("former", ()) if kind == UNLISTED else ())


# -- words ------------------------------------------------------------------------------------------------------

def entry_label(entry: Mapping[str, Any], user: str | None = None) -> str:
    """`dept:3 (SRE)`, `@oncall > tag:10`, `alice`; `@oncall > @sre` for
    `user` brought in through groups by an entry of their own id."""
    label = entry["entry"]
    if entry.get("name"):
        label += f" ({entry['name']})"
    via = [f"@{g}" for g in entry.get("via", ())]
    if via and user is not None and same_user(entry["entry"], user):
        return " > ".join(via)  # the groups that bring them in say it
    return " > ".join([*via, label])


def entry_text(entry: Mapping[str, Any], user: str | None = None) -> str:
    """`@contractors, chats/inc.yaml:12, until 2027-01-31`; the user's own
    entry in the chat's list is only where it is written (`chats/a.yaml:4`)."""
    until = f", until {entry['until']}" if entry.get("until") else ""
    if user is not None and not entry.get("via") and same_user(entry["entry"], user):
        return f"{entry['source']}{until}"
    return f"{entry_label(entry, user)}, {entry['source']}{until}"


def cause_text(cause: Any, user: str | None = None) -> str:
    """The words beside `user`'s +/- line. Raw text: each view escapes it its own way."""
    if isinstance(cause, str):
        return cause
    if not isinstance(cause, Mapping):
        return "cause unknown"
    kind = cause.get("kind")
    if kind == LISTED:
        return "; ".join(entry_text(e, user) for e in cause.get("entries", ())) or "in the files"
    if kind == EXPIRED:
        return f"expired {cause['until']}" + (f": {cause['reason']}" if cause.get("reason") else "")
    if kind == EXCLUDED:
        return f"excluded by {entry_label(cause)}, {cause['source']}"
    if kind == NOT_IN_DIRECTORY:
        return NOT_IN_DIRECTORY_TEXT
    if kind == UNLISTED and cause.get("former"):
        return "no longer in " + " or ".join(entry_label(e, user) for e in cause["former"])
    return NOT_IN_FILES


__all__ = ["joins", "leaves", "with_former", "departments_shown", "with_department_names", "cause_text",
           "entry_text", "KINDS", "LISTED", "UNLISTED"]
