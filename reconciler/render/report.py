"""The apply report: text for a terminal and a pipeline's log, JSON for a
script (always one object, whatever ended the run)."""

from __future__ import annotations

import json

from reconciler.core.report import ApplyReport
from reconciler.render.words import safe


def render_report_text(report: ApplyReport, colour: bool = False) -> str:
    lines = ["", "Apply results:"]
    for o in report.outcomes:
        calls = f"{o.calls_made}/{o.calls_planned} call{'s' if o.calls_planned != 1 else ''}"
        line = f"  {o.status!s:<8} {o.action!s:<6} {o.chat_id}  ({calls})"
        if o.errcode is not None:
            line += f"  errcode {o.errcode}"
        if o.message:
            line += f": {safe(o.message)}" if o.errcode is not None else f"  {safe(o.message)}"
        lines.append(line)
        if o.announcement:
            a = o.announcement
            detail = "" if a.status == "sent" else f" (errcode {a.errcode}): {safe(a.message)}"
            lines.append(f"           announcement {a.status}{detail}")
    for note in report.notes:
        lines.append(f"Note: {note}")
    if report.stopped:
        lines.append(f"Stopped early: {report.stopped}")
    s = report.summary
    lines.append(
        f"Apply finished: {s['applied']} applied, {s['failed']} failed, {s['skipped']} skipped "
        f"({s['calls']} write call{'s' if s['calls'] != 1 else ''})."
    )
    if not report.ok:
        lines.append("Run apply again to finish: it plans from live state and only makes what is still missing.")
    return "\n".join(lines) + "\n"


def render_report_json(report: ApplyReport, colour: bool = False) -> str:
    return json.dumps(report.data, indent=2, ensure_ascii=False) + "\n"
