"""Access tokens: issued by gettoken, valid for a TTL, revocable at will."""

from __future__ import annotations

import secrets
from typing import Callable

from reconciler.core.facts import ErrCode as E

_KEEP_EXPIRED = 1000  # remembered so an old token answers 42001, not 40014


class Tokens:
    def __init__(self, clock: Callable[[], float], ttl: float):
        self._clock = clock
        self.ttl = ttl
        self._expiry: dict[str, float] = {}   # token -> expiry time
        self._current: str | None = None

    def issue(self) -> tuple[str, int]:
        """Like WeCom, hand out the same token while it is still valid."""
        now = self._clock()
        if self._current and self._expiry.get(self._current, 0) > now:
            return self._current, max(1, int(self._expiry[self._current] - now))
        token = secrets.token_urlsafe(48)
        self._expiry[token] = now + self.ttl
        self._current = token
        if len(self._expiry) > _KEEP_EXPIRED:
            oldest = sorted(self._expiry, key=self._expiry.get)[: len(self._expiry) - _KEEP_EXPIRED]
            for old in oldest:
                del self._expiry[old]
        return token, max(1, int(self.ttl))

    def check(self, token: str | None) -> int:
        if not token:
            return E.MISSING_TOKEN
        expiry = self._expiry.get(token)
        if expiry is None:
            return E.INVALID_TOKEN
        if self._clock() >= expiry:
            return E.TOKEN_EXPIRED
        return E.OK

    def invalidate_all(self) -> None:
        """WeCom may revoke tokens early: every token issued so far becomes unknown (40014)."""
        self._expiry.clear()
        self._current = None

    def expire_all(self) -> None:
        """Every token issued so far answers 42001 from now on."""
        now = self._clock()
        for token in self._expiry:
            self._expiry[token] = min(self._expiry[token], now)
        self._current = None

    def known(self) -> list[str]:
        return list(self._expiry)
