"""One call to WeCom with everything around it: the access token, pacing, a
slot of the concurrency limit, retries, and the typed error it ends in.

Policy (numbers are the defaults, all keyword arguments of Calls):
- one token per run, fetched lazily in single flight (wecom.token); 40014 /
  42001 re-fetch it once and retry the call once; 40001 and 40013 raise
  InvalidCredentials at once and are never retried;
- -1 and 45033: at most 3 retries, exponential back-off 0.5 s doubling to 8 s
  with equal jitter;
- 45009: reads back off 1 s doubling to 15 s for at most 75 s in all (a
  per-minute block lasts 60 s), then RateLimited; writes raise RateLimited;
- connection errors, timeouts, HTTP 5xx, non-JSON bodies: reads retried at
  most 3 times with the -1 back-off; writes retried only when the request
  certainly never left (connection refused, connect timeout), otherwise
  WriteOutcomeUnknown (see its docstring for why);
- pacing: at most 9,500 calls per API path per sliding minute;
- concurrency: every HTTP attempt takes a slot of one limit (wecom.limiter):
  adaptive from 8 unless `concurrency=N` pins it; calls running at once
  (reads from several fan-outs, writes) share it. Directory reads and
  gettoken wait in the gate's first line (wecom.gate), ahead of chat reads:
  a chat that names a department cannot be planned before it is read.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from typing import Callable

import requests

from reconciler.core.facts import (APPCHAT_GET, DEPARTMENT_GET, DEPARTMENT_SIMPLELIST, GETTOKEN, MEDIA_UPLOAD,
                                   TAG_GET, USER_GET, USER_SIMPLELIST, ErrCode)
from reconciler.wecom.answers import api_message, load_signal, parse_token
from reconciler.wecom.credentials import ENV_CORP_ID, ENV_CORP_SECRET, Credentials
from reconciler.wecom.errors import (ChatNotFound, InvalidCredentials, RateLimited, TransportError, WeComError,
                                     WriteOutcomeUnknown)
from reconciler.wecom.gate import Limiter
from reconciler.wecom.limiter import INITIAL_LIMIT, MAX_LIMIT, AdaptiveLimit, FixedLimit
from reconciler.wecom.pacing import DEFAULT_CALLS_PER_MINUTE, SlidingWindowPacer, backoff_delay
from reconciler.wecom.redact import register
from reconciler.wecom.token import TokenCache
from reconciler.wecom.transport import Failure, Transport

_TOKEN_ERRORS = (ErrCode.INVALID_TOKEN, ErrCode.TOKEN_EXPIRED)
_BUSY_ERRORS = (ErrCode.BUSY, ErrCode.TOO_MANY_CONCURRENT)
# Reads other work waits for: they take the next free slot before chat reads.
_FIRST_LINE = frozenset({GETTOKEN, DEPARTMENT_SIMPLELIST, DEPARTMENT_GET, USER_SIMPLELIST, USER_GET, TAG_GET})


class Calls:
    def __init__(self, credentials: Credentials, *, concurrency: int | None = None,
                 timeout: tuple[float, float] = (5.0, 30.0),
                 calls_per_minute: int = DEFAULT_CALLS_PER_MINUTE, max_retries: int = 3,
                 backoff_base: float = 0.5, backoff_cap: float = 8.0,
                 rate_limit_base: float = 1.0, rate_limit_cap: float = 15.0, rate_limit_wait: float = 75.0,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                 rng: random.Random | None = None, session: requests.Session | None = None,
                 max_concurrency: int | None = None) -> None:
        if concurrency is not None and concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.credentials = credentials
        self.max_retries = max_retries
        self.backoff_base, self.backoff_cap = backoff_base, backoff_cap
        self.rate_limit_base, self.rate_limit_cap = rate_limit_base, rate_limit_cap
        self.rate_limit_wait = rate_limit_wait
        self._clock, self._sleep = clock, sleep
        self._rng = rng or random.Random()
        self._rng_lock = threading.Lock()
        self._pacer = SlidingWindowPacer(calls_per_minute, clock=clock, sleep=sleep)
        self.tokens = TokenCache(self._fetch_token, clock=clock)
        self._stats: Counter[str] = Counter()
        self._stats_lock = threading.Lock()
        if concurrency is not None:
            policy: AdaptiveLimit | FixedLimit = FixedLimit(concurrency)
        else:
            top = max_concurrency or MAX_LIMIT
            policy = AdaptiveLimit(min(INITIAL_LIMIT, top), 1, top, clock=clock)
        self.limiter = Limiter(policy)
        self._transport = Transport(credentials.api_base, pool_size=self.limiter.maximum, timeout=timeout,
                                    on_attempt=self._count, session=session)

    @property
    def stats(self) -> dict[str, int]:
        with self._stats_lock:
            return dict(self._stats)

    def close(self) -> None:
        self._transport.close()

    def _fetch_token(self) -> tuple[str, float]:
        creds = self.credentials
        data = self.request("GET", GETTOKEN, {"corpid": creds.corp_id, "corpsecret": creds.corp_secret},
                            None, None, with_token=False)
        token, lifetime = parse_token(data)
        register(token)
        return token, lifetime

    def _count(self, path: str) -> None:
        with self._stats_lock:
            self._stats[path] += 1

    def _backoff(self, attempt: int, base: float, cap: float) -> float:
        with self._rng_lock:
            return backoff_delay(attempt, base, cap, self._rng)

    def _exchange(self, method: str, path: str, query: dict, body: dict | None,
                  chat_id: str | None, raw: tuple[bytes, str] | None = None) -> dict | Failure:
        """One HTTP attempt, paced first and then under the concurrency limit.

        In that order: a request the pacer holds back holds no slot, so it
        does not stall calls to other API paths, and its wait is no latency
        sample. The pacer's reservation can then precede the send by the
        wait for a slot (after a cut, about one round trip), far inside the
        500 calls of headroom it keeps under WeCom's 10,000 a minute.
        """
        paced = self._pacer.acquire(path) > 0
        ticket = self.limiter.acquire(first=path in _FIRST_LINE)
        started = self._clock()
        outcome: dict | Failure | None = None
        try:
            outcome = self._transport.exchange(method, path, query, body, chat_id, raw)
        finally:
            self.limiter.release(ticket, self._clock() - started, load_signal(outcome), paced)
        return outcome

    def request(self, method: str, path: str, params: dict | None, body: dict | None,
                 chat_id: str | None, *, with_token: bool = True, raw: tuple[bytes, str] | None = None) -> dict:
        """The answer's JSON when WeCom says errcode 0, after the retries the
        policy above allows; otherwise the WeComError it ends in."""
        is_write = method != "GET" and path != MEDIA_UPLOAD  # an upload may be repeated (see upload_media)
        busy_retries = transport_retries = rate_attempts = 0
        token_refreshed = False
        rate_waited = 0.0
        token: str | None = None
        while True:
            if with_token and token is None:
                token = self.tokens.get()
            query = dict(params or {})
            if token is not None:
                query["access_token"] = token
            outcome = self._exchange(method, path, query, body, chat_id, raw)

            if isinstance(outcome, Failure):
                retry_safe = outcome.retryable and not (is_write and outcome.maybe_sent)
                if retry_safe and transport_retries < self.max_retries:
                    self._sleep(self._backoff(transport_retries, self.backoff_base, self.backoff_cap))
                    transport_retries += 1
                    continue
                where = f" for chat {chat_id}" if chat_id else ""
                if is_write and outcome.maybe_sent:
                    detail = (f"{method} {path}: {outcome.reason}; the request may have been applied "
                              "(not retried: re-read the chat to see its state)")
                    raise WriteOutcomeUnknown(detail.replace(":", where + ":", 1), errmsg=detail,
                                              chat_id=chat_id, path=path)
                tries = f" (after {transport_retries + 1} attempts)" if transport_retries else ""
                # errmsg without the chat id: the same outage read for 60 chats is
                # then one cause, which the views say once
                detail = f"{method} {path}: {outcome.reason}{tries}"
                raise TransportError(detail.replace(":", where + ":", 1), errmsg=detail, chat_id=chat_id,
                                     path=path)

            errcode = outcome.get("errcode", 0)
            if errcode == 0:
                return outcome
            errmsg = str(outcome.get("errmsg", ""))
            if errcode in _TOKEN_ERRORS and with_token and not token_refreshed:
                token_refreshed = True
                token = self.tokens.refresh(token)
                continue
            if errcode == ErrCode.INVALID_SECRET:
                raise InvalidCredentials(
                    f"WeCom rejected the credentials (errcode 40001): check {ENV_CORP_ID} and {ENV_CORP_SECRET} "
                    "(not retried: WeCom blocks an IP that keeps sending a wrong secret)",
                    errcode=errcode, errmsg=errmsg, chat_id=chat_id, path=path)
            if errcode == ErrCode.INVALID_CORPID:
                raise InvalidCredentials(
                    f"WeCom does not know this corp id (errcode 40013): check {ENV_CORP_ID} (the corp id from "
                    "My Company, starting ww; not retried: WeCom blocks an IP that keeps sending wrong credentials)",
                    errcode=errcode, errmsg=errmsg, chat_id=chat_id, path=path)
            if errcode in _BUSY_ERRORS and busy_retries < self.max_retries:
                self._sleep(self._backoff(busy_retries, self.backoff_base, self.backoff_cap))
                busy_retries += 1
                continue
            if errcode == ErrCode.FREQ_LIMIT:
                if not is_write:
                    # bounded by time slept, not by the clock, so the bound holds
                    # whatever the clock does (and with a test's fake sleep)
                    delay = self._backoff(rate_attempts, self.rate_limit_base, self.rate_limit_cap)
                    if rate_waited + delay <= self.rate_limit_wait:
                        self._sleep(delay)
                        rate_waited += delay
                        rate_attempts += 1
                        continue
                raise RateLimited(api_message(method, path, chat_id, errcode, errmsg),
                                  errcode=errcode, errmsg=errmsg, chat_id=chat_id, path=path)
            cls = ChatNotFound if errcode == ErrCode.CHAT_NOT_FOUND and path == APPCHAT_GET else WeComError
            raise cls(api_message(method, path, chat_id, errcode, errmsg),
                      errcode=errcode, errmsg=errmsg, chat_id=chat_id, path=path)
