"""Argument types and the options several commands share, defined once."""

from __future__ import annotations

import argparse
from datetime import date, datetime, timedelta, timezone


def _number(text: str, kind, what: str):
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not {what}: {text!r}") from None


def ratio(text: str) -> float:
    """A decimal fraction from 0 to 1 (a share of members, a fault rate)."""
    value = _number(text, float, "a decimal fraction")
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1: {text!r}")
    return value


def share(text: str) -> float:
    """A decimal fraction, 0 or more, that may pass 1 (1.5: half as many again)."""
    value = _number(text, float, "a decimal fraction")
    if not 0.0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a number, 0 or more: {text!r}")
    return value


def positive_int(text: str) -> int:
    value = _number(text, int, "a whole number")
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def days(text: str) -> int:
    """A number of days, 0 to MAX_WITHIN_DAYS."""
    from reconciler.core.expiry import MAX_WITHIN_DAYS

    value = count(text)
    if value > MAX_WITHIN_DAYS:
        raise argparse.ArgumentTypeError(f"must be 0 to {MAX_WITHIN_DAYS}: {text!r}")
    return value


def count(text: str) -> int:
    """A whole number, 0 or more."""
    value = _number(text, int, "a whole number")
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {text!r}")
    return value


def seconds(text: str) -> float:
    value = _number(text, float, "a number of seconds")
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0: {text!r}")
    return value


def port(text: str) -> int:
    value = count(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"must be 0 to 65535: {text!r}")
    return value


def verbose(p: argparse.ArgumentParser) -> None:
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging on stderr")


def paths(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", metavar="PATH", default=None,
                   help="chat files or directories (default: chats/)")


def target(p: argparse.ArgumentParser, extra: str = "") -> None:
    p.add_argument("--target", action="append", metavar="CHAT_ID", default=[],
                   help=f"only this chat (repeatable{extra})")


def concurrency(p: argparse.ArgumentParser, what: str = "parallel API reads",
                default: str = "adaptive: from 8, up while WeCom keeps up, down on 45033") -> None:
    """None when not given: the client then finds the limit itself (wecom.limiter)."""
    p.add_argument("--concurrency", type=positive_int, default=None, metavar="N",
                   help=f"{what}, pinned to N (default {default})")


def output_format(p: argparse.ArgumentParser, choices: tuple[str, ...], help: str | None = None) -> None:
    p.add_argument("--format", choices=choices, default=choices[0], help=help or f"default {choices[0]}")


# WeCom is a Chinese service and its admins think in Beijing time: a
# membership "until 2027-01-31" ends when that day ends there.
CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "CST")


def iso_date(text: str) -> date:
    """A date from EARLIEST_DATE to LATEST_DATE (issue 20: 9999-12-25 was an
    OverflowError traceback after the reads)."""
    from reconciler.core.membership import EARLIEST_DATE, LATEST_DATE

    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {text!r}") from None
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise argparse.ArgumentTypeError(f"must be a date from {EARLIEST_DATE} to {LATEST_DATE}: {text!r}")
    return value


def today(p: argparse.ArgumentParser) -> None:
    p.add_argument("--today", type=iso_date, metavar="YYYY-MM-DD", default=None,
                   help="judge memberships that end as of this date (default: today in China Standard Time, UTC+8)")


def today_of(args: argparse.Namespace) -> date:
    """--today, or the date now in China Standard Time. The only place the clock is read."""
    return getattr(args, "today", None) or datetime.now(CHINA_STANDARD_TIME).date()


def check_users(p: argparse.ArgumentParser) -> None:
    p.add_argument("--check-users", action="store_true",
                   help="read the whole directory the app can see: a user id in the files that is not in it "
                        "is an error, and live members who left are marked")
