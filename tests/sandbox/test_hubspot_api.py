"""The sandbox's HubSpot CRM API through hubspot-api-client: every answer deserializes
into the generated models; search, batch read, get, associations, notes, properties."""

from __future__ import annotations

import pytest
from hubspot import HubSpot
from hubspot.crm.associations.v4.models import (
    BatchResponsePublicAssociationMultiWithLabel,
    BatchResponsePublicAssociationMultiWithLabelWithErrors,
)
from hubspot.crm.contacts import ApiException as ContactsApiException
from hubspot.crm.contacts import (
    BatchResponseSimplePublicObject,
    BatchResponseSimplePublicObjectWithErrors,
    CollectionResponseWithTotalSimplePublicObjectForwardPaging,
    SimplePublicObjectWithAssociations,
)
from hubspot.crm.objects.notes import ApiException as NotesApiException
from hubspot.crm.properties import ApiException as PropertiesApiException

from sandbox.server import SandboxServer
from tests.sandbox.crm_clients import hubspot_for, reset_hubspot_budget

LI = "li.na@redlantern.example"
EMMA = "emma.schmidt@alpenhaus.example"
HUBSPOT_EMAILS = {
    "budi@kopinusantara.example",
    "chen.wei@jadeharbor.example",
    "j.okafor@northwind.example",
    LI,
    "nurul@batikhaus.example",
    EMMA,
    "dewi@rumahkain.example",
    "aisha.karim@oasismart.example",
    "carlos@manilamakers.example",
    "hamid.yusof@sirehfarms.example",
}


@pytest.fixture
def hs(sandbox: SandboxServer) -> HubSpot:
    return hubspot_for(sandbox)


@pytest.fixture(autouse=True)
def _fresh_budget(sandbox: SandboxServer) -> None:
    """Each test starts with HubSpot's per-second search budget (5) unspent."""
    reset_hubspot_budget(sandbox)


def search(
    hs: HubSpot, *filters: dict, groups: list[list[dict]] | None = None, **body: object
) -> CollectionResponseWithTotalSimplePublicObjectForwardPaging:
    filter_groups = [{"filters": list(g)} for g in (groups or ([list(filters)] if filters else []))]
    return hs.crm.contacts.search_api.do_search({"filterGroups": filter_groups, **body})


def emails(answer: CollectionResponseWithTotalSimplePublicObjectForwardPaging) -> set[str]:
    return {r.properties["email"] for r in answer.results}


def li_id(hs: HubSpot) -> str:
    return str(search(hs, {"propertyName": "email", "operator": "EQ", "value": LI}).results[0].id)


