"""The plan as a pull-request comment.

Layout: the hidden marker (so a pipeline can find and update its one comment),
the summary table, then what a reviewer must not miss: errors, removals,
warnings; then the per-person summary (people who leave chats first, folded in
<details> when it is long), then every chat's detail folded in <details>.

GitHub refuses comments over 65,536 characters. When the plan is longer,
each section gets a share of the room, then what is left goes in order of
importance — errors, warnings, removals, people, per-chat detail — so the
detail is cut first. What does not fit is cut whole and counted, never the
summary table.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from reconciler.core.guards import run_warnings
from reconciler.core.people import PersonChange
from reconciler.core.plan import Change, Plan
from reconciler.render.escape import quoted, safe
from reconciler.render.planwords import (ERRORS, NO_CHANGES, STAYING, ending_text, error_groups, person, plural,
                                         removal_notes, shown_name, staying)

MARKER = "<!-- appchat-plan -->"
MAX_CHARS = 65_536
# Room kept free below GitHub's limit for the cut notices themselves and for
# anything a pipeline wraps around the comment.
_MARGIN = 1_500
_NOTE_RESERVE = 300  # per section: its cut note
# More people than this and their table folds: hundreds of rows would push the
# chats' detail out of sight.
PEOPLE_FOLD_ROWS = 20

# (section, share of the budget in the first pass), in order of importance
_SHARES = (("errors", 0.10), ("warnings", 0.15), ("removals", 0.25), ("people", 0.30), ("details", 0.20))

_PLURAL = {"person": "people", "chat": "chats", "warning": "warnings", "error": "errors"}
_LABELS = {"people": "people", "removals": "removal lines", "warnings": "warnings",
           "errors": "errors", "details": "chat details"}

_MD_SPECIAL = {c: f"&#{ord(c)};" for c in "\\`*_[]<>&|~#@"}


def code(text: str) -> str:
    """An identifier, safe in tables, lists and <summary> alike."""
    return f"<code>{html.escape(safe(text)).replace('|', '&#124;')}</code>"


def plain(text: str) -> str:
    """Free text from files or WeCom (names, messages), rendered literally."""
    return "".join(_MD_SPECIAL.get(c, c) for c in safe(text))


def codes(ids, names=None) -> str:
    return ", ".join(who(i, names) for i in ids)


def who(user: str, names=None) -> str:
    """<code>zhangsan</code> (张三) when the directory gave a name."""
    name = names.get(user) if names else None
    return code(user) + (f" ({plain(shown_name(name))})" if name and name != user else "")


@dataclass
class _Section:
    key: str
    noun: str                      # what an item is, for the cut note: "chat", "person"
    head: list[str]
    items: list[str]
    tail: tuple[str, ...] = ()     # closes what the head opened
    kept: int = 0

    def fixed_len(self) -> int:
        return sum(len(line) + 1 for line in (*self.head, *self.tail)) + 1 + _NOTE_RESERVE


def render_markdown(plan: Plan, colour: bool = False) -> str:
    s = plan.summary
    top = [
        MARKER,
        "### appchat plan",
        "",
        "| Create | Update | Unchanged | Errors | Members added | Members removed |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {s['create']} | {s['update']} | {s['unchanged']} | {s['errors']} "
        f"| +{s['members_added']} | −{s['members_removed']} |",
        "",
    ]
    if not plan.changes and not plan.errors and not plan.expiring:
        top.append(NO_CHANGES)
        return "\n".join(top) + "\n"

    sections = {sec.key: sec for sec in _sections(plan) if sec.items}
    total = MAX_CHARS - _MARGIN - sum(len(line) + 1 for line in top) - sum(x.fixed_len() for x in sections.values())
    # Two passes: first every section up to its share, so that a flood of one
    # kind (thousands of warnings) cannot crowd out the others; then whatever
    # is left goes to the sections in order of importance, detail last.
    budget = total
    for key, share in _SHARES:
        if key in sections:
            allowance = min(budget, int(total * share))
            budget -= allowance - _fill(sections[key], allowance)
    for key, _ in _SHARES:
        if key in sections:
            budget = _fill(sections[key], budget)

    out = list(top)
    cut = [sec for sec in sections.values() if sec.kept < len(sec.items)]
    if cut:
        what = ", ".join(f"{len(x.items) - x.kept:,} of {len(x.items):,} {_LABELS[x.key]}" for x in cut)
        out += [f"> ⚠️ **This plan is too long for one comment** (GitHub allows {MAX_CHARS:,} characters): "
                f"cut {what}. Run `appchat plan` for the whole plan.", ""]
    for key in ("errors", "removals", "warnings", "people", "details"):  # reading order
        sec = sections.get(key)
        if sec is None:
            continue
        out += sec.head
        out += sec.items[:sec.kept]
        missing = len(sec.items) - sec.kept
        if missing:
            out += ["", f"_… and {missing:,} more {sec.noun if missing == 1 else _PLURAL[sec.noun]}, cut to stay under GitHub's comment limit._"]
        out += sec.tail
        out.append("")
    if not plan.changes and not plan.errors:  # only warnings: the text plan says it too
        out.append(NO_CHANGES)
    return "\n".join(out).rstrip("\n") + "\n"


def _fill(sec: _Section, allowance: int) -> int:
    """Keep more of the section's items, in order, while they fit; return what is left."""
    while sec.kept < len(sec.items) and len(sec.items[sec.kept]) + 1 <= allowance:
        allowance -= len(sec.items[sec.kept]) + 1
        sec.kept += 1
    return allowance


