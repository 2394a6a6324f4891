"""The sandbox's settings: credentials it accepts, the Zendesk plan, windows and faults."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from sandbox.faults import FaultRule

# Requests per minute of each Zendesk Support plan (CONTRACTS.md).
ZENDESK_PLAN_LIMITS = {
    "team": 200,
    "growth": 400,
    "professional": 400,
    "enterprise": 700,
    "enterprise_plus": 2500,
    "high_volume": 2500,
}


class SandboxConfig(BaseModel):
    """What the sandbox accepts and how it behaves. Defaults suit the demo and the tests."""

    model_config = ConfigDict(extra="forbid")

    zendesk_subdomain: str = "acme"
    zendesk_email: str = "baton@acme.example"
    zendesk_token: str = "sandbox-zendesk-token"  # noqa: S105 (public sandbox credential)
    #: Accepted as `Authorization: Bearer ...` (an OAuth access token).
    zendesk_oauth_token: str = "sandbox-zendesk-oauth-token"  # noqa: S105 (public sandbox credential)
    salesforce_session_id: str = "00DSANDBOX!sandbox-session"
    hubspot_token: str = "pat-sandbox-hubspot-token"  # noqa: S105 (public sandbox credential)
    plan: str = Field(default="enterprise", pattern="^(" + "|".join(ZENDESK_PLAN_LIMITS) + ")$")
    #: None: the plan's limit. 0: no limit (benchmarks of Baton itself, not of the plan).
    zendesk_requests_per_minute: int | None = None
    #: Zendesk keeps idempotency keys for about two hours.
    idempotency_window_seconds: float = 2 * 60 * 60
    #: Incremental exports have their own limit (10 a minute); 0 disables it.
    zendesk_incremental_per_minute: int = 10
    #: How long a create_many job stays ``queued``, then ``working``, before it completes.
    zendesk_job_step_seconds: float = 0.05
    salesforce_daily_limit: int = 15_000
    hubspot_requests_per_10s: int = 190
    seed: bool = True
    #: Faults active from the start (``--faults FILE``, ``--fault k=v,...``).
    faults: list[FaultRule] = Field(default_factory=list)
    #: Seed of the fault sampler (rates, jitter), for reproducible runs.
    fault_seed: int | None = None

    @property
    def zendesk_rate_limit(self) -> int:
        if self.zendesk_requests_per_minute is not None:
            return self.zendesk_requests_per_minute
        return ZENDESK_PLAN_LIMITS[self.plan]
