"""Read conversations back as engine snapshots, and move them through their life cycle."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.conversation import ConversationSnapshot, CustomerInfo, HandoffRequest, Turn
from core.decision import Category, Decision, Priority, TriggerHit
from core.events import EventType, Role
from store.schema import ConversationRow, DecisionRow, EventRow, MessageRow, TransitionRow

#: The states of DESIGN.md's escalation life cycle.
STATES = ("bot", "pending", "ticketed", "with_agent", "solved", "returned", "abandoned", "dead")
#: States in which a new escalation opens a new episode (and a new ticket).
OPEN_FOR_ESCALATION = frozenset({"bot", "returned", "solved"})
#: States in which the conversation has a Baton ticket that is still open.
HAS_OPEN_TICKET = frozenset({"ticketed", "with_agent"})


def customer_of(conversation: ConversationRow) -> CustomerInfo:
    return CustomerInfo(
        id=conversation.customer_id,
        email=conversation.customer_email,
        name=conversation.customer_name,
        phone=conversation.customer_phone,
    )


def load_snapshot(
    session: Session, conversation: ConversationRow, crm: Mapping[str, Any] | None = None
) -> ConversationSnapshot:
    """The conversation as the engine sees it: turns in time order, handoff requests.

    ``crm`` are the business-rule fields of the customer's CRM record, when known.
    """
    messages = session.scalars(
        select(MessageRow)
        .where(MessageRow.conversation_id == conversation.id)
        .order_by(MessageRow.occurred_at, MessageRow.id)
    ).all()
    handoffs = session.execute(
        select(EventRow.event_id, EventRow.occurred_at, EventRow.payload)
        .where(
            EventRow.conversation_id == conversation.id,
            EventRow.type == EventType.HANDOFF_REQUESTED.value,
        )
        .order_by(EventRow.occurred_at, EventRow.id)
    ).all()
    return ConversationSnapshot(
        conversation_id=conversation.id,
        channel=conversation.channel,
        customer=customer_of(conversation),
        turns=tuple(
            Turn(
                message_id=m.message_id,
                role=Role(m.role),
                text=m.text or "",
                occurred_at=m.occurred_at,
                event_id=m.event_id,
                intent=m.intent,
                confidence=m.confidence,
            )
            for m in messages
        ),
        handoff_requests=tuple(
            HandoffRequest(
                event_id=event_id,
                occurred_at=at,
                reason=_reason(payload),
            )
            for event_id, at, payload in handoffs
        ),
        ended=conversation.ended_at is not None,
        started_at=conversation.started_at,
        metadata=conversation.metadata_ or {},
        crm=crm or {},
    )


def _reason(payload: dict[str, object] | None) -> str | None:
    if not payload:
        return None
    metadata = payload.get("metadata")
    if isinstance(metadata, dict) and isinstance(metadata.get("reason"), str):
        return str(metadata["reason"])
    return None


def latest_decision(session: Session, conversation_id: str) -> DecisionRow | None:
    return session.scalars(
        select(DecisionRow)
        .where(DecisionRow.conversation_id == conversation_id)
        .order_by(DecisionRow.id.desc())
        .limit(1)
    ).first()


def latest_episode_decision(
    session: Session, conversation_id: str, episode: int
) -> Decision | None:
    """The newest escalating decision of an escalation episode."""
    row = session.scalars(
        select(DecisionRow)
        .where(
            DecisionRow.conversation_id == conversation_id,
            DecisionRow.episode == episode,
            DecisionRow.escalate.is_(True),
        )
        .order_by(DecisionRow.id.desc())
        .limit(1)
    ).first()
    return decision_from_row(row) if row is not None else None


def decision_from_row(row: DecisionRow) -> Decision:
    return Decision(
        conversation_id=row.conversation_id,
        escalate=row.escalate,
        category=Category(row.category),
        priority=Priority(row.priority),
        triggers=tuple(TriggerHit.model_validate(t) for t in row.triggers),
        decided_at_event=row.event_id,
    )


def transition(
    session: Session, conversation: ConversationRow, to_state: str, at: datetime, reason: str
) -> None:
    """Move the conversation to ``to_state`` and record the transition with its time."""
    if to_state not in STATES:
        raise ValueError(f"unknown conversation state {to_state!r}")
    if conversation.state == to_state:
        return
    session.add(
        TransitionRow(
            conversation_id=conversation.id,
            from_state=conversation.state,
            to_state=to_state,
            at=at,
            reason=reason,
        )
    )
    conversation.state = to_state