def _sections(plan: Plan) -> list[_Section]:
    people = plan.people.removals_first()
    removing = [c for c in plan.changes if c.removed]
    warnings = [(c.chat_id, w) for c in plan.changes for w in c.warnings]
    warnings += [(e.chat_id, ending_text(e, plan.names)) for e in plan.expiring]
    names = plan.names
    table = ["| Person | Leaves | Joins | Ownership |", "|---|---|---|---|"]
    rows = [_person_row(p, names) for p in people]
    if len(people) > PEOPLE_FOLD_ROWS:
        leaving = sum(1 for p in people if p.leaves)
        fold = f"<details><summary><b>People</b>: {len(people):,}, {leaving:,} of them leaving chats</summary>"
        people_section = _Section("people", "person", [fold, "", *table], rows, tail=("", "</details>"))
    else:
        people_section = _Section("people", "person", ["#### People", "", *table], rows)
    return [
        people_section,
        _Section("removals", "chat", ["#### ⚠️ Removals", ""],
                 [f"- {code(c.chat_id)} {plain(quoted(c.after.name))}: removes **{len(c.removed)}** of "
                  f"{len(c.before.members)} members: {_removed(c, names)}" for c in removing]),
        _Section("warnings", "warning", ["#### ⚠️ Warnings", ""],
                 [f"- {plain(w)}" for w in run_warnings(plan)]
                 + [f"- {code(chat_id)}: {plain(w)}" for chat_id, w in warnings]),
        _Section("errors", "error", [f"#### ❌ {ERRORS}", ""],
                 _error_items(plan)),
        _Section("details", "chat", ["#### Changes by chat", ""], [_details(c, names) for c in plan.changes]),
    ]


def _error_items(plan: Plan) -> list[str]:
    """One item per cause, with the count and ids of the chats it hit."""
    return [f"- {code(ids[0])}: {plain(text)}" if len(ids) == 1 else
            f"- **{len(ids)} chats**: {plain(text)}: {codes(ids)}"
            for text, ids in error_groups(plan.errors)]


def _removed(c: Change, names) -> str:
    """Who leaves, each with why when the files say it (an ended membership)
    or WeCom does (not in the directory)."""
    notes = removal_notes(c)
    return ", ".join(who(user, names) + (f" ({plain(notes[user])})" if user in notes else "")
                     for user in sorted(c.removed))


def _person_row(p: PersonChange, names=None) -> str:
    leaves = f"⚠️ {codes(p.leaves)}" if p.leaves else ""
    owner = "; ".join(part for part in (
        f"loses {codes(p.owner_lost)}" if p.owner_lost else "",
        f"gains {codes(p.owner_gained)}" if p.owner_gained else "",
    ) if part)
    return f"| {who(p.user_id, names)} | {leaves} | {codes(p.joins)} | {owner} |"


def _details(c: Change, names=None) -> str:
    after = c.after
    if c.before is None:
        title = f"➕ create {code(c.chat_id)} {plain(quoted(after.name))}: {plural(len(after.members), 'member')}"
        notes = removal_notes(c)
        body = [f"+ {person(m, names)}" + (" (owner)" if m == after.owner else "")
                + (f"  ({safe(notes[m])})" if m in notes else "") for m in after.members]
    else:
        before = c.before
        changed = [f"+{len(c.added)} / −{len(c.removed)} members"]
        body = []
        if before.name != after.name:
            changed.append("rename")
            body.append(f"~ name: {quoted(before.name)} -> {quoted(after.name)}")
        if before.owner != after.owner:
            changed.append("new owner")
            body.append(f"~ owner: {person(before.owner, names)} -> {person(after.owner, names)}")
        notes = removal_notes(c)
        body += [f"- {person(m, names)}" + (f"  ({safe(notes[m])})" if m in notes else "") for m in sorted(c.removed)]
        body += [f"+ {person(m, names)}" + (f"  ({safe(notes[m])})" if m in notes else "") for m in sorted(c.added)]
        kept = staying(c)
        if kept:
            body.append(f"! {STAYING}: " + ", ".join(person(m, names) for m in kept))
        title = f"✏️ update {code(c.chat_id)} {plain(quoted(after.name))}: {', '.join(changed)}"
    return "\n".join([
        f"<details><summary>{title}</summary>",
        "",
        f"Defined at {code(c.source)}; {plural(len(c.calls), 'API call')}.",
        "",
        "```diff",
        *body,
        "```",
        "",
        "</details>",
        "",  # a blank line ends the HTML block before the next one starts
    ])
