"""The sandbox portal's seed data: the HubSpot people of :mod:`sandbox.people`.

Deterministic (same ids on every start). Each person has a contact, a company (associated
as *Primary*), deals and tickets; Emma Schmidt's contact is also associated with a second,
unlabeled company (a distributor), an edge case for "which company is the account".
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from sandbox.crmdata import OWNERS, CrmFacts, chat_customer_id, facts

if TYPE_CHECKING:
    from sandbox.hubspot.store import HubSpotStore

_INDUSTRY = {
    "Food & Beverage": "FOOD_BEVERAGES",
    "Logistics": "LOGISTICS_AND_SUPPLY_CHAIN",
    "Retail": "RETAIL",
    "Technology": "COMPUTER_SOFTWARE",
    "Media": "MEDIA_PRODUCTION",
    "Manufacturing": "MANUFACTURING",
    "Healthcare": "HEALTH_WELLNESS_AND_FITNESS",
}
_LANGUAGE = {
    "SGD": "en",
    "IDR": "id",
    "MYR": "ms",
    "PHP": "tl",
    "JPY": "ja",
    "EUR": "de",
    "CNY": "zh-cn",
}
# (subject, category, priority, stage) per person key; stage "4" is Closed
_TICKETS: dict[str, list[tuple[str, str, str, str]]] = {
    "budi": [("Roaster order shipped to the wrong warehouse", "PRODUCT_ISSUE", "MEDIUM", "2")],
    "wei": [
        ("Customs paperwork missing for container JH-4410", "PRODUCT_ISSUE", "HIGH", "3"),
        ("Invoice 8812 charged at the wrong rate", "BILLING_ISSUE", "HIGH", "1"),
    ],
    "james": [("Size chart request", "GENERAL_INQUIRY", "LOW", "4")],
    "li": [
        ("Studio booking calendar double-booked", "PRODUCT_ISSUE", "URGENT", "3"),
        ("Annual plan refund disputed", "BILLING_ISSUE", "HIGH", "1"),
    ],
    "nurul": [("Batch dye colour mismatch", "PRODUCT_ISSUE", "MEDIUM", "4")],
    "emma": [("Distributor pricing for Q1", "GENERAL_INQUIRY", "LOW", "2")],
    "aisha": [("Loyalty points not credited", "PRODUCT_ISSUE", "MEDIUM", "1")],
    "carlos": [("Add a second user", "FEATURE_REQUEST", "LOW", "4")],
    "hamid": [("Delivery window change", "GENERAL_INQUIRY", "LOW", "3")],
}
# (name suffix, stage, share of ARR, type, close date)
_DEALS: dict[str, list[tuple[str, str, float, str, date]]] = {
    "budi": [("2027 renewal", "contractsent", 1.0, "existingbusiness", date(2027, 2, 28))],
    "wei": [
        ("Cold storage add-on", "presentationscheduled", 0.3, "existingbusiness", date(2027, 1, 15))
    ],
    "james": [("Autumn collection", "closedwon", 0.5, "existingbusiness", date(2026, 9, 1))],
    "li": [
        ("2027 renewal", "decisionmakerboughtin", 1.0, "existingbusiness", date(2027, 3, 31)),
        ("Second studio", "qualifiedtobuy", 0.6, "existingbusiness", date(2027, 6, 30)),
    ],
    "emma": [("EU distribution", "appointmentscheduled", 0.4, "newbusiness", date(2027, 4, 30))],
    "aisha": [
        ("Store network expansion", "closedlost", 0.7, "existingbusiness", date(2026, 7, 31))
    ],
    "hamid": [("2027 renewal", "qualifiedtobuy", 1.0, "existingbusiness", date(2027, 5, 31))],
}


def _moment(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)


def seed(store: HubSpotStore) -> None:
    owners = {
        o.email: store.add_owner(o.email, o.first, o.last, _moment(date(2019, 1, 2)))
        for o in OWNERS
    }
    for fact in facts("hubspot"):
        _seed_person(store, fact, owners[fact.owner.email].id)


def _seed_person(store: HubSpotStore, fact: CrmFacts, owner_id: str) -> None:
    person = fact.person
    created = _moment(fact.customer_since)
    company = store.insert(
        "companies",
        {
            "name": person.company,
            "domain": fact.domain,
            "industry": _INDUSTRY.get(fact.industry, "RETAIL"),
            "phone": person.phone[:-4] + "0000",
            "city": fact.city,
            "country": fact.country,
            "numberofemployees": fact.employees,
            "annualrevenue": round(fact.arr * 12, -3),
            "lifecyclestage": "customer",
            "hubspot_owner_id": owner_id,
            "customer_tier": person.tier,
            "arr": fact.arr,
            "arr_currency": fact.currency,
            "renewal_date": fact.renewal,
            "customer_since": fact.customer_since,
            "health_score": fact.health_score,
            "credit_limit": fact.credit_limit,
            "payment_status": "overdue" if person.key == "carlos" else "current",
        },
        created,
    )
    contact = store.insert(
        "contacts",
        {
            "email": person.email,
            "firstname": fact.first_name,
            "lastname": fact.last_name,
            "phone": person.phone if fact.index % 2 else None,
            "mobilephone": None if fact.index % 2 else person.phone,
            "company": person.company,
            "jobtitle": (
                "Owner",
                "Operations Lead",
                "Purchasing Manager",
                "Studio Manager",
                "Finance Director",
            )[fact.index % 5],
            "lifecyclestage": "customer",
            "hs_language": _LANGUAGE.get(fact.currency, "en"),
            "hubspot_owner_id": owner_id,
            "chat_customer_id": chat_customer_id(person),
            "date_of_birth": fact.birthdate,
            "identity_verified": person.tier in ("platinum", "gold"),
        },
        created + timedelta(hours=1),
    )
    store.associate("contacts", contact.id, "companies", company.id, 1)
    store.associate("contacts", contact.id, "companies", company.id, 279)
    if person.key == "emma":
        distributor = store.insert(
            "companies",
            {
                "name": "Alpenhaus Distribution GmbH",
                "domain": "alpenhaus-distribution.example",
                "industry": "LOGISTICS_AND_SUPPLY_CHAIN",
                "city": "Munich",
                "country": "Germany",
                "lifecyclestage": "opportunity",
                "hubspot_owner_id": owner_id,
                "customer_tier": "bronze",
            },
            _moment(date(2026, 5, 4)),
        )
        store.associate("contacts", contact.id, "companies", distributor.id, 279)
    for suffix, stage, share, type_, close in _DEALS.get(person.key, []):
        deal = store.insert(
            "deals",
            {
                "dealname": f"{person.company} — {suffix}",
                "dealstage": stage,
                "pipeline": "default",
                "amount": round(fact.arr * share, -2),
                "deal_currency_code": fact.currency,
                "closedate": _moment(close, 0),
                "dealtype": type_,
                "hubspot_owner_id": owner_id,
            },
            _moment(close - timedelta(days=120)),
        )
        store.associate("contacts", contact.id, "deals", deal.id, 4)
        store.associate("companies", company.id, "deals", deal.id, 6)
    for n, (subject, category, priority, stage) in enumerate(_TICKETS.get(person.key, [])):
        ticket = store.insert(
            "tickets",
            {
                "subject": subject,
                "content": f"{subject}. Reported by {person.name}.",
                "hs_pipeline": "0",
                "hs_pipeline_stage": stage,
                "hs_ticket_priority": priority,
                "hs_ticket_category": category,
                "hubspot_owner_id": owner_id,
            },
            _moment(date(2026, 11, 18) - timedelta(days=8 * n + fact.index), 11 + n),
        )
        store.associate("contacts", contact.id, "tickets", ticket.id, 15)
        store.associate("companies", company.id, "tickets", ticket.id, 25)
