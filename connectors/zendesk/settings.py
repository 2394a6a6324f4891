"""How Baton reaches Zendesk."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, SecretStr


class ZendeskSettings(BaseModel):
    """Credentials and limits for one Zendesk account.

    ``api_url`` sends all traffic to another server (the sandbox, a proxy) while zenpy
    keeps building ``https://{subdomain}.zendesk.com`` URLs.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    subdomain: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9-]*$")
    email: str = Field(min_length=3)
    token: SecretStr
    api_url: HttpUrl | None = None
    timeout_seconds: float = Field(default=10.0, gt=0)
    #: seconds zenpy may sleep on 429s over the client's life before raising; 1 means
    #: never sleep inside zenpy and let Baton's retry layers decide.
    ratelimit_budget_seconds: int = Field(default=1, ge=1)
    #: retries of one call on transient errors (timeouts, 5xx, short Retry-After)
    call_attempts: int = Field(default=3, ge=1, le=10)
    #: a Retry-After longer than this is not waited out inside a call: the outbox reschedules
    max_inline_wait_seconds: float = Field(default=5.0, ge=0)

    @property
    def origin(self) -> str:
        return f"https://{self.subdomain}.zendesk.com"
