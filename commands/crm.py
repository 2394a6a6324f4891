"""Wiring for CRM enrichment: endpoints and credentials → connectors → :class:`Enricher`.

Used by ``baton mappings``, the benchmark and the tests; the daemon's wiring can call
:func:`build_enricher` the same way. Credentials come from the environment (never from
flags or files Baton writes), as ``SecretStr``::

    BATON_SALESFORCE__SESSION_ID         or
    BATON_SALESFORCE__CLIENT_ID + BATON_SALESFORCE__CLIENT_SECRET (or __REFRESH_TOKEN)
    BATON_HUBSPOT__ACCESS_TOKEN

(the names the daemon's settings will use once ``salesforce:``/``hubspot:`` sections
join ``BatonSettings``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from connectors.hubspot import HubSpotClient, HubSpotConnector, HubSpotSettings
from connectors.salesforce import SalesforceClient, SalesforceConnector, SalesforceSettings
from core.crm.mapping import CrmMapping
from core.crm.model import CrmSource
from core.errors import ConfigError
from sandbox.server import SandboxServer
from scheduler.enrichment import Enricher, utcnow


class _SalesforceSecrets(BaseModel):
    model_config = ConfigDict(extra="ignore")
    session_id: SecretStr | None = None
    client_id: SecretStr | None = None
    client_secret: SecretStr | None = None
    refresh_token: SecretStr | None = None


class _HubSpotSecrets(BaseModel):
    model_config = ConfigDict(extra="ignore")
    access_token: SecretStr | None = None


class CrmSecrets(BaseSettings):
    """CRM credentials from ``BATON_SALESFORCE__*`` / ``BATON_HUBSPOT__*``."""

    model_config = SettingsConfigDict(
        env_prefix="BATON_", env_nested_delimiter="__", extra="ignore"
    )

    salesforce: _SalesforceSecrets = _SalesforceSecrets()
    hubspot: _HubSpotSecrets = _HubSpotSecrets()


def endpoint_settings(
    salesforce_url: str | None, hubspot_url: str | None, secrets: CrmSecrets | None = None
) -> tuple[SalesforceSettings | None, HubSpotSettings | None]:
    """Settings for the CRMs given a URL; credentials from the environment."""
    secrets = secrets or CrmSecrets()
    sf = hs = None
    try:
        if salesforce_url:
            s = secrets.salesforce
            sf = SalesforceSettings(
                instance_url=salesforce_url,
                session_id=s.session_id,
                client_id=s.client_id,
                client_secret=s.client_secret,
                refresh_token=s.refresh_token,
            )
        if hubspot_url:
            if secrets.hubspot.access_token is None:
                raise ConfigError("BATON_HUBSPOT__ACCESS_TOKEN is not set")
            hs = HubSpotSettings(
                base_url=hubspot_url,
                access_token=secrets.hubspot.access_token,
            )
    except ValueError as err:  # pydantic's ValidationError
        raise ConfigError(f"CRM endpoint settings: {err}") from err
    return sf, hs


def sandbox_settings(server: SandboxServer) -> tuple[SalesforceSettings, HubSpotSettings]:
    """Settings that reach a running sandbox's Salesforce and HubSpot."""
    config = server.state.config
    return (
        SalesforceSettings(
            instance_url=server.url,
            session_id=SecretStr(config.salesforce_session_id),
        ),
        HubSpotSettings(
            base_url=server.url,
            access_token=SecretStr(config.hubspot_token),
        ),
    )


def build_sources(
    mapping: CrmMapping,
    salesforce: SalesforceSettings | None,
    hubspot: HubSpotSettings | None,
) -> dict[str, CrmSource]:
    """The connectors the mapping uses and settings exist for."""
    sources: dict[str, CrmSource] = {}
    if salesforce is not None and mapping.salesforce is not None:
        sources["salesforce"] = SalesforceConnector(SalesforceClient(salesforce), mapping)
    if hubspot is not None and mapping.hubspot is not None:
        sources["hubspot"] = HubSpotConnector(HubSpotClient(hubspot), mapping)
    return sources


def build_enricher(
    mapping: CrmMapping,
    salesforce: SalesforceSettings | None,
    hubspot: HubSpotSettings | None,
    *,
    clock: Callable[[], datetime] = utcnow,
    **options: Any,
) -> Enricher:
    """An :class:`Enricher` over the configured CRMs (close it when done)."""
    return Enricher(mapping, build_sources(mapping, salesforce, hubspot), clock=clock, **options)
