"""The sandbox's SOQL, through simple-salesforce: paging, the supported subset, its errors."""

from __future__ import annotations

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from sandbox.server import SandboxServer
from tests.sandbox.crm_clients import salesforce_for


@pytest.fixture
def sf(sandbox: SandboxServer) -> Salesforce:
    return salesforce_for(sandbox)


def subjects(answer: dict) -> set[str]:
    return {r["Subject"] for r in answer["records"]}


class TestPaging:
    """Results larger than a batch come in pages linked by ``nextRecordsUrl``."""

    def test_query_all_follows_next_records_url(
        self, sf: Salesforce, sandbox: SandboxServer
    ) -> None:
        before = sandbox.state.ledger.count("salesforce", "soql.query_more")
        options = {"Sforce-Query-Options": "batchSize=200"}
        first = sf.query("SELECT Id, Name FROM Account", headers=options)
        assert first["done"] is False
        assert first["totalSize"] == 250
        assert len(first["records"]) == 200
        assert first["nextRecordsUrl"].startswith("/services/data/v59.0/query/01g")
        everything = sf.query_all("SELECT Id, Name FROM Account", headers=options)
        assert everything["totalSize"] == 250
        assert len({r["Id"] for r in everything["records"]}) == 250
        assert sandbox.state.ledger.count("salesforce", "soql.query_more") == before + 1

    def test_default_batch_is_two_thousand(self, sf: Salesforce) -> None:
        answer = sf.query("SELECT Id FROM Account")
        assert answer["done"] is True
        assert "nextRecordsUrl" not in answer

    def test_an_unknown_locator_is_refused(self, sf: Salesforce) -> None:
        with pytest.raises(SalesforceMalformedRequest) as caught:
            sf.query_more("01g5g00000zzzzzAAA-200")
        assert caught.value.content[0]["errorCode"] == "INVALID_QUERY_LOCATOR"


class TestSubset:
    """The SOQL mappings need: relationship fields, conditions, ordering, child queries."""

    def test_relationship_fields_and_child_subquery(self, sf: Salesforce) -> None:
        soql = (
            "SELECT Name, Account.Name, Account.Owner.Name, "
            "(SELECT Subject, Status FROM Cases WHERE IsClosed = false ORDER BY Subject) "
            "FROM Contact WHERE Email = 'MARIA.SANTOS@BAYANIHAN.EXAMPLE'"  # case-insensitive
        )
        answer = sf.query(soql)
        [maria] = answer["records"]
        assert maria["attributes"]["type"] == "Contact"
        assert maria["Account"]["Name"] == "Bayanihan Logistics"
        assert maria["Account"]["Owner"]["Name"] == "Marcus Wong"
        assert maria["Account"]["attributes"]["type"] == "Account"
        cases = maria["Cases"]
        assert cases["totalSize"] == 2
        assert cases["done"] is True
        assert [c["Subject"] for c in cases["records"]] == [
            "Fleet tracking API returns 502",
            "Invoice INV-2291 charged twice",
        ]

    def test_an_empty_child_relationship_is_null(self, sf: Salesforce) -> None:
        answer = sf.query(
            "SELECT Name, (SELECT Id FROM Cases WHERE IsClosed = false) "
            "FROM Contact WHERE Email = 'jose.reyes@islandbrew.example'"
        )
        assert answer["records"][0]["Cases"] is None

    @pytest.mark.parametrize(
        ("where", "expected"),
        [
            ("Subject = 'SSO login fails for new users'", {"SSO login fails for new users"}),
            ("Subject LIKE '%INVOICE%'", {"Invoice INV-2291 charged twice"}),
            (
                "Type = 'Dispute'",
                {"Invoice INV-2291 charged twice", "Refund for order 7781 not received"},
            ),
            (
                "Type = 'Dispute' AND NOT Status = 'Escalated'",
                {"Refund for order 7781 not received"},
            ),
            (
                "Type IN ('Dispute', 'Feature Request') AND IsClosed = false",
                {
                    "Invoice INV-2291 charged twice",
                    "Refund for order 7781 not received",
                    "Add a second clinic location",
                },
            ),
            (
                "(Priority = 'High' OR Type = 'Dispute') AND Status != 'Closed' "
                "AND Origin = 'Phone'",
                {"Invoice INV-2291 charged twice", "Clinic booking page down"},
            ),
            (
                "Origin NOT IN ('Web', 'Email', 'Phone') AND IsClosed = false",
                {
                    "Cold-chain delivery temperature logs missing",
                    "Refund for order 7781 not received",
                    "Promo code not applied at checkout",
                },
            ),
            (
                "Contact.Account.Tier__c = 'Platinum' AND Priority <= 'High' "
                "AND IsEscalated = true",
                {"Invoice INV-2291 charged twice", "Clinic booking page down"},
            ),
        ],
    )
    def test_conditions(self, sf: Salesforce, where: str, expected: set[str]) -> None:
        soql = f"SELECT Subject FROM Case WHERE {where}"  # noqa: S608 - the test's own SOQL
        assert subjects(sf.query(soql)) == expected

    def test_comparisons_on_numbers_and_dates(self, sf: Salesforce) -> None:
        big = sf.query(
            "SELECT Name, Amount FROM Opportunity WHERE Amount >= 1000000 "
            "AND CloseDate < 2027-01-01 AND CreatedDate > 2025-01-01T00:00:00Z "
            "AND IsClosed = false"
        )
        assert {r["Name"] for r in big["records"]} == {
            "Bayanihan Logistics — Fleet analytics upgrade"
        }

    def test_order_by_limit_and_offset(self, sf: Salesforce) -> None:
        query = (
            "SELECT Name, Amount, CurrencyIsoCode FROM Opportunity ORDER BY Amount DESC NULLS LAST"
        )
        everything = sf.query(query)["records"]
        amounts = [r["Amount"] for r in everything]
        assert amounts == sorted(amounts, reverse=True)
        page = sf.query(f"{query} LIMIT 2 OFFSET 1")["records"]
        assert [r["Name"] for r in page] == [r["Name"] for r in everything[1:3]]

    def test_count(self, sf: Salesforce) -> None:
        answer = sf.query("SELECT COUNT() FROM Contact WHERE Email != null")
        assert answer["totalSize"] == 11
        assert answer["records"] == []


