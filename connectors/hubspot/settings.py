"""How Baton reaches HubSpot."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, SecretStr


class HubSpotSettings(BaseModel):
    """One HubSpot portal, reached with a private app's access token.

    ``base_url`` sends the traffic elsewhere (the sandbox, a proxy); hubspot-api-client
    takes it as ``host=``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    access_token: SecretStr
    base_url: HttpUrl = HttpUrl("https://api.hubapi.com")
    timeout_seconds: float = Field(default=10.0, gt=0)
    #: tries of one API call on transient errors (timeouts, 5xx, a short 429)
    call_attempts: int = Field(default=3, ge=1, le=10)
    #: HubSpot's 429 has no Retry-After; wait this long before trying again inline (a
    #: search is limited per second, other calls per ten seconds)
    rate_limit_wait_seconds: float = Field(default=1.0, ge=0)
    #: a wait longer than this is not done inside a call: the caller reschedules
    max_inline_wait_seconds: float = Field(default=5.0, ge=0)
    #: first wait between tries of a call (doubling, with jitter, up to 2 s)
    retry_wait_seconds: float = Field(default=0.2, ge=0, le=2)
    #: how long the owners list (for ``*.owner.name``) is reused
    owners_ttl_seconds: float = Field(default=600.0, ge=0)

    @property
    def host(self) -> str:
        return str(self.base_url).rstrip("/")
