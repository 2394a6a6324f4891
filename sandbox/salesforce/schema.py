"""The sandbox org's sObject metadata: the objects, fields and relationships it knows.

A subset of a real Salesforce org's schema (standard objects plus a few custom fields of
the kind CRM admins add: ``Tier__c``, ``ARR__c``, ``Renewal_Date__c``...). SOQL
validation, ``describe`` and sObject writes all read this one table, so an unknown
field fails the same way everywhere (``INVALID_FIELD``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# Field types as describe reports them.
TEXT_TYPES = frozenset(
    {"id", "string", "email", "phone", "picklist", "reference", "textarea", "url"}
)
NUMBER_TYPES = frozenset({"currency", "double", "int", "percent"})


@dataclass(frozen=True, slots=True)
class SField:
    name: str
    type: str
    label: str
    length: int = 0
    nillable: bool = True
    createable: bool = True
    updateable: bool = True
    unique: bool = False
    external_id: bool = False
    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None
    picklist: tuple[str, ...] = ()
    calculated: bool = False
    auto_number: bool = False
    required: bool = False  # not nillable on create and not defaulted

    @property
    def custom(self) -> bool:
        return self.name.endswith("__c")

    def describe(self) -> dict[str, Any]:
        defaulted = self.type == "boolean" or self.auto_number or self.name in _SYSTEM_FIELDS
        return {
            "aggregatable": self.type not in ("textarea",),
            "autoNumber": self.auto_number,
            "byteLength": self.length * 3,
            "calculated": self.calculated,
            "caseSensitive": False,
            "createable": self.createable,
            "custom": self.custom,
            "defaultValue": False if self.type == "boolean" else None,
            "defaultedOnCreate": defaulted,
            "digits": 0,
            "externalId": self.external_id,
            "filterable": self.type != "textarea",
            "groupable": self.type not in ("textarea", "double", "currency", "percent"),
            "idLookup": self.name == "Id" or self.external_id or self.type == "email",
            "label": self.label,
            "length": self.length,
            "name": self.name,
            "nameField": self.name == "Name",
            "nillable": self.nillable,
            "picklistValues": [
                {"active": True, "defaultValue": False, "label": v, "validFor": None, "value": v}
                for v in self.picklist
            ],
            "precision": 18 if self.type == "currency" else 0,
            "referenceTo": list(self.reference_to),
            "relationshipName": self.relationship_name,
            "scale": 2 if self.type == "currency" else 0,
            "soapType": _SOAP_TYPES.get(self.type, "xsd:string"),
            "sortable": self.type != "textarea",
            "type": self.type,
            "unique": self.unique,
            "updateable": self.updateable,
        }


_SOAP_TYPES = {
    "id": "tns:ID",
    "reference": "tns:ID",
    "boolean": "xsd:boolean",
    "currency": "xsd:double",
    "double": "xsd:double",
    "percent": "xsd:double",
    "int": "xsd:int",
    "date": "xsd:date",
    "datetime": "xsd:dateTime",
}
_SYSTEM_FIELDS = frozenset(
    {"Id", "IsDeleted", "CreatedDate", "LastModifiedDate", "SystemModstamp", "OwnerId"}
)


@dataclass(frozen=True, slots=True)
class ChildRelationship:
    name: str  # e.g. Cases
    child: str  # e.g. Case
    field: str  # the lookup on the child, e.g. ContactId


@dataclass(slots=True)
class SObject:
    name: str
    label: str
    label_plural: str
    key_prefix: str
    fields: dict[str, SField] = field(default_factory=dict)  # lower-case name -> field
    children: dict[str, ChildRelationship] = field(default_factory=dict)  # lower-case name

    def field(self, name: str) -> SField | None:
        return self.fields.get(name.lower())

    def parent(self, relationship: str) -> SField | None:
        """The lookup field whose relationship name is ``relationship`` (``Account``)."""
        wanted = relationship.lower()
        for f in self.fields.values():
            if f.relationship_name and f.relationship_name.lower() == wanted:
                return f
        return None

    def child(self, relationship: str) -> ChildRelationship | None:
        return self.children.get(relationship.lower())

    def describe(self, version: str) -> dict[str, Any]:
        base = f"/services/data/v{version}/sobjects/{self.name}"
        return {
            **self.basic(version),
            "childRelationships": [
                {
                    "cascadeDelete": False,
                    "childSObject": rel.child,
                    "deprecatedAndHidden": False,
                    "field": rel.field,
                    "relationshipName": rel.name,
                    "restrictedDelete": False,
                }
                for rel in self.children.values()
            ],
            "fields": [f.describe() for f in self.fields.values()],
            "recordTypeInfos": [],
            "urls": {
                "describe": f"{base}/describe",
                "rowTemplate": f"{base}/{{ID}}",
                "sobject": base,
                "uiDetailTemplate": "https://sandbox.lightning.force.com/{ID}",
            },
        }

    def basic(self, version: str) -> dict[str, Any]:
        base = f"/services/data/v{version}/sobjects/{self.name}"
        return {
            "activateable": False,
            "createable": True,
            "custom": self.name.endswith("__c"),
            "customSetting": False,
            "deletable": True,
            "deprecatedAndHidden": False,
            "feedEnabled": True,
            "keyPrefix": self.key_prefix,
            "label": self.label,
            "labelPlural": self.label_plural,
            "layoutable": True,
            "mergeable": self.name in ("Account", "Contact"),
            "name": self.name,
            "queryable": True,
            "replicateable": True,
            "retrieveable": True,
            "searchable": True,
            "triggerable": True,
            "undeletable": True,
            "updateable": True,
            "urls": {
                "sobject": base,
                "describe": f"{base}/describe",
                "rowTemplate": f"{base}/{{ID}}",
            },
        }


def _f(name: str, type_: str, label: str | None = None, **kw: Any) -> SField:
    length = kw.pop("length", {"id": 18, "reference": 18, "email": 80, "phone": 40}.get(type_, 0))
    if type_ in ("string", "picklist", "url") and not length:
        length = 255
    if type_ == "textarea" and not length:
        length = 32000
    return SField(name=name, type=type_, label=label or name, length=length, **kw)


def _system(owner: bool = True) -> list[SField]:
    fields = [
        _f("Id", "id", "Record ID", nillable=False, createable=False, updateable=False),
        _f("IsDeleted", "boolean", "Deleted", nillable=False, createable=False, updateable=False),
        _f(
            "CreatedDate",
            "datetime",
            "Created Date",
            nillable=False,
            createable=False,
            updateable=False,
        ),
        _f(
            "LastModifiedDate",
            "datetime",
            "Last Modified Date",
            nillable=False,
            createable=False,
            updateable=False,
        ),
        _f(
            "SystemModstamp",
            "datetime",
            "System Modstamp",
            nillable=False,
            createable=False,
            updateable=False,
        ),
    ]
    if owner:
        fields.append(
            _f(
                "OwnerId",
                "reference",
                "Owner ID",
                nillable=False,
                reference_to=("User",),
                relationship_name="Owner",
            )
        )
    return fields


CURRENCIES = ("USD", "SGD", "EUR", "GBP", "JPY", "IDR", "MYR", "PHP", "CNY")
TIERS = ("Platinum", "Gold", "Silver", "Bronze")
CASE_STATUSES = ("New", "Working", "Escalated", "Closed")
CASE_TYPES = ("Problem", "Question", "Dispute", "Feature Request")
OPPORTUNITY_STAGES = (
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Value Proposition",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
)


def _object(name: str, label: str, plural: str, prefix: str, fields: Iterable[SField]) -> SObject:
    obj = SObject(name=name, label=label, label_plural=plural, key_prefix=prefix)
    for f in fields:
        obj.fields[f.name.lower()] = f
    return obj


def build_schema() -> dict[str, SObject]:
    """Every sObject of the sandbox org, by lower-case name."""
    user = _object(
        "User",
        "User",
        "Users",
        "005",
        [
            *_system(owner=False),
            _f("Username", "string", "Username", unique=True),
            _f("FirstName", "string", "First Name", length=40),
            _f("LastName", "string", "Last Name", length=80, nillable=False, required=True),
            _f(
                "Name",
                "string",
                "Full Name",
                length=121,
                createable=False,
                updateable=False,
                calculated=True,
            ),
            _f("Email", "email", "Email", nillable=False, required=True),
            _f("Title", "string", "Title", length=80),
            _f("Phone", "phone", "Phone"),
            _f("IsActive", "boolean", "Active", nillable=False),
        ],
    )
    account = _object(
        "Account",
        "Account",
        "Accounts",
        "001",
        [
            *_system(),
            _f("Name", "string", "Account Name", nillable=False, required=True),
            _f(
                "Type",
                "picklist",
                "Account Type",
                picklist=("Prospect", "Customer - Direct", "Customer - Channel", "Partner"),
            ),
            _f(
                "Industry",
                "picklist",
                "Industry",
                picklist=(
                    "Food & Beverage",
                    "Logistics",
                    "Retail",
                    "Technology",
                    "Consulting",
                    "Healthcare",
                    "Media",
                    "Manufacturing",
                    "Education",
                    "Finance",
                ),
            ),
            _f("Phone", "phone", "Account Phone"),
            _f("Website", "url", "Website"),
            _f("BillingCity", "string", "Billing City", length=40),
            _f("BillingCountry", "string", "Billing Country", length=80),
            _f("AnnualRevenue", "currency", "Annual Revenue"),
            _f("NumberOfEmployees", "int", "Employees"),
            _f(
                "CurrencyIsoCode",
                "picklist",
                "Account Currency",
                picklist=CURRENCIES,
                nillable=False,
            ),
            _f("Tier__c", "picklist", "Customer Tier", picklist=TIERS),
            _f("ARR__c", "currency", "Annual Recurring Revenue"),
            _f("Renewal_Date__c", "date", "Renewal Date"),
            _f("Customer_Since__c", "date", "Customer Since"),
            _f("Health_Score__c", "double", "Health Score"),
            _f("Credit_Limit__c", "currency", "Credit Limit"),
            _f(
                "Payment_Status__c",
                "picklist",
                "Payment Status",
                picklist=("Current", "Overdue", "Collections"),
            ),
        ],
    )
    contact = _object(
        "Contact",
        "Contact",
        "Contacts",
        "003",
        [
            *_system(),
            _f("FirstName", "string", "First Name", length=40),
            _f("LastName", "string", "Last Name", length=80, nillable=False, required=True),
            _f(
                "Name",
                "string",
                "Full Name",
                length=121,
                createable=False,
                updateable=False,
                calculated=True,
            ),
            _f("Email", "email", "Email"),
            _f("Phone", "phone", "Business Phone"),
            _f("MobilePhone", "phone", "Mobile Phone"),
            _f("Title", "string", "Title", length=128),
            _f("Department", "string", "Department", length=80),
            _f(
                "AccountId",
                "reference",
                "Account ID",
                reference_to=("Account",),
                relationship_name="Account",
            ),
            _f(
                "LeadSource",
                "picklist",
                "Lead Source",
                picklist=("Web", "Phone Inquiry", "Partner Referral", "Trade Show", "Other"),
            ),
            _f("Birthdate", "date", "Birthdate"),
            _f("HasOptedOutOfEmail", "boolean", "Email Opt Out", nillable=False),
            _f(
                "Chat_Customer_Id__c",
                "string",
                "Chat Customer ID",
                length=64,
                unique=True,
                external_id=True,
            ),
            _f(
                "Preferred_Language__c",
                "picklist",
                "Preferred Language",
                picklist=(
                    "English",
                    "Bahasa Indonesia",
                    "Bahasa Melayu",
                    "Filipino",
                    "Japanese",
                    "German",
                    "Mandarin",
                ),
            ),
            _f("Identity_Verified__c", "boolean", "Identity Verified", nillable=False),
        ],
    )
    case = _object(
        "Case",
        "Case",
        "Cases",
        "500",
        [
            *_system(),
            _f(
                "CaseNumber",
                "string",
                "Case Number",
                length=30,
                createable=False,
                updateable=False,
                auto_number=True,
                nillable=False,
            ),
            _f("Subject", "string", "Subject"),
            _f("Description", "textarea", "Description"),
            _f("Status", "picklist", "Status", picklist=CASE_STATUSES),
            _f("Priority", "picklist", "Priority", picklist=("High", "Medium", "Low")),
            _f("Type", "picklist", "Case Type", picklist=CASE_TYPES),
            _f("Origin", "picklist", "Case Origin", picklist=("Phone", "Email", "Web", "Chat")),
            _f(
                "IsClosed",
                "boolean",
                "Closed",
                createable=False,
                updateable=False,
                calculated=True,
                nillable=False,
            ),
            _f("IsEscalated", "boolean", "Escalated", nillable=False),
            _f("ClosedDate", "datetime", "Closed Date", createable=False, updateable=False),
            _f(
                "ContactId",
                "reference",
                "Contact ID",
                reference_to=("Contact",),
                relationship_name="Contact",
            ),
            _f(
                "AccountId",
                "reference",
                "Account ID",
                reference_to=("Account",),
                relationship_name="Account",
            ),
        ],
    )
    opportunity = _object(
        "Opportunity",
        "Opportunity",
        "Opportunities",
        "006",
        [
            *_system(),
            _f("Name", "string", "Name", length=120, nillable=False, required=True),
            _f(
                "StageName",
                "picklist",
                "Stage",
                picklist=OPPORTUNITY_STAGES,
                nillable=False,
                required=True,
            ),
            _f("Amount", "currency", "Amount"),
            _f(
                "CurrencyIsoCode",
                "picklist",
                "Opportunity Currency",
                picklist=CURRENCIES,
                nillable=False,
            ),
            _f("CloseDate", "date", "Close Date", nillable=False, required=True),
            _f("Probability", "percent", "Probability (%)"),
            _f(
                "Type",
                "picklist",
                "Opportunity Type",
                picklist=("New Business", "Existing Business - Upgrade", "Renewal"),
            ),
            _f("NextStep", "string", "Next Step"),
            _f(
                "IsClosed",
                "boolean",
                "Closed",
                createable=False,
                updateable=False,
                calculated=True,
                nillable=False,
            ),
            _f(
                "IsWon",
                "boolean",
                "Won",
                createable=False,
                updateable=False,
                calculated=True,
                nillable=False,
            ),
            _f(
                "AccountId",
                "reference",
                "Account ID",
                reference_to=("Account",),
                relationship_name="Account",
            ),
            _f(
                "ContactId",
                "reference",
                "Contact ID",
                reference_to=("Contact",),
                relationship_name="Contact",
            ),
        ],
    )
    task = _object(
        "Task",
        "Task",
        "Tasks",
        "00T",
        [
            *_system(),
            _f("Subject", "string", "Subject"),
            _f("Description", "textarea", "Comments"),
            _f(
                "Status", "picklist", "Status", picklist=("Not Started", "In Progress", "Completed")
            ),
            _f("Priority", "picklist", "Priority", picklist=("High", "Normal", "Low")),
            _f("ActivityDate", "date", "Due Date Only"),
            _f("Type", "picklist", "Type", picklist=("Call", "Email", "Chat", "Other")),
            _f("TaskSubtype", "picklist", "Task Subtype", picklist=("Task", "Email", "Call")),
            _f("WhoId", "reference", "Name ID", reference_to=("Contact",), relationship_name="Who"),
            _f(
                "WhatId",
                "reference",
                "Related To ID",
                reference_to=("Account", "Opportunity", "Case"),
                relationship_name="What",
            ),
            _f(
                "IsClosed",
                "boolean",
                "Closed",
                createable=False,
                updateable=False,
                calculated=True,
                nillable=False,
            ),
        ],
    )
    objects = {o.name.lower(): o for o in (user, account, contact, case, opportunity, task)}
    # Parent-to-child relationships, named as the child's plural (standard objects).
    _link(account, "Contacts", contact, "AccountId")
    _link(account, "Cases", case, "AccountId")
    _link(account, "Opportunities", opportunity, "AccountId")
    _link(contact, "Cases", case, "ContactId")
    _link(contact, "Opportunities", opportunity, "ContactId")
    _link(contact, "Tasks", task, "WhoId")
    _link(account, "Tasks", task, "WhatId")
    return objects


def _link(parent: SObject, name: str, child: SObject, field_name: str) -> None:
    parent.children[name.lower()] = ChildRelationship(name=name, child=child.name, field=field_name)


KEY_PREFIXES = {
    "005": "User",
    "001": "Account",
    "003": "Contact",
    "500": "Case",
    "006": "Opportunity",
    "00T": "Task",
}
