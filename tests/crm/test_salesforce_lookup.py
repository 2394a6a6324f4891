"""Looking chat customers up in Salesforce, through simple-salesforce and the sandbox."""

from __future__ import annotations

import pytest
from pydantic import SecretStr
from structlog.testing import capture_logs

from commands.crm import sandbox_settings
from connectors.salesforce import SalesforceClient, SalesforceConnector
from core.crm.mapping import CrmMapping
from core.crm.matching import customer_keys
from core.crm.model import Ambiguous, Matched, NoMatch
from core.errors import AuthError
from sandbox.people import PEOPLE
from sandbox.salesforce import CLIENT_ID, CLIENT_SECRET
from sandbox.server import SandboxServer
from tests.crm.conftest import FAST_RETRIES, LedgerProbe, customer

SALESFORCE_PEOPLE = [p.key for p in PEOPLE if p.crm == "salesforce"]


def policy(mapping: CrmMapping, **changes: object) -> CrmMapping:
    return mapping.model_copy(update={"match": mapping.match.model_copy(update=changes)})


def lookup(connector: SalesforceConnector, *customers: object) -> list[object]:
    keys = [customer_keys(c) for c in customers]  # type: ignore[arg-type]
    found = connector.lookup_many(keys)
    return [found[k.cache_key] for k in keys]


class TestMatchingByEachKey:
    def test_by_email(self, salesforce: SalesforceConnector) -> None:
        [result] = lookup(salesforce, customer("ana", phone=False, cid=False))
        assert isinstance(result, Matched)
        assert result.matched_by == "email"
        assert result.record.values["Account.Name"] == "Lumen Foods"
        assert result.record.values["Account.Owner.Name"] == "Hannah Lee"

    @pytest.mark.parametrize("key", ["ana", "maria"])  # MobilePhone for Ana, Phone for Maria
    def test_by_phone_in_either_phone_field(
        self, salesforce: SalesforceConnector, key: str
    ) -> None:
        [result] = lookup(salesforce, customer(key, email=False, cid=False))
        assert isinstance(result, Matched)
        assert result.matched_by == "phone"

    def test_by_phone_spelled_differently(self, salesforce: SalesforceConnector) -> None:
        from core.conversation import CustomerInfo

        [result] = lookup(salesforce, CustomerInfo(phone="+65 9123 4567"))
        assert isinstance(result, Matched)
        assert result.record.values["Name"] == "Ana Tan"

    def test_by_external_id(self, salesforce: SalesforceConnector) -> None:
        [result] = lookup(salesforce, customer("kenji", email=False, phone=False))
        assert isinstance(result, Matched)
        assert result.matched_by == "external_id"
        assert result.record.values["Account.Name"] == "Sakura Tech"

    def test_open_cases_come_in_the_same_query(
        self, salesforce: SalesforceConnector, ledger: LedgerProbe
    ) -> None:
        [result] = lookup(salesforce, customer("maria"))
        assert isinstance(result, Matched)
        subjects = {c["Subject"] for c in result.record.lists["open_cases"]}
        assert subjects == {"Invoice INV-2291 charged twice", "Fleet tracking API returns 502"}
        assert ledger.actions("salesforce") == ["soql.query"]