class TestSearch:
    """Filter groups are OR-ed, filters inside a group AND-ed; paging by ``after``."""

    @pytest.mark.parametrize(
        ("flt", "expected"),
        [
            ({"propertyName": "email", "operator": "EQ", "value": LI.upper()}, {LI}),
            (
                {"propertyName": "email", "operator": "IN", "values": [LI, EMMA, "x@y.z"]},
                {LI, EMMA},
            ),
            (
                {
                    "propertyName": "email",
                    "operator": "CONTAINS_TOKEN",
                    "value": "*@redlantern.example",
                },
                {LI},
            ),
            ({"propertyName": "firstname", "operator": "CONTAINS_TOKEN", "value": "mei"}, set()),
            (
                {"propertyName": "phone", "operator": "HAS_PROPERTY"},
                {
                    "chen.wei@jadeharbor.example",
                    LI,
                    EMMA,
                    "aisha.karim@oasismart.example",
                    "hamid.yusof@sirehfarms.example",
                },
            ),
            (
                {"propertyName": "hs_language", "operator": "NEQ", "value": "en"},
                HUBSPOT_EMAILS - {"chen.wei@jadeharbor.example", "j.okafor@northwind.example"},
            ),
            (
                {"propertyName": "createdate", "operator": "LT", "value": "2020-01-01T00:00:00Z"},
                {"budi@kopinusantara.example", "dewi@rumahkain.example"},
            ),
        ],
    )
    def test_operators(self, hs: HubSpot, flt: dict, expected: set[str]) -> None:
        answer = search(hs, flt, properties=["email"], limit=100)
        assert isinstance(answer, CollectionResponseWithTotalSimplePublicObjectForwardPaging)
        assert emails(answer) == expected
        assert answer.total == len(expected)

    def test_groups_are_or_and_filters_are_and(self, hs: HubSpot) -> None:
        answer = search(
            hs,
            groups=[
                [{"propertyName": "email", "operator": "EQ", "value": LI}],
                [
                    {"propertyName": "hs_language", "operator": "EQ", "value": "de"},
                    {"propertyName": "lifecyclestage", "operator": "EQ", "value": "customer"},
                ],
            ],
            properties=["email"],
        )
        assert emails(answer) == {LI, EMMA}

    def test_paging_sorts_and_properties(self, hs: HubSpot) -> None:
        seen: list[str] = []
        after = None
        while True:
            body: dict = {
                "limit": 3,
                "properties": ["email", "createdate"],
                "sorts": [{"propertyName": "createdate", "direction": "DESCENDING"}],
            }
            if after:
                body["after"] = after
            page = hs.crm.contacts.search_api.do_search(body)
            assert page.total == 10
            seen += [r.properties["createdate"] for r in page.results]
            assert set(page.results[0].properties) == {"email", "createdate"}
            if page.paging is None:
                break
            after = page.paging.next.after
        assert len(seen) == 10
        assert seen == sorted(seen, reverse=True)

    def test_numbers_and_dates_compare_as_such(self, hs: HubSpot) -> None:
        answer = hs.crm.companies.search_api.do_search(
            {
                "filterGroups": [
                    {
                        "filters": [
                            {
                                "propertyName": "annualrevenue",
                                "operator": "GT",
                                "value": "300000000",
                            },
                            {
                                "propertyName": "renewal_date",
                                "operator": "BETWEEN",
                                "value": "2027-01-01",
                                "highValue": "2027-12-31",
                            },
                        ]
                    }
                ],
                "properties": ["name"],
            }
        )
        assert {r.properties["name"] for r in answer.results} == {"Rumah Kain", "Kopi Nusantara"}

    def test_an_unknown_property_is_a_validation_error(self, hs: HubSpot) -> None:
        with pytest.raises(ContactsApiException) as caught:
            search(hs, {"propertyName": "emial", "operator": "EQ", "value": "x"})
        assert caught.value.status == 400
        assert '"category":"VALIDATION_ERROR"' in caught.value.body


class TestBatchRead:
    def test_by_email_with_id_property(self, hs: HubSpot) -> None:
        answer = hs.crm.contacts.batch_api.read(
            {
                "inputs": [{"id": LI}, {"id": EMMA}],
                "properties": ["firstname"],
                "propertiesWithHistory": [],
                "idProperty": "email",
            }
        )
        assert isinstance(answer, BatchResponseSimplePublicObject)
        assert answer.status == "COMPLETE"
        assert {r.properties["email"] for r in answer.results} == {LI, EMMA}

    def test_missing_ids_answer_207_with_errors(self, hs: HubSpot) -> None:
        answer = hs.crm.contacts.batch_api.read(
            {
                "inputs": [{"id": li_id(hs)}, {"id": "999"}],
                "properties": ["email"],
                "propertiesWithHistory": [],
            }
        )
        assert isinstance(answer, BatchResponseSimplePublicObjectWithErrors)
        assert answer.num_errors == 1
        assert answer.errors[0].category == "OBJECT_NOT_FOUND"
        assert answer.errors[0].context == {"ids": ["999"]}
        assert [r.properties["email"] for r in answer.results] == [LI]

    def test_more_than_a_hundred_inputs_are_refused(self, hs: HubSpot) -> None:
        with pytest.raises(ContactsApiException) as caught:
            hs.crm.contacts.batch_api.read(
                {
                    "inputs": [{"id": str(i)} for i in range(101)],
                    "properties": [],
                    "propertiesWithHistory": [],
                }
            )
        assert caught.value.status == 400

    def test_id_property_must_be_unique(self, hs: HubSpot) -> None:
        with pytest.raises(ContactsApiException) as caught:
            hs.crm.contacts.batch_api.read(
                {
                    "inputs": [{"id": "Na"}],
                    "properties": [],
                    "propertiesWithHistory": [],
                    "idProperty": "firstname",
                }
            )
        assert caught.value.status == 400


class TestGet:
    def test_get_with_properties_and_associations(self, hs: HubSpot) -> None:
        contact = hs.crm.contacts.basic_api.get_by_id(
            LI,
            id_property="email",
            properties=["email", "chat_customer_id"],
            associations=["companies", "deals"],
        )
        assert isinstance(contact, SimplePublicObjectWithAssociations)
        assert contact.properties["chat_customer_id"] == "li"
        companies = contact.associations["companies"].results
        assert {a.type for a in companies} == {"contact_to_company", "contact_to_company_unlabeled"}
        assert len(contact.associations["deals"].results) == 2

    def test_default_properties(self, hs: HubSpot) -> None:
        contact = hs.crm.contacts.basic_api.get_by_id(li_id(hs))
        assert set(contact.properties) == {
            "createdate",
            "email",
            "firstname",
            "hs_object_id",
            "lastmodifieddate",
            "lastname",
        }

    def test_an_unknown_object_is_404(self, hs: HubSpot) -> None:
        with pytest.raises(ContactsApiException) as caught:
            hs.crm.contacts.basic_api.get_by_id("123")
        assert caught.value.status == 404
        assert '"category":"OBJECT_NOT_FOUND"' in caught.value.body


