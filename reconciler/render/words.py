"""Small wording and escaping helpers every view shares."""

from __future__ import annotations

import json


def safe(text: str) -> str:
    """Non-printable characters (newlines, ESC, ...) as visible escapes:
    text from files or WeCom must not be able to move the cursor or fake a
    line of output."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def summary_line(plan) -> str:
    s = plan.summary
    return (f"Plan: {s['create']} to create, {s['update']} to update, {s['unchanged']} unchanged, "
            f"{plural(s['errors'], 'error')}; +{s['members_added']} / -{s['members_removed']} members.")


def error_text(code: int | None, message: str) -> str:
    return f"{code} {message}" if code is not None else message


NOT_IN_DIRECTORY = "not in the directory: left, or outside the app's visible range"


def person(user: str, names) -> str:
    """`zhangsan (张三)` when the directory gave a name, else the id."""
    name = names.get(user) if names else None
    return f"{safe(user)} ({safe(name)})" if name and name != user else safe(user)


def ending_text(ending, names, today=None) -> str:
    """`vendor1 (张三) until 2026-12-05: contractor`, for a plan's warnings."""
    grant = ending.grant
    who = person(ending.who, names) if ":" not in ending.who else ending.who
    reason = f": {safe(grant.reason)}" if grant.reason else ""
    return f"membership of {who} ends {grant.until.isoformat()}{reason} ({grant.source.located})"
