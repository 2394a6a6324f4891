"""Fixtures for CRM enrichment tests: the demo mapping, connectors on the shared sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from commands.crm import sandbox_settings
from config.mappings import DEMO_MAPPING, load_mapping
from connectors.hubspot import HubSpotClient, HubSpotConnector
from connectors.salesforce import SalesforceClient, SalesforceConnector
from core.conversation import CustomerInfo
from core.crm.mapping import CrmMapping
from sandbox.people import PEOPLE, Person
from sandbox.server import SandboxServer

BY_KEY = {p.key: p for p in PEOPLE}


def customer(key: str, *, email: bool = True, phone: bool = True, cid: bool = True) -> CustomerInfo:
    """A chat customer as the demo sends it (``id`` is the person's key)."""
    person: Person = BY_KEY[key]
    return CustomerInfo(
        id=person.key if cid else None,
        email=person.email if email else None,
        phone=person.phone if phone else None,
        name=person.name,
    )


class LedgerProbe:
    """Counts the sandbox ledger entries recorded since the probe was made."""

    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        self.marks: dict[tuple[str | None, str | None], int] = {}
        self.start = len(server.state.ledger.entries())

    def delta(self, api: str | None = None, action: str | None = None) -> int:
        entries = self.server.state.ledger.entries()[self.start :]
        return sum(
            1
            for e in entries
            if (api is None or e.api == api) and (action is None or e.action == action)
        )

    def actions(self, api: str) -> list[str]:
        return [e.action for e in self.server.state.ledger.entries()[self.start :] if e.api == api]


class FakeClock:
    """A datetime clock tests move instead of sleeping."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(scope="session")
def mapping() -> CrmMapping:
    return load_mapping(DEMO_MAPPING)


@pytest.fixture
def ledger(sandbox: SandboxServer) -> LedgerProbe:
    return LedgerProbe(sandbox)


@pytest.fixture
def salesforce(sandbox: SandboxServer, mapping: CrmMapping) -> SalesforceConnector:
    settings, _ = sandbox_settings(sandbox)
    return SalesforceConnector(SalesforceClient(settings.model_copy(update=FAST_RETRIES)), mapping)


@pytest.fixture
def hubspot(sandbox: SandboxServer, mapping: CrmMapping) -> HubSpotConnector:
    _, settings = sandbox_settings(sandbox)
    return HubSpotConnector(HubSpotClient(settings.model_copy(update=FAST_RETRIES)), mapping)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(autouse=True)
def _no_leftover_faults(sandbox: SandboxServer) -> Iterator[None]:
    """A CRM test never leaves a fault behind for the next one."""
    yield
    sandbox.state.faults.clear()


FAST_RETRIES = {"retry_wait_seconds": 0.01}
