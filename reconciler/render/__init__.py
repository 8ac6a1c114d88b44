"""Three views of one Plan, all fed from the same data: text for a terminal,
JSON for scripts and saved plans, markdown for a pull-request comment."""

from reconciler.render.json import render_json
from reconciler.render.markdown import MARKER, MAX_CHARS, render_markdown
from reconciler.render.text import render_text

__all__ = ["render_text", "render_json", "render_markdown", "MARKER", "MAX_CHARS"]
