"""The plan for a terminal, Terraform-like: `+` joins, `-` leaves (listed
first, red when colour is on, so removals are hard to miss), `~` changes.
Everything that came from WeCom is escaped: a chat name must not be able to
move the cursor or fake a line of the plan."""

from __future__ import annotations

from reconciler.core.guards import run_warnings
from reconciler.core.people import PersonChange
from reconciler.core.plan import Change, Plan
from reconciler.render.escape import quoted, safe
from reconciler.render.palette import Palette
from reconciler.render.planwords import (ERRORS, NO_CHANGES, STAYING, ending_text, error_groups, person, plural,
                                         removal_notes, staying, summary_line)


def render_text(plan: Plan, colour: bool = False) -> str:
    p = Palette(colour)
    if not plan.changes and not plan.errors:
        soon = [p.yellow(f"  ! {safe(e.chat_id)}: {ending_text(e, plan.names)}") for e in plan.expiring]
        head = [p.bold("Warnings:"), *soon, ""] if soon else []
        return "\n".join([*head, NO_CHANGES]) + "\n"
    out: list[str] = []
    for change in plan.changes:
        out += _change(change, p, plan.names)
        out.append("")
    warnings = [(c.chat_id, w) for c in plan.changes for w in c.warnings]
    warnings += [(e.chat_id, ending_text(e, plan.names)) for e in plan.expiring]
    run = run_warnings(plan)  # the run's total: no one chat's
    if warnings or run:
        out.append(p.bold("Warnings:"))
        out += [p.yellow(f"  ! {safe(w)}") for w in run]
        out += [p.yellow(f"  ! {safe(chat_id)}: {safe(w)}") for chat_id, w in warnings]
        out.append("")
    if plan.errors:
        out.append(p.bold(f"{ERRORS}:"))
        out += _errors(plan, p)
        out.append("")
    people = plan.people
    if len(people):
        out.append(p.bold("People:"))
        out += [_person(one, p, plan.names) for one in people.removals_first()]
        out.append("")
    out.append(p.bold(summary_line(plan)))
    return "\n".join(out) + "\n"


def _errors(plan: Plan, p: Palette) -> list[str]:
    """One line per cause: a failure shared by many chats is said once, with
    how many chats it hit and which."""
    lines = []
    for text, ids in error_groups(plan.errors):
        if len(ids) == 1:
            lines.append(p.red(f"  ! {safe(ids[0])}: {safe(text)}"))
        else:
            lines.append(p.red(f"  ! {len(ids)} chats: {safe(text)}: {', '.join(map(safe, ids))}"))
    return lines


def _change(change: Change, p: Palette, names=None) -> list[str]:
    chat = quoted(change.chat_id)
    where = f"  ({safe(change.source)})"
    after = change.after
    if change.before is None:
        lines = [p.green(f"+ create chat {chat}") + where,
                 f"    name:    {quoted(after.name)}",
                 f"    owner:   {person(after.owner, names)}",
                 f"    members: {len(after.members)}"]
        notes = removal_notes(change)
        lines += [p.green(f"      + {person(m, names)}") + (" (owner)" if m == after.owner else "")
                  + (f"  ({safe(notes[m])})" if m in notes else "") for m in after.members]
        return lines
    before = change.before
    lines = [p.yellow(f"~ update chat {chat}") + where]
    if before.name != after.name:
        lines.append(p.yellow(f"    ~ name: {quoted(before.name)} -> {quoted(after.name)}"))
    if before.owner != after.owner:
        lines.append(p.yellow(f"    ~ owner: {person(before.owner, names)} -> {person(after.owner, names)}"))
    notes = removal_notes(change)
    for m in sorted(change.removed):
        lines.append(p.red(f"    - {person(m, names)}") + (f"  ({safe(notes[m])})" if m in notes else ""))
    lines += [p.green(f"    + {person(m, names)}") + (f"  ({safe(notes[m])})" if m in notes else "")
              for m in sorted(change.added)]
    kept = staying(change)
    if kept:
        lines.append(p.yellow(f"    ! {STAYING}: " + ", ".join(person(m, names) for m in kept)))
    lines.append(f"    members: {len(before.members)} -> {len(after.members)} "
                 f"(+{len(change.added)} / -{len(change.removed)})")
    if len(change.calls) > 1:
        lines.append(f"    {plural(len(change.calls), 'API call')}: the new owner joins first, then becomes owner")
    lines += [p.yellow(f"    ! {safe(w)}") for w in change.warnings]
    return lines


def _person(change: PersonChange, p: Palette, names=None) -> str:
    parts = []
    if change.leaves:
        parts.append(p.red("leaves " + ", ".join(map(safe, change.leaves))))
    if change.joins:
        parts.append(p.green("joins " + ", ".join(map(safe, change.joins))))
    if change.owner_lost:
        parts.append(p.yellow("stops owning " + ", ".join(map(safe, change.owner_lost))))
    if change.owner_gained:
        parts.append(p.yellow("becomes owner of " + ", ".join(map(safe, change.owner_gained))))
    return f"  {person(change.user_id, names)}: " + "; ".join(parts)
