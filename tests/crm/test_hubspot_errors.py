"""HubSpot's status → action table, one test per row, against the sandbox; every API
package's exception goes through the one translator, and never whole into messages."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import SecretStr

from commands.crm import sandbox_settings
from connectors.hubspot import HubSpotClient
from connectors.hubspot.errors import API_EXCEPTIONS, STATUS_ACTIONS, translate
from core.errors import (
    AuthError,
    PermanentError,
    RateLimited,
    SkippableError,
    Unavailable,
)
from sandbox.server import SandboxServer
from tests.crm.conftest import FAST_RETRIES, LedgerProbe
from tests.sandbox.crm_clients import align_clock, reset_hubspot_budget

LI = "li.na@redlantern.example"
ROWS_TESTED: set[int] = set()


def row(status: int) -> int:
    ROWS_TESTED.add(status)
    return status


@pytest.fixture
def client(sandbox: SandboxServer) -> HubSpotClient:
    reset_hubspot_budget(sandbox)
    _, settings = sandbox_settings(sandbox)
    return HubSpotClient(settings.model_copy(update={"timeout_seconds": 2.0, **FAST_RETRIES}))


def read_li(client: HubSpotClient) -> Any:
    body = {
        "inputs": [{"id": LI}],
        "properties": ["email"],
        "propertiesWithHistory": [],
        "idProperty": "email",
    }
    return client.call(
        lambda: client.contacts_batch.read(body, _request_timeout=client.timeout),
        "contacts.batch_read",
    )


def fault(status: int, **extra: Any) -> dict[str, Any]:
    return {"kind": "error", "api": "hubspot", "status": status, **extra}


class TestRealAnswers:
    def test_400_is_permanent(self, client: HubSpotClient) -> None:
        assert STATUS_ACTIONS[row(400)][0] is PermanentError
        body = {
            "filterGroups": [
                {"filters": [{"propertyName": "emial", "operator": "EQ", "value": LI}]}
            ]
        }
        with pytest.raises(PermanentError, match="HubSpot 400 VALIDATION_ERROR"):
            client.call(lambda: client.contacts_search.do_search(body), "search")

    def test_401_is_an_auth_error(self, sandbox: SandboxServer) -> None:
        assert STATUS_ACTIONS[row(401)][0] is AuthError
        _, settings = sandbox_settings(sandbox)
        bad = HubSpotClient(settings.model_copy(update={"access_token": SecretStr("pat-x")}))
        with pytest.raises(AuthError, match="HubSpot 401 INVALID_AUTHENTICATION"):
            read_li(bad)

    def test_404_is_skippable(self, client: HubSpotClient) -> None:
        assert STATUS_ACTIONS[row(404)][0] is SkippableError
        with pytest.raises(SkippableError, match=r"OBJECT_NOT_FOUND \[correlationId "):
            client.call(lambda: client.contacts_basic.get_by_id("404404"), "get")

    def test_409_is_permanent_and_creates_are_tried_once(
        self, client: HubSpotClient, ledger: LedgerProbe
    ) -> None:
        assert STATUS_ACTIONS[row(409)][0] is PermanentError
        body = {"properties": {"email": LI, "firstname": "Duplicate"}}
        with pytest.raises(PermanentError, match="HubSpot 409 CONFLICT"):
            client.call(lambda: client.contacts_basic.create(body), "create", idempotent=False)

    def test_429_secondly_is_waited_out_inline(self, sandbox: SandboxServer) -> None:
        """The wait moves the sandbox clock instead of sleeping."""
        assert STATUS_ACTIONS[row(429)][0] is RateLimited
        reset_hubspot_budget(sandbox)
        _, settings = sandbox_settings(sandbox)
        waits: list[float] = []

        def sleep(seconds: float) -> None:
            waits.append(seconds)
            sandbox.state.clock.advance(seconds)

        client = HubSpotClient(settings, sleep=sleep)
        align_clock(sandbox, 1)
        body = {
            "filterGroups": [
                {"filters": [{"propertyName": "email", "operator": "EQ", "value": LI}]}
            ]
        }
        for _ in range(5):
            client.contacts_search.do_search(body)
        answer = client.call(lambda: client.contacts_search.do_search(body), "search")
        assert answer.total == 1
        assert waits == [1.0]  # one 429 (SECONDLY), waited out, then the answer

    def test_429_ten_secondly_is_left_to_the_caller(
        self, client: HubSpotClient, sandbox: SandboxServer
    ) -> None:
        with sandbox.state.faults.injected(fault(429)), pytest.raises(RateLimited) as caught:
            read_li(client)
        assert caught.value.retry_after == 10.0
        assert "TEN_SECONDLY_ROLLING" in str(caught.value)


class TestInjectedFaults:
    def test_403_is_an_auth_error(self, client: HubSpotClient, sandbox: SandboxServer) -> None:
        assert STATUS_ACTIONS[row(403)][0] is AuthError
        with sandbox.state.faults.injected(fault(403)), pytest.raises(AuthError):
            read_li(client)

    @pytest.mark.parametrize("status", [423, 500, 502, 503, 504])
    def test_transient_statuses_are_retried_then_unavailable(
        self, client: HubSpotClient, sandbox: SandboxServer, ledger: LedgerProbe, status: int
    ) -> None:
        assert STATUS_ACTIONS[row(status)][0] is Unavailable
        with sandbox.state.faults.injected(fault(status, times=1)):
            assert read_li(client).results[0].properties["email"] == LI
        assert ledger.delta("hubspot", "batch.read") == 1
        with sandbox.state.faults.injected(fault(status)), pytest.raises(Unavailable):
            read_li(client)

    @pytest.mark.parametrize("kind", ["drop", "hang"])
    def test_dropped_and_hung_connections_are_unavailable(
        self, sandbox: SandboxServer, kind: str
    ) -> None:
        _, settings = sandbox_settings(sandbox)
        client = HubSpotClient(
            settings.model_copy(update={"timeout_seconds": 0.3, "call_attempts": 1})
        )
        rule = {"kind": kind, "api": "hubspot", "hang_seconds": 2}
        with sandbox.state.faults.injected(rule), pytest.raises(Unavailable):
            read_li(client)


def test_every_row_of_the_table_has_a_test() -> None:
    assert set(STATUS_ACTIONS) == ROWS_TESTED


def test_every_package_exception_is_translated_without_its_body() -> None:
    """str(ApiException) holds headers and body; Baton's message holds neither."""
    for cls in API_EXCEPTIONS:
        err = cls(status=503, reason="Service Unavailable")
        err.body = '{"status":"error","message":"li.na@redlantern.example","category":"X"}'
        err.headers = {"Set-Cookie": "secret"}
        translated = translate(err)
        assert isinstance(translated, Unavailable), cls
        assert "redlantern" not in str(translated)
        assert "secret" not in str(translated)
