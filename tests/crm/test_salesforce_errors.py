"""Salesforce's status → action table, one test per row, against the sandbox."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pydantic import SecretStr
from simple_salesforce import Salesforce

from commands.crm import sandbox_settings
from connectors.salesforce import SalesforceClient
from connectors.salesforce.errors import STATUS_ACTIONS, translate
from core.errors import AuthError, BatonError, ConfigError, PermanentError, RateLimited, Unavailable
from sandbox.config import SandboxConfig
from sandbox.server import SandboxServer
from tests.crm.conftest import FAST_RETRIES, LedgerProbe


@pytest.fixture
def client(sandbox: SandboxServer) -> SalesforceClient:
    settings, _ = sandbox_settings(sandbox)
    return SalesforceClient(settings.model_copy(update={"timeout_seconds": 2.0, **FAST_RETRIES}))


@pytest.fixture(scope="module")
def spent_org() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxConfig(salesforce_daily_limit=2)) as server:
        yield server


def query(soql: str) -> Callable[[Salesforce], Any]:
    return lambda sf: sf.query(soql)


def fault(status: int, **extra: Any) -> dict[str, Any]:
    return {"kind": "error", "api": "salesforce", "status": status, **extra}


ROWS_TESTED: set[tuple[int, str | None]] = set()


def row(status: int, code: str | None) -> tuple[int, str | None]:
    ROWS_TESTED.add((status, code))
    return (status, code)


class TestRealAnswers:
    """Rows the sandbox produces by answering as Salesforce would."""

    @pytest.mark.parametrize(
        ("key", "soql"),
        [
            (row(400, "MALFORMED_QUERY"), "SELECT Id FROM Contact WHERE"),
            (row(400, "INVALID_FIELD"), "SELECT Nme FROM Contact"),
            (row(400, "INVALID_TYPE"), "SELECT Id FROM Contct"),
            (
                row(400, "INVALID_QUERY_FILTER_OPERATOR"),
                "SELECT Id FROM Opportunity WHERE CloseDate = '2027-01-01'",
            ),
        ],
    )
    def test_queries_the_mapping_got_wrong_are_config_errors(
        self, client: SalesforceClient, key: tuple[int, str], soql: str
    ) -> None:
        assert STATUS_ACTIONS[key][0] is ConfigError
        with pytest.raises(ConfigError) as caught:
            client.call(query(soql), "query")
        assert str(caught.value).startswith(f"Salesforce 400 {key[1]}")
        assert "Contact WHERE" not in str(caught.value)  # SOQL (customer data) never leaks

    def test_other_400s_are_permanent(self, client: SalesforceClient) -> None:
        assert STATUS_ACTIONS[row(400, None)][0] is PermanentError
        with pytest.raises(PermanentError) as caught:
            client.call(lambda sf: sf.Contact.create({"Email": "x@example.com"}), "create")
        assert not isinstance(caught.value, ConfigError)
        assert "REQUIRED_FIELD_MISSING" in str(caught.value)

    def test_300_several_records_for_an_external_id(self, client: SalesforceClient) -> None:
        assert STATUS_ACTIONS[row(300, None)][0] is PermanentError
        made = [
            client.call(
                lambda sf: sf.Contact.create(
                    {"LastName": "Twin", "Chat_Customer_Id__c": "dup-300"}
                ),
                "create",
            )["id"]
            for _ in range(2)
        ]
        try:
            with pytest.raises(PermanentError, match="Salesforce 300"):
                client.call(
                    lambda sf: sf.Contact.get_by_custom_id("Chat_Customer_Id__c", "dup-300"), "get"
                )
        finally:
            for record_id in made:
                client.call(lambda sf, r=record_id: sf.Contact.delete(r), "delete")

    def test_401_without_refresh_is_an_auth_error(self, sandbox: SandboxServer) -> None:
        assert STATUS_ACTIONS[row(401, None)][0] is AuthError
        settings, _ = sandbox_settings(sandbox)
        bad = SalesforceClient(settings.model_copy(update={"session_id": SecretStr("00Dx!y")}))
        with pytest.raises(AuthError, match="Salesforce 401 INVALID_SESSION_ID"):
            bad.call(query("SELECT Id FROM User"), "query")

    def test_404_is_a_config_error(self, client: SalesforceClient) -> None:
        assert STATUS_ACTIONS[row(404, None)][0] is ConfigError
        with pytest.raises(ConfigError, match="Salesforce 404 NOT_FOUND"):
            client.call(lambda sf: sf.restful("sobjects/Contct/describe"), "describe")

    def test_403_request_limit_exceeded_is_rate_limited(self, spent_org: SandboxServer) -> None:
        assert STATUS_ACTIONS[row(403, "REQUEST_LIMIT_EXCEEDED")][0] is RateLimited
        spent_org.state.reset()
        settings, _ = sandbox_settings(spent_org)
        client = SalesforceClient(settings)
        for _ in range(2):
            client.call(query("SELECT Id FROM User"), "query")
        with pytest.raises(RateLimited, match="REQUEST_LIMIT_EXCEEDED") as caught:
            client.call(query("SELECT Id FROM User"), "query")
        assert caught.value.retry_after is None  # no inline waiting for a daily allowance


class TestInjectedFaults:
    """Rows produced by the sandbox's fault injection; transient ones are retried inline."""

    @pytest.mark.parametrize("status", [500, 502, 503, 504])
    def test_5xx_are_retried_then_unavailable(
        self, client: SalesforceClient, sandbox: SandboxServer, ledger: LedgerProbe, status: int
    ) -> None:
        assert STATUS_ACTIONS[row(status, None)][0] is Unavailable
        with sandbox.state.faults.injected(fault(status, times=1)):
            answer = client.call(query("SELECT Id FROM User"), "query")
        assert answer["totalSize"] == 5  # the second try went through
        assert ledger.delta("salesforce", "soql.query") == 1
        with sandbox.state.faults.injected(fault(status)), pytest.raises(Unavailable):
            client.call(query("SELECT Id FROM User"), "query")

    def test_429_with_a_short_retry_after_is_waited_out(
        self, client: SalesforceClient, sandbox: SandboxServer
    ) -> None:
        assert STATUS_ACTIONS[row(429, None)][0] is RateLimited
        with sandbox.state.faults.injected(fault(429, retry_after=0, times=1)):
            assert client.call(query("SELECT Id FROM User"), "query")["totalSize"] == 5
        with (
            sandbox.state.faults.injected(fault(429, retry_after=60)),
            pytest.raises(RateLimited) as caught,
        ):
            client.call(query("SELECT Id FROM User"), "query")
        assert caught.value.retry_after == 60

    @pytest.mark.parametrize("kind", ["drop", "hang"])
    def test_dropped_and_hung_connections_are_unavailable(
        self, sandbox: SandboxServer, kind: str
    ) -> None:
        settings, _ = sandbox_settings(sandbox)
        client = SalesforceClient(
            settings.model_copy(update={"timeout_seconds": 0.3, "call_attempts": 1})
        )
        rule = {"kind": kind, "api": "salesforce", "hang_seconds": 2}
        with sandbox.state.faults.injected(rule), pytest.raises(Unavailable):
            client.call(lambda sf: sf.query("SELECT Id FROM User", timeout=0.3), "query")


def test_every_row_of_the_table_has_a_test() -> None:
    """Runs last in this module: a new row without a test fails here."""
    assert set(STATUS_ACTIONS) == ROWS_TESTED


def test_translate_never_puts_response_bodies_in_messages() -> None:
    from simple_salesforce.exceptions import SalesforceMalformedRequest

    err = SalesforceMalformedRequest(
        "https://x/services/data/v59.0/query",
        400,
        "query",
        [{"errorCode": "MALFORMED_QUERY", "message": "WHERE Email = 'ana@x.example'"}],
    )
    translated = translate(err)
    assert isinstance(translated, BatonError)
    assert "ana@x.example" not in str(translated)
