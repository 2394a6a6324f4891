"""The sandbox portal's CRM schema: object types, their properties, association types."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: object type name -> (object type id, singular, HubSpot's upper-case name)
OBJECT_TYPES: dict[str, tuple[str, str, str]] = {
    "contacts": ("0-1", "contact", "CONTACT"),
    "companies": ("0-2", "company", "COMPANY"),
    "deals": ("0-3", "deal", "DEAL"),
    "tickets": ("0-5", "ticket", "TICKET"),
    "notes": ("0-46", "note", "NOTE"),
}


def object_type(name: str) -> str | None:
    """Canonical plural name for ``contacts``, ``contact``, ``0-1``... (None if unknown)."""
    lowered = name.lower()
    for plural, (type_id, singular, _) in OBJECT_TYPES.items():
        if lowered in (plural, singular, type_id):
            return plural
    return None


@dataclass(frozen=True, slots=True)
class Prop:
    name: str
    label: str
    type: str  # string | number | date | datetime | enumeration | bool
    field_type: str  # text | textarea | number | date | select | radio | booleancheckbox...
    group: str
    options: tuple[tuple[str, str], ...] = ()  # (value, label)
    unique: bool = False
    hubspot_defined: bool = True
    read_only: bool = False
    calculated: bool = False
    description: str = ""

    def to_json(self, created: str) -> dict[str, Any]:
        return {
            "updatedAt": created,
            "createdAt": created,
            "name": self.name,
            "label": self.label,
            "type": self.type,
            "fieldType": self.field_type,
            "description": self.description,
            "groupName": self.group,
            "options": [
                {"label": label, "value": value, "displayOrder": i, "hidden": False}
                for i, (value, label) in enumerate(self.options)
            ],
            "displayOrder": -1,
            "calculated": self.calculated,
            "externalOptions": False,
            "hasUniqueValue": self.unique,
            "hidden": False,
            "hubspotDefined": self.hubspot_defined,
            "modificationMetadata": {
                "archivable": not self.hubspot_defined,
                "readOnlyDefinition": self.hubspot_defined,
                "readOnlyValue": self.read_only,
            },
            "formField": self.type != "datetime",
            "dataSensitivity": "non_sensitive",
        }


def _p(
    name: str,
    label: str,
    type_: str = "string",
    field_type: str = "text",
    group: str = "contactinformation",
    **kw: Any,
) -> Prop:
    return Prop(name, label, type_, field_type, group, **kw)


def _system(group: str) -> list[Prop]:
    return [
        _p("hs_object_id", "Record ID", "number", "number", group, read_only=True),
        _p("createdate", "Create Date", "datetime", "date", group, read_only=True),
        _p("hs_lastmodifieddate", "Last Modified Date", "datetime", "date", group, read_only=True),
        _p("hubspot_owner_id", "Owner", "enumeration", "select", group),
    ]


_TIERS = (("platinum", "Platinum"), ("gold", "Gold"), ("silver", "Silver"), ("bronze", "Bronze"))
_CURRENCIES = tuple((c, c) for c in ("USD", "SGD", "EUR", "GBP", "JPY", "IDR", "MYR", "PHP", "CNY"))
DEAL_STAGES = (
    ("appointmentscheduled", "Appointment Scheduled"),
    ("qualifiedtobuy", "Qualified To Buy"),
    ("presentationscheduled", "Presentation Scheduled"),
    ("decisionmakerboughtin", "Decision Maker Bought-In"),
    ("contractsent", "Contract Sent"),
    ("closedwon", "Closed Won"),
    ("closedlost", "Closed Lost"),
)
TICKET_STAGES = (("1", "New"), ("2", "Waiting on contact"), ("3", "Waiting on us"), ("4", "Closed"))

PROPERTIES: dict[str, list[Prop]] = {
    "contacts": [
        *_system("contactinformation"),
        _p("lastmodifieddate", "Last Modified Date", "datetime", "date", read_only=True),
        _p("email", "Email", unique=True),
        _p("firstname", "First Name"),
        _p("lastname", "Last Name"),
        _p("phone", "Phone Number", field_type="phonenumber"),
        _p("mobilephone", "Mobile Phone Number", field_type="phonenumber"),
        _p("company", "Company Name"),
        _p("jobtitle", "Job Title"),
        _p(
            "lifecyclestage",
            "Lifecycle Stage",
            "enumeration",
            "radio",
            options=(
                ("subscriber", "Subscriber"),
                ("lead", "Lead"),
                ("opportunity", "Opportunity"),
                ("customer", "Customer"),
                ("other", "Other"),
            ),
        ),
        _p(
            "hs_language",
            "Preferred language",
            "enumeration",
            "select",
            options=(
                ("en", "English"),
                ("id", "Indonesian"),
                ("ms", "Malay"),
                ("tl", "Tagalog"),
                ("ja", "Japanese"),
                ("de", "German"),
                ("zh-cn", "Chinese - Simplified"),
            ),
        ),
        _p(
            "chat_customer_id",
            "Chat customer ID",
            unique=True,
            hubspot_defined=False,
            description="The chat platform's customer id (set by the chat integration)",
        ),
        _p("date_of_birth", "Date of birth", "date", "date", hubspot_defined=False),
        _p(
            "identity_verified",
            "Identity verified",
            "bool",
            "booleancheckbox",
            hubspot_defined=False,
            options=(("true", "Yes"), ("false", "No")),
        ),
    ],
    "companies": [
        *_system("companyinformation"),
        _p("name", "Company name", group="companyinformation"),
        _p("domain", "Company Domain Name", group="companyinformation"),
        _p(
            "industry",
            "Industry",
            "enumeration",
            "select",
            "companyinformation",
            options=(
                ("FOOD_BEVERAGES", "Food & Beverages"),
                ("LOGISTICS_AND_SUPPLY_CHAIN", "Logistics and Supply Chain"),
                ("RETAIL", "Retail"),
                ("COMPUTER_SOFTWARE", "Computer Software"),
                ("MEDIA_PRODUCTION", "Media Production"),
                ("MANUFACTURING", "Manufacturing"),
                ("HEALTH_WELLNESS_AND_FITNESS", "Health, Wellness and Fitness"),
            ),
        ),
        _p("phone", "Phone Number", field_type="phonenumber", group="companyinformation"),
        _p("city", "City", group="companyinformation"),
        _p("country", "Country/Region", group="companyinformation"),
        _p("numberofemployees", "Number of Employees", "number", "number", "companyinformation"),
        _p("annualrevenue", "Annual Revenue", "number", "number", "companyinformation"),
        _p(
            "lifecyclestage",
            "Lifecycle Stage",
            "enumeration",
            "radio",
            "companyinformation",
            options=(("lead", "Lead"), ("opportunity", "Opportunity"), ("customer", "Customer")),
        ),
        _p(
            "customer_tier",
            "Customer tier",
            "enumeration",
            "select",
            "companyinformation",
            options=_TIERS,
            hubspot_defined=False,
        ),
        _p(
            "arr",
            "Annual recurring revenue",
            "number",
            "number",
            "companyinformation",
            hubspot_defined=False,
        ),
        _p(
            "arr_currency",
            "ARR currency",
            "enumeration",
            "select",
            "companyinformation",
            options=_CURRENCIES,
            hubspot_defined=False,
        ),
        _p(
            "renewal_date",
            "Renewal date",
            "date",
            "date",
            "companyinformation",
            hubspot_defined=False,
        ),
        _p(
            "customer_since",
            "Customer since",
            "date",
            "date",
            "companyinformation",
            hubspot_defined=False,
        ),
        _p(
            "health_score",
            "Health score",
            "number",
            "number",
            "companyinformation",
            hubspot_defined=False,
        ),
        _p(
            "credit_limit",
            "Credit limit",
            "number",
            "number",
            "companyinformation",
            hubspot_defined=False,
        ),
        _p(
            "payment_status",
            "Payment status",
            "enumeration",
            "select",
            "companyinformation",
            options=(("current", "Current"), ("overdue", "Overdue")),
            hubspot_defined=False,
        ),
    ],
    "deals": [
        *_system("dealinformation"),
        _p("dealname", "Deal Name", group="dealinformation"),
        _p("amount", "Amount", "number", "number", "dealinformation"),
        _p(
            "deal_currency_code",
            "Currency",
            "enumeration",
            "select",
            "dealinformation",
            options=_CURRENCIES,
        ),
        _p(
            "dealstage",
            "Deal Stage",
            "enumeration",
            "radio",
            "dealinformation",
            options=DEAL_STAGES,
        ),
        _p(
            "pipeline",
            "Pipeline",
            "enumeration",
            "select",
            "dealinformation",
            options=(("default", "Sales Pipeline"),),
        ),
        _p("closedate", "Close Date", "datetime", "date", "dealinformation"),
        _p(
            "dealtype",
            "Deal Type",
            "enumeration",
            "radio",
            "dealinformation",
            options=(("newbusiness", "New Business"), ("existingbusiness", "Existing Business")),
        ),
        _p(
            "hs_is_closed",
            "Is Deal Closed?",
            "bool",
            "booleancheckbox",
            "dealinformation",
            read_only=True,
            calculated=True,
            options=(("true", "True"), ("false", "False")),
        ),
        _p(
            "hs_is_closed_won",
            "Is Closed Won",
            "bool",
            "booleancheckbox",
            "dealinformation",
            read_only=True,
            calculated=True,
            options=(("true", "True"), ("false", "False")),
        ),
    ],
    "tickets": [
        *_system("ticketinformation"),
        _p("subject", "Ticket name", group="ticketinformation"),
        _p("content", "Ticket description", field_type="textarea", group="ticketinformation"),
        _p(
            "hs_pipeline",
            "Pipeline",
            "enumeration",
            "select",
            "ticketinformation",
            options=(("0", "Support Pipeline"),),
        ),
        _p(
            "hs_pipeline_stage",
            "Ticket status",
            "enumeration",
            "select",
            "ticketinformation",
            options=TICKET_STAGES,
        ),
        _p(
            "hs_ticket_priority",
            "Priority",
            "enumeration",
            "select",
            "ticketinformation",
            options=(("LOW", "Low"), ("MEDIUM", "Medium"), ("HIGH", "High"), ("URGENT", "Urgent")),
        ),
        _p(
            "hs_ticket_category",
            "Category",
            "enumeration",
            "checkbox",
            "ticketinformation",
            options=(
                ("PRODUCT_ISSUE", "Product issue"),
                ("BILLING_ISSUE", "Billing issue"),
                ("FEATURE_REQUEST", "Feature request"),
                ("GENERAL_INQUIRY", "General inquiry"),
            ),
        ),
        _p(
            "hs_is_closed",
            "Is ticket closed?",
            "bool",
            "booleancheckbox",
            "ticketinformation",
            read_only=True,
            calculated=True,
            options=(("true", "True"), ("false", "False")),
        ),
        _p("closed_date", "Close date", "datetime", "date", "ticketinformation", read_only=True),
    ],
    "notes": [
        _p("hs_object_id", "Record ID", "number", "number", "engagement", read_only=True),
        _p("hs_createdate", "Create Date", "datetime", "date", "engagement", read_only=True),
        _p(
            "hs_lastmodifieddate",
            "Last Modified Date",
            "datetime",
            "date",
            "engagement",
            read_only=True,
        ),
        _p("hs_note_body", "Note body", field_type="html", group="engagement"),
        _p("hs_timestamp", "Activity date", "datetime", "date", "engagement"),
        _p("hubspot_owner_id", "Activity assigned to", "enumeration", "select", "engagement"),
        _p("hs_attachment_ids", "Attachment IDs", "enumeration", "checkbox", "engagement"),
    ],
}

#: Properties returned when a request names none.
DEFAULT_PROPERTIES: dict[str, tuple[str, ...]] = {
    "contacts": (
        "createdate",
        "email",
        "firstname",
        "hs_object_id",
        "lastmodifieddate",
        "lastname",
    ),
    "companies": ("createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"),
    "deals": (
        "amount",
        "closedate",
        "createdate",
        "dealname",
        "dealstage",
        "hs_lastmodifieddate",
        "hs_object_id",
        "pipeline",
    ),
    "tickets": (
        "content",
        "createdate",
        "hs_lastmodifieddate",
        "hs_object_id",
        "hs_pipeline",
        "hs_pipeline_stage",
        "hs_ticket_category",
        "hs_ticket_priority",
        "subject",
    ),
    "notes": ("hs_createdate", "hs_lastmodifieddate", "hs_object_id"),
}
#: Properties the free-text ``query`` of a search looks in.
SEARCHABLE: dict[str, tuple[str, ...]] = {
    "contacts": ("firstname", "lastname", "email", "phone", "mobilephone", "company"),
    "companies": ("name", "domain", "phone"),
    "deals": ("dealname",),
    "tickets": ("subject", "content"),
    "notes": ("hs_note_body",),
}


@dataclass(frozen=True, slots=True)
class AssociationType:
    type_id: int
    from_type: str
    to_type: str
    label: str | None
    name: str  # v3 "type" name, e.g. contact_to_company

    def to_json(self) -> dict[str, Any]:
        return {"category": "HUBSPOT_DEFINED", "typeId": self.type_id, "label": self.label}


def _assoc(pairs: list[tuple[int, int, str, str, str | None, str]]) -> dict[int, AssociationType]:
    table: dict[int, AssociationType] = {}
    for forward, backward, a, b, label, name in pairs:
        back_name = "_to_".join(reversed(name.split("_to_")))
        if name.endswith("_unlabeled"):
            back_name = "_to_".join(reversed(name[: -len("_unlabeled")].split("_to_")))
            back_name += "_unlabeled"
        table[forward] = AssociationType(forward, a, b, label, name)
        table[backward] = AssociationType(backward, b, a, label, back_name)
    return table


#: HubSpot-defined association types (forward, inverse, from, to, label, v3 name).
ASSOCIATION_TYPES = _assoc(
    [
        (1, 2, "contacts", "companies", "Primary", "contact_to_company"),
        (279, 280, "contacts", "companies", None, "contact_to_company_unlabeled"),
        (4, 3, "contacts", "deals", None, "contact_to_deal"),
        (15, 16, "contacts", "tickets", None, "contact_to_ticket"),
        (6, 5, "companies", "deals", "Primary", "company_to_deal"),
        (342, 341, "companies", "deals", None, "company_to_deal_unlabeled"),
        (25, 26, "companies", "tickets", "Primary", "company_to_ticket"),
        (201, 202, "contacts", "notes", None, "contact_to_note"),
        (189, 190, "companies", "notes", None, "company_to_note"),
        (213, 214, "deals", "notes", None, "deal_to_note"),
        (227, 228, "tickets", "notes", None, "ticket_to_note"),
    ]
)
INVERSE = {
    1: 2,
    2: 1,
    279: 280,
    280: 279,
    4: 3,
    3: 4,
    15: 16,
    16: 15,
    6: 5,
    5: 6,
    342: 341,
    341: 342,
    25: 26,
    26: 25,
    201: 202,
    202: 201,
    189: 190,
    190: 189,
    213: 214,
    214: 213,
    227: 228,
    228: 227,
}


def property_map(object_name: str) -> dict[str, Prop]:
    return {p.name: p for p in PROPERTIES[object_name]}
