"""What a handoff sends to the ticket system, built from a conversation and its decision.

:func:`build_handoff_draft` is the builder: a :class:`~core.context.HandoffContext` in
(conversation, decision, sentiment scores, CRM card, context link, routing), a
:class:`TicketDraft` out — subject, requester, priority, group, tags, custom fields, the
internal note and the chart image to upload. It is pure: the summarizer and the chart
renderer are passed in (``connectors.summarizer``, ``render.charts``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from core.context.masking import MaskingRules, mask_text
from core.context.model import HandoffContext
from core.context.note import CHART_FILENAME, render_note
from core.context.summary import Summarizer
from core.context.trajectory import TrajectoryPoint
from core.context.view import prepare
from core.conversation import ConversationSnapshot

TICKET_TAG = "baton"

#: Renders the frustration trajectory as PNG bytes (``render.charts.trajectory_png``).
ChartRenderer = Callable[[Sequence[TrajectoryPoint]], bytes]


@dataclass(frozen=True, slots=True)
class Requester:
    name: str
    email: str | None


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file to upload (``POST /api/v2/uploads.json``) and attach to the note."""

    filename: str
    content_type: str
    data: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class TicketDraft:
    """A Zendesk ticket as Baton wants it, independent of any SDK.

    ``attachments`` are uploaded by the ticket system before the ticket is created and
    attached to the note (their tokens go in ``comment.uploads`` with ``upload_tokens``).
    """

    subject: str
    requester: Requester
    external_id: str
    priority: str
    tags: tuple[str, ...]
    note_html: str
    custom_fields: tuple[tuple[int, str], ...] = ()
    group_id: int | None = None
    upload_tokens: tuple[str, ...] = field(default=())
    attachments: tuple[Attachment, ...] = ()
    #: configured routing names Zendesk does not know (log them; the ticket goes anyway)
    warnings: tuple[str, ...] = ()
    #: values for the requester's user fields and their organization's fields (CRM mapping)
    requester_fields: tuple[tuple[str, str], ...] = ()
    organization_fields: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class TicketUpdate:
    """A change to an existing ticket: tags in and out, custom fields, an internal note,
    and (from the CRM mapping) requester and organization fields."""

    note_html: str | None = None
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()
    custom_fields: tuple[tuple[int, str], ...] = ()
    requester_fields: tuple[tuple[str, str], ...] = ()
    organization_fields: tuple[tuple[str, str], ...] = ()
    #: a new priority (the handoff only ever raises it)
    priority: str | None = None


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


def subject_for(conversation: ConversationSnapshot, rules: MaskingRules | None = None) -> str:
    """The first customer problem statement, masked and shortened, as the ticket subject."""
    for turn in conversation.customer_turns:
        text = " ".join(mask_text(turn.text, rules).split())
        if text:
            return text if len(text) <= 80 else text[:77].rstrip() + "..."
    return f"Chat conversation {conversation.conversation_id}"


def build_handoff_draft(
    context: HandoffContext,
    *,
    summarizer: Summarizer | None = None,
    chart: ChartRenderer | None = None,
) -> TicketDraft:
    """The ticket for one escalation episode, with everything the agent needs on it.

    ``summarizer`` (optional) replaces the offline summary; its text is sanitized and
    only ever shown in the summary section. ``chart`` (optional) renders the trajectory
    PNG, attached when there are at least two scored customer messages.
    """
    view = prepare(context, summarizer)
    snapshot = context.snapshot
    customer = snapshot.customer
    name = customer.name or customer.email or f"Chat customer {snapshot.conversation_id}"
    attachments: tuple[Attachment, ...] = ()
    if chart is not None and len(view.points) >= 2:
        attachments = (Attachment(CHART_FILENAME, "image/png", chart(view.points)),)
    fields = view.fields
    return TicketDraft(
        subject=subject_for(snapshot, context.masking),
        requester=Requester(name=name, email=customer.email),
        external_id=external_id(snapshot.conversation_id, context.episode),
        priority=fields.priority,
        tags=fields.tags,
        note_html=render_note(view, chart_attached=bool(attachments)),
        custom_fields=fields.custom_fields,
        group_id=fields.group_id,
        attachments=attachments,
        warnings=fields.problems,
    )
