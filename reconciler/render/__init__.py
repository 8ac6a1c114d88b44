"""The views. Those the command line offers in several formats (the plan,
the apply report, `who`) share one shape, a function (value, colour=False)
-> str chosen by the name of its format; the command line offers exactly
these formats:

    render.PLAN["markdown"](plan)
    render.REPORT["json"](report)

The others take what they need: expiring.py (the memberships, today and the
window), chatfile.py (live chats -> a chat file) and announce.py (a change ->
the markdown message, or None when there is nothing to say).
"""

from reconciler.render.json import render_json
from reconciler.render.markdown import MARKER, MAX_CHARS, render_markdown
from reconciler.render.report import render_report_json, render_report_text
from reconciler.render.text import render_text
from reconciler.render.who import render_who_json, render_who_text

PLAN = {"text": render_text, "json": render_json, "markdown": render_markdown}
REPORT = {"text": render_report_text, "json": render_report_json}
WHO = {"text": render_who_text, "json": render_who_json}

__all__ = ["PLAN", "REPORT", "WHO", "render_text", "render_json", "render_markdown", "render_report_text",
           "render_report_json", "render_who_text", "render_who_json", "MARKER", "MAX_CHARS"]
