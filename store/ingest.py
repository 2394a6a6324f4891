"""Ingest a batch of events: store them once, re-decide, and queue handoffs — one transaction.

Everything a batch does is committed together before the webhook answers, so a crash
either loses the whole batch (the sender retries; duplicates are ignored) or none of it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from core.context.masking import (
    SPLIT_LOOKBACK,
    MaskingRules,
    mask_json,
    mask_message,
    mask_text,
)
from core.conversation import CustomerInfo
from core.decision import Category, Decision, Priority
from core.engine import Engine
from core.events import Event, EventType, Role
from core.handoff import idempotency_key
from store.conversations import (
    HAS_OPEN_TICKET,
    OPEN_FOR_ESCALATION,
    customer_of,
    decision_from_row,
    latest_decision,
    load_snapshot,
    transition,
)
from store.db import Database
from store.outbox import enqueue, note_key
from store.schema import ConversationRow, DecisionRow, EventRow, MessageRow

EVENTS = EventRow.__table__
MESSAGES = MessageRow.__table__
#: Which of a batch's event ids are stored already (one statement, compiled once).
_KNOWN_EVENTS = select(EventRow.event_id).where(
    EventRow.event_id.in_(bindparam("ids", expanding=True))
)


@dataclass
class IngestResult:
    """What a batch did: counts, each touched conversation's decision, new outbox rows."""

    accepted: int = 0
    duplicates: int = 0
    decisions: dict[str, Decision] = field(default_factory=dict)
    outbox_ids: list[int] = field(default_factory=list)
    escalated: list[str] = field(default_factory=list)
    #: conversations seen for the first time: their customers' CRM records can be fetched
    started: list[tuple[str, CustomerInfo]] = field(default_factory=list)


#: The business-rule fields the CRM holds for a customer, when already known (non-blocking).
CrmFields = Callable[[CustomerInfo], Mapping[str, Any]]


def ingest(
    db: Database,
    events: Sequence[Event],
    engine: Engine,
    now: datetime,
    masking: MaskingRules | None = None,
    crm_fields: CrmFields | None = None,
) -> IngestResult:
    """Store ``events`` (duplicates ignored), re-decide touched conversations, queue handoffs.

    Card numbers and configured secrets are masked before anything is stored, including a
    number typed across several customer messages (the earlier ones are rewritten).
    """
    result = IngestResult()
    with db.transaction() as session:
        touched: dict[str, None] = {e.conversation_id: None for e in events}
        for ev in _new_events(session, events):
            masked = _mask(session, ev, masking)
            if not _store_event(session, db, masked, now):
                continue  # a concurrent request stored it first
            result.accepted += 1
            _apply(session, db, masked, engine, now, result, crm_fields)
        result.duplicates = len(events) - result.accepted
        for conversation_id in touched:
            if conversation_id in result.decisions:
                continue  # decided during this batch
            row = latest_decision(session, conversation_id)
            result.decisions[conversation_id] = (
                decision_from_row(row) if row else _no_decision(conversation_id)
            )
    return result


def _no_decision(conversation_id: str) -> Decision:
    return Decision(
        conversation_id=conversation_id,
        escalate=False,
        category=Category.C,
        priority=Priority.LOW,
    )


def _new_events(session: Session, events: Sequence[Event]) -> list[Event]:
    """The batch without repeats and without events stored before, in batch order."""
    unique: dict[str, Event] = {}
    for ev in events:
        unique.setdefault(ev.event_id, ev)
    known = set(session.scalars(_KNOWN_EVENTS, {"ids": list(unique)}))
    return [ev for event_id, ev in unique.items() if event_id not in known]


def _mask(session: Session, ev: Event, rules: MaskingRules | None) -> Event:
    """The event with card numbers and secrets masked; earlier messages fixed in place."""
    update: dict[str, Any] = {}
    if ev.metadata:
        update["metadata"] = mask_json(ev.metadata, rules)
    if ev.message is not None:
        if ev.message.role is Role.CUSTOMER:
            previous = _recent_customer_messages(session, ev.conversation_id)
            result = mask_message(ev.message.text, [m.text or "" for m in previous], rules)
            for index, text in result.changed_previous.items():
                _rewrite(session, previous[index], text)
            text = result.text
        else:
            text = mask_text(ev.message.text, rules)
        if text != ev.message.text:
            update["message"] = ev.message.model_copy(update={"text": text})
    return ev.model_copy(update=update) if update else ev


def _recent_customer_messages(session: Session, conversation_id: str) -> list[MessageRow]:
    rows = session.scalars(
        select(MessageRow)
        .where(
            MessageRow.conversation_id == conversation_id,
            MessageRow.role == Role.CUSTOMER.value,
        )
        .order_by(MessageRow.occurred_at.desc(), MessageRow.id.desc())
        .limit(SPLIT_LOOKBACK)
    ).all()
    return list(reversed(rows))


def _rewrite(session: Session, message: MessageRow, text: str) -> None:
    """Replace a stored message's text (and its event's copy) with its masked version."""
    message.text = text
    event = session.scalars(select(EventRow).where(EventRow.event_id == message.event_id)).first()
    if event is not None and event.payload and isinstance(event.payload.get("message"), dict):
        # A new dict, so that the JSON column sees the change.
        event.payload = {**event.payload, "message": {**event.payload["message"], "text": text}}