class TestZeroAndSeveral:
    def test_a_new_customer_matches_nothing(self, salesforce: SalesforceConnector) -> None:
        [result] = lookup(salesforce, customer("nina"))
        assert result == NoMatch("salesforce", ("email", "phone", "external_id"))

    def test_a_hubspot_customer_is_not_in_salesforce(self, salesforce: SalesforceConnector) -> None:
        [result] = lookup(salesforce, customer("budi"))
        assert isinstance(result, NoMatch)

    def test_two_contacts_share_an_email_ambiguous(
        self, sandbox: SandboxServer, mapping: CrmMapping
    ) -> None:
        settings, _ = sandbox_settings(sandbox)
        connector = SalesforceConnector(
            SalesforceClient(settings), policy(mapping, on_several="ambiguous")
        )
        [result] = lookup(connector, customer("raj"))
        assert isinstance(result, Ambiguous)
        assert result.key == "email"
        assert len(result.candidates) == 2

    def test_next_key_picks_the_one_with_the_phone(self, salesforce: SalesforceConnector) -> None:
        [with_phone, email_only] = lookup(
            salesforce, customer("raj"), customer("raj", phone=False, cid=False)
        )
        assert isinstance(with_phone, Matched)
        assert with_phone.record.keys["phone"] == ("+6581112222",)
        assert isinstance(email_only, Ambiguous)

    def test_most_recent_picks_the_newer_duplicate(
        self, sandbox: SandboxServer, mapping: CrmMapping
    ) -> None:
        settings, _ = sandbox_settings(sandbox)
        connector = SalesforceConnector(
            SalesforceClient(settings), policy(mapping, on_several="most_recent")
        )
        [result] = lookup(connector, customer("raj"))
        assert isinstance(result, Matched)
        assert result.record.keys["phone"] == ()  # the web-form duplicate, newer


class TestBatching:
    """Conversations escalating together cost one SOQL query (the sandbox ledger says so)."""

    def test_n_customers_one_query(
        self, salesforce: SalesforceConnector, ledger: LedgerProbe
    ) -> None:
        results = lookup(salesforce, *(customer(k) for k in SALESFORCE_PEOPLE))
        assert all(isinstance(r, Matched) for r in results)
        assert len(results) == 10
        assert ledger.delta("salesforce", "soql.query") == 1
        assert ledger.delta("salesforce") == 1

    def test_batches_are_split_by_batch_size(
        self, sandbox: SandboxServer, mapping: CrmMapping, ledger: LedgerProbe
    ) -> None:
        settings, _ = sandbox_settings(sandbox)
        connector = SalesforceConnector(
            SalesforceClient(settings.model_copy(update={"batch_size": 4})), mapping
        )
        lookup(connector, *(customer(k) for k in SALESFORCE_PEOPLE))
        assert ledger.delta("salesforce", "soql.query") == 3

    def test_quotes_in_keys_are_escaped(self, salesforce: SalesforceConnector) -> None:
        from core.conversation import CustomerInfo

        [result] = lookup(salesforce, CustomerInfo(email="o'brien@x.example", id="x') OR Id != ('"))
        assert isinstance(result, NoMatch)


class TestSession:
    def test_an_expired_session_is_refreshed_once(
        self, sandbox: SandboxServer, mapping: CrmMapping
    ) -> None:
        settings, _ = sandbox_settings(sandbox)
        oauth = settings.model_copy(
            update={
                "session_id": None,
                "client_id": SecretStr(CLIENT_ID),
                "client_secret": SecretStr(CLIENT_SECRET),
                **FAST_RETRIES,
            }
        )
        connector = SalesforceConnector(SalesforceClient(oauth), mapping)
        assert isinstance(lookup(connector, customer("ana"))[0], Matched)
        store = sandbox.state.vendors["salesforce"]
        for token in list(store.sessions - {sandbox.state.config.salesforce_session_id}):
            store.expire_session(token)
        with capture_logs() as logs:
            assert isinstance(lookup(connector, customer("ana"))[0], Matched)
        assert [e["event"] for e in logs] == ["salesforce.session_refreshed"]
        assert logs[0]["grant"] == "client_credentials"

    def test_a_session_id_alone_cannot_be_refreshed(
        self, sandbox: SandboxServer, mapping: CrmMapping
    ) -> None:
        settings, _ = sandbox_settings(sandbox)
        stale = settings.model_copy(update={"session_id": SecretStr("00Dexpired!x")})
        connector = SalesforceConnector(SalesforceClient(stale), mapping)
        with pytest.raises(AuthError):
            lookup(connector, customer("ana"))
