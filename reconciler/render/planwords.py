"""The words the plan's views share (text, markdown, the apply report,
`who`, `expiring`): counts, the summary line, headings, how a person and
an error are named, and why each person joins or leaves. How text is
escaped is render.escape's."""

from __future__ import annotations

import json
from typing import Any, Hashable, Iterable

from reconciler.core.causes import NOT_IN_DIRECTORY_TEXT, cause_text
from reconciler.core.model import USER
from reconciler.render.escape import safe

def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def summary_line(plan) -> str:
    s = plan.summary
    return (f"Plan: {s['create']} to create, {s['update']} to update, {s['unchanged']} unchanged, "
            f"{plural(s['errors'], 'error')}; +{s['members_added']} / -{s['members_removed']} members.")


def error_text(code: int | None, message: str) -> str:
    return f"{code} {message}" if code is not None else message


NOT_IN_DIRECTORY = NOT_IN_DIRECTORY_TEXT
NO_CHANGES = "No changes. WeCom matches the files."
# The plan's errors: chats WeCom could not read and chats whose files are at
# fault (an unknown department, a user not in the directory) alike. The
# heading over them, and the words of every run that names them.
UNPLANNED = "could not be planned"
ERRORS = f"Errors (these chats {UNPLANNED})"
# The live members not in the directory whom a change keeps: with prune: false
# the files never remove the people they do not name.
STAYING = f"{NOT_IN_DIRECTORY}, staying (prune: false)"


def shown_name(name: str) -> str:
    """A display name as it stands in `id (name)`: as it is, or in double
    quotes when brackets or quotes of its own would blur where it ends
    (`kim ("Kim (intern)")`, never `kim (Kim (intern))`). Raw text: each view
    escapes it its own way."""
    if any(c in name for c in '()[]"') or name != name.strip():
        return json.dumps(name, ensure_ascii=False)
    return name


def person(user: str, names) -> str:
    """`zhangsan (张三)` when the directory gave a name, else the id."""
    name = names.get(user) if names else None
    return f"{safe(user)} ({safe(shown_name(name))})" if name and name != user else safe(user)


def removal_notes(change) -> dict[str, str]:
    """Why each person a change adds or removes joins or leaves (its
    `causes`, core.causes): `@contractors, chats/inc.yaml:12, until
    2027-01-31`, `excluded by kim, chats/sre.yaml:9`, `expired 2027-01-31:
    contractor`, `not in the files`. A plan saved before changes carried
    causes says what it knew: an ended membership, not in the directory.
    Someone who leaves and is not in the directory is said to be both. Raw
    text: each view escapes it its own way."""
    causes = getattr(change, "causes", None) or {}
    why = {e.who: e.why for e in change.expired}
    gone = set(change.not_in_directory or ())
    notes = {user: cause_text(cause, user) for user, cause in causes.items()}
    for user in change.removed:
        kind = causes[user].get("kind") if isinstance(causes.get(user), dict) else None
        said = [notes.get(user) or why.get(user), NOT_IN_DIRECTORY if user in gone and kind != "not_in_directory"
                else None]
        if any(said):
            notes[user] = "; ".join(n for n in said if n)
    return notes


def staying(change) -> list[str]:
    """The live members not in the directory whom the change keeps, sorted."""
    return sorted(set(change.not_in_directory or ()) - set(change.removed))


def ending_text(ending, names) -> str:
    """`membership of vendor1 (张三) ends 2026-12-05: contractor
    (chats/x.yaml:4:9)`, for a plan's warnings."""
    who = person(ending.who, names) if ending.kind == USER else ending.who
    reason = f": {safe(ending.reason)}" if ending.reason else ""
    return f"membership of {who} ends {ending.until.isoformat()}{reason} ({ending.source.located})"


def by_cause(items: Iterable[tuple[str, Hashable]]) -> list[tuple[Any, list[str]]]:
    """(cause, chat ids) for each distinct cause, in the order each is first
    met, the ids in the order given: when WeCom is down or refuses the
    token, 60 chats fail alike and the views say it once, with the count."""
    groups: dict[Hashable, list[str]] = {}
    for chat_id, cause in items:
        groups.setdefault(cause, []).append(chat_id)
    return list(groups.items())


def error_groups(errors) -> list[tuple[str, list[str]]]:
    """The plan's errors as (text, chat ids), one entry per cause. An error
    the files can fix says where (`... (chats/a.yaml:4:7)`): the same
    message at two places is two causes."""
    return [(error_text(code, message) + (f" ({source})" if source else ""), ids)
            for (code, message, source), ids in by_cause((e.chat_id, (e.errcode, e.message, e.source))
                                                         for e in errors)]
