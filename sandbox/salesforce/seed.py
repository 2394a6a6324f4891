"""The sandbox org's seed data: the Salesforce people of :mod:`sandbox.people` and more.

Deterministic: the same records (and ids) on every start. Besides the people's Accounts,
Contacts, Cases and Opportunities there are 240 other Accounts (the rest of the book of
business) so that a plain ``SELECT ... FROM Account`` spans more than one query batch.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from sandbox.crmdata import OWNERS, CrmFacts, chat_customer_id, facts

if TYPE_CHECKING:
    from sandbox.salesforce.store import SalesforceStore

FILLER_ACCOUNTS = 240

# (subject, type, priority, status, origin) per person key
_CASES: dict[str, list[tuple[str, str, str, str, str]]] = {
    "ana": [
        ("Cold-chain delivery temperature logs missing", "Problem", "High", "Working", "Chat"),
        ("Update billing contact", "Question", "Low", "Closed", "Email"),
    ],
    "maria": [
        ("Invoice INV-2291 charged twice", "Dispute", "High", "Escalated", "Phone"),
        ("Fleet tracking API returns 502", "Problem", "Medium", "New", "Web"),
        ("Add 40 driver accounts", "Question", "Low", "Closed", "Email"),
    ],
    "siti": [
        ("Refund for order 7781 not received", "Dispute", "Medium", "Working", "Chat"),
        ("Change store address", "Question", "Low", "Closed", "Web"),
    ],
    "raj": [("SSO login fails for new users", "Problem", "High", "New", "Web")],
    "jose": [("Wholesale price list request", "Question", "Low", "Closed", "Email")],
    "kenji": [("CSV export has the wrong encoding", "Problem", "Medium", "Working", "Email")],
    "priya": [
        ("Clinic booking page down", "Problem", "High", "Escalated", "Phone"),
        ("Add a second clinic location", "Feature Request", "Low", "New", "Web"),
    ],
    "tom": [
        ("Damaged pallet on delivery", "Problem", "Medium", "Closed", "Phone"),
        ("Net-30 payment terms", "Question", "Low", "Closed", "Email"),
    ],
    "mei": [("Promo code not applied at checkout", "Problem", "Medium", "New", "Chat")],
    "sarah": [("Author event tickets oversold", "Problem", "High", "Closed", "Phone")],
}
# (name suffix, stage, amount as a share of ARR, type, close date)
_OPPORTUNITIES: dict[str, list[tuple[str, str, float, str, date]]] = {
    "ana": [("2027 renewal", "Negotiation/Review", 1.0, "Renewal", date(2027, 1, 31))],
    "maria": [
        (
            "Fleet analytics upgrade",
            "Proposal/Price Quote",
            0.4,
            "Existing Business - Upgrade",
            date(2026, 12, 15),
        ),
        ("2026 renewal", "Closed Won", 1.0, "Renewal", date(2026, 3, 31)),
    ],
    "siti": [
        ("Second outlet", "Qualification", 0.5, "Existing Business - Upgrade", date(2027, 2, 28))
    ],
    "raj": [
        ("Security add-on", "Needs Analysis", 0.2, "Existing Business - Upgrade", date(2027, 3, 31))
    ],
    "kenji": [("Japan expansion", "Closed Lost", 0.6, "New Business", date(2026, 6, 30))],
    "priya": [("2027 renewal", "Value Proposition", 1.0, "Renewal", date(2027, 4, 30))],
    "tom": [
        ("Warehouse seats", "Closed Won", 0.3, "Existing Business - Upgrade", date(2026, 8, 31))
    ],
    "sarah": [
        ("Events module", "Prospecting", 0.15, "Existing Business - Upgrade", date(2027, 5, 31))
    ],
}

_FILLER_FIRST = (
    "Azure",
    "Golden",
    "Silver",
    "Crimson",
    "Evergreen",
    "Harbor",
    "Summit",
    "Lantern",
    "Monsoon",
    "Coral",
    "Pioneer",
    "Meridian",
    "Tidal",
    "Banyan",
    "Orchid",
    "Granite",
)
_FILLER_SECOND = (
    "Trading",
    "Foods",
    "Logistics",
    "Retail",
    "Systems",
    "Studio",
    "Supply",
    "Wellness",
    "Textiles",
    "Analytics",
    "Outfitters",
    "Farms",
    "Labs",
    "Works",
    "Partners",
)
_FILLER_SUFFIX = ("Pte Ltd", "Sdn Bhd", "PT", "Inc", "Co", "GmbH", "Ltd", "KK")


def _moment(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)


def seed(store: SalesforceStore) -> None:
    user_ids = {}
    integration = store.insert(
        "User",
        {
            "Username": "baton.integration@acme.example.sandbox",
            "FirstName": "Baton",
            "LastName": "Integration",
            "Email": "baton@acme.example",
            "Title": "API user",
            "IsActive": True,
        },
        created=_moment(date(2019, 1, 2)),
    )
    store.integration_user_id = integration["Id"]
    for owner in OWNERS:
        user = store.insert(
            "User",
            {
                "Username": owner.email + ".sandbox",
                "FirstName": owner.first,
                "LastName": owner.last,
                "Email": owner.email,
                "Title": owner.title,
                "IsActive": True,
            },
            created=_moment(date(2019, 1, 2)),
        )
        user_ids[owner.email] = user["Id"]

    for fact in facts("salesforce"):
        _seed_person(store, fact, user_ids[fact.owner.email])
    _seed_fillers(store, list(user_ids.values()))


def _seed_person(store: SalesforceStore, fact: CrmFacts, owner_id: str) -> None:
    person = fact.person
    created = _moment(fact.customer_since)
    account = store.insert(
        "Account",
        {
            "Name": person.company,
            "Type": "Customer - Direct",
            "Industry": fact.industry,
            "Phone": person.phone[:-4] + "0000",
            "Website": f"https://www.{fact.domain}",
            "BillingCity": fact.city,
            "BillingCountry": fact.country,
            "AnnualRevenue": round(fact.arr * 12, -3),
            "NumberOfEmployees": fact.employees,
            "CurrencyIsoCode": fact.currency,
            "OwnerId": owner_id,
            "Tier__c": fact.tier_label,
            "ARR__c": fact.arr,
            "Renewal_Date__c": fact.renewal.isoformat(),
            "Customer_Since__c": fact.customer_since.isoformat(),
            "Health_Score__c": float(fact.health_score),
            "Credit_Limit__c": fact.credit_limit,
            "Payment_Status__c": "Overdue" if person.key == "siti" else "Current",
        },
        created=created,
    )
    mobile = fact.index % 2 == 0
    contact = store.insert(
        "Contact",
        {
            "FirstName": fact.first_name,
            "LastName": fact.last_name,
            "Email": person.email,
            "MobilePhone": person.phone if mobile else None,
            "Phone": None if mobile else person.phone,
            "Title": (
                "Operations Manager",
                "Founder",
                "Head of Procurement",
                "IT Director",
                "Finance Lead",
            )[fact.index % 5],
            "AccountId": account["Id"],
            "OwnerId": owner_id,
            "LeadSource": "Partner Referral" if fact.index % 3 else "Trade Show",
            "Birthdate": fact.birthdate.isoformat(),
            "Chat_Customer_Id__c": chat_customer_id(person),
            "Preferred_Language__c": {
                "SGD": "English",
                "MYR": "Bahasa Melayu",
                "IDR": "Bahasa Indonesia",
                "PHP": "Filipino",
                "JPY": "Japanese",
                "EUR": "German",
            }.get(fact.currency, "English"),
            "Identity_Verified__c": person.tier in ("platinum", "gold"),
        },
        created=created + timedelta(hours=1),
    )
    if person.key == "raj":
        # Edge case: a web-form duplicate with the same email and no phone.
        store.insert(
            "Contact",
            {
                "FirstName": fact.first_name,
                "LastName": fact.last_name,
                "Email": person.email,
                "AccountId": account["Id"],
                "OwnerId": owner_id,
                "LeadSource": "Web",
            },
            created=_moment(date(2026, 10, 2), 14),
        )
    for n, (subject, type_, priority, status, origin) in enumerate(_CASES.get(person.key, [])):
        opened = _moment(date(2026, 11, 20) - timedelta(days=9 * n + fact.index), 10 + n)
        case = store.insert(
            "Case",
            {
                "Subject": subject,
                "Description": f"{subject}. Reported by {person.name}.",
                "Status": "New" if status == "Closed" else status,
                "Priority": priority,
                "Type": type_,
                "Origin": origin,
                "IsEscalated": status == "Escalated",
                "ContactId": contact["Id"],
                "AccountId": account["Id"],
                "OwnerId": owner_id,
            },
            created=opened,
        )
        if status == "Closed":
            case["Status"] = "Closed"
            case["LastModifiedDate"] = case["SystemModstamp"] = case["CreatedDate"]
            store.derive("Case", case)
    for suffix, stage, share, type_, close in _OPPORTUNITIES.get(person.key, []):
        store.insert(
            "Opportunity",
            {
                "Name": f"{person.company} — {suffix}",
                "StageName": stage,
                "Amount": round(fact.arr * share, -2),
                "CurrencyIsoCode": fact.currency,
                "CloseDate": close.isoformat(),
                "Probability": {"Closed Won": 100.0, "Closed Lost": 0.0}.get(stage, 60.0),
                "Type": type_,
                "AccountId": account["Id"],
                "ContactId": contact["Id"],
                "OwnerId": owner_id,
            },
            created=_moment(close - timedelta(days=120)),
        )


def _seed_fillers(store: SalesforceStore, owner_ids: list[str]) -> None:
    rng = random.Random(20261129)  # fixed seed: the same book of business on every start
    seen: set[str] = set()
    while len(seen) < FILLER_ACCOUNTS:
        name = (
            f"{rng.choice(_FILLER_FIRST)} {rng.choice(_FILLER_SECOND)} {rng.choice(_FILLER_SUFFIX)}"
        )
        if name in seen:
            continue
        seen.add(name)
        tier = rng.choice(("Platinum", "Gold", "Silver", "Silver", "Bronze", "Bronze"))
        store.insert(
            "Account",
            {
                "Name": name,
                "Type": rng.choice(("Customer - Direct", "Customer - Channel", "Prospect")),
                "Industry": rng.choice(
                    ("Retail", "Technology", "Logistics", "Media", "Manufacturing")
                ),
                "CurrencyIsoCode": "USD",
                "OwnerId": owner_ids[len(seen) % len(owner_ids)],
                "Tier__c": tier,
                "ARR__c": float(rng.randrange(3_000, 400_000, 500)),
                "Renewal_Date__c": date(2027, rng.randint(1, 12), rng.randint(1, 28)).isoformat(),
                "Health_Score__c": float(rng.randint(20, 99)),
            },
            created=_moment(date(2020, 1, 1) + timedelta(days=len(seen) * 5)),
        )
