"""Keeping the corp secret and access tokens out of every message and log line.

The secret travels in gettoken's query string and the token in every other
call's, so anything that prints a URL (requests' exception text, urllib3's
debug log) would leak them. Two layers, because either alone has gaps:
- a pattern that blanks the value of `corpsecret=` / `access_token=` wherever
  it appears, whatever the value is (covers tokens we never saw, e.g. a
  server echoing one back);
- the literal values this process knows (the secret, every token fetched), in
  raw and URL-encoded form, wherever they appear, with or without a key.
"""

from __future__ import annotations

import logging
import re
import threading
from urllib.parse import quote, quote_plus

MASK = "***"

# Values shorter than this are not replaced literally: masking every "ab" in a
# message would make it unreadable, and such a secret is not a real one anyway
# (WeCom secrets are 43 characters). The key=value pattern still covers them.
MIN_LITERAL_LEN = 4

_KEYED = re.compile(r"""(?i)\b(corpsecret|access_token|secret)(=|%3D|['"]?\s*:\s*['"]?)([^&\s'"<>,;)}\]]+)""")

_lock = threading.Lock()
_literals: set[str] = set()
_literal_re: re.Pattern[str] | None = None


def register(value: str | None) -> None:
    """Remember a sensitive value so that redact() masks it from now on."""
    global _literal_re
    if not value or len(value) < MIN_LITERAL_LEN:
        return
    forms = {value, quote(value, safe=""), quote_plus(value, safe="")}
    with _lock:
        if forms <= _literals:
            return
        _literals.update(forms)
        # longest first so that an encoded form is not half-replaced by a shorter one
        ordered = sorted(_literals, key=len, reverse=True)
        _literal_re = re.compile("|".join(re.escape(v) for v in ordered))


def redact(text: object) -> str:
    """`text` as a string with every known secret/token and keyed value masked."""
    s = str(text)
    s = _KEYED.sub(lambda m: m.group(1) + m.group(2) + MASK, s)
    pattern = _literal_re
    if pattern is not None:
        s = pattern.sub(MASK, s)
    return s


_QUERY = re.compile(r"\?[^\s\"']*")


class RedactingFilter(logging.Filter):
    """Rewrites a log record's final text through redact() (and, for loggers
    that print request lines, drops query strings); never drops a record."""

    def __init__(self, strip_query: bool = False) -> None:
        super().__init__()
        self.strip_query = strip_query

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the logger's problem, not a leak
            return True
        clean = redact(message)
        if self.strip_query:
            clean = _QUERY.sub("?…", clean)
        if clean != message:
            record.msg = clean
            record.args = None
        return True


_FILTER = RedactingFilter()
_URL_FILTER = RedactingFilter(strip_query=True)

# Loggers whose records can carry a request URL: urllib3 logs
# '"GET /cgi-bin/gettoken?corpid=..&corpsecret=.. HTTP/1.1" 200' at DEBUG,
# which `appchat -v` turns on. Logger filters only see records created on that
# very logger, hence the explicit list.
GUARDED_LOGGERS = (
    "reconciler.wecom",
    "urllib3",
    "urllib3.connectionpool",
    "urllib3.connection",
    "urllib3.poolmanager",
    "urllib3.response",
    "urllib3.util.retry",
    "requests",
)


def guard_loggers() -> None:
    for name in GUARDED_LOGGERS:
        logger = logging.getLogger(name)
        wanted = _FILTER if name.startswith("reconciler") else _URL_FILTER
        if wanted not in logger.filters:
            logger.addFilter(wanted)


guard_loggers()
