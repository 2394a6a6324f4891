"""The sandbox's Salesforce REST API beyond SOQL, through simple-salesforce: sObjects,
describe, composite, OAuth, limits and auth errors."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceExpiredSession,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
    SalesforceResourceNotFound,
)

from sandbox.config import SandboxConfig
from sandbox.salesforce import CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN
from sandbox.server import SandboxServer
from tests.sandbox.crm_clients import salesforce_for


@pytest.fixture
def sf(sandbox: SandboxServer) -> Salesforce:
    return salesforce_for(sandbox)


@pytest.fixture(scope="module")
def small_org() -> Iterator[SandboxServer]:
    """A sandbox of this module's own whose org allows five API calls a day."""
    with SandboxServer(SandboxConfig(salesforce_daily_limit=5)) as server:
        yield server


class TestSObjects:
    def test_create_get_update_delete(self, sf: Salesforce, sandbox: SandboxServer) -> None:
        created = sf.Task.create(
            {"Subject": "Chat handed to an agent", "Status": "Not Started", "Type": "Chat"}
        )
        assert created["success"] is True
        assert created["errors"] == []
        task_id = created["id"]
        assert task_id.startswith("00T")
        assert len(task_id) == 18
        fetched = sf.Task.get(task_id)
        assert fetched["Subject"] == "Chat handed to an agent"
        assert fetched["IsClosed"] is False
        assert fetched["attributes"] == {
            "type": "Task",
            "url": f"/services/data/v59.0/sobjects/Task/{task_id}",
        }
        assert sf.Task.update(task_id, {"Status": "Completed"}) == 204
        assert sf.Task.get(task_id[:15])["IsClosed"] is True  # 15-character ids work too
        assert sf.Task.delete(task_id) == 204
        with pytest.raises(SalesforceResourceNotFound):
            sf.Task.get(task_id)
        actions = [
            e.action for e in sandbox.state.ledger.entries("salesforce") if e.object_id == task_id
        ]
        assert actions == [
            "sobject.create",
            "sobject.get",
            "sobject.update",
            "sobject.get",
            "sobject.delete",
        ]

    def test_get_by_external_id(self, sf: Salesforce) -> None:
        ana = sf.Contact.get_by_custom_id("Chat_Customer_Id__c", "ana")
        assert ana["Email"] == "ana.tan@lumenfoods.example"

    def test_get_some_fields(self, sf: Salesforce) -> None:
        ana = sf.Contact.get_by_custom_id("Chat_Customer_Id__c", "ana")
        short = sf.Contact.get(ana["Id"], params={"fields": "Email,Name"})
        assert set(short) == {"attributes", "Id", "Email", "Name"}

    @pytest.mark.parametrize(
        ("body", "code", "fields"),
        [
            ({"Email": "x@example.com"}, "REQUIRED_FIELD_MISSING", ["LastName"]),
            ({"LastName": "X", "Nickname__c": "x"}, "INVALID_FIELD", None),
            ({"LastName": "X", "Name": "X Y"}, "INVALID_FIELD_FOR_INSERT_UPDATE", ["Name"]),
            (
                {"LastName": "X", "AccountId": "0035g0000000001AAA"},
                "FIELD_INTEGRITY_EXCEPTION",
                ["AccountId"],
            ),
            ({"LastName": "X", "Birthdate": "yesterday"}, "JSON_PARSER_ERROR", None),
        ],
    )
    def test_invalid_creates(
        self, sf: Salesforce, body: dict, code: str, fields: list[str] | None
    ) -> None:
        with pytest.raises(SalesforceMalformedRequest) as caught:
            sf.Contact.create(body)
        [error] = caught.value.content
        assert error["errorCode"] == code
        assert error.get("fields") == fields

    def test_an_unknown_record_is_not_found(self, sf: Salesforce) -> None:
        with pytest.raises(SalesforceResourceNotFound) as caught:
            sf.Contact.get("0035g00000zzzzzAAA")
        assert caught.value.status == 404
        assert caught.value.content[0]["errorCode"] == "NOT_FOUND"


class TestDescribe:
    def test_describe_an_object(self, sf: Salesforce) -> None:
        contact = sf.Contact.describe()
        assert contact["name"] == "Contact"
        assert contact["keyPrefix"] == "003"
        fields = {f["name"]: f for f in contact["fields"]}
        assert fields["AccountId"]["relationshipName"] == "Account"
        assert fields["AccountId"]["referenceTo"] == ["Account"]
        assert fields["Chat_Customer_Id__c"]["externalId"] is True
        children = {c["relationshipName"]: c["childSObject"] for c in contact["childRelationships"]}
        assert children["Cases"] == "Case"
        assert children["Opportunities"] == "Opportunity"
        tier = next(f for f in sf.Account.describe()["fields"] if f["name"] == "Tier__c")
        assert [v["value"] for v in tier["picklistValues"]] == [
            "Platinum",
            "Gold",
            "Silver",
            "Bronze",
        ]

    def test_describe_global(self, sf: Salesforce) -> None:
        names = {o["name"] for o in sf.describe()["sobjects"]}
        assert {"Account", "Contact", "Case", "Opportunity", "User", "Task"} <= names

    def test_an_unknown_object_is_not_found(self, sf: Salesforce) -> None:
        with pytest.raises(SalesforceResourceNotFound):
            sf.restful("sobjects/Acount/describe")