def _store_event(session: Session, db: Database, ev: Event, now: datetime) -> bool:
    """Insert the event; False when its id exists already."""
    # ON CONFLICT covers a concurrent request storing the same event right now.
    stmt = db.insert_ignoring(EVENTS, ("event_id",), returning="id")
    params = {
        "event_id": ev.event_id,
        "conversation_id": ev.conversation_id,
        "type": ev.type.value,
        "occurred_at": ev.occurred_at,
        "received_at": now,
        "payload": ev.model_dump(mode="json"),
    }
    return session.execute(stmt, params).first() is not None


def _conversation(session: Session, ev: Event, result: IngestResult) -> ConversationRow:
    row = session.get(ConversationRow, ev.conversation_id, with_for_update=True)
    new = row is None
    if row is None:
        row = ConversationRow(
            id=ev.conversation_id,
            state="bot",
            episode=0,
            started_at=ev.occurred_at,
            last_event_at=ev.occurred_at,
        )
        session.add(row)
    if ev.channel and not row.channel:
        row.channel = ev.channel
    if ev.customer is not None:
        c = ev.customer
        row.customer_id = c.id or row.customer_id
        row.customer_email = c.email or row.customer_email
        row.customer_name = c.name or row.customer_name
        row.customer_phone = c.phone or row.customer_phone
    if ev.metadata and ev.type is EventType.CONVERSATION_STARTED:
        row.metadata_ = {**(row.metadata_ or {}), **ev.metadata}
    row.started_at = min(row.started_at, ev.occurred_at)
    row.last_event_at = max(row.last_event_at, ev.occurred_at)
    if new:
        result.started.append((row.id, customer_of(row)))
    return row


def _apply(
    session: Session,
    db: Database,
    ev: Event,
    engine: Engine,
    now: datetime,
    result: IngestResult,
    crm_fields: CrmFields | None,
) -> None:
    conversation = _conversation(session, ev, result)
    decide = False
    if ev.type is EventType.MESSAGE and ev.message is not None:
        _store_message(session, db, ev)
        decide = ev.message.role is Role.CUSTOMER
    elif ev.type is EventType.HANDOFF_REQUESTED:
        decide = True
    elif ev.type is EventType.CONVERSATION_ENDED:
        conversation.ended_at = ev.occurred_at
        if conversation.state == "ticketed":
            transition(session, conversation, "abandoned", now, "customer left before a reply")
    if decide and conversation.ended_at is None:
        session.flush()
        crm = crm_fields(customer_of(conversation)) if crm_fields else None
        _decide(session, db, conversation, ev, engine, now, result, crm)


def _store_message(session: Session, db: Database, ev: Event) -> None:
    assert ev.message is not None
    # The same message re-sent under another event id keeps its first version.
    stmt = db.insert_ignoring(MESSAGES, ("conversation_id", "message_id"))
    params = {
        "conversation_id": ev.conversation_id,
        "message_id": ev.message.id,
        "event_id": ev.event_id,
        "role": ev.message.role.value,
        "text": ev.message.text,
        "occurred_at": ev.occurred_at,
        "intent": ev.bot.intent if ev.bot else None,
        "confidence": ev.bot.confidence if ev.bot else None,
    }
    session.execute(stmt, params)


def _decide(
    session: Session,
    db: Database,
    conversation: ConversationRow,
    ev: Event,
    engine: Engine,
    now: datetime,
    result: IngestResult,
    crm: Mapping[str, Any] | None,
) -> None:
    snapshot = load_snapshot(session, conversation, crm)
    decision = engine.decide(snapshot, ev.event_id)
    previous = latest_decision(session, conversation.id)
    before = decision_from_row(previous) if previous is not None else None
    if before is not None and not _changed(before, decision):
        result.decisions[conversation.id] = before
        return
    result.decisions[conversation.id] = decision
    opens_episode = decision.escalate and conversation.state in OPEN_FOR_ESCALATION
    if opens_episode:
        conversation.episode += 1
    row = DecisionRow(
        conversation_id=conversation.id,
        event_id=ev.event_id,
        escalate=decision.escalate,
        category=decision.category.value,
        priority=decision.priority.value,
        triggers=[t.model_dump(mode="json", exclude_none=True) for t in decision.triggers],
        episode=conversation.episode,
        decided_at=now,
    )
    session.add(row)
    session.flush()
    if opens_episode:
        transition(session, conversation, "pending", now, _reason_of(decision))
        key = idempotency_key(conversation.id, row.episode)
        _enqueue(session, db, row, "create_ticket", key, now, result)
        result.escalated.append(conversation.id)
    elif decision.escalate and conversation.state in HAS_OPEN_TICKET:
        earlier = before.trigger_keys if before is not None else frozenset()
        if decision.trigger_keys - earlier:
            _enqueue(session, db, row, "add_note", note_key(row.id), now, result)


def _changed(before: Decision, after: Decision) -> bool:
    return (
        before.escalate != after.escalate
        or before.category != after.category
        or before.priority != after.priority
        or before.trigger_keys != after.trigger_keys
    )


def _reason_of(decision: Decision) -> str:
    return ", ".join(sorted(decision.trigger_keys))[:200]


def _enqueue(
    session: Session,
    db: Database,
    decision: DecisionRow,
    kind: str,
    key: str,
    now: datetime,
    result: IngestResult,
) -> None:
    outbox_id = enqueue(session, db, decision, kind, key, now)
    if outbox_id is not None:
        result.outbox_ids.append(outbox_id)
