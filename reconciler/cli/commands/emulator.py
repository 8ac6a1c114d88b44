"""A local WeCom server for demos, tests and pipeline dry runs. Its first
line on stdout is `listening on http://HOST:PORT/cgi-bin/`. It serves app
chats and, when the seed holds one, a directory: departments, users, tags
and the app's visible range."""

from __future__ import annotations

import argparse
from dataclasses import replace

from reconciler.cli import options
from reconciler.app.outcome import ExitCode, Outcome, failed
from reconciler.core import facts as C

DEFAULT_CORP_ID = "wwdemo"          # as reconciler.emulator.config: the emulator is not imported
DEFAULT_CORP_SECRET = "demo-secret"  # until it runs (a test holds the two together)


def add_arguments(p: argparse.ArgumentParser) -> None:
    count, rate = options.count, options.ratio
    where = p.add_argument_group("server")
    where.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    where.add_argument("--port", type=options.port, default=0, help="port; 0 picks a free one (default 0)")
    where.add_argument("--state", metavar="FILE", dest="state_path",
                       help="keep chats and the directory in this SQLite file (default: in memory); an "
                            "existing file keeps them and the seed is not applied again")
    where.add_argument("--seed", metavar="FILE",
                       help="YAML or JSON to start with: chats, foreign_chats, and a directory (users, "
                            "departments, tags, visible); or chat files (a file or a directory of them, "
                            "groups expanded; no dept:/tag: entries); see docs/emulator.md")
    where.add_argument("--corp-id", default=DEFAULT_CORP_ID, help=f"corp id gettoken accepts (default {DEFAULT_CORP_ID})")
    where.add_argument("--corp-secret", default=DEFAULT_CORP_SECRET,
                       help=f"secret gettoken accepts (default {DEFAULT_CORP_SECRET})")
    where.add_argument("--token-ttl", type=options.seconds, default=C.TOKEN_TTL_SECONDS, metavar="SECONDS",
                       help=f"access token lifetime; 42001 after it (default {C.TOKEN_TTL_SECONDS})")
    where.add_argument("--random-seed", type=int, default=0, metavar="N",
                       help="seed of fault draws and random owners, so runs repeat (default 0)")

    faults = p.add_argument_group("faults (changeable at runtime: POST /_emulator/faults)")
    faults.add_argument("--latency-ms", type=count, default=0, metavar="MS", help="delay added to every API request")
    faults.add_argument("--latency-jitter-ms", type=count, default=0, metavar="MS",
                        help="each request's delay is uniform in --latency-ms ± MS (default 0)")
    faults.add_argument("--capacity", type=count, default=0, metavar="N",
                        help="work on at most N API requests at once, each for its latency; the others wait "
                             "in line, so latency grows with load (default 0: no limit)")
    faults.add_argument("--busy-rate", type=rate, default=0.0, metavar="R", help="share of requests answered -1 (system busy)")
    faults.add_argument("--drop-rate", type=rate, default=0.0, metavar="R",
                        help="share of requests whose connection is closed without an answer")
    faults.add_argument("--overload-rate", type=rate, default=0.0, metavar="R",
                        help="share of requests answered 45033 (too many concurrent calls)")
    faults.add_argument("--max-concurrent", type=count, default=0, metavar="N",
                        help="answer 45033 when more than N API requests are in flight (default 0: no limit)")
    faults.add_argument("--slow-rate", type=rate, default=0.0, metavar="R", help="share of requests answered only after --slow-ms")
    faults.add_argument("--slow-ms", type=count, default=5000, metavar="MS", help="delay of a slow answer (default 5000)")
    faults.add_argument("--garbage-rate", type=rate, default=0.0, metavar="R",
                        help="share of requests answered HTTP 200 with a non-JSON (HTML) body")
    faults.add_argument("--http-error-rate", type=rate, default=0.0, metavar="R",
                        help="share of requests answered with HTTP --http-error-status")
    faults.add_argument("--http-error-status", type=int, default=502, metavar="CODE", help="status of those (default 502)")
    faults.add_argument("--fault-path", action="append", default=[], dest="fault_paths", metavar="PATH",
                        help="apply the fault rates only to this API path, e.g. appchat/get (repeatable; default all)")

    where.add_argument("--departed-removal-errcode", type=int, choices=(0, 86216, 40003), default=0,
                        metavar="CODE", help="what appchat/update answers when del_user_list names a member who "
                                             "is not in the seeded directory (someone who left): 86216 or 40003 "
                                             "refuses the whole call, 0 lets it through (default 0; WeCom does not "
                                             "document it)")

    limits = p.add_argument_group("limits (45009 beyond them; 0 = no limit)")
    limits.add_argument("--calls-per-minute", type=count, default=C.CALLS_PER_MINUTE_PER_API, metavar="N",
                        help=f"calls per minute per API (default {C.CALLS_PER_MINUTE_PER_API})")
    limits.add_argument("--calls-per-hour", type=count, default=C.CALLS_PER_HOUR_PER_API, metavar="N",
                        help=f"calls per hour per API (default {C.CALLS_PER_HOUR_PER_API})")
    limits.add_argument("--calls-per-minute-per-ip", type=count, default=C.CALLS_PER_MINUTE_PER_IP, metavar="N",
                        help=f"calls per minute from one IP, all APIs (default {C.CALLS_PER_MINUTE_PER_IP})")
    limits.add_argument("--calls-per-hour-per-ip", type=count, default=C.CALLS_PER_HOUR_PER_IP, metavar="N",
                        help=f"calls per hour from one IP, all APIs (default {C.CALLS_PER_HOUR_PER_IP})")
    limits.add_argument("--changes-per-hour", type=count, default=C.CHAT_CHANGES_PER_HOUR, metavar="N",
                        help=f"successful appchat/update calls per hour (default {C.CHAT_CHANGES_PER_HOUR})")
    limits.add_argument("--creates-per-day", type=count, default=C.CHAT_CREATES_PER_DAY, metavar="N",
                        help=f"chats created per day (default {C.CHAT_CREATES_PER_DAY})")
    limits.add_argument("--messages-per-minute", type=count, default=C.MESSAGES_PER_MEMBER_PER_MINUTE, metavar="N",
                        help="messages one member receives per minute; more are dropped silently, "
                             f"answered ok (default {C.MESSAGES_PER_MEMBER_PER_MINUTE})")
    limits.add_argument("--messages-per-day", type=count, default=C.MESSAGES_PER_MEMBER_PER_DAY, metavar="N",
                        help="messages one member receives per day; more are dropped silently "
                             f"(default {C.MESSAGES_PER_MEMBER_PER_DAY})")
    limits.add_argument("--person-times-per-minute", type=count, default=C.MESSAGE_PERSON_TIMES_PER_MINUTE,
                        metavar="N", help="the corp's messages per minute counted per recipient (a chat of N "
                                          f"counts N); past it 45009 (default {C.MESSAGE_PERSON_TIMES_PER_MINUTE})")

    admin = p.add_argument_group("the corp's settings")
    admin.add_argument("--member-cap", type=count, default=C.MAX_MEMBERS, metavar="N",
                       help=f"the admin's member cap for group chats, {C.MEMBER_CAP_MIN} to {C.MAX_MEMBERS}: a "
                            f"create or an addition past it is 86006 (default {C.MAX_MEMBERS})")
    admin.add_argument("--not-visible-to-root", dest="visible_to_root", action="store_false",
                       help="the app is not visible to the root department: appchat/create answers 48002")


