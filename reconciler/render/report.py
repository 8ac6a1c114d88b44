"""The apply report: text for a terminal and a pipeline's log, JSON for a
script (always one object, whatever ended the run).

In text, chats that ended the same way for the same reason (60 chats not
attempted after a rate limit, every chat unreadable while WeCom was down)
are one line with their count and ids: one cause, one line."""

from __future__ import annotations

from reconciler.core.refusal import CHECK_USERS, plan_again
from reconciler.core.report import ApplyReport, ChatResult
from reconciler.render.escape import dump_json, safe
from reconciler.render.planwords import by_cause, plural


def render_report_text(report: ApplyReport, colour: bool = False) -> str:
    lines = ["", "Apply results:"]
    lines += _outcome_lines(report.outcomes)
    for o in report.partial:
        lines.append(f"Left between its calls: {safe(o.chat_id)} ({_calls(o)} made): {plan_again(report.saved)} "
                     f"to finish it")
    for note in report.notes:
        lines.append(f"Note: {note}")
    if report.stopped:
        lines.append(f"Stopped early: {safe(report.stopped)}")
    if report.interrupted:
        lines += _interrupted(report)
    s = report.summary
    deferred = f", {s['deferred']} of them deferred" if s["deferred"] else ""
    lines.append(
        f"Apply finished: {s['applied']} applied, {s['failed']} failed, {s['skipped']} skipped{deferred} "
        f"({s['calls']} write call{'s' if s['calls'] != 1 else ''})."
    )
    if report.deferred and not report.saved:
        ids = ", ".join(safe(o.chat_id) for o in report.deferred)
        lines.append(f"Deferred by WeCom's hourly budget: {ids}. They are not failures: the next run applies them.")
    if not report.ok:
        lines.append(_next_step(report))
    return "\n".join(lines) + "\n"


def _next_step(report: ApplyReport) -> str:
    """What helps now. Another run cannot add someone WeCom refused, and a
    saved plan is never re-run (it is refused as stale once its chats moved)."""
    files = any(r.is_error for o in report.outcomes for r in o.refused)
    fix = f"Fix the chat files where WeCom refused a user id ({CHECK_USERS}), then " if files else ""
    if report.saved:
        return (f"{fix or 'To finish, '}plan again (`appchat plan --out FILE`) and apply the new plan: this saved "
                f"plan is not to be re-run (it is refused as stale once its chats moved).")
    if files:
        return f"{fix}run apply again: it plans from live state and only makes what is still missing."
    return "Run apply again to finish: it plans from live state and only makes what is still missing."


def _outcome_lines(outcomes) -> list[str]:
    """Applied chats one by one; failed and skipped ones grouped by cause."""
    lines: list[str] = []
    ends = [o for o in outcomes if str(o.status) != "applied"]
    grouped = {ids[0]: (cause, ids) for cause, ids in
               by_cause((o.chat_id, (str(o.status), o.errcode, o.message)) for o in ends)}
    by_id = {o.chat_id: o for o in outcomes}
    for o in outcomes:
        if str(o.status) == "applied":
            lines += _one(o)
        elif o.chat_id in grouped:
            _, ids = grouped[o.chat_id]
            lines += _one(o) if len(ids) == 1 else [_many([by_id[i] for i in ids])]
    return lines


def _calls(o: ChatResult) -> str:
    return f"{o.calls_made}/{o.calls_planned} call{'s' if o.calls_planned != 1 else ''}"


def _reason(errcode: int | None, message: str | None) -> str:
    """`  errcode 86216: message`, or as much of it as there is; "" for neither.
    Chats and announcements alike: a failure without an answer from WeCom
    (a network error) has a message and no errcode."""
    if errcode is not None:
        return f"  errcode {errcode}" + (f": {safe(message)}" if message else "")
    return f"  {safe(message)}" if message else ""


def _one(o: ChatResult) -> list[str]:
    lines = [f"  {o.status!s:<8} {o.action!s:<6} {safe(o.chat_id)}  ({_calls(o)}){_reason(o.errcode, o.message)}"]
    if o.announcement:
        a = o.announcement
        detail = "" if a.status == "sent" else _reason(a.errcode, a.message)
        lines.append(f"           announcement {a.status}{detail}")
    return lines


def _many(group: list[ChatResult]) -> str:
    first = group[0]
    ids = ", ".join(safe(o.chat_id) for o in group)
    made = sum(o.calls_made for o in group)
    planned = sum(o.calls_planned for o in group)
    return (f"  {first.status!s:<8} {plural(len(group), 'chat')} ({made}/{planned} calls in all): "
            f"{ids}{_reason(first.errcode, first.message)}")


def _interrupted(report: ApplyReport) -> list[str]:
    s = report.summary
    lines = [f"Interrupted by {report.interrupted}: {s['applied']} applied, {s['failed']} failed, "
             f"{s['not_started']} not started, {s['partial']} left between {'its' if s['partial'] == 1 else 'their'}"
             f" calls."]
    if report.forced:
        lines.append("  Stopped at once: a chat whose call was in flight is reported failed, its state unknown; "
                     "the next apply reads it and finishes the job.")
    return lines


def render_report_json(report: ApplyReport, colour: bool = False) -> str:
    return dump_json(report.data)
