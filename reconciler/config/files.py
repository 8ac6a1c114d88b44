"""Which files a run reads: every *.yaml / *.yml under the given paths,
recursively, in sorted order, named as reached from the command line."""

from __future__ import annotations

import os

from reconciler.config.diagnostics import Diagnostic, error
from reconciler.model import Source

DEFAULT_PATH = "chats"
SUFFIXES = (".yaml", ".yml")


def discover(paths: list[str] | None) -> tuple[list[str], list[Diagnostic]]:
    files: list[str] = []
    errors: list[Diagnostic] = []
    for path in paths or [DEFAULT_PATH]:
        if os.path.isdir(path):
            found = list(_walk(path))
            if not found:
                errors.append(error(Source(path, 1, 1), f"no chat files (*.yaml, *.yml) under {path}"))
            files.extend(found)
        elif os.path.exists(path):
            files.append(path)  # named explicitly: read whatever its suffix
        else:
            errors.append(error(Source(path, 1, 1), f"no such file or directory: {path}"))
    # The same file reached twice (`chats chats/sre.yaml`) would define every
    # chat in it twice; keep the first name it was reached by.
    unique: dict[str, str] = {}
    for file in files:
        unique.setdefault(os.path.realpath(file), file)
    return sorted(unique.values()), errors


def _walk(root: str):
    for directory, subdirs, names in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        for name in sorted(names):
            if name.endswith(SUFFIXES) and not name.startswith("."):
                yield os.path.join(directory, name)


def read(file: str) -> tuple[bytes | None, Diagnostic | None]:
    try:
        with open(file, "rb") as f:
            return f.read(), None
    except OSError as exc:
        return None, error(Source(file, 1, 1), f"cannot read {file}: {exc.strerror or exc}")
