"""One run's way from chat files to a plan: load -> select -> read and plan
(each chat planned as its read arrives: app.pipeline), shared by plan,
apply from paths, import and who (whose answer is app.whoanswer's).

The order is the contract's, so it lives in one place: files are loaded and
checked before a client even exists (invalid files -> exit 1 without a
single API call, not even gettoken); the client is opened only once there
is something to read.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Mapping, Sequence, TextIO

from reconciler.app.progress import Progress, wants_progress
from reconciler.core.directory import Directory, needs
from reconciler.core.model import DesiredChat, LiveResult
from reconciler.core.wecomapi import Corp, WeComApi

if TYPE_CHECKING:
    from reconciler.core.plan import Plan, Target

log = logging.getLogger(__name__)


def load(paths: Sequence[str] | None, stream: TextIO | None = None, today: date | None = None):
    """The chat files as of `today`, with warnings and errors printed on
    stderr: the LoadResult, or None when there are errors (the caller exits 1
    and must not open a client)."""
    from reconciler.app.outcome import UserError

    try:
        return load_valid(paths, stream, today)
    except UserError:
        return None


def load_valid(paths: Sequence[str] | None, stream: TextIO | None = None, today: date | None = None):
    """As load, but invalid files raise UserError (already said: the
    located errors are on stderr) whose message names the first error and
    whose diagnostics are all of them, for the JSON a fatal error prints."""
    from reconciler import config
    from reconciler.app.outcome import UserError

    result = config.load(list(paths) if paths else None, today)
    config.report(result, stream=stream or sys.stderr)
    if result.ok:
        return result
    n, error = len(result.errors), result.errors[0]
    first = f"{n} errors, the first: " if n > 1 else "1 error: "
    raise UserError(f"the chat files are not valid: {first}{error.source.located}: {error.message}", said=True,
                    diagnostics=[d.data for d in sorted(result.warnings + result.errors)])


def select(chats: Sequence[DesiredChat], targets: Iterable[str] | None) -> list[DesiredChat]:
    """The chats named by --target (all when none given); Stop (one error
    line per target) when the files do not define one."""
    from reconciler.app.outcome import Stop, failed

    chats = list(chats)
    wanted = list(dict.fromkeys(targets or ()))
    if not wanted:
        return chats
    known = {c.chat_id for c in chats}
    unknown = [f"--target {t}: no chat with this id in the chat files" for t in wanted if t not in known]
    if unknown:
        raise Stop(failed(*unknown))
    keep = set(wanted)
    return [c for c in chats if c.chat_id in keep]


def open_client(concurrency: int | None = None, read_only: bool = True,
                environ: Mapping[str, str] | None = None) -> WeComApi:
    """A WeCom client from the environment; read-only unless asked;
    concurrency None = adaptive, N = pinned. Raises
    MissingCredentials, which the CLI's guard turns into the contract's
    message naming the variable."""
    from reconciler.wecom.client import client_from_env

    return client_from_env(os.environ if environ is None else environ,
                           concurrency=concurrency, read_only=read_only)


@contextmanager
def client(concurrency: int | None = None, read_only: bool = True) -> Iterator[WeComApi]:
    made = open_client(concurrency, read_only)
    try:
        yield made
    finally:
        made.close()


def read_live(client: WeComApi, chat_ids: Sequence[str], show_progress: bool = True,
              stream: TextIO | None = None,
              on_result: Callable[[str, LiveResult], None] | None = None) -> dict[str, LiveResult]:
    """Read the live chats, with a progress line when the caller allows it,
    stderr is a terminal and there are many chats. on_result(chat id,
    result) is called in this thread as each chat arrives."""
    stream = stream or sys.stderr
    ids = list(dict.fromkeys(chat_ids))
    progress = Progress(stream, len(ids)) if show_progress and wants_progress(len(ids), stream) else None
    started = time.monotonic()
    try:
        live = client.read_chats(ids, progress=progress, on_result=on_result) if ids else {}
    finally:
        if progress:
            progress.finish()
    log.debug("read %d chats in %.2f s; api calls %s; concurrency %s", len(ids), time.monotonic() - started,
              dict(client.stats), client.concurrency_figures())
    return dict(live)


def target_of(client: WeComApi) -> Target:
    """The corp and API base a client talks to."""
    return _target(client.credentials)


def target_from_env(environ: Mapping[str, str] | None = None) -> Target:
    """The target WECOM_CORP_ID and WECOM_API_BASE name, without a request
    (MissingCredentials, as for any command, when one is missing or unusable)."""
    from reconciler.wecom.credentials import credentials_from_env

    return _target(credentials_from_env(os.environ if environ is None else environ))


def _target(credentials: Corp) -> Target:
    from reconciler.core.plan import Target
    from reconciler.wecom.credentials import public_base

    return Target(credentials.corp_id, public_base(credentials.api_base))


def make_plan(desired: Sequence[DesiredChat], live: Mapping[str, LiveResult], **options) -> Plan:
    """core.planner.make_plan, imported when first needed: `validate` loads
    through this module and never plans (the planner's imports are a tenth
    of its start-up)."""
    from reconciler.core.planner import make_plan as plan

    return plan(desired, live, **options)


@contextmanager
def _directory_read(client: WeComApi, wanted) -> Iterator[Future | None]:
    """The directory read in a thread of its own while the chats are read
    (None when nothing needs it); waited for on the way out."""
    if not wanted:
        yield None
        return
    from reconciler.wecom.directoryreads import read_directory

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="directory") as pool:
        yield pool.submit(read_directory, client, wanted)


def read_world(client: WeComApi, desired: Sequence[DesiredChat], *, check_users: bool = False,
               show_progress: bool = True) -> tuple[dict[str, LiveResult], Directory | None]:
    """The live chats, and the directory when a chat uses `dept:`/`tag:` or
    users are checked; both read at once. With neither, exactly the calls of
    a plan without the directory: gettoken and appchat/get."""
    with _directory_read(client, needs(desired, check_users)) as directory:
        live = read_live(client, [c.chat_id for c in desired], show_progress)
        return live, None if directory is None else directory.result()


def plan_for(desired: Sequence[DesiredChat], client: WeComApi, show_progress: bool = True, *,
             today: date | None = None, check_users: bool = False, live_out: dict | None = None,
             on_planned: Callable[[str], None] | None = None, amend: Callable[[Plan], Plan] | None = None) -> Plan:
    """Read what `desired` needs and plan it (the pure planner), each chat
    as its read arrives (app.pipeline), recording what the plan was made
    against and the client's concurrency figures (added keys of the JSON).
    `live_out`, when given, receives the live chats (for the ledger's
    `present` lines); on_planned(chat_id) is called as each chat is planned.
    `amend(plan)` (the ledger's former causes) runs before the departments
    the causes show are named."""
    from reconciler import config
    from reconciler.app.pipeline import Pipeline

    def plan_one(*args, **options) -> Plan:
        return make_plan(*args, **options)  # looked up per call: a benchmark may time it

    # The changes and their causes live for the run: without the collector
    # paused, its full passes over every member set read (40 million
    # entries at 10,000 x 2,000) cost more than the planning itself
    # (docs/benchmarks.md, Planning).
    with config.collector_paused(), _directory_read(client, needs(desired, check_users)) as directory:
        pipeline = Pipeline(desired, plan_one, directory=directory, today=today, on_planned=on_planned)
        live = read_live(client, [c.chat_id for c in desired], show_progress, on_result=pipeline.add)
        plan = pipeline.finish()
    if live_out is not None:
        live_out.update(live)
    plan = with_department_names(amend(plan) if amend else plan, client)
    plan = plan.aimed_at(target_of(client))
    figures = client.concurrency_figures()
    return replace(plan, read_concurrency=figures) if figures else plan


def with_department_names(plan: Plan, client: WeComApi) -> Plan:
    """The plan with a name beside each department its causes show
    (`dept:3 (SRE)`): one department/get for each such department, and only
    for those (a plan whose causes show none reads none). One that cannot be
    read, or whose answer is malformed, only stays bare (`dept:3`)."""
    from reconciler.core.causes import departments_shown, with_department_names as named

    shown = departments_shown(c for change in plan.changes for c in change.causes.values())
    if not shown:
        return plan
    from reconciler.wecom.directoryreads import department_names

    names = department_names(client, shown)
    if not names:
        return plan
    return replace(plan, changes=tuple(
        replace(change, causes={u: named(c, names) for u, c in change.causes.items()})
        if departments_shown(change.causes.values()) else change for change in plan.changes))


def build_plan(paths: Sequence[str] | None, targets: Iterable[str] | None,
               open_reader: Callable[[], WeComApi], show_progress: bool = True, *,
               today: date | None = None, check_users: bool = False,
               amend: Callable[[Plan], Plan] | None = None) -> Plan:
    """Load, select targets, read, plan. UserError after diagnostics were
    printed (invalid files, unknown target): the CLI's guard exits 1.
    `open_reader` is called only once the files are known to be valid; the
    client it makes is closed here. Credential errors propagate to the
    guard too."""
    desired = select(load_valid(paths, today=today).chats, targets)
    reader = open_reader()
    try:
        return plan_for(desired, reader, show_progress, today=today, check_users=check_users, amend=amend)
    finally:
        reader.close()

