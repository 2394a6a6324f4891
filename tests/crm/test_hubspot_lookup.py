"""Looking chat customers up in HubSpot, through hubspot-api-client and the sandbox."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.conversation import CustomerInfo
from core.crm.matching import customer_keys
from core.crm.model import Ambiguous, LookupResult, Matched, NoMatch
from sandbox.people import PEOPLE
from sandbox.server import SandboxServer
from tests.crm.conftest import LedgerProbe, customer
from tests.sandbox.crm_clients import hubspot_for, reset_hubspot_budget

from connectors.hubspot import HubSpotConnector  # isort: skip

HUBSPOT_PEOPLE = [p.key for p in PEOPLE if p.crm == "hubspot"]


@pytest.fixture(autouse=True)
def _fresh_budget(sandbox: SandboxServer) -> None:
    reset_hubspot_budget(sandbox)


def lookup(connector: HubSpotConnector, *customers: CustomerInfo) -> list[LookupResult]:
    keys = [customer_keys(c) for c in customers]
    found = connector.lookup_many(keys)
    return [found[k.cache_key] for k in keys]


class TestMatchingByEachKey:
    def test_by_email_without_a_search(
        self, hubspot: HubSpotConnector, ledger: LedgerProbe
    ) -> None:
        [result] = lookup(hubspot, customer("li", phone=False, cid=False))
        assert isinstance(result, Matched)
        assert result.matched_by == "email"
        assert result.record.values["company.name"] == "Red Lantern Studio"
        assert result.record.values["company.owner.name"] == "Daniel Cruz"
        assert ledger.delta("hubspot", "search") == 0

    @pytest.mark.parametrize("key", ["budi", "wei"])  # mobilephone for Budi, phone for Wei
    def test_by_phone_in_either_phone_property(self, hubspot: HubSpotConnector, key: str) -> None:
        [result] = lookup(hubspot, customer(key, email=False, cid=False))
        assert isinstance(result, Matched)
        assert result.matched_by == "phone"

    def test_by_external_id(self, hubspot: HubSpotConnector) -> None:
        [result] = lookup(hubspot, customer("hamid", email=False, phone=False))
        assert isinstance(result, Matched)
        assert result.matched_by == "external_id"
        assert result.record.values["contact.firstname"] == "Hamid"

    def test_the_primary_company_is_the_account(self, hubspot: HubSpotConnector) -> None:
        """Emma's contact has two companies; the one labelled Primary is the account."""
        [result] = lookup(hubspot, customer("emma"))
        assert isinstance(result, Matched)
        assert result.record.values["company.name"] == "Alpenhaus Goods"

    def test_related_lists_are_filtered_sorted_and_limited(self, hubspot: HubSpotConnector) -> None:
        [result] = lookup(hubspot, customer("li"))
        assert isinstance(result, Matched)
        tickets = result.record.lists["open_cases"]
        assert [t["subject"] for t in tickets] == [
            "Studio booking calendar double-booked",
            "Annual plan refund disputed",
        ]
        deals = result.record.lists["open_opportunities"]
        assert [d["dealname"] for d in deals] == [
            "Red Lantern Studio — 2027 renewal",
            "Red Lantern Studio — Second studio",
        ]
        [james] = lookup(hubspot, customer("james"))
        assert isinstance(james, Matched)
        assert james.record.lists["open_cases"] == ()  # his only ticket is closed


class TestZeroAndSeveral:
    def test_a_new_customer_matches_nothing(self, hubspot: HubSpotConnector) -> None:
        [result] = lookup(hubspot, customer("omar"))
        assert result == NoMatch("hubspot", ("email", "phone", "external_id"))

    @pytest.fixture
    def shared_phone(self, sandbox: SandboxServer) -> Iterator[str]:
        """A second contact with Chen Wei's phone (a shared office line), removed after."""
        hs = hubspot_for(sandbox)
        created = hs.crm.contacts.basic_api.create(
            {
                "properties": {
                    "email": "frontdesk@jadeharbor.example",
                    "firstname": "Front",
                    "lastname": "Desk",
                    "phone": "+6598765432",
                }
            }
        )
        yield created.id
        hs.crm.contacts.basic_api.archive(created.id)

    def test_two_contacts_share_a_phone(self, hubspot: HubSpotConnector, shared_phone: str) -> None:
        [result] = lookup(hubspot, customer("wei", email=False, cid=False))
        assert isinstance(result, Ambiguous)
        assert result.key == "phone"
        assert shared_phone in {c.record_id for c in result.candidates}

    def test_the_next_key_settles_it(self, hubspot: HubSpotConnector, shared_phone: str) -> None:
        [result] = lookup(hubspot, customer("wei", email=False))
        assert isinstance(result, Matched)
        assert result.record.values["contact.lastname"] == "Chen"


class TestBatching:
    """A batch costs the same few calls whatever the number of customers."""

    def test_calls_do_not_grow_with_the_batch(
        self, sandbox: SandboxServer, hubspot: HubSpotConnector
    ) -> None:
        costs = []
        for keys in (HUBSPOT_PEOPLE[:2], HUBSPOT_PEOPLE):
            hubspot._owners_at = -float("inf")  # each round reads the owners once
            probe = LedgerProbe(sandbox)
            results = lookup(hubspot, *(customer(k) for k in keys))
            assert all(isinstance(r, Matched) for r in results)
            costs.append(sorted(probe.actions("hubspot")))
        assert costs[0] == costs[1]
        assert costs[1] == sorted(
            ["batch.read"] * 4 + ["associations.batch_read"] * 3 + ["owners.list"]
        )

    def test_unmatched_emails_cost_one_search_for_the_other_keys(
        self, hubspot: HubSpotConnector, ledger: LedgerProbe
    ) -> None:
        changed = [
            CustomerInfo(email=f"new-{k}@example.com", phone=customer(k).phone)
            for k in HUBSPOT_PEOPLE[:5]
        ]
        results = lookup(hubspot, *changed)
        assert all(isinstance(r, Matched) and r.matched_by == "phone" for r in results)
        assert ledger.delta("hubspot", "search") == 1
