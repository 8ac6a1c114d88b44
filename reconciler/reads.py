"""Shell helpers shared by every command that reads chat files and live chats
(plan, apply from paths, import, who --live).

The order of things here is the contract's, so it lives in one place:
files are loaded and checked before a client even exists (invalid files →
exit 1 without a single API call, not even gettoken), and credential
failures become one clear line and exit 1, never a traceback.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from typing import Callable, Iterable, Mapping, Sequence, TextIO, Union

from reconciler.model import DesiredChat, LiveResult

log = logging.getLogger(__name__)

EXIT_OK, EXIT_ERROR = 0, 1

# Below this many chats a run takes a second or two and a progress line is
# just noise (and flicker).
PROGRESS_MIN_CHATS = 20
# Redraw at most this often: a thousand fast reads must not mean a thousand
# terminal writes.
PROGRESS_INTERVAL_S = 0.1


class ShellError(Exception):
    """A failure the user must read as one line on stderr, then exit 1."""


# ---------------------------------------------------------------- loading

def load_or_report(paths: Sequence[str] | None, stream: TextIO | None = None):
    """Load the chat files and print warnings and errors on stderr.

    Returns the LoadResult, or None when there are errors: the caller exits 1
    and must not build a client (no API call on invalid files)."""
    from reconciler import config

    result = config.load(list(paths) if paths else None)
    config.report(result, stream=stream or sys.stderr)
    return result if result.ok else None


def select_targets(chats: Sequence[DesiredChat], targets: Iterable[str] | None,
                   stream: TextIO | None = None) -> list[DesiredChat] | None:
    """The chats named by --target (all when none given), or None after
    naming each target the files do not define."""
    chats = list(chats)
    wanted = list(dict.fromkeys(targets or ()))
    if not wanted:
        return chats
    known = {c.chat_id for c in chats}
    unknown = [t for t in wanted if t not in known]
    if unknown:
        err = stream or sys.stderr
        for chat_id in unknown:
            print(f"error: --target {chat_id}: no chat with this id in the chat files", file=err)
        return None
    keep = set(wanted)
    return [c for c in chats if c.chat_id in keep]


# ---------------------------------------------------------------- the client

def open_client(concurrency: int = 8, read_only: bool = True, environ: Mapping[str, str] | None = None):
    """A WeCom client from the environment. Raises MissingCredentials, which
    `guard` turns into the contract's message naming the variable."""
    from reconciler.wecom import client_from_env

    return client_from_env(os.environ if environ is None else environ,
                           concurrency=concurrency, read_only=read_only)


ClientOrFactory = Union[object, Callable[[], object]]


def _redact(text: str) -> str:
    """Belt and braces: the client already keeps the secret out of its
    messages, but whatever reaches the terminal through this module is
    scrubbed once more."""
    secret = os.environ.get("WECOM_CORP_SECRET", "")
    if secret and len(secret) >= 4:
        text = text.replace(secret, "***")
    return text


def guard(body: Callable[[], int], stream: TextIO | None = None) -> int:
    """Run a command body; credential and API failures that abort the whole
    run become one line on stderr and exit 1. The one place they are handled."""
    from reconciler.wecom import InvalidCredentials, MissingCredentials, WeComError

    err = stream or sys.stderr
    try:
        return body()
    except MissingCredentials as exc:
        variable = getattr(exc, "variable", None) or "WECOM_CORP_ID / WECOM_CORP_SECRET"
        message = str(exc) or f"{variable} is not set"
        if variable not in message:
            message = f"{variable} is not set: {message}"
        print(f"error: {_redact(message)}", file=err)
        return EXIT_ERROR
    except InvalidCredentials as exc:
        print(f"error: {_redact(str(exc))}", file=err)
        return EXIT_ERROR
    except WeComError as exc:  # e.g. gettoken unreachable: nothing could be read
        print(f"error: {_redact(str(exc))}", file=err)
        return EXIT_ERROR
    except ShellError as exc:
        print(f"error: {_redact(str(exc))}", file=err)
        return EXIT_ERROR


# ---------------------------------------------------------------- reading

class _Progress:
    """One updating stderr line: "reading chats 120/1000". Called from the
    client's worker threads, hence the lock."""

    def __init__(self, stream: TextIO, total: int) -> None:
        self.stream, self.total = stream, total
        self.lock = threading.Lock()
        self.last = 0.0
        self.drawn = False

    def __call__(self, done: int, total: int | None = None) -> None:
        total = total or self.total
        now = time.monotonic()
        with self.lock:
            if done < total and now - self.last < PROGRESS_INTERVAL_S:
                return
            self.last = now
            self.stream.write(f"\rreading chats {done}/{total}")
            self.stream.flush()
            self.drawn = True

    def finish(self) -> None:
        with self.lock:
            if self.drawn:
                # Leave the terminal clean for whatever comes next.
                self.stream.write("\r\x1b[K")
                self.stream.flush()


def wants_progress(count: int, stream: TextIO | None = None) -> bool:
    stream = stream or sys.stderr
    isatty = getattr(stream, "isatty", None)
    return count >= PROGRESS_MIN_CHATS and bool(isatty and isatty())


def read_live(client, chat_ids: Sequence[str], show_progress: bool = True,
              stream: TextIO | None = None) -> dict[str, LiveResult]:
    """Read the live chats. A progress line is drawn on stderr only when the
    caller allows it, stderr is a terminal and there are many chats: stdout
    stays clean for the plan and pipelines' logs stay free of \\r noise."""
    stream = stream or sys.stderr
    ids = list(dict.fromkeys(chat_ids))
    progress = _Progress(stream, len(ids)) if show_progress and wants_progress(len(ids), stream) else None
    started = time.monotonic()
    try:
        live = client.read_chats(ids, progress=progress) if ids else {}
    finally:
        if progress:
            progress.finish()
    log.debug("read %d chats in %.2f s; api calls %s", len(ids), time.monotonic() - started,
              dict(getattr(client, "stats", {}) or {}))
    return dict(live)


# ---------------------------------------------------------------- planning

def plan_for(desired: Sequence[DesiredChat], client, show_progress: bool = True):
    """Read what `desired` names and plan it (pure planner)."""
    from reconciler.planner import make_plan

    live = read_live(client, [c.chat_id for c in desired], show_progress)
    return make_plan(desired, live)


def build_plan(paths: Sequence[str] | None, targets: Iterable[str] | None, client: ClientOrFactory,
               show_progress: bool = True):
    """Load, select targets, read, plan. None after diagnostics were printed
    (invalid files, unknown target): the caller exits 1.

    `client` may be a client or a zero-argument factory; a factory is only
    called once the files are known to be valid, and the client it makes is
    closed here. Credential errors propagate to `guard`."""
    loaded = load_or_report(paths)
    if loaded is None:
        return None
    desired = select_targets(loaded.chats, targets)
    if desired is None:
        return None
    if callable(client) and not hasattr(client, "read_chats"):
        made = client()
        try:
            return plan_for(desired, made, show_progress)
        finally:
            close = getattr(made, "close", None)
            if close:
                close()
    return plan_for(desired, client, show_progress)
