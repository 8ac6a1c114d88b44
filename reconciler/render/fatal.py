"""The one JSON object a command prints on stdout under --format json when
a fatal error ends its run (invalid files, missing credentials, WeCom
unreachable, a usage error): `format_version`, `error` (why, in one line)
and `diagnostics` (the located errors of invalid files, as `validate
--format json` lists them; empty otherwise). Each command's schema in
schemas/ accepts it beside the command's own output."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from reconciler.render.escape import dump_json

FORMAT_VERSION = 1  # of every JSON output but the plan's (core.planformat.version.FORMAT_VERSION, also 1)


def fatal_data(message: str, diagnostics: Sequence[Mapping[str, Any]] = (),
               format_version: int = FORMAT_VERSION) -> dict[str, Any]:
    return {"format_version": format_version, "error": message, "diagnostics": [dict(d) for d in diagnostics]}


def render_fatal(message: str, diagnostics: Sequence[Mapping[str, Any]] = (),
                 format_version: int = FORMAT_VERSION) -> str:
    return dump_json(fatal_data(message, diagnostics, format_version))