class TestAssociations:
    def test_v4_labels_tell_the_primary_company(self, hs: HubSpot) -> None:
        emma = search(hs, {"propertyName": "email", "operator": "EQ", "value": EMMA}).results[0]
        page = hs.crm.associations.v4.basic_api.get_page("contacts", emma.id, "companies")
        labels = {str(r.to_object_id): {t.label for t in r.association_types} for r in page.results}
        assert len(labels) == 2
        assert sorted(labels.values(), key=len) == [{None}, {"Primary", None}]

    def test_v4_batch_read(self, hs: HubSpot) -> None:
        answer = hs.crm.associations.v4.batch_api.get_page(
            "contacts", "deals", {"inputs": [{"id": li_id(hs)}]}
        )
        assert isinstance(answer, BatchResponsePublicAssociationMultiWithLabel)
        assert len(answer.results[0].to) == 2

    def test_v4_batch_read_without_associations_is_207(self, hs: HubSpot) -> None:
        answer = hs.crm.associations.v4.batch_api.get_page(
            "contacts", "deals", {"inputs": [{"id": li_id(hs)}, {"id": "1"}]}
        )
        assert isinstance(answer, BatchResponsePublicAssociationMultiWithLabelWithErrors)
        assert answer.num_errors == 1


class TestNotes:
    def test_a_note_associated_with_a_contact(self, hs: HubSpot, sandbox: SandboxServer) -> None:
        contact_id = li_id(hs)
        note = hs.crm.objects.notes.basic_api.create(
            {
                "properties": {
                    "hs_note_body": "Customer escalated from chat",
                    "hs_timestamp": "2026-11-29T10:00:00Z",
                },
                "associations": [
                    {
                        "to": {"id": contact_id},
                        "types": [
                            {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 202}
                        ],
                    }
                ],
            }
        )
        assert note.properties["hs_note_body"] == "Customer escalated from chat"
        back = hs.crm.associations.v4.basic_api.get_page("contacts", contact_id, "notes")
        assert note.id in {str(r.to_object_id) for r in back.results}
        entry = sandbox.state.ledger.entries("hubspot", "note.create")[-1]
        assert entry.object_id == note.id
        assert entry.details["associations"] == [{"to": contact_id, "typeId": 202}]

    @pytest.mark.parametrize(
        "body",
        [
            {"properties": {"hs_note_body": "no timestamp"}},
            {
                "properties": {"hs_note_body": "x", "hs_timestamp": "2026-11-29T10:00:00Z"},
                "associations": [
                    {
                        "to": {"id": "1"},
                        "types": [
                            {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}
                        ],
                    }
                ],
            },
        ],
    )
    def test_invalid_notes_are_refused(self, hs: HubSpot, body: dict) -> None:
        with pytest.raises(NotesApiException) as caught:
            hs.crm.objects.notes.basic_api.create(body)
        assert caught.value.status == 400


class TestPropertiesAndOwners:
    def test_properties_list(self, hs: HubSpot) -> None:
        names = {p.name: p for p in hs.crm.properties.core_api.get_all("companies").results}
        tier = names["customer_tier"]
        assert tier.type == "enumeration"
        assert tier.hubspot_defined is False
        assert [o.value for o in tier.options] == ["platinum", "gold", "silver", "bronze"]
        assert names["name"].hubspot_defined is True

    def test_an_unknown_property_is_404(self, hs: HubSpot) -> None:
        with pytest.raises(PropertiesApiException) as caught:
            hs.crm.properties.core_api.get_by_name("contacts", "nickname")
        assert caught.value.status == 404

    def test_owners(self, hs: HubSpot) -> None:
        owners = hs.crm.owners.owners_api.get_page()
        assert [o.email for o in owners.results][:2] == [
            "hannah.lee@acme.example",
            "marcus.wong@acme.example",
        ]
        one = hs.crm.owners.owners_api.get_by_id(int(owners.results[0].id))
        assert one.first_name == "Hannah"
