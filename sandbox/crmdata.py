"""Seed facts shared by the sandbox's Salesforce and HubSpot: one source for both CRMs.

Each person of :mod:`sandbox.people` lives in the CRM its ``crm`` names (Salesforce or
HubSpot; ``None``: in neither). Everything here is deterministic, so tests and the demo
can rely on exact values (tiers, ARR, renewal dates, open cases...).

Deliberate edge cases (documented in ``docs/crm-mapping.md``):

- Salesforce holds **two Contact records with Raj Patel's email** (a web-form duplicate
  without a phone): matching by email finds several records; matching by phone finds one.
- HubSpot: **Emma Schmidt's contact is associated with two companies**, the primary one
  (association label "Primary") and a distributor; the card must show the primary one.
- Nina Park and Omar Haddad are in neither CRM (new customers): no match anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sandbox.people import PEOPLE, Person

#: phone prefix -> (city, country, ISO currency)
_COUNTRIES: tuple[tuple[str, str, str, str], ...] = (
    ("+65", "Singapore", "Singapore", "SGD"),
    ("+60", "Kuala Lumpur", "Malaysia", "MYR"),
    ("+62", "Jakarta", "Indonesia", "IDR"),
    ("+63", "Manila", "Philippines", "PHP"),
    ("+81", "Tokyo", "Japan", "JPY"),
    ("+86", "Shanghai", "China", "CNY"),
    ("+44", "London", "United Kingdom", "GBP"),
    ("+49", "Berlin", "Germany", "EUR"),
    ("+1", "San Francisco", "United States", "USD"),
)
#: units of each currency per US dollar (fixed: the seed must not drift)
USD_RATES = {
    "USD": 1.0,
    "SGD": 1.35,
    "MYR": 4.7,
    "IDR": 15_500.0,
    "PHP": 56.0,
    "JPY": 150.0,
    "CNY": 7.2,
    "GBP": 0.79,
    "EUR": 0.92,
}
#: ARR in USD by tier, before a per-person variation
_ARR_USD = {"platinum": 320_000, "gold": 110_000, "silver": 42_000, "bronze": 9_000}
_INDUSTRIES = {
    "Lumen Foods": "Food & Beverage",
    "Kopi Nusantara": "Food & Beverage",
    "Bayanihan Logistics": "Logistics",
    "Jade Harbor Trading": "Logistics",
    "Melati Retail": "Retail",
    "Northwind Outfitters": "Retail",
    "Red Lantern Studio": "Media",
    "Saffron Systems": "Technology",
    "Batik Haus": "Retail",
    "Island Brew Co": "Food & Beverage",
    "Alpenhaus Goods": "Manufacturing",
    "Sakura Tech": "Technology",
    "Lotus Wellness": "Healthcare",
    "Rumah Kain": "Retail",
    "Harborview Supply": "Manufacturing",
    "Oasis Mart": "Retail",
    "Orchid Beauty": "Retail",
    "Manila Makers": "Manufacturing",
    "Cedar Lane Books": "Media",
    "Sireh Farms": "Food & Beverage",
}


@dataclass(frozen=True, slots=True)
class Owner:
    first: str
    last: str
    email: str
    title: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


#: Account managers (Salesforce Users, HubSpot owners), assigned round-robin.
OWNERS: tuple[Owner, ...] = (
    Owner("Hannah", "Lee", "hannah.lee@acme.example", "Senior Account Manager"),
    Owner("Marcus", "Wong", "marcus.wong@acme.example", "Account Manager"),
    Owner("Farah", "Aziz", "farah.aziz@acme.example", "Customer Success Manager"),
    Owner("Daniel", "Cruz", "daniel.cruz@acme.example", "Account Executive"),
)


@dataclass(frozen=True, slots=True)
class CrmFacts:
    """What both CRMs say about one person's company, derived from :mod:`sandbox.people`."""

    person: Person
    index: int  # position among the people of the same CRM
    first_name: str
    last_name: str
    city: str
    country: str
    currency: str
    industry: str
    arr: float  # in ``currency``
    arr_usd: float
    credit_limit: float  # sensitive: never shown to agents
    renewal: date
    customer_since: date
    birthdate: date  # sensitive
    owner: Owner
    domain: str
    health_score: int
    employees: int

    @property
    def tier_label(self) -> str:
        return self.person.tier.capitalize()


def chat_customer_id(person: Person) -> str:
    """The chat platform's customer id (the demo's ``customer.id``), stored on the CRM
    contact as an external id."""
    return person.key


def split_name(person: Person) -> tuple[str, str]:
    """(first, last) as a CRM stores them; "Chen Wei" and "Lim Mei Ling" are family-first."""
    family_first = {"wei": ("Wei", "Chen"), "mei": ("Mei Ling", "Lim"), "li": ("Na", "Li")}
    if person.key in family_first:
        return family_first[person.key]
    first, _, last = person.name.partition(" ")
    return first, last


def _country(phone: str) -> tuple[str, str, str]:
    for prefix, city, country, currency in _COUNTRIES:
        if phone.startswith(prefix):
            return city, country, currency
    return "Singapore", "Singapore", "SGD"


def facts(crm: str) -> list[CrmFacts]:
    """The people of ``crm`` ('salesforce' or 'hubspot'), in :data:`PEOPLE` order."""
    out = []
    for index, person in enumerate(p for p in PEOPLE if p.crm == crm):
        first, last = split_name(person)
        city, country, currency = _country(person.phone)
        variation = 1 + ((index * 37) % 21 - 10) / 100  # +-10 %, deterministic
        arr_usd = round(_ARR_USD[person.tier] * variation, -2)
        arr = round(arr_usd * USD_RATES[currency], -2 if USD_RATES[currency] < 100 else -4)
        out.append(
            CrmFacts(
                person=person,
                index=index,
                first_name=first,
                last_name=last,
                city=city,
                country=country,
                currency=currency,
                industry=_INDUSTRIES.get(person.company, "Retail"),
                arr=arr,
                arr_usd=arr_usd,
                credit_limit=round(arr * 0.25, -2),
                renewal=date(2027, 1 + (index * 5) % 12, 1 + (index * 11) % 28),
                customer_since=date(2019 + index % 6, 1 + (index * 7) % 12, 15),
                birthdate=date(1975 + (index * 3) % 25, 1 + index % 12, 3 + index),
                owner=OWNERS[index % len(OWNERS)],
                domain=person.email.split("@", 1)[1],
                health_score=(55, 92, 71, 38, 84, 66, 97, 49, 78, 60)[index % 10],
                employees=(45, 320, 18, 1200, 75, 9, 540, 130, 26, 88)[index % 10],
            )
        )
    return out
