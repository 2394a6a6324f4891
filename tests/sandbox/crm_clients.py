"""The real simple-salesforce and hubspot-api-client, pointed at a sandbox."""

from __future__ import annotations

import math
from typing import Any

import requests
from hubspot import HubSpot
from simple_salesforce import Salesforce

from connectors.loopback import mount_loopback
from sandbox.server import SandboxServer


def salesforce_for(
    server: SandboxServer, session_id: str | None = None, **kwargs: Any
) -> Salesforce:
    """simple-salesforce always speaks https to host:port; the loopback adapter downgrades."""
    session = requests.Session()
    mount_loopback(session, f"https://{server.host}:{server.port}", server.url)
    return Salesforce(
        session_id=session_id or server.state.config.salesforce_session_id,
        instance_url=server.url,
        session=session,
        **kwargs,
    )


def hubspot_for(server: SandboxServer, token: str | None = None) -> HubSpot:
    return HubSpot(access_token=token or server.state.config.hubspot_token, host=server.url)


def align_clock(server: SandboxServer, window: float) -> None:
    """Move the sandbox clock just past the start of a rate window (deterministic limits)."""
    now = server.state.clock()
    server.state.clock.advance(math.ceil(now / window) * window - now + 0.001)


def reset_hubspot_budget(server: SandboxServer) -> None:
    """Spend nothing yet of HubSpot's per-second search and per-10-second budgets."""
    budget = server.state.vendors["hubspot"].budget
    budget.search.reset()
    budget.ten_seconds.reset()
