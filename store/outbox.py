"""Claim, complete, retry and dead-letter outbox rows.

Workers on any number of replicas claim rows with a lease: ``FOR UPDATE SKIP LOCKED`` on
PostgreSQL (SQLite serialises writers with ``BEGIN IMMEDIATE``), then a guarded update.
A worker that dies holding a row loses it when the lease runs out; the next claim of that
row sees ``attempts > 1`` and the handoff looks for an existing ticket before creating one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from store.db import Database
from store.schema import ConversationRow, DecisionRow, OutboxRow, TicketRow


@dataclass(frozen=True, slots=True)
class Claim:
    """An outbox row this worker holds until ``claimed_until``."""

    id: int
    conversation_id: str
    kind: str
    episode: int
    decision_id: int
    idempotency_key: str
    attempts: int
    claimed_until: datetime


def claim_next(db: Database, worker_id: str, now: datetime, lease: timedelta) -> Claim | None:
    """Claim the oldest due row (pending and due, or claimed with an expired lease)."""
    due = or_(
        and_(OutboxRow.status == "pending", OutboxRow.next_attempt_at <= now),
        and_(OutboxRow.status == "claimed", OutboxRow.claimed_until < now),
    )
    with db.transaction() as session:
        row = session.scalars(
            select(OutboxRow)
            .where(due)
            .order_by(OutboxRow.next_attempt_at, OutboxRow.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if row is None:
            return None
        until = now + lease
        claimed = session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == row.id, due)
            .values(
                status="claimed",
                claimed_by=worker_id,
                claimed_until=until,
                attempts=OutboxRow.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            return None  # another worker took it between our read and our write
        return Claim(
            id=row.id,
            conversation_id=row.conversation_id,
            kind=row.kind,
            episode=row.episode,
            decision_id=row.decision_id,
            idempotency_key=row.idempotency_key,
            attempts=row.attempts + 1,
            claimed_until=until,
        )


def _mine(claim: Claim, worker_id: str):  # type: ignore[no-untyped-def]
    return and_(
        OutboxRow.id == claim.id,
        OutboxRow.status == "claimed",
        OutboxRow.claimed_by == worker_id,
    )


def release_for_retry(
    db: Database, claim: Claim, worker_id: str, now: datetime, delay: timedelta, error: str
) -> None:
    """Give the row back to the queue, due again after ``delay``."""
    with db.transaction() as session:
        session.execute(
            update(OutboxRow)
            .where(_mine(claim, worker_id))
            .values(
                status="pending",
                claimed_by=None,
                claimed_until=None,
                next_attempt_at=now + delay,
                last_error=error[:2000],
            )
        )


def dead_letter(db: Database, claim: Claim, worker_id: str, now: datetime, error: str) -> None:
    """Stop retrying this row; the reason is kept for operators."""
    with db.transaction() as session:
        session.execute(
            update(OutboxRow)
            .where(_mine(claim, worker_id))
            .values(status="dead", claimed_until=None, last_error=error[:2000], done_at=now)
        )


def counts_by_status(db: Database) -> dict[str, int]:
    with db.transaction() as session:
        rows = session.execute(
            select(OutboxRow.status, func.count()).group_by(OutboxRow.status)
        ).all()
    return {status: int(n) for status, n in rows}


def note_key(decision_id: int) -> str:
    """Outbox key of the note that carries a decision's new triggers to an open ticket."""
    return f"note-{decision_id}"


def enqueue(
    session: Session,
    db: Database,
    decision: DecisionRow,
    kind: str,
    key: str,
    now: datetime,
) -> int | None:
    """Queue work for ``decision`` in the caller's transaction; None if ``key`` is queued."""
    stmt = db.insert_ignoring(OutboxRow.__table__, ("idempotency_key",), returning="id")
    params = {
        "conversation_id": decision.conversation_id,
        "kind": kind,
        "episode": decision.episode,
        "decision_id": decision.id,
        "idempotency_key": key,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }
    row = session.execute(stmt, params).first()
    return None if row is None else int(row[0])


def enqueue_card_update(db: Database, conversation_id: str, now: datetime) -> bool:
    """Queue adding the CRM card to the conversation's ticket, if it went out without it.

    At most once per ticket (the key is the ticket's); False when there is nothing to do.
    """
    with db.transaction() as session:
        ticket = session.scalars(
            select(TicketRow)
            .where(TicketRow.conversation_id == conversation_id)
            .order_by(TicketRow.episode.desc())
            .limit(1)
        ).first()
        if ticket is None or ticket.card_status != "pending":
            return False
        decision = session.scalars(
            select(DecisionRow)
            .where(
                DecisionRow.conversation_id == conversation_id,
                DecisionRow.episode == ticket.episode,
            )
            .order_by(DecisionRow.id.desc())
            .limit(1)
        ).first()
        if decision is None:
            return False
        return enqueue(session, db, decision, "card_update", f"card-{ticket.id}", now) is not None


def pending_cards(
    db: Database, since: datetime
) -> list[tuple[str, str | None, str | None, str | None]]:
    """Conversations whose ticket (created after ``since``) still waits for its CRM card:
    ``(conversation_id, customer email, phone, id)``, to ask the CRM again after a restart."""
    with db.transaction() as session:
        rows = session.execute(
            select(
                ConversationRow.id,
                ConversationRow.customer_email,
                ConversationRow.customer_phone,
                ConversationRow.customer_id,
            )
            .join(TicketRow, TicketRow.conversation_id == ConversationRow.id)
            .where(TicketRow.card_status == "pending", TicketRow.created_at >= since)
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]
