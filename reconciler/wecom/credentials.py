"""Who the client is and where it talks to: the corp id, the secret and the
API base, from the environment. The secret is registered for redaction the
moment it is known."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping
from urllib.parse import unquote, urlsplit

from reconciler.core.facts import DEFAULT_API_BASE
from reconciler.wecom.errors import MissingCredentials
from reconciler.wecom.redact import register

ENV_CORP_ID = "WECOM_CORP_ID"
ENV_CORP_SECRET = "WECOM_CORP_SECRET"
ENV_API_BASE = "WECOM_API_BASE"


def normalise_base(base: str) -> str:
    """The API base as a plan and the lock name it: with its trailing slash."""
    return base if base.endswith("/") else base + "/"


@dataclass(frozen=True)
class Credentials:
    corp_id: str
    corp_secret: str = field(repr=False)
    api_base: str = DEFAULT_API_BASE

    def __post_init__(self) -> None:
        register(self.corp_secret)
        object.__setattr__(self, "api_base", normalise_base(self.api_base))

    def __repr__(self) -> str:
        return f"Credentials(corp_id={self.corp_id!r}, corp_secret='***', api_base={public_base(self.api_base)!r})"


def credentials_from_env(env: Mapping[str, str]) -> Credentials:
    values = {}
    for var in (ENV_CORP_ID, ENV_CORP_SECRET):
        value = (env.get(var) or "").strip()
        if not value:
            raise MissingCredentials(var)
        values[var] = value
    return Credentials(values[ENV_CORP_ID], values[ENV_CORP_SECRET], api_base_from_env(env))


def api_base_from_env(env: Mapping[str, str]) -> str:
    """WECOM_API_BASE, normalised; the real WeCom only when it is unset. Set
    but empty (a CI variable defined and left blank) is an error: falling
    back to production would send a staging run's credentials there."""
    raw = env.get(ENV_API_BASE)
    if raw is None:
        return DEFAULT_API_BASE
    base = raw.strip()
    _register_userinfo(base)
    if not base:
        raise MissingCredentials(
            ENV_API_BASE, f"{ENV_API_BASE} is set but empty: unset it to use {DEFAULT_API_BASE}, "
                          f"or set it to the API base to use (such as the emulator's)")
    try:
        parts = urlsplit(base)
        usable = parts.scheme in ("http", "https") and bool(parts.hostname)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        usable = False
    if not usable:
        raise MissingCredentials(
            ENV_API_BASE, f"{ENV_API_BASE} is not an http:// or https:// URL with a host: {_shown(base)!r}")
    return normalise_base(base)


def public_base(base: str) -> str:
    """The base as a plan file and a message may show it: a user:password@
    (a proxy's credentials) masked. Everything up to the last `@` is taken
    for userinfo, since a password may hold `/`, `@`, `:`, `?` or `#` (issue
    20: `https://gw:Gw/Passw0rd@gateway` was shown whole); masking a rare `@`
    in a path as well costs nothing."""
    scheme, sep, rest = base.partition("://")
    if not sep:
        scheme, rest = "", base
    if "@" not in rest:
        return base
    return f"{scheme}{sep}***@{rest.rpartition('@')[2]}"


def _register_userinfo(base: str) -> None:
    """The userinfo of the base, as written and decoded, whole and its
    password alone, is masked wherever it may turn up from now on (a library
    error quoting the URL, a log line)."""
    rest = base.partition("://")[2] or base
    if "@" not in rest:
        return
    userinfo = rest.rpartition("@")[0]
    password = userinfo.partition(":")[2]
    for value in (userinfo, password):
        register(value)
        register(unquote(value))


def _shown(base: str) -> str:
    """The value for an error message: as public_base shows it, without a
    query or a fragment (after the userinfo, which may hold `?` or `#`)."""
    masked = public_base(base)
    return masked.split("?", 1)[0].split("#", 1)[0]