_FIELDS = ("host", "port", "state_path", "seed", "corp_id", "corp_secret", "token_ttl", "random_seed",
           "latency_ms", "latency_jitter_ms", "capacity", "busy_rate", "drop_rate", "overload_rate", "max_concurrent", "slow_rate", "slow_ms",
           "garbage_rate", "http_error_rate", "http_error_status",
           "calls_per_minute", "calls_per_hour", "calls_per_minute_per_ip", "calls_per_hour_per_ip",
           "changes_per_hour", "creates_per_day", "messages_per_minute", "messages_per_day",
           "person_times_per_minute", "member_cap", "visible_to_root", "departed_removal_errcode")


def config_from_args(args: argparse.Namespace):
    from reconciler.emulator import EmulatorConfig

    values = {name: getattr(args, name) for name in _FIELDS}
    return EmulatorConfig(fault_paths=tuple(args.fault_paths), **values)


def run(args) -> Outcome:
    from reconciler.app.chatseed import ChatSeedError, is_chat_files, seed_from_chat_files
    from reconciler.emulator.serve import serve

    config = config_from_args(args)
    if isinstance(args.seed, str) and is_chat_files(args.seed):
        try:  # chat files: the chats they describe (the emulator's own shape is its own business)
            config = replace(config, seed=seed_from_chat_files(args.seed))
        except ChatSeedError as e:
            return failed(f"seed: {e}", by="appchat emulator")
    return Outcome(ExitCode(serve(config)))  # a server that cannot start says why itself (emulator.serve)