class TestComposite:
    """Several subrequests in one API call, with references between them."""

    def test_references_between_subrequests(self, sf: Salesforce, sandbox: SandboxServer) -> None:
        calls_before = sandbox.state.vendors["salesforce"].usage
        body = {
            "allOrNone": False,
            "compositeRequest": [
                {
                    "method": "GET",
                    "referenceId": "who",
                    "url": "/services/data/v59.0/query/?q=SELECT+Id+FROM+Contact+WHERE+"
                    "Chat_Customer_Id__c+=+'ana'",
                },
                {
                    "method": "POST",
                    "referenceId": "task",
                    "url": "/services/data/v59.0/sobjects/Task",
                    "body": {"Subject": "Follow up", "WhoId": "@{who.records[0].Id}"},
                },
                {
                    "method": "GET",
                    "referenceId": "read",
                    "url": "/services/data/v59.0/sobjects/Task/@{task.id}",
                },
            ],
        }
        answer = sf.restful("composite", method="POST", data=json.dumps(body))
        results = {r["referenceId"]: r for r in answer["compositeResponse"]}
        assert results["task"]["httpStatusCode"] == 201
        assert results["read"]["body"]["WhoId"] == results["who"]["body"]["records"][0]["Id"]
        assert sandbox.state.vendors["salesforce"].usage == calls_before + 1  # one API call

    def test_all_or_none_rolls_back(self, sf: Salesforce, sandbox: SandboxServer) -> None:
        before = sf.query("SELECT COUNT() FROM Task WHERE Subject = 'Rolled back'")["totalSize"]
        body = {
            "allOrNone": True,
            "compositeRequest": [
                {
                    "method": "POST",
                    "referenceId": "ok",
                    "url": "/services/data/v59.0/sobjects/Task",
                    "body": {"Subject": "Rolled back"},
                },
                {
                    "method": "POST",
                    "referenceId": "bad",
                    "url": "/services/data/v59.0/sobjects/Contact",
                    "body": {"Email": "x@y.example"},
                },
            ],
        }
        answer = sf.restful("composite", method="POST", data=json.dumps(body))
        codes = [r["httpStatusCode"] for r in answer["compositeResponse"]]
        assert codes == [400, 400]
        assert answer["compositeResponse"][0]["body"][0]["errorCode"] == "PROCESSING_HALTED"
        after = sf.query("SELECT COUNT() FROM Task WHERE Subject = 'Rolled back'")["totalSize"]
        assert after == before


class TestLimitsAndAuth:
    def test_every_answer_reports_api_usage(self, sf: Salesforce) -> None:
        sf.query("SELECT Id FROM User")
        first = sf.api_usage["api-usage"].used
        sf.query("SELECT Id FROM User")
        assert sf.api_usage["api-usage"].used == first + 1
        assert sf.api_usage["api-usage"].total == 15_000

    @pytest.mark.parametrize("version", ["52.0", "59.0", "62.0"])
    def test_any_api_version(self, sandbox: SandboxServer, version: str) -> None:
        sf = salesforce_for(sandbox, version=version)
        assert sf.query("SELECT COUNT() FROM Account")["totalSize"] == 250

    def test_a_wrong_session_is_401_invalid_session_id(self, sandbox: SandboxServer) -> None:
        sf = salesforce_for(sandbox, session_id="00Dwrong!session")
        with pytest.raises(SalesforceExpiredSession) as caught:
            sf.query("SELECT Id FROM Account")
        assert caught.value.status == 401
        assert caught.value.content == [
            {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
        ]

    def test_the_daily_allowance_runs_out(self, small_org: SandboxServer) -> None:
        small_org.state.reset()
        sf = salesforce_for(small_org)
        for _ in range(5):
            sf.query("SELECT Id FROM User")
        with pytest.raises(SalesforceRefusedRequest) as caught:
            sf.query("SELECT Id FROM User")
        assert caught.value.status == 403
        assert caught.value.content == [
            {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
        ]
        small_org.state.clock.advance(24 * 3600)  # the next day
        assert sf.query("SELECT COUNT() FROM User")["totalSize"] == 5

    def test_oauth_client_credentials_and_session_expiry(self, sandbox: SandboxServer) -> None:
        token = requests.post(
            f"{sandbox.url}/services/oauth2/token",
            data={
                "grant_type": "client_credentials",
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
            },
            timeout=5,
        ).json()
        assert token["token_type"] == "Bearer"
        assert token["instance_url"] == sandbox.url
        sf = salesforce_for(sandbox, session_id=token["access_token"])
        assert sf.query("SELECT COUNT() FROM Contact")["totalSize"] == 11
        requests.post(
            f"{sandbox.url}/_sandbox/salesforce/expire-session",
            json={"session_id": token["access_token"]},
            timeout=5,
        )
        with pytest.raises(SalesforceExpiredSession):
            sf.query("SELECT COUNT() FROM Contact")

    @pytest.mark.parametrize(
        ("form", "error"),
        [
            (
                {
                    "grant_type": "client_credentials",
                    "client_id": CLIENT_ID,
                    "client_secret": "wrong",
                },
                "invalid_client",
            ),
            (
                {"grant_type": "refresh_token", "client_id": CLIENT_ID, "refresh_token": "stale"},
                "invalid_grant",
            ),
            ({"grant_type": "password", "client_id": CLIENT_ID}, "unsupported_grant_type"),
        ],
    )
    def test_oauth_refusals(self, sandbox: SandboxServer, form: dict, error: str) -> None:
        answer = requests.post(f"{sandbox.url}/services/oauth2/token", data=form, timeout=5)
        assert answer.status_code == 400
        assert answer.json()["error"] == error

    def test_oauth_refresh_token(self, sandbox: SandboxServer) -> None:
        answer = requests.post(
            f"{sandbox.url}/services/oauth2/token",
            data={
                "grant_type": "refresh_token",
                "client_id": CLIENT_ID,
                "refresh_token": REFRESH_TOKEN,
            },
            timeout=5,
        )
        assert answer.status_code == 200
        assert answer.json()["access_token"].startswith("00D")
