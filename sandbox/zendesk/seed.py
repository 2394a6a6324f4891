"""The Zendesk account's seed data: agents, groups, Baton's ticket fields, and the
customers Zendesk already knows (half of ``sandbox.people``; the rest are new to it).

Deterministic: the same ids on every start. Look fields and groups up by title/name.
"""

from __future__ import annotations

from sandbox.people import PEOPLE
from sandbox.zendesk.store import ZendeskStore

GROUPS = (
    ("Support", "Everything not routed elsewhere", True),
    ("Billing", "Invoices, refunds, payment failures", False),
    ("Tech Support", "Product and integration problems", False),
    ("Trust & Safety", "Account security, fraud, legal and regulator matters", False),
    ("VIP", "Platinum customers and escalations from account managers", False),
)

AGENTS = (
    ("Alex Rivera", "alex.rivera@acme.example", "Support"),
    ("Priya Menon", "priya.menon@acme.example", "Billing"),
    ("Daniel Lim", "daniel.lim@acme.example", "Tech Support"),
    ("Grace Ho", "grace.ho@acme.example", "Trust & Safety"),
)

TRIGGERS = (
    "customer_request",
    "low_confidence",
    "keyword",
    "always_human_topic",
    "preferred_human_topic",
    "sentiment",
    "loop",
    "behavioral",
    "business_rule",
)


def _options(prefix: str, names: tuple[str, ...]) -> list[dict[str, str]]:
    return [
        {"name": name.replace("_", " ").capitalize(), "value": f"{prefix}_{name}"} for name in names
    ]


#: Baton's custom ticket fields, by title.
TICKET_FIELDS: tuple[dict[str, object], ...] = (
    {"type": "text", "title": "Bot intent", "description": "The bot's last intent and confidence"},
    {
        "type": "tagger",
        "title": "Sentiment",
        "description": "The customer's sentiment when Baton escalated",
        "custom_field_options": _options(
            "sentiment", ("positive", "neutral", "negative", "frustrated", "angry")
        ),
    },
    {
        "type": "tagger",
        "title": "Escalation reason",
        "description": "The trigger that made Baton escalate",
        "custom_field_options": _options("escalation", TRIGGERS),
    },
    {
        "type": "tagger",
        "title": "Escalation category",
        "description": "A: always human, B: preferred human, C: AI first",
        "custom_field_options": [
            {"name": "A - always human", "value": "category_a"},
            {"name": "B - preferred human", "value": "category_b"},
            {"name": "C - AI first", "value": "category_c"},
        ],
    },
    {
        "type": "tagger",
        "title": "Why the bot failed",
        "description": "Filled in by the agent; fed back to the bot",
        "custom_field_options": _options(
            "bot_failed",
            (
                "misunderstood_intent",
                "missing_knowledge",
                "needed_human_judgement",
                "customer_preference",
                "technical_error",
                "should_not_have_escalated",
            ),
        ),
    },
    {"type": "checkbox", "title": "Return to bot", "description": "Hand the chat back to the bot"},
    {"type": "text", "title": "Conversation ID", "description": "Baton's conversation id"},
    # CRM values the bundled mapping (config/mappings/demo.yaml) sets, by these ids:
    # 364000000038 .. 364000000041.
    {"type": "text", "title": "Customer tier", "description": "From the CRM, via Baton"},
    {"type": "decimal", "title": "Account ARR", "description": "From the CRM, via Baton"},
    {"type": "date", "title": "Renewal date", "description": "From the CRM, via Baton"},
    {"type": "text", "title": "CRM record", "description": "The matched CRM record's id"},
)

SYSTEM_FIELDS = (
    ("subject", "Subject"),
    ("description", "Description"),
    ("status", "Status"),
    ("tickettype", "Type"),
    ("priority", "Priority"),
    ("group", "Group"),
    ("assignee", "Assignee"),
)


def seed(store: ZendeskStore) -> None:
    groups = {
        name: store.create_group({"name": name, "description": text, "default": default}, False)
        for name, text, default in GROUPS
    }
    for name, email, _group in AGENTS:
        store.create_user(
            {"name": name, "email": email, "role": "agent", "default_group_id": None}, False
        )
    for position, (kind, title) in enumerate(SYSTEM_FIELDS):
        field = store.create_ticket_field(
            {"type": "text", "title": title, "position": position, "removable": False}, False
        )
        field["type"] = kind
    for position, spec in enumerate(TICKET_FIELDS, start=len(SYSTEM_FIELDS)):
        store.create_ticket_field({**spec, "position": position}, False)
    # Half of the customers already have a Zendesk profile (and their company an org).
    for person in PEOPLE[::2]:
        org_id = None
        if person.company:
            org_id = store.create_organization(
                {"name": person.company, "domain_names": [person.email.split("@")[1]]}, False
            )["id"]
        store.create_user(
            {
                "name": person.name,
                "email": person.email,
                "phone": person.phone,
                "organization_id": org_id,
                "external_id": f"customer-{person.key}",
                "tags": [person.tier],
            },
            False,
        )
    del groups
