"""`appchat apply`: from chat files (plan afresh, show, confirm) or from a
saved plan (exactly its calls, no question). Every refusal happens before
the first write; see reconciler.executor for what runs after that.

The only command besides `send` that opens the client with read_only=False.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import tempfile
from typing import Any, Callable, Sequence, TextIO

from reconciler import executor, planfile, reads

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

EXIT_OK, EXIT_ERROR = 0, 1
PROMPT = "Apply these changes? Only 'yes' is accepted: "

log = logging.getLogger(__name__)


def run(args) -> int:
    return reads.guard(lambda: _run(args))


def _run(args) -> int:
    if args.plan_file and args.paths:
        print("error: give either chat file PATHs or --plan FILE, not both", file=sys.stderr)
        return EXIT_ERROR
    if args.plan_file and args.target:
        print("error: --target selects chats from chat files; a saved plan is applied whole", file=sys.stderr)
        return EXIT_ERROR
    if args.plan_file:
        return _apply_saved(args)
    return _apply_paths(args)


def _client(args):
    return reads.open_client(concurrency=args.concurrency, read_only=False)


class ApplyLock:
    """One apply at a time per corp and API base on this machine.

    The stale checks catch another writer between plan and write, but two
    applies that read the same chat at the same moment would both pass them;
    the lock closes that window for runs on one host. Runs on different
    hosts (two CI runners) need the pipeline's own serialisation (a
    concurrency group), which the README recommends. flock is released by
    the kernel when the process dies, so a killed apply never leaves it stuck.
    """

    def __init__(self, environ=None) -> None:
        env = os.environ if environ is None else environ
        key = f"{env.get('WECOM_API_BASE', '')}|{env.get('WECOM_CORP_ID', '')}"
        directory = env.get("APPCHAT_LOCK_DIR") or tempfile.gettempdir()
        name = "appchat-apply-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16] + ".lock"
        self.path = os.path.join(directory, name)
        self._fd: int | None = None

    def acquire(self) -> str | None:
        """None when held; otherwise why not."""
        if fcntl is None:  # no flock on this platform: rely on the stale checks
            return None
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            log.debug("apply lock %s unavailable: %s", self.path, exc)
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.read(fd, 64).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            return (f"another `appchat apply` against this corp is running on this machine (pid {holder}); "
                    f"wait for it and run apply again")
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode("ascii"))
        self._fd = fd
        return None

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock
            self._fd = None


def _apply_paths(args) -> int:
    # Files first: invalid files exit 1 before a client (or a token) exists.
    loaded = reads.load_or_report(args.paths)
    if loaded is None:
        return EXIT_ERROR
    desired = reads.select_targets(loaded.chats, args.target)
    if desired is None:
        return EXIT_ERROR
    return _locked(args, lambda client: _plan_confirm_execute(desired, client, args))


def _plan_confirm_execute(desired, client, args) -> int:
    plan = reads.plan_for(desired, client)
    _show(plan, args)
    if not plan.has_changes:
        # render_text already said "No changes."; unreadable chats still fail the run.
        _json_report(args)
        return _read_errors(plan)
    if not _preflight_ok(plan, client, args, saved=False):
        return EXIT_ERROR
    if not args.yes and not _confirmed():
        _json_report(args, refusals=["not confirmed (no terminal and no --yes, or an answer other than 'yes')"])
        return EXIT_ERROR
    return _execute(plan, client, args)


def _apply_saved(args) -> int:
    try:
        plan = planfile.read(args.plan_file)
    except planfile.PlanFileError as exc:
        print(f"error: refusing to apply: {exc}", file=sys.stderr)
        _json_report(args, refusals=[str(exc)])
        return EXIT_ERROR
    if not plan.has_changes:
        # Chats the plan could not read are not "no changes": a pipeline that
        # plans and applies in two steps must not go green during an outage.
        print("No changes.", file=sys.stderr if args.format == "json" else sys.stdout)
        _json_report(args)
        return _read_errors(plan)
    s = plan.summary
    print(f"Applying saved plan {args.plan_file}: {s['create']} to create, {s['update']} to update.",
          file=sys.stderr)
    return _locked(args, lambda client: _preflight_execute(plan, client, args))


def _preflight_execute(plan, client, args) -> int:
    if not _preflight_ok(plan, client, args, saved=True):
        return EXIT_ERROR
    return _execute(plan, client, args)


def _locked(args, body: Callable[[Any], int]) -> int:
    """body(client) under the apply lock, with a writing client closed afterwards;
    refuses (exit 1) while another apply holds the lock."""
    lock = ApplyLock()
    busy = lock.acquire()
    if busy:
        print(f"error: refusing to apply: {busy}. Nothing was applied.", file=sys.stderr)
        _json_report(args, refusals=[busy])
        return EXIT_ERROR
    client = None
    try:
        client = _client(args)
        return body(client)
    finally:
        if client is not None:
            client.close()
        lock.release()


def _show(plan, args) -> None:
    """The plan in text; on stderr when stdout carries the JSON report."""
    from reconciler.render import render_text
    from reconciler.term import use_colour

    stream = sys.stderr if args.format == "json" else sys.stdout
    stream.write(render_text(plan, colour=use_colour(stream)))
    stream.flush()


def _read_errors(plan) -> int:
    if not plan.errors:
        return EXIT_OK
    print(f"error: {len(plan.errors)} chat(s) could not be read and were not applied: "
          + ", ".join(e.chat_id for e in plan.errors), file=sys.stderr)
    return EXIT_ERROR


def _preflight_ok(plan, client, args, *, saved: bool) -> bool:
    refusals = executor.preflight(plan, client, ratio=args.max_removal_ratio, force=args.force, saved=saved)
    if refusals:
        for refusal in refusals:
            print(f"error: refusing to apply: {refusal}", file=sys.stderr)
        print("Nothing was applied.", file=sys.stderr)
        _json_report(args, refusals=refusals)
        return False
    if args.force and executor.guard_refusals(plan, ratio=args.max_removal_ratio, force=False):
        print("warning: --force: the mass-removal guard is overridden", file=sys.stderr)
    for note in executor.quota_notes(plan):
        print(f"note: {note}", file=sys.stderr)
    return True


def _confirmed(stdin: TextIO | None = None, stdout: TextIO | None = None) -> bool:
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    if not (_isatty(stdin) and _isatty(stdout)):
        print("error: refusing to apply without confirmation: no terminal to ask on; "
              "pass --yes to apply non-interactively. Nothing was applied.", file=sys.stderr)
        return False
    stdout.write(PROMPT)
    stdout.flush()
    try:
        answer = stdin.readline()
    except (EOFError, KeyboardInterrupt):
        answer = ""
    if answer.strip() != "yes":
        print("Apply cancelled. Nothing was applied.", file=sys.stderr)
        return False
    return True


def _isatty(stream: Any) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _execute(plan, client, args) -> int:
    def done(outcome) -> None:
        log.info("%s: %s %s", outcome.chat_id, outcome.status, outcome.message)

    report = executor.execute(plan, client, concurrency=args.concurrency, announce=args.announce,
                              on_done=done)
    if args.format == "json":
        _print_json({"refusals": [], **report.data})
    else:
        sys.stdout.write(executor.render_report_text(report))
        sys.stdout.flush()
    if report.announcements_failed:
        print(f"warning: {len(report.announcements_failed)} announcement(s) could not be sent; "
              f"the membership changes themselves were applied", file=sys.stderr)
    code = EXIT_OK if report.ok else EXIT_ERROR
    if _read_errors(plan) != EXIT_OK:
        code = EXIT_ERROR
    return code


_EMPTY_SUMMARY = {"applied": 0, "failed": 0, "skipped": 0, "calls": 0, "announcements_failed": 0}


def _json_report(args, refusals: Sequence[str] = ()) -> None:
    """With --format json, stdout is one report whatever ends the run before
    the first write: no changes, or a refusal (the guard, a stale or broken
    saved plan, the lock, no confirmation), with nothing applied."""
    if args.format == "json":
        _print_json({"refusals": list(refusals), "outcomes": [], "notes": [], "stopped": None,
                     "summary": dict(_EMPTY_SUMMARY)})


def _print_json(data: dict) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()
