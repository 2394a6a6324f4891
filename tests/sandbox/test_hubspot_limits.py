"""HubSpot's rate limits and auth in the sandbox, through hubspot-api-client."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from hubspot.crm.associations.v4 import ApiException as AssociationsApiException
from hubspot.crm.contacts import ApiException as ContactsApiException

from sandbox.config import SandboxConfig
from sandbox.server import SandboxServer
from tests.sandbox.crm_clients import align_clock, hubspot_for, reset_hubspot_budget

SEARCH = {
    "filterGroups": [
        {
            "filters": [
                {"propertyName": "email", "operator": "EQ", "value": "li.na@redlantern.example"}
            ]
        }
    ]
}


@pytest.fixture(scope="module")
def tight() -> Iterator[SandboxServer]:
    """A sandbox of this module's own allowing three requests per ten seconds."""
    with SandboxServer(SandboxConfig(hubspot_requests_per_10s=3)) as server:
        yield server


class TestHeaders:
    def test_every_answer_but_searches_carries_the_rate_limit_headers(
        self, sandbox: SandboxServer
    ) -> None:
        reset_hubspot_budget(sandbox)
        hs = hubspot_for(sandbox)
        _, status, headers = hs.crm.owners.owners_api.get_page_with_http_info()
        assert status == 200
        assert headers["X-HubSpot-RateLimit-Max"] == "190"
        assert headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
        assert int(headers["X-HubSpot-RateLimit-Remaining"]) < 190
        assert int(headers["X-HubSpot-RateLimit-Daily-Remaining"]) < int(
            headers["X-HubSpot-RateLimit-Daily"]
        )
        _, _, search_headers = hs.crm.contacts.search_api.do_search_with_http_info(SEARCH)
        assert "X-HubSpot-RateLimit-Max" not in search_headers


class TestRateLimits:
    """Past a budget: 429 with HubSpot's documented body and no Retry-After."""

    def test_ten_second_limit(self, tight: SandboxServer) -> None:
        tight.state.reset()
        align_clock(tight, 10)
        hs = hubspot_for(tight)
        for _ in range(3):
            hs.crm.owners.owners_api.get_page()
        with pytest.raises(AssociationsApiException) as caught:
            hs.crm.associations.v4.basic_api.get_page("contacts", "1", "companies")
        assert caught.value.status == 429
        body = json.loads(caught.value.body)
        assert body["errorType"] == "RATE_LIMIT"
        assert body["policyName"] == "TEN_SECONDLY_ROLLING"
        assert body["status"] == "error"
        assert body["correlationId"]
        assert "Retry-After" not in caught.value.headers
        assert caught.value.headers["X-HubSpot-RateLimit-Remaining"] == "0"
        tight.state.clock.advance(10)
        assert hs.crm.owners.owners_api.get_page().results

    def test_search_limit_is_five_a_second(self, sandbox: SandboxServer) -> None:
        reset_hubspot_budget(sandbox)
        align_clock(sandbox, 1)
        hs = hubspot_for(sandbox)
        for _ in range(5):
            hs.crm.contacts.search_api.do_search(SEARCH)
        with pytest.raises(ContactsApiException) as caught:
            hs.crm.contacts.search_api.do_search(SEARCH)
        assert caught.value.status == 429
        assert json.loads(caught.value.body)["policyName"] == "SECONDLY"
        hs.crm.owners.owners_api.get_page()  # other calls are not held back
        reset_hubspot_budget(sandbox)


class TestAuth:
    @pytest.mark.parametrize("token", ["pat-wrong", ""])
    def test_a_wrong_or_missing_token_is_401(self, sandbox: SandboxServer, token: str) -> None:
        api = hubspot_for(sandbox, token=token or "x").crm.contacts.basic_api
        if not token:
            api.api_client.configuration.access_token = None  # no Authorization header
        with pytest.raises(ContactsApiException) as caught:
            api.get_page()
        assert caught.value.status == 401
        body = json.loads(caught.value.body)
        assert body["category"] == "INVALID_AUTHENTICATION"
        assert body["message"].startswith("Authentication credentials not found")
