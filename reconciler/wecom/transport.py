"""One HTTP exchange with WeCom: a parsed JSON answer, or a Failure saying why
not and whether the request may have reached the server.

No requests exception leaves this module: their text holds the URL, hence the
secret (gettoken) or the token (every other call). Failures are built inside
the `except` and returned, so the client raises its own errors outside any
exception context and no traceback chain carries the original.
"""

from __future__ import annotations

import json
import logging
import os
import time
from typing import Callable
from urllib.parse import urlsplit

import requests
import urllib3.exceptions as u3
from requests.adapters import HTTPAdapter

from reconciler.wecom.redact import redact

log = logging.getLogger("reconciler.wecom")


class Failure:
    """One attempt that brought no usable WeCom answer."""

    def __init__(self, reason: str, maybe_sent: bool, retryable: bool = True, overload: bool = False) -> None:
        self.reason = reason
        self.maybe_sent = maybe_sent  # the request may have reached WeCom (matters for writes)
        self.retryable = retryable  # another try could go differently
        self.overload = overload  # a timeout or 5xx: fewer requests at once may help (wecom.limiter)

    def __repr__(self) -> str:
        return (f"Failure({self.reason!r}, maybe_sent={self.maybe_sent}, retryable={self.retryable}, "
                f"overload={self.overload})")


class Transport:
    def __init__(self, api_base: str, *, pool_size: int, timeout: tuple[float, float],
                 on_attempt: Callable[[str], None], session: requests.Session | None = None) -> None:
        self.api_base = api_base
        self.host = host_of(api_base)
        self.timeout = timeout
        self._on_attempt = on_attempt
        self.session = session or requests.Session()
        _read_environment_once(self.session, api_base)
        # One pooled connection per worker thread; max_retries=0 because every
        # retry decision is the client's, where reads and writes differ.
        adapter = HTTPAdapter(pool_connections=2, pool_maxsize=pool_size, max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        # The host refused a connection (or could not be reached): every later
        # exchange this run ends the same way at once, without trying again.
        # One cause, said once, and no minutes spent on an outage.
        self.unreachable: Failure | None = None

    def close(self) -> None:
        self.session.close()

    def exchange(self, method: str, path: str, query: dict, body: dict | None,
                 chat_id: str | None, raw: tuple[bytes, str] | None = None) -> dict | Failure:
        """`body` goes as JSON; `raw` is (bytes, Content-Type) sent as is (an upload)."""
        url = self.api_base + path
        host = self.host
        if self.unreachable is not None:
            return Failure(self.unreachable.reason, maybe_sent=False, retryable=False)
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = None if body is None else {"Content-Type": "application/json; charset=utf-8"}
        if raw is not None:
            data, headers = raw[0], {"Content-Type": raw[1]}
        self._on_attempt(path)
        started = time.monotonic()
        failure: Failure | None = None
        result: dict | None = None
        status: object = "-"
        try:
            resp = self.session.request(method, url, params=query, data=data, headers=headers,
                                        timeout=self.timeout, allow_redirects=False)
            status = resp.status_code
            if resp.status_code != 200:
                # 5xx is a passing state of a proxy or server; 3xx/4xx will not change
                failure = Failure(f"HTTP {resp.status_code} from {host}", maybe_sent=True,
                                  retryable=resp.status_code >= 500, overload=resp.status_code >= 500)
            else:
                try:
                    parsed = resp.json()
                except ValueError:
                    parsed = None
                if isinstance(parsed, dict) and isinstance(parsed.get("errcode", 0), int):
                    result = parsed
                else:
                    failure = Failure(f"{host} sent a body that is not a JSON answer", maybe_sent=True)
        except requests.exceptions.ConnectTimeout:
            failure = Failure(f"connection to {host} timed out after {self.timeout[0]:g} s", maybe_sent=False,
                              overload=True)
        except requests.exceptions.ReadTimeout:
            failure = Failure(f"no answer from {host} within {self.timeout[1]:g} s", maybe_sent=True, overload=True)
        except requests.exceptions.ProxyError:
            failure = Failure(f"cannot reach {host} through the proxy (HTTPS_PROXY / HTTP_PROXY)", maybe_sent=False)
        except requests.exceptions.SSLError as exc:
            # the handshake failed: nothing was sent, and trying again will not help
            failure = Failure(f"TLS with {host} failed: {_innermost(exc)}", maybe_sent=False, retryable=False)
        except requests.exceptions.ConnectionError as exc:
            cause = _never_connected(exc)
            if cause is u3.NameResolutionError:
                failure = Failure(f"cannot resolve the host name {host} (DNS)", maybe_sent=False)
            elif cause is not None:
                # A refusal is an answer: the port is closed or the host is down;
                # trying again within seconds will not change it.
                failure = Failure(f"cannot connect to {host} (connection refused or host unreachable)",
                                  maybe_sent=False, retryable=False)
                self.unreachable = failure
            else:
                failure = Failure(f"connection to {host} dropped before an answer came", maybe_sent=True)
        except requests.exceptions.RequestException as exc:
            # invalid URL and the like: nothing was sent and a retry will not help. The
            # exception's own text holds the URL and its query: only its type is shown.
            failure = Failure(f"request to {host} failed ({type(exc).__name__})", maybe_sent=False,
                              retryable=False)
        # -v logs what helps debugging and nothing that is a credential: no URL, no query
        log.debug("%s %s chat=%s status=%s errcode=%s %.0fms", method, path, chat_id or "-", status,
                  result.get("errcode", 0) if result is not None else "-",
                  (time.monotonic() - started) * 1000)
        if failure is not None:
            failure.reason = redact(failure.reason)
            return failure
        return result  # type: ignore[return-value]


def host_of(api_base: str) -> str:
    """HOST[:PORT] of the API base: what a connection error names. Never the
    path's query (it carries the secret or the token) nor a user:password@."""
    parts = urlsplit(api_base)
    try:
        port = parts.port
    except ValueError:
        port = None
    host = parts.hostname or "the API base"
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{port}" if port else host


def _read_environment_once(session: requests.Session, api_base: str) -> None:
    """What requests would read from the environment on every request
    (HTTPS_PROXY / NO_PROXY, REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE), read once.

    With trust_env on, requests walks the whole environment twice per
    request to find proxies: a third of a read's CPU, more on a CI runner
    with hundreds of variables. ~/.netrc, the one other thing it reads, can
    only add a Basic auth header WeCom ignores.
    """
    if not session.trust_env:
        return
    try:
        proxies = requests.utils.get_environ_proxies(api_base)
    except ValueError:
        return  # a malformed base: the first request fails and says so, as before
    session.proxies.update(proxies)
    if session.verify is True:
        session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
    session.trust_env = False


def _never_connected(exc: requests.exceptions.ConnectionError) -> type | None:
    """The urllib3 error type when the failure happened while connecting (so
    nothing was sent), else None."""
    reason = exc.args[0] if exc.args else None
    inner = getattr(reason, "reason", reason)  # MaxRetryError wraps the real cause
    for kind in (u3.NameResolutionError, u3.NewConnectionError, u3.ConnectTimeoutError):
        if isinstance(inner, kind):
            return kind
    return None


def _innermost(exc: BaseException) -> str:
    """The deepest cause's text (an SSL verification message), which holds no URL."""
    reason = exc.args[0] if exc.args else exc
    reason = getattr(reason, "reason", reason)
    while isinstance(reason, BaseException) and reason.args and isinstance(reason.args[0], BaseException):
        reason = reason.args[0]
    text = str(reason)
    return text if "?" not in text and "://" not in text else type(reason).__name__
