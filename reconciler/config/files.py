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
            inside, outside = _inside(path, found)
            files.extend(inside)
            errors.extend(outside)
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


def _inside(root: str, found: list[str]) -> tuple[list[str], list[Diagnostic]]:
    """The files found under `root` whose real path lies inside root's real
    path; the others (a symlink to ../.env, to ~/.ssh) are errors, unread,
    so that nothing of their content can be quoted (issue 20)."""
    real_root = os.path.realpath(root)
    prefix = real_root.rstrip(os.sep) + os.sep
    inside: list[str] = []
    outside: list[Diagnostic] = []
    for file in found:
        if os.path.realpath(file).startswith(prefix) or not os.path.exists(file):  # dangling: read says so
            inside.append(file)
        else:
            outside.append(error(Source(file, 1, 1), f"{file} is a symlink to a file outside {root}: not read "
                                                     "(name the file itself on the command line to read it)"))
    return inside, outside


def _walk(root: str):
    for directory, subdirs, names in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        for name in sorted(names):
            if name.lower().endswith(SUFFIXES) and not name.startswith("."):
                yield os.path.join(directory, name)


# A chat file is a few hundred kilobytes; the largest seen in a benchmark is
# 30 MB. The cap keeps a mistaken path (a log, a dump) from eating memory:
# parsing takes about 60 times a file's size (issue 20: 20 MB took 1.17 GB).
MB = 1024 * 1024
MAX_FILE_BYTES = 32 * MB


def read(file: str) -> tuple[bytes | None, Diagnostic | None]:
    where = Source(file, 1, 1)
    try:
        # A link to /dev/zero would never end, and opening a FIFO blocks: look
        # before opening (git can store such a link). The size is judged
        # before a byte is read.
        info = os.stat(file)
        if not stat.S_ISREG(info.st_mode):
            return None, error(where, f"not a regular file: {file}")
        if info.st_size > MAX_FILE_BYTES:
            return None, _too_big(file)
        with open(file, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)  # it may have grown since
    except OSError as exc:
        return None, error(where, f"cannot read {file}: {exc.strerror or exc}")
    if len(data) > MAX_FILE_BYTES:
        return None, _too_big(file)
    return data, None


def _too_big(file: str) -> Diagnostic:
    return error(Source(file, 1, 1), f"{file} is larger than {MAX_FILE_BYTES / MB:g} MB (a MB of 1,048,576 bytes): "
                                     "split it into several chat files")


def too_big_for_memory(file: str) -> Diagnostic:
    return error(Source(file, 1, 1), f"{file} is too large to load in the memory available: "
                                     "split it into several chat files")
