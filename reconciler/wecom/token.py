"""The access token shared by every thread of a run, fetched in single flight.

WeCom rate-limits gettoken and blocks an IP that keeps presenting a wrong
secret, so: one fetch however many threads ask at once; one re-fetch however
many threads saw the same stale token; and a failed fetch is remembered, not
retried by the next thread in line.
"""

from __future__ import annotations

import copy
import threading
import time
from dataclasses import dataclass
from typing import Callable

from reconciler.wecom.pacing import Clock


@dataclass(frozen=True)
class Token:
    value: str
    expires_at: float  # on the cache's clock

    def __repr__(self) -> str:  # the value is a credential
        return f"Token(value='***', expires_at={self.expires_at!r})"


# fetch() -> (token value, lifetime in seconds)
Fetch = Callable[[], tuple[str, float]]

# Re-fetch this long before WeCom's stated expiry, so a call does not leave
# with a token that expires on the way.
EXPIRY_MARGIN = 60.0


class TokenCache:
    def __init__(self, fetch: Fetch, clock: Clock = time.monotonic) -> None:
        self._fetch = fetch
        self._clock = clock
        self._lock = threading.Lock()
        self._token: Token | None = None
        self._failure: BaseException | None = None
        self.fetches = 0  # how many times fetch() ran (tests and stats)

    def get(self) -> str:
        """The current token, fetching it first if there is none (or it expired)."""
        token = self._token
        if token is not None and self._clock() < token.expires_at:
            return token.value
        with self._lock:
            # another thread may have fetched (or failed) while we waited for the lock
            if self._failure is not None:
                raise _fresh(self._failure)
            token = self._token
            if token is not None and self._clock() < token.expires_at:
                return token.value
            return self._fetch_locked()

    def refresh(self, stale: str) -> str:
        """A call was answered 40014/42001 while carrying `stale`: get a new token.

        Only the first thread to report a given stale token fetches; the others
        find a different token in place and just use it.
        """
        with self._lock:
            if self._failure is not None:
                raise _fresh(self._failure)
            token = self._token
            if token is not None and token.value != stale and self._clock() < token.expires_at:
                return token.value
            return self._fetch_locked()

    def _fetch_locked(self) -> str:
        self.fetches += 1
        try:
            value, lifetime = self._fetch()
        except Exception as exc:
            # Remember it: the threads queued on the lock must not each repeat
            # a gettoken that just failed (40001 would get the IP blocked). A
            # transport failure is remembered too: the fetch already retried it
            # with backoff, and repeating that per chat would turn an outage
            # into hours of waiting; the re-run converges instead.
            self._failure = exc
            self._token = None
            raise
        margin = min(EXPIRY_MARGIN, lifetime / 2)
        self._token = Token(value, self._clock() + max(lifetime - margin, 0.0))
        return value


def _fresh(exc: BaseException) -> BaseException:
    """A copy of a remembered failure, so each raising thread gets its own traceback."""
    clone = copy.copy(exc)
    clone.__traceback__ = None
    clone.__context__ = None
    clone.__cause__ = None
    return clone
