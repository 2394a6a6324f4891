"""What a handoff sends to the ticket system, built from a conversation and its decision."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from html import escape

from core.conversation import ConversationSnapshot
from core.decision import Decision
from core.events import Role

TICKET_TAG = "baton"


@dataclass(frozen=True, slots=True)
class Requester:
    name: str
    email: str | None


@dataclass(frozen=True, slots=True)
class TicketDraft:
    """A Zendesk ticket as Baton wants it, independent of any SDK."""

    subject: str
    requester: Requester
    external_id: str
    priority: str
    tags: tuple[str, ...]
    note_html: str
    custom_fields: tuple[tuple[int, str], ...] = ()
    group_id: int | None = None
    upload_tokens: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class TicketRef:
    """The ticket the system created (or had already created) for a handoff."""

    ticket_id: int
    external_id: str | None
    created: bool = True


def idempotency_key(conversation_id: str, episode: int) -> str:
    """Stable key of one escalation episode: the same on every retry, on every replica."""
    digest = hashlib.sha256(f"{conversation_id}\x1f{episode}".encode()).hexdigest()
    return f"baton-{digest[:32]}"


def external_id(conversation_id: str, episode: int) -> str:
    """Zendesk ``external_id`` of an episode's ticket: readable, and found again after outages."""
    return f"baton:{conversation_id}:{episode}"


def subject_for(conversation: ConversationSnapshot) -> str:
    """The first customer problem statement, shortened, as the ticket subject."""
    for turn in conversation.customer_turns:
        text = " ".join(turn.text.split())
        if text:
            return text if len(text) <= 80 else text[:77].rstrip() + "..."
    return f"Chat conversation {conversation.conversation_id}"


def tags_for(decision: Decision) -> tuple[str, ...]:
    tags = [TICKET_TAG, f"baton_category_{decision.category.value.lower()}"]
    for hit in decision.triggers:
        tag = f"baton_{hit.name}"
        if tag not in tags:
            tags.append(tag)
        if hit.topic and f"baton_topic_{hit.topic}" not in tags:
            tags.append(f"baton_topic_{hit.topic}")
    return tuple(tags)


def render_note(conversation: ConversationSnapshot, decision: Decision) -> str:
    """Internal note: why Baton escalated (triggers and evidence), then the transcript."""
    rows = []
    for hit in decision.triggers:
        detail = escape(hit.evidence)
        where = f" (message {escape(hit.message_id)})" if hit.message_id else ""
        topic = f" [{escape(hit.topic)}]" if hit.topic else ""
        rows.append(f"<li><b>{escape(hit.name)}</b>{topic}: {detail}{where}</li>")
    transcript = []
    for turn in conversation.turns:
        who = "Customer" if turn.role is Role.CUSTOMER else turn.role.value.capitalize()
        stamp = turn.occurred_at.strftime("%H:%M:%S")
        transcript.append(f"<p><small>{stamp}</small> <b>{who}:</b> {escape(turn.text)}</p>")
    return (
        f"<h3>Why Baton escalated (category {decision.category.value}, "
        f"{decision.priority.value})</h3><ul>{''.join(rows)}</ul>"
        f"<h3>Transcript</h3>{''.join(transcript)}"
    )


def build_ticket_draft(
    conversation: ConversationSnapshot, decision: Decision, episode: int
) -> TicketDraft:
    customer = conversation.customer
    name = customer.name or customer.email or f"Chat customer {conversation.conversation_id}"
    return TicketDraft(
        subject=subject_for(conversation),
        requester=Requester(name=name, email=customer.email),
        external_id=external_id(conversation.conversation_id, episode),
        priority=decision.priority.value,
        tags=tags_for(decision),
        note_html=render_note(conversation, decision),
    )
