"""Who the client is and where it talks to: the corp id, the secret and the
API base, from the environment. The secret is registered for redaction the
moment it is known."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

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
        return f"Credentials(corp_id={self.corp_id!r}, corp_secret='***', api_base={self.api_base!r})"


def credentials_from_env(env: Mapping[str, str]) -> Credentials:
    values = {}
    for var in (ENV_CORP_ID, ENV_CORP_SECRET):
        value = (env.get(var) or "").strip()
        if not value:
            raise MissingCredentials(var)
        values[var] = value
    base = (env.get(ENV_API_BASE) or "").strip() or DEFAULT_API_BASE
    return Credentials(values[ENV_CORP_ID], values[ENV_CORP_SECRET], base)
