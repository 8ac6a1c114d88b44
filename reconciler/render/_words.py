"""Small wording helpers the text and markdown views share."""

from __future__ import annotations

from reconciler.plan import Plan


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def summary_line(plan: Plan) -> str:
    s = plan.summary
    return (f"Plan: {s['create']} to create, {s['update']} to update, {s['unchanged']} unchanged, "
            f"{plural(s['errors'], 'error')}; +{s['members_added']} / -{s['members_removed']} members.")


def error_text(code: int | None, message: str) -> str:
    return f"{code} {message}" if code is not None else message
