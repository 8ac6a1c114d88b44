"""Which files a run reads: every *.yaml / *.yml under the given paths
(the suffix in any letter case: `team.YAML` too), recursively, in sorted
order, named as reached from the command line."""

from __future__ import annotations

import os
import stat

from reconciler.config.diagnostics import Diagnostic, error
from reconciler.core.model import Source

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
            if name.lower().endswith(SUFFIXES) and not name.startswith("."):
                yield os.path.join(directory, name)


# A chat file is a few hundred kilobytes; the largest seen in a benchmark is
# 30 MB. The cap keeps a mistaken path (a log, a dump) from eating memory.
MAX_FILE_BYTES = 64 * 1024 * 1024


def read(file: str) -> tuple[bytes | None, Diagnostic | None]:
    where = Source(file, 1, 1)
    try:
        # A link to /dev/zero would never end, and opening a FIFO blocks: look
        # before opening (git can store such a link).
        if not stat.S_ISREG(os.stat(file).st_mode):
            return None, error(where, f"not a regular file: {file}")
        with open(file, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return None, error(where, f"cannot read {file}: {exc.strerror or exc}")
    if len(data) > MAX_FILE_BYTES:
        return None, error(where, f"{file} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB: "
                                  "split it into several chat files")
    return data, None


def too_big_for_memory(file: str) -> Diagnostic:
    return error(Source(file, 1, 1), f"{file} is too large to load in the memory available: "
                                     "split it into several chat files")
