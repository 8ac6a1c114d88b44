"""`appchat validate [PATH ...]`: check chat files offline."""

from __future__ import annotations

import sys

from reconciler.config import load, report


def run(args) -> int:
    result = load(args.paths or None)
    report(result, sys.stderr)
    if not result.ok:
        return 1
    files, chats, groups = len(result.files), len(result.chats), len(result.groups)
    print(f"valid: {files} file{'s' if files != 1 else ''}, {chats} chat{'s' if chats != 1 else ''}, "
          f"{groups} group{'s' if groups != 1 else ''}")
    return 0
