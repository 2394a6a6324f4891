"""The enrichment service: prefetch, batching, cache, degrade — through the real clients."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import SecretStr
from structlog.testing import capture_logs

from commands.crm import build_enricher, sandbox_settings
from connectors.zendesk.settings import ZendeskSettings
from connectors.zendesk.tickets import ZendeskTickets
from core.conversation import CustomerInfo
from core.crm.card import CardResult
from core.crm.mapping import CrmMapping
from core.handoff import Requester, TicketDraft
from sandbox.people import PEOPLE
from sandbox.server import SandboxServer
from scheduler.enrichment import Enricher
from tests.crm.conftest import FAST_RETRIES, FakeClock, LedgerProbe, customer
from tests.sandbox.crm_clients import reset_hubspot_budget

SALESFORCE_PEOPLE = [p.key for p in PEOPLE if p.crm == "salesforce"]


class Ready:
    """Collects the cards the enricher delivers after answering ``pending``."""

    def __init__(self) -> None:
        self.cards: list[tuple[str, CardResult]] = []

    def __call__(self, conversation_id: str, card: CardResult) -> None:
        self.cards.append((conversation_id, card))

    def wait(self, count: int = 1, timeout: float = 5.0) -> list[tuple[str, CardResult]]:
        deadline = time.monotonic() + timeout
        while len(self.cards) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.cards


@pytest.fixture
def ready() -> Ready:
    return Ready()


@pytest.fixture
def enricher(
    sandbox: SandboxServer, mapping: CrmMapping, clock: FakeClock, ready: Ready
) -> Iterator[Enricher]:
    reset_hubspot_budget(sandbox)
    sf, hs = sandbox_settings(sandbox)
    with build_enricher(
        mapping,
        sf.model_copy(update={"timeout_seconds": 2.0, **FAST_RETRIES}),
        hs.model_copy(update={"timeout_seconds": 2.0, **FAST_RETRIES}),
        clock=clock,
        batch_window=0.1,
        retry_delays=(0.05,),
        on_ready=ready,
    ) as service:
        yield service


def salesforce_calls(ledger: LedgerProbe) -> int:
    return ledger.delta("salesforce")


class TestPrefetch:
    """A card prefetched when the conversation starts is ready at handoff, at no cost."""

    def test_prefetched_card_costs_nothing_at_handoff(
        self, enricher: Enricher, ledger: LedgerProbe
    ) -> None:
        enricher.prefetch("conv-1", customer("ana"))
        first = enricher.card_for("conv-1", customer("ana"), timeout_s=5)  # joins the prefetch
        assert first.status == "ready"
        after_prefetch = ledger.delta()
        second = enricher.card_for("conv-1", customer("ana"), timeout_s=0)
        assert second.status == "ready"
        assert second.enrichment is not None
        assert second.enrichment.card is not None
        assert second.enrichment.card.title == "Ana Tan · Lumen Foods"
        assert ledger.delta() == after_prefetch
        assert ledger.delta("salesforce", "soql.query") == 1
        assert enricher.stats().cache_hits >= 1

    def test_a_customer_without_keys_needs_no_lookup(
        self, enricher: Enricher, ledger: LedgerProbe
    ) -> None:
        result = enricher.card_for("conv-anon", CustomerInfo(name="Guest"), timeout_s=1)
        assert result.status == "ready"
        assert result.enrichment is not None
        assert result.enrichment.status == "no_match"
        assert ledger.delta() == 0

    def test_rule_fields_for_the_engine(self, enricher: Enricher) -> None:
        assert enricher.crm_fields(customer("maria")) == {}
        enricher.card_for("conv-m", customer("maria"), timeout_s=5)
        fields = enricher.crm_fields(customer("maria"))
        assert fields["tier"] == "platinum"
        assert fields["open_disputes"] == 1
        assert fields["crm_source"] == "salesforce"


class TestBatching:
    """Conversations escalating together share one lookup per CRM."""

    def test_n_conversations_one_salesforce_query(
        self, enricher: Enricher, ledger: LedgerProbe
    ) -> None:
        def handoff(key: str) -> CardResult:
            return enricher.card_for(f"conv-{key}", customer(key), timeout_s=5)

        with ThreadPoolExecutor(max_workers=len(SALESFORCE_PEOPLE)) as pool:
            results = list(pool.map(handoff, SALESFORCE_PEOPLE))
        assert [r.status for r in results] == ["ready"] * len(SALESFORCE_PEOPLE)
        assert all(r.enrichment and r.enrichment.source == "salesforce" for r in results)
        assert ledger.delta("salesforce", "soql.query") == 1
        assert ledger.delta("hubspot") == 0  # every one of them matched in Salesforce
        assert enricher.stats().batches == 1

    def test_mixed_crms_cost_one_call_per_crm_step(
        self, enricher: Enricher, ledger: LedgerProbe
    ) -> None:
        keys = ["ana", "budi", "li", "nina", "maria", "emma"]
        for key in keys:
            enricher.prefetch(f"conv-{key}", customer(key))
        results = {k: enricher.card_for(f"conv-{k}", customer(k), timeout_s=5) for k in keys}
        sources = {k: r.enrichment.source if r.enrichment else None for k, r in results.items()}
        assert sources == {
            "ana": "salesforce",
            "budi": "hubspot",
            "li": "hubspot",
            "nina": None,
            "maria": "salesforce",
            "emma": "hubspot",
        }
        assert ledger.delta("salesforce", "soql.query") == 1
        assert ledger.delta("hubspot", "batch.read") == 4  # contacts, companies, deals, tickets

    def test_routed_customers_skip_salesforce(
        self, enricher: Enricher, ledger: LedgerProbe
    ) -> None:
        result = enricher.card_for("conv-budi", customer("budi"), timeout_s=5)
        assert result.enrichment is not None
        assert result.enrichment.source == "hubspot"
        assert ledger.delta("salesforce") == 0


class TestCache:
    def test_entries_expire_after_their_ttl(
        self, enricher: Enricher, clock: FakeClock, ledger: LedgerProbe
    ) -> None:
        enricher.card_for("c1", customer("ana"), timeout_s=5)
        clock.advance(minutes=9)
        cached = enricher.card_for("c2", customer("ana"), timeout_s=5)
        assert ledger.delta("salesforce", "soql.query") == 1
        assert cached.fetched_at == clock.now - timedelta(minutes=9)
        assert "9 min ago" in cached.note_html(clock.now)
        clock.advance(minutes=2)  # past the 10-minute TTL
        fresh = enricher.card_for("c3", customer("ana"), timeout_s=5)
        assert ledger.delta("salesforce", "soql.query") == 2
        assert fresh.fetched_at == clock.now

    def test_no_match_is_cached_for_less_time(
        self, enricher: Enricher, clock: FakeClock, ledger: LedgerProbe
    ) -> None:
        enricher.card_for("c1", customer("omar"), timeout_s=5)
        calls = ledger.delta()
        clock.advance(minutes=1)
        enricher.card_for("c2", customer("omar"), timeout_s=5)
        assert ledger.delta() == calls
        clock.advance(minutes=2)
        enricher.card_for("c3", customer("omar"), timeout_s=5)
        assert ledger.delta() > calls


class TestSensitiveFields:
    """Sensitive values feed the rules; none reaches anything sent to Zendesk."""

    def test_a_ticket_built_from_the_card_carries_no_sensitive_value(
        self, enricher: Enricher, sandbox: SandboxServer
    ) -> None:
        card = enricher.card_for("conv-siti", customer("siti"), timeout_s=5)
        assert card.rules["payment_status"] == "overdue"  # the rule sees it...
        secret_limit = card.rules["credit_limit"]
        config = sandbox.state.config
        tickets = ZendeskTickets(
            ZendeskSettings(
                subdomain=config.zendesk_subdomain,
                email=config.zendesk_email,
                token=SecretStr(config.zendesk_token),
                api_url=sandbox.url,
            )
        )  # type: ignore[arg-type]
        draft = TicketDraft(
            subject="Refund not received",
            requester=Requester("Siti Rahman", PEOPLE[4].email),
            external_id="baton:test-sensitive:1",
            priority="high",
            tags=("baton", *card.tags),
            note_html=card.note_html(card.fetched_at),  # type: ignore[arg-type]
            custom_fields=card.custom_fields,
        )
        ref = tickets.create_ticket(draft, "test-sensitive-1")
        stored: dict[str, Any] = sandbox.state.vendors["zendesk"].tickets[ref.ticket_id]
        comments = " ".join(
            c["html_body"] or c["body"]
            for c in sandbox.state.vendors["zendesk"].comments[ref.ticket_id]
        )
        sent = " ".join([comments, " ".join(stored["tags"]), repr(stored["custom_fields"])])
        assert "Melati Retail" in sent  # ...the card went out
        values = {f["id"]: f["value"] for f in stored["custom_fields"]}
        assert values[364000000038] == "bronze"  # the "Customer tier" ticket field
        for secret in (str(int(secret_limit)), f"{int(secret_limit):,}", "overdue", "Overdue"):
            assert secret not in sent


class TestDegrade:
    """A slow or failing CRM delays the card, never the ticket."""

    def test_an_outage_answers_pending_within_the_budget(
        self, enricher: Enricher, sandbox: SandboxServer, ready: Ready
    ) -> None:
        with capture_logs() as logs:
            with sandbox.state.faults.injected(
                {"kind": "outage", "api": "salesforce", "status": 503}
            ):
                started = time.monotonic()
                result = enricher.card_for("conv-out", customer("priya"), timeout_s=1.0)
                elapsed = time.monotonic() - started
                assert result.status == "pending"
                assert "Salesforce 503" in (result.reason or "")
                assert elapsed < 1.2
                assert "not available yet" in result.note_html(datetime.now(UTC))
                assert enricher.pending() == {"conv-out"}
            delivered = ready.wait(1)
        assert [c for c, _ in delivered] == ["conv-out"]
        card = delivered[0][1]
        assert card.status == "ready"
        assert card.enrichment is not None
        assert card.enrichment.card is not None
        assert card.enrichment.card.title == "Priya Nair · Lotus Wellness"
        assert enricher.take_ready() == delivered  # the polling view of the same delivery
        assert enricher.pending() == set()
        events = [e["event"] for e in logs if e["event"].startswith("crm.source")]
        assert events == ["crm.source_failing", "crm.source_recovered"]  # once each

    def test_a_slow_crm_is_not_waited_for(
        self, enricher: Enricher, sandbox: SandboxServer, ready: Ready
    ) -> None:
        rule = {"kind": "latency", "api": "salesforce", "latency_ms": 600}
        with sandbox.state.faults.injected(rule):
            started = time.monotonic()
            result = enricher.card_for("conv-slow", customer("tom"), timeout_s=0.2)
            assert time.monotonic() - started < 0.4
            assert result.status == "pending"
            assert "did not answer within 0.2 s" in (result.reason or "")
            delivered = ready.wait(1)
        assert delivered[0][0] == "conv-slow"
        assert delivered[0][1].status == "ready"

    def test_a_stale_card_is_better_than_none(
        self, enricher: Enricher, sandbox: SandboxServer, clock: FakeClock
    ) -> None:
        enricher.card_for("c1", customer("sarah"), timeout_s=5)
        clock.advance(minutes=30)
        with sandbox.state.faults.injected({"kind": "error", "api": "salesforce", "status": 503}):
            result = enricher.card_for("c2", customer("sarah"), timeout_s=1.0)
        assert result.status == "ready"
        assert result.stale is True
        assert "stale" in result.note_html(clock.now)
        assert "30 min ago" in result.note_html(clock.now)

    def test_a_configuration_error_fails_without_retrying(
        self, sandbox: SandboxServer, mapping: CrmMapping, ready: Ready
    ) -> None:
        section = mapping.salesforce
        assert section is not None
        broken = mapping.model_copy(
            update={"salesforce": section.model_copy(update={"updated_field": "LastModifedDate"})}
        )
        sf, hs = sandbox_settings(sandbox)
        org = sandbox.state.vendors["salesforce"]
        calls_before = org.usage
        with build_enricher(broken, sf, hs, on_ready=ready, retry_delays=(0.01,)) as service:
            result = service.card_for("conv-cfg", customer("ana"), timeout_s=5)
            assert result.status == "failed"
            assert "INVALID_FIELD" in (result.reason or "")
            assert result.tags == ("baton_crm_unavailable",)
            time.sleep(0.1)
        assert org.usage == calls_before + 1  # one refused query, never retried


def test_the_cache_is_bounded(sandbox: SandboxServer, mapping: CrmMapping) -> None:
    """Idle entries are forgotten past ``max_entries`` (the oldest first)."""
    sf, hs = sandbox_settings(sandbox)
    with build_enricher(mapping, sf, hs, max_entries=3, batch_window=0.0) as service:
        for key in ("ana", "maria", "siti", "raj", "jose"):
            service.card_for(f"c-{key}", customer(key), timeout_s=5)
        assert len(service._entries) <= 3
        assert service.crm_fields(customer("jose"))["tier"] == "bronze"
