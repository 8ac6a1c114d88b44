"""Who the client is and where it talks to: the corp id, the secret and the
API base, from the environment. The secret is registered for redaction the
moment it is known."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping
from urllib.parse import urlsplit

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
    (a proxy's credentials) masked."""
    scheme, sep, rest = base.partition("://")
    host, slash, path = rest.partition("/")
    if "@" not in host:
        return base
    return f"{scheme}{sep}***@{host.rpartition('@')[2]}{slash}{path}"


def _shown(base: str) -> str:
    """The value for an error message: as public_base shows it, without a
    query or a fragment."""
    return public_base(base.split("?", 1)[0].split("#", 1)[0])
