"""The sandbox's customers: one list shared by the CRM seed data and the demo conversations.

``crm`` says which CRM holds the person (the bundled mapping looks up Salesforce for some
customers and HubSpot for others); ``None`` means no CRM knows them (a new customer).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, slots=True)
class Person:
    key: str
    name: str
    email: str
    phone: str
    company: str
    tier: str  # platinum | gold | silver | bronze
    crm: Literal["salesforce", "hubspot"] | None


PEOPLE: tuple[Person, ...] = (
    Person(
        "ana",
        "Ana Tan",
        "ana.tan@lumenfoods.example",
        "+6591234567",
        "Lumen Foods",
        "gold",
        "salesforce",
    ),
    Person(
        "budi",
        "Budi Santoso",
        "budi@kopinusantara.example",
        "+628121234567",
        "Kopi Nusantara",
        "silver",
        "hubspot",
    ),
    Person(
        "maria",
        "Maria Santos",
        "maria.santos@bayanihan.example",
        "+639171234567",
        "Bayanihan Logistics",
        "platinum",
        "salesforce",
    ),
    Person(
        "wei",
        "Chen Wei",
        "chen.wei@jadeharbor.example",
        "+6598765432",
        "Jade Harbor Trading",
        "gold",
        "hubspot",
    ),
    Person(
        "siti",
        "Siti Rahman",
        "siti.rahman@melatiretail.example",
        "+60123456789",
        "Melati Retail",
        "bronze",
        "salesforce",
    ),
    Person(
        "james",
        "James Okafor",
        "j.okafor@northwind.example",
        "+442079460123",
        "Northwind Outfitters",
        "silver",
        "hubspot",
    ),
    Person(
        "li",
        "Li Na",
        "li.na@redlantern.example",
        "+8613812345678",
        "Red Lantern Studio",
        "platinum",
        "hubspot",
    ),
    Person(
        "raj",
        "Raj Patel",
        "raj.patel@saffronsystems.example",
        "+6581112222",
        "Saffron Systems",
        "gold",
        "salesforce",
    ),
    Person(
        "nurul",
        "Nurul Huda",
        "nurul@batikhaus.example",
        "+60198887766",
        "Batik Haus",
        "silver",
        "hubspot",
    ),
    Person(
        "jose",
        "Jose Reyes",
        "jose.reyes@islandbrew.example",
        "+639189998877",
        "Island Brew Co",
        "bronze",
        "salesforce",
    ),
    Person(
        "emma",
        "Emma Schmidt",
        "emma.schmidt@alpenhaus.example",
        "+4915112345678",
        "Alpenhaus Goods",
        "gold",
        "hubspot",
    ),
    Person(
        "kenji",
        "Kenji Sato",
        "kenji.sato@sakuratech.example",
        "+819012345678",
        "Sakura Tech",
        "silver",
        "salesforce",
    ),
    Person(
        "priya",
        "Priya Nair",
        "priya.nair@lotuswellness.example",
        "+6587654321",
        "Lotus Wellness",
        "platinum",
        "salesforce",
    ),
    Person(
        "dewi",
        "Dewi Lestari",
        "dewi@rumahkain.example",
        "+6281398765432",
        "Rumah Kain",
        "bronze",
        "hubspot",
    ),
    Person(
        "tom",
        "Tom Becker",
        "tom.becker@harborview.example",
        "+14155550123",
        "Harborview Supply",
        "silver",
        "salesforce",
    ),
    Person(
        "aisha",
        "Aisha Karim",
        "aisha.karim@oasismart.example",
        "+60172223344",
        "Oasis Mart",
        "gold",
        "hubspot",
    ),
    Person(
        "mei",
        "Lim Mei Ling",
        "meiling@orchidbeauty.example",
        "+6590001111",
        "Orchid Beauty",
        "silver",
        "salesforce",
    ),
    Person(
        "carlos",
        "Carlos Mendoza",
        "carlos@manilamakers.example",
        "+639176665544",
        "Manila Makers",
        "bronze",
        "hubspot",
    ),
    Person(
        "sarah",
        "Sarah Cohen",
        "sarah.cohen@cedarlane.example",
        "+6583334444",
        "Cedar Lane Books",
        "gold",
        "salesforce",
    ),
    Person(
        "hamid",
        "Hamid Yusof",
        "hamid.yusof@sirehfarms.example",
        "+60134445566",
        "Sireh Farms",
        "silver",
        "hubspot",
    ),
    Person("nina", "Nina Park", "nina.park@newcustomer.example", "+6597778888", "", "bronze", None),
    Person(
        "omar", "Omar Haddad", "omar.haddad@newcustomer.example", "+6596667777", "", "bronze", None
    ),
)

BY_EMAIL = {p.email: p for p in PEOPLE}
