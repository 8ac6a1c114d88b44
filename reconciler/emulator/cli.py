"""`appchat emulator`: options, and running the server until SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from reconciler import constants as C

from .config import DEFAULT_CORP_ID, DEFAULT_CORP_SECRET, EmulatorConfig
from .emulator import Emulator
from .seed import SeedError


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a decimal fraction: {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1: {text!r}")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {text!r}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0: {text!r}")
    return value


def add_arguments(p: argparse.ArgumentParser) -> None:
    where = p.add_argument_group("server")
    where.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    where.add_argument("--port", type=_count, default=0, help="port; 0 picks a free one (default 0)")
    where.add_argument("--state", metavar="FILE", dest="state_path",
                       help="keep chats in this SQLite file (default: in memory); an existing file keeps "
                            "its chats and the seed is not applied again")
    where.add_argument("--seed", metavar="FILE", help="YAML or JSON with users, chats, foreign_chats to start with")
    where.add_argument("--corp-id", default=DEFAULT_CORP_ID, help=f"corp id gettoken accepts (default {DEFAULT_CORP_ID})")
    where.add_argument("--corp-secret", default=DEFAULT_CORP_SECRET,
                       help=f"secret gettoken accepts (default {DEFAULT_CORP_SECRET})")
    where.add_argument("--token-ttl", type=_seconds, default=C.TOKEN_TTL_SECONDS, metavar="SECONDS",
                       help=f"access token lifetime; 42001 after it (default {C.TOKEN_TTL_SECONDS})")
    where.add_argument("--random-seed", type=int, default=0, metavar="N",
                       help="seed of fault draws and random owners, so runs repeat (default 0)")

    faults = p.add_argument_group("faults (changeable at runtime: POST /_emulator/faults)")
    faults.add_argument("--latency-ms", type=_count, default=0, metavar="MS", help="delay added to every API request")
    faults.add_argument("--busy-rate", type=_rate, default=0.0, metavar="R", help="share of requests answered -1 (system busy)")
    faults.add_argument("--drop-rate", type=_rate, default=0.0, metavar="R",
                        help="share of requests whose connection is closed without an answer")
    faults.add_argument("--overload-rate", type=_rate, default=0.0, metavar="R",
                        help="share of requests answered 45033 (too many concurrent calls)")
    faults.add_argument("--max-concurrent", type=_count, default=0, metavar="N",
                        help="answer 45033 when more than N API requests are in flight (default 0: no limit)")
    faults.add_argument("--slow-rate", type=_rate, default=0.0, metavar="R", help="share of requests answered only after --slow-ms")
    faults.add_argument("--slow-ms", type=_count, default=5000, metavar="MS", help="delay of a slow answer (default 5000)")
    faults.add_argument("--garbage-rate", type=_rate, default=0.0, metavar="R",
                        help="share of requests answered HTTP 200 with a non-JSON (HTML) body")
    faults.add_argument("--http-error-rate", type=_rate, default=0.0, metavar="R",
                        help="share of requests answered with HTTP --http-error-status")
    faults.add_argument("--http-error-status", type=int, default=502, metavar="CODE", help="status of those (default 502)")
    faults.add_argument("--fault-path", action="append", default=[], dest="fault_paths", metavar="PATH",
                        help="apply the fault rates only to this API path, e.g. appchat/get (repeatable; default all)")

    limits = p.add_argument_group("limits (45009 beyond them; 0 = no limit)")
    limits.add_argument("--calls-per-minute", type=_count, default=C.CALLS_PER_MINUTE_PER_API, metavar="N",
                        help=f"calls per minute per API (default {C.CALLS_PER_MINUTE_PER_API})")
    limits.add_argument("--calls-per-hour", type=_count, default=C.CALLS_PER_HOUR_PER_API, metavar="N",
                        help=f"calls per hour per API (default {C.CALLS_PER_HOUR_PER_API})")
    limits.add_argument("--changes-per-hour", type=_count, default=C.CHAT_CHANGES_PER_HOUR, metavar="N",
                        help=f"successful appchat/update calls per hour (default {C.CHAT_CHANGES_PER_HOUR})")
    limits.add_argument("--creates-per-day", type=_count, default=C.CHAT_CREATES_PER_DAY, metavar="N",
                        help=f"chats created per day (default {C.CHAT_CREATES_PER_DAY})")
    limits.add_argument("--messages-per-minute", type=_count, default=200, metavar="N",
                        help="messages one member receives per minute; more are dropped silently, "
                             "answered ok (default 200)")


_FIELDS = ("host", "port", "state_path", "seed", "corp_id", "corp_secret", "token_ttl", "random_seed",
           "latency_ms", "busy_rate", "drop_rate", "overload_rate", "max_concurrent", "slow_rate", "slow_ms",
           "garbage_rate", "http_error_rate", "http_error_status",
           "calls_per_minute", "calls_per_hour", "changes_per_hour", "creates_per_day", "messages_per_minute")


def config_from_args(args: argparse.Namespace) -> EmulatorConfig:
    values = {name: getattr(args, name) for name in _FIELDS}
    return EmulatorConfig(fault_paths=tuple(args.fault_paths), **values)


def run(args: argparse.Namespace) -> int:
    try:
        emu = Emulator(config_from_args(args))
        emu.start()
    except SeedError as e:
        print(f"appchat emulator: error: seed: {e}", file=sys.stderr)
        return 1
    except (OSError, ValueError) as e:
        print(f"appchat emulator: error: {e}", file=sys.stderr)
        return 1
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        # Scripts wait for this exact first line: flush it at once.
        print(f"listening on {emu.base_url}", flush=True)
        chats = len(emu.chat_ids())
        print(f"appchat emulator: corp id {args.corp_id}, {chats} chat(s), state "
              f"{args.state_path or 'in memory'}; admin at {emu.admin_url}; stop with Ctrl-C",
              file=sys.stderr, flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        emu.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
