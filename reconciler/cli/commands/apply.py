"""Plan afresh from PATHs (or take a saved plan with --plan) and make the
changes. Every refusal happens before the first write; with --format json,
stdout is one report whatever ends the run, a signal included.

The steps are app.applying's; how they are told, cli.applyconsole's."""

from __future__ import annotations

from reconciler.app.interrupt import Interrupted, Signals
from reconciler.app.outcome import Outcome, refused
from reconciler.cli import options
from reconciler.core import guards


def add_arguments(p) -> None:
    options.paths(p)
    p.add_argument("--plan", dest="plan_file", metavar="FILE", help="apply exactly this saved plan; with PATHs, only if those chat files "
                   "still want what the plan was made from")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    limits = guards.DEFAULTS
    p.add_argument("--max-removal-ratio", type=options.ratio, default=None, metavar="R",
                   help=f"mass-removal guard: the share of a chat's members one run may remove "
                        f"(default {limits.removal_ratio})")
    p.add_argument("--max-addition-ratio", type=options.share, default=None, metavar="R",
                   help=f"mass-addition guard: the share of a chat's members one run may add "
                        f"(default {limits.addition_ratio})")
    p.add_argument("--max-additions", type=options.count, default=None, metavar="N",
                   help=f"mass-addition guard: members one run may add to existing chats in all "
                        f"(default {limits.additions})")
    p.add_argument("--force", action="store_true", help="override the mass-removal and mass-addition guards")
    p.add_argument("--announce", action="store_true",
                   help="after a chat is updated, send it a markdown message naming who joined and left")
    p.add_argument("--announce-template", metavar="FILE",
                   help="word the announcement with this markdown template (implies --announce)")
    options.target(p, "; with PATHs")
    options.concurrency(p, "parallel API calls, reads and writes",
                        "reads adaptive from 8, writes 8 chats at a time")
    options.output_format(p, ("text", "json"), "format of the final report")
    options.check_users(p)
    options.today(p)
    p.add_argument("--ledger", metavar="DIR", default=None,
                   help="append a JSON line per membership change to DIR/YYYY-MM.jsonl (see `appchat history`)")
    p.add_argument("--source-ref", metavar="REF", default=None,
                   help="the commit the ledger names (default: $GITHUB_SHA or $CI_COMMIT_SHA)")


def json_ending(outcome: Outcome) -> None:
    """With --format json, a run that failed before it applied anything (a
    refusal, invalid files, WeCom unreachable, a usage error such as
    `--today 9999-12-31`) prints the report of a run that applied nothing."""
    from reconciler.cli.applyconsole import ApplyConsole
    from reconciler.core.report import ApplyReport

    ApplyConsole("json").report(ApplyReport(refusals=outcome.reasons, interrupted=outcome.interrupted,
                                            diagnostics=outcome.diagnostics))


def run(args) -> Outcome:
    from reconciler.cli.applyconsole import ApplyConsole

    if args.plan_file and args.target:
        return refused("--target selects chats from chat files; a saved plan is applied whole")
    with Signals() as signals:
        try:
            return _run(args, ApplyConsole(args.format), signals)
        except Interrupted as exc:  # before the first write: nothing to wait for, nothing was written
            return refused(f"interrupted by {exc.signal_name} before any write", interrupted=exc.signal_name)


def _run(args, console, signals) -> Outcome:
    from reconciler.app import applying
    from reconciler.app.announce import load_template

    # Read first: a template that cannot be used stops the run before any API
    # call (announce.TemplateError: a refusal).
    template = load_template(args.announce_template) if args.announce_template else None
    request = applying.Request(paths=args.paths, plan_file=args.plan_file, targets=args.target, yes=args.yes,
                               limits=guards.Limits.of(args.max_removal_ratio, args.max_addition_ratio,
                                                       args.max_additions), force=args.force, announce=args.announce,
                               template=template, concurrency=args.concurrency, check_users=args.check_users,
                               today=options.today_of(args), ledger=args.ledger, source_ref=args.source_ref)
    flow = applying.apply_saved if args.plan_file else applying.apply_paths
    return flow(request, console, signals)
