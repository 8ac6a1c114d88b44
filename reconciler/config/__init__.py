"""The desired state: chat files in, immutable DesiredChat values out.

    result = load(["chats"])
    if not result.ok: report(result); ...
    result.chats  # tuple[DesiredChat, ...] sorted by chat_id

    load_text(text, "imported.yaml")  # one file's text, no file system

Offline and pure apart from reading the files: no network, no YAML leaves
this package."""

from __future__ import annotations

import gc
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Mapping, TextIO

from reconciler.config import files as _files
from reconciler.config import crossfile, definitions, schema, yamlnodes
from reconciler.config.diagnostics import Diagnostic, sort_unique, write
from reconciler.core.model import DesiredChat

__all__ = ["load", "load_text", "report", "Diagnostic", "LoadResult"]


@dataclass(frozen=True)
class LoadResult:
    chats: tuple[DesiredChat, ...]
    groups: Mapping[str, frozenset[str]]  # name -> every user in it, nested groups expanded
    errors: tuple[Diagnostic, ...]
    warnings: tuple[Diagnostic, ...]
    files: tuple[str, ...] = ()  # the files read, as named in diagnostics

    @property
    def ok(self) -> bool:
        return not self.errors


@contextmanager
def collector_paused():
    """The cyclic collector off while the block builds objects that live for
    the run (loading here; planning in app.session uses it too)."""
    # Loading builds hundreds of thousands of small acyclic objects (nodes,
    # marks, entries); the cyclic collector would traverse them again and
    # again for nothing, which more than doubles the time of a big load.
    # Switched on again, the collector's first young-generation pass would
    # still walk every object the load made (a tenth of a big load): they go
    # straight to the oldest generation instead (freeze, then unfreeze),
    # where the next full collection sees them as it would have anyway.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if not gc.get_freeze_count():  # unfreeze would thaw what someone else froze
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def load(paths: list[str] | None = None, today: date | None = None) -> LoadResult:
    """`today` decides which memberships have ended (their entries bring
    nobody in, and are warnings); None: none has."""
    with collector_paused():
        return _load(paths, today)


def load_text(text: str, name: str = "<text>", today: date | None = None) -> LoadResult:
    """The chats of one file given as text, checked as `load` checks a file."""
    with collector_paused():
        return _check([name], [], lambda _: (text.encode("utf-8"), None), today)


def _load(paths: list[str] | None, today: date | None) -> LoadResult:
    names, errors = _files.discover(paths)
    return _check(names, errors, _files.read, today)


def _check(names: list[str], errors: list[Diagnostic], read, today: date | None) -> LoadResult:
    found = []
    for name in names:
        raw, problem = read(name)
        if problem is not None:
            errors.append(problem)
            continue
        try:
            one = yamlnodes.parse(name, raw)
            del raw
            errors.extend(one.errors)
            errors.extend(schema.check(one))
            # Only what the cross-file rules need is kept: a file's nodes take
            # about 25 times the memory of its text.
            found.append(definitions.collect(one))
            del one
        except MemoryError:
            # The half-built node tree is garbage once we leave the frame, so
            # the run can still report this file and go on with the others.
            raw = one = None
            errors.append(_files.too_big_for_memory(name))
    checked = crossfile.check(found, today)
    errors.extend(checked.errors)
    return LoadResult(
        chats=checked.chats,
        groups=MappingProxyType(dict(sorted(checked.groups.items()))),
        errors=sort_unique(errors),
        warnings=sort_unique(checked.warnings),
        files=tuple(names),
    )


def report(result: LoadResult, stream: TextIO | None = None) -> None:
    """Print warnings and errors, in file and line order."""
    write(sorted(result.warnings + result.errors), stream if stream is not None else sys.stderr)
