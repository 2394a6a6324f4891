"""A Baton ticket read back from the sandbox with zenpy: each part of the note, the custom
fields (ids resolved by title), the group (by name), the tags and the chart attachment.

The draft goes through the real Zendesk connector, which uploads the chart first
(``POST /api/v2/uploads.json``) and attaches its token to the note.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from connectors.zendesk.tickets import ZendeskTickets
from core.context.model import ZendeskDirectory
from core.handoff import build_handoff_draft
from render.charts import trajectory_png
from render.example import ROUTING, example_context
from sandbox.server import SandboxServer
from tests.fixtures.daemon import zendesk_settings


def directory_of(zendesk: Any) -> ZendeskDirectory:
    return ZendeskDirectory(
        fields={f.title: f.id for f in zendesk.ticket_fields()},
        groups={g.name: g.id for g in zendesk.groups()},
    )


def test_the_ticket_carries_note_fields_tags_group_and_chart(
    sandbox: SandboxServer, zendesk: Any
) -> None:
    directory = directory_of(zendesk)
    context = replace(example_context(), directory=directory, routing=ROUTING)
    draft = build_handoff_draft(context, chart=trajectory_png)
    assert draft.warnings == ()
    tickets = ZendeskTickets(zendesk_settings(sandbox))
    ref = tickets.create_ticket(draft, "ctx-test-key-1")  # uploads the chart first

    ticket = zendesk.tickets(id=ref.ticket_id)
    assert ticket.priority == "high"
    assert ticket.group_id == directory.groups["Billing"]  # refund_request → Billing
    assert {"baton", "baton_customer_request", "baton_sentiment_angry"} <= set(ticket.tags)
    fields = {f["id"]: f["value"] for f in ticket.custom_fields if f["value"] is not None}
    assert fields[directory.fields["Bot intent"]] == "refund_request (0.41)"
    assert fields[directory.fields["Sentiment"]] == "sentiment_angry"
    assert fields[directory.fields["Escalation reason"]] == "escalation_customer_request"
    assert fields[directory.fields["Escalation category"]] == "category_c"
    assert fields[directory.fields["Conversation ID"]] == "conv_8812"

    (note,) = list(zendesk.tickets.comments(ticket=ref.ticket_id))
    assert note.public is False
    body = note.html_body
    for part in (
        "<h3>Who</h3>",
        "Verified by the bot (app login)",
        "Lumen Foods Pte Ltd (Salesforce, fetched 2 min ago)",
        "<h3>Why Baton escalated</h3>",
        "<h3>Bot intent</h3>",
        "<code>▃▄▅▆▆▇</code>",
        "<h3>Urgency</h3>",
        "<h3>Summary</h3>",
        "<h3>Suggested opening line</h3>",
        "Open the full context page",
        "<h3>Transcript</h3>",
        "•••• 1111",
    ):
        assert part in body, part
    assert "4111 1111" not in body
    (attachment,) = note.attachments
    assert attachment.file_name == "baton-frustration.png"
    assert attachment.content_type == "image/png"