class TestErrors:
    """Refused queries answer 400 with Salesforce's error codes and positions."""

    @pytest.mark.parametrize(
        ("soql", "code", "fragment"),
        [
            (
                "SELECT Id, Nme FROM Account",
                "INVALID_FIELD",
                "ERROR at Row:1:Column:12\nNo such column 'Nme' on entity 'Account'",
            ),
            ("SELECT Id FROM Acount", "INVALID_TYPE", "sObject type 'Acount' is not supported"),
            (
                "SELECT Acount.Name FROM Contact",
                "INVALID_FIELD",
                "Didn't understand relationship 'Acount' in field path",
            ),
            (
                "SELECT Id, (SELECT Id FROM Casess) FROM Contact",
                "INVALID_TYPE",
                "Didn't understand relationship 'Casess' in FROM part of query call",
            ),
            (
                "SELECT Id FROM Case WHERE IsClosed = false AND Priority = 'High' OR Type = 'x'",
                "MALFORMED_QUERY",
                "unexpected token: 'OR'",
            ),
            ("SELECT Id FROM Contact WHERE", "MALFORMED_QUERY", "unexpected token: '<EOF>'"),
            ("SELECT Id WHERE Name = 'x'", "MALFORMED_QUERY", "unexpected token: 'WHERE'"),
            (
                "SELECT Id FROM Opportunity WHERE CloseDate = '2027-01-01'",
                "INVALID_QUERY_FILTER_OPERATOR",
                "must be of type date and should not be enclosed",
            ),
            (
                "SELECT Id FROM Contact WHERE Email = 5",
                "INVALID_QUERY_FILTER_OPERATOR",
                "must be of type string and should be enclosed in quotes",
            ),
        ],
    )
    def test_refused(self, sf: Salesforce, soql: str, code: str, fragment: str) -> None:
        with pytest.raises(SalesforceMalformedRequest) as caught:
            sf.query(soql)
        assert caught.value.status == 400
        [error] = caught.value.content
        assert error["errorCode"] == code
        assert fragment in error["message"]
