"""How Baton reaches Salesforce."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, SecretStr, model_validator


class SalesforceSettings(BaseModel):
    """One Salesforce org.

    Authentication, in order of preference:

    - ``client_id`` + ``client_secret`` (OAuth 2.0 client credentials flow of a connected
      app): Baton gets an access token and gets a new one whenever Salesforce answers
      ``INVALID_SESSION_ID``;
    - ``client_id`` + ``refresh_token`` (+ ``client_secret`` if the app has one): the same,
      with the refresh-token flow;
    - ``session_id`` alone: used as is; when it expires, lookups fail with ``AuthError``
      until ops provide a new one.

    An ``http://`` instance URL (the sandbox, a local proxy) is reached over plain HTTP:
    simple-salesforce always builds ``https://`` URLs, so the connector mounts
    :class:`connectors.loopback.LoopbackAdapter` for it.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    instance_url: HttpUrl
    api_version: str = Field(default="59.0", pattern=r"^\d{2,3}\.\d$")
    session_id: SecretStr | None = None
    client_id: SecretStr | None = None
    client_secret: SecretStr | None = None
    refresh_token: SecretStr | None = None
    #: default: ``{instance_url}/services/oauth2/token``
    token_url: HttpUrl | None = None
    timeout_seconds: float = Field(default=10.0, gt=0)
    #: tries of one API call on transient errors (timeouts, 5xx)
    call_attempts: int = Field(default=3, ge=1, le=10)
    #: a wait longer than this is not done inside a call: the caller reschedules
    max_inline_wait_seconds: float = Field(default=5.0, ge=0)
    #: first wait between tries of a call (doubling, with jitter, up to 2 s)
    retry_wait_seconds: float = Field(default=0.2, ge=0, le=2)
    #: customers per SOQL query (keeps the query under Salesforce's URL length limits)
    batch_size: int = Field(default=50, ge=1, le=200)

    @model_validator(mode="after")
    def _credentials(self) -> SalesforceSettings:
        oauth = self.client_id is not None and (
            self.client_secret is not None or self.refresh_token is not None
        )
        if not oauth and self.session_id is None:
            raise ValueError("give client_id and client_secret (or refresh_token), or a session_id")
        return self

    @property
    def base(self) -> str:
        return str(self.instance_url).rstrip("/")

    @property
    def oauth_token_url(self) -> str:
        return str(self.token_url) if self.token_url else f"{self.base}/services/oauth2/token"

    @property
    def can_refresh(self) -> bool:
        return self.client_id is not None and (
            self.client_secret is not None or self.refresh_token is not None
        )
