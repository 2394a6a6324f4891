"""The handoff worker: turns outbox rows into Zendesk tickets and notes, exactly once.

Two retry layers, never nested: the connector retries inside one call (seconds, honouring
Retry-After); this worker retries across runs through the persisted outbox (attempts,
next attempt time, dead-letter).
"""

from __future__ import annotations

import dataclasses
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import escape

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.context.fields import tags_for
from core.context.note import trigger_label
from core.crm.card import late_card_update
from core.decision import Priority, TriggerHit
from core.engine import Engine
from core.errors import PermanentError, RateLimited, RetryableError
from core.handoff import TicketDraft, TicketRef, TicketUpdate, external_id
from core.ports import TicketSystem
from scheduler.assembly import HandoffAssembler
from store.conversations import decision_from_row, load_snapshot, transition
from store.db import Database
from store.outbox import (
    Claim,
    claim_next,
    dead_letter,
    enqueue,
    enqueue_card_update,
    note_key,
    release_for_retry,
)
from store.schema import ConversationRow, DecisionRow, OutboxRow, TicketRow

log = structlog.get_logger("baton.handoff")


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class WorkerPolicy:
    """How long a claim lasts and how retries back off."""

    lease: timedelta = timedelta(seconds=60)
    max_attempts: int = 8
    backoff_base: timedelta = timedelta(seconds=2)
    backoff_cap: timedelta = timedelta(minutes=10)

    def delay(self, attempts: int, retry_after: float | None = None) -> timedelta:
        exp = self.backoff_base.total_seconds() * 2 ** max(attempts - 1, 0)
        wait = min(exp, self.backoff_cap.total_seconds()) * random.uniform(0.8, 1.2)
        if retry_after is not None:
            wait = max(wait, retry_after)
        return timedelta(seconds=wait)


class HandoffWorker:
    """Claims outbox rows one at a time and carries them out."""

    def __init__(
        self,
        db: Database,
        tickets: TicketSystem,
        *,
        worker_id: str,
        policy: WorkerPolicy | None = None,
        clock: Callable[[], datetime] = utcnow,
        assembler: HandoffAssembler | None = None,
    ) -> None:
        self.db = db
        self.tickets = tickets
        self.worker_id = worker_id
        self.policy = policy or WorkerPolicy()
        self.clock = clock
        self.assembler = assembler or HandoffAssembler(engine=Engine(), clock=clock)
        #: called with the handoff time of each ticket created (metrics)
        self.on_ticket: Callable[[float], None] | None = None

    def run_once(self) -> bool:
        """Claim and process one due row. False when nothing was due."""
        claim = claim_next(self.db, self.worker_id, self.clock(), self.policy.lease)
        if claim is None:
            return False
        bound = log.bind(
            conversation_id=claim.conversation_id,
            outbox_id=claim.id,
            job=claim.kind,
            attempt=claim.attempts,
        )
        try:
            if claim.kind == "create_ticket":
                self._create_ticket(claim, bound)
            elif claim.kind == "add_note":
                self._add_note(claim, bound)
            elif claim.kind == "card_update":
                self._update_card(claim, bound)
            else:
                raise PermanentError(f"unknown outbox kind {claim.kind!r}")
        except PermanentError as err:
            self._dead(claim, f"{type(err).__name__}: {err}", bound)
        except RetryableError as err:
            retry_after = err.retry_after if isinstance(err, RateLimited) else None
            self._retry(claim, f"{type(err).__name__}: {err}", retry_after, bound)
        except Exception as err:  # a bug: keep the row, back off, dead-letter eventually
            bound.exception("handoff.unexpected_error")
            self._retry(claim, f"{type(err).__name__}: {err}", None, bound)
        return True

    # -- create the ticket of an episode ----------------------------------------------

    def _create_ticket(self, claim: Claim, bound: structlog.typing.FilteringBoundLogger) -> None:
        with self.db.transaction() as session:
            recorded = _episode_ticket(session, claim) is not None
            conversation = session.get(ConversationRow, claim.conversation_id)
            assert conversation is not None
            snapshot = load_snapshot(session, conversation)
            decision_row = _episode_decision(session, claim)
            decision = decision_from_row(decision_row)
            decided_at = decision_row.decided_at
            used_decision_id = decision_row.id
        if recorded:  # a worker whose lease ran out finished it after all
            self._finish(claim)
            return
        handoff = self.assembler.handoff(snapshot, decision, claim.episode)
        draft = handoff.draft
        for warning in draft.warnings:
            bound.warning("handoff.routing_problem", problem=warning)
        ref: TicketRef | None = None
        if claim.attempts > 1:
            # An earlier attempt may have created it and died before recording it, longer
            # ago than Zendesk keeps idempotency keys: look before creating again.
            ref = self.tickets.find_ticket(external_id(claim.conversation_id, claim.episode))
        if ref is None:
            ref = self.tickets.create_ticket(draft, claim.idempotency_key)
        now = self.clock()
        seconds = (now - decided_at).total_seconds()
        recorded = self._record_ticket(
            claim, ref, draft, now, seconds, handoff.card_status, used_decision_id
        )
        if recorded:
            bound.info(
                "handoff.ticket_created",
                ticket_id=ref.ticket_id,
                replayed=not ref.created,
                handoff_seconds=round(seconds, 3),
                card=handoff.card_status,
            )
            if self.on_ticket is not None:
                self.on_ticket(seconds)
            if handoff.card_status == "pending":
                # The card may have arrived while the ticket was being created, before
                # the ticket row said "pending": look once more so it is not missed.
                late = self.assembler.card(snapshot, 0)
                if late is not None and late.status != "pending":
                    enqueue_card_update(self.db, claim.conversation_id, now)

    def _record_ticket(
        self,
        claim: Claim,
        ref: TicketRef,
        draft: TicketDraft,
        now: datetime,
        handoff: float,
        card_status: str,
        used_decision_id: int,
    ) -> bool:
        with self.db.transaction() as session:
            row = session.get(OutboxRow, claim.id, with_for_update=True)
            if row is None or row.status != "claimed" or row.claimed_by != self.worker_id:
                return False  # our lease ran out; whoever holds it now will find the ticket
            conversation = session.get(ConversationRow, claim.conversation_id, with_for_update=True)
            assert conversation is not None
            session.add(
                TicketRow(
                    conversation_id=claim.conversation_id,
                    episode=claim.episode,
                    zendesk_ticket_id=ref.ticket_id,
                    external_id=draft.external_id,
                    idempotency_key=claim.idempotency_key,
                    status="open",
                    created_at=now,
                    handoff_seconds=handoff,
                    card_status=card_status,
                )
            )
            if conversation.episode == claim.episode:
                conversation.open_ticket_id = ref.ticket_id
                if conversation.state == "pending":
                    transition(session, conversation, "ticketed", now, f"ticket {ref.ticket_id}")
            row.status = "done"
            row.done_at = now
            row.claimed_until = None
            row.last_error = None
            # Triggers that fired while the ticket was being created are not on it: they
            # go on as a note, as they would have had the ticket existed already.
            later = session.scalars(
                select(DecisionRow).where(
                    DecisionRow.conversation_id == claim.conversation_id,
                    DecisionRow.episode == claim.episode,
                    DecisionRow.escalate.is_(True),
                    DecisionRow.id > used_decision_id,
                )
            ).all()
            for decision_row in later:
                enqueue(session, self.db, decision_row, "add_note", note_key(decision_row.id), now)
        return True

    # -- add a note to an open ticket ---------------------------------------------------

    def _add_note(self, claim: Claim, bound: structlog.typing.FilteringBoundLogger) -> None:
        with self.db.transaction() as session:
            ticket = _episode_ticket(session, claim)
            decision_row = session.get(DecisionRow, claim.decision_id)
            assert decision_row is not None
            previous = session.scalars(
                select(DecisionRow)
                .where(
                    DecisionRow.conversation_id == claim.conversation_id,
                    DecisionRow.id < claim.decision_id,
                )
                .order_by(DecisionRow.id.desc())
                .limit(1)
            ).first()
            decision = decision_from_row(decision_row)
            earlier = decision_from_row(previous).trigger_keys if previous else frozenset()
        if ticket is None:
            # The episode's ticket is not created yet; it will carry this decision itself.
            raise RetryableError("the episode's ticket does not exist yet")
        marker = f"baton-note-{claim.id}"
        if claim.attempts > 1 and self.tickets.has_note(ticket.zendesk_ticket_id, marker):
            self._finish(claim)
            return
        new = [t for t in decision.triggers if t.key not in earlier]
        raised = previous is not None and (
            decision.priority.rank > Priority(previous.priority).rank
        )
        if not new and not raised:
            self._finish(claim)  # nothing the ticket does not already say
            return
        self.tickets.update_ticket(
            ticket.zendesk_ticket_id,
            TicketUpdate(
                note_html=_note_for(new, marker),
                add_tags=tags_for(decision),
                priority=decision.priority.value if raised else None,
            ),
        )
        self._finish(claim)
        bound.info("handoff.note_added", ticket_id=ticket.zendesk_ticket_id, raised=raised)

    # -- add the CRM card to a ticket created without it ---------------------------------

    def _update_card(self, claim: Claim, bound: structlog.typing.FilteringBoundLogger) -> None:
        with self.db.transaction() as session:
            ticket = _episode_ticket(session, claim)
            if ticket is None:
                raise PermanentError("a card update for an episode without a ticket")
            conversation = session.get(ConversationRow, claim.conversation_id)
            assert conversation is not None
            snapshot = load_snapshot(session, conversation)
        if ticket.card_status != "pending":
            self._finish(claim)
            return
        card = self.assembler.card(snapshot, 0)
        if card is None or card.status == "pending":
            raise RetryableError("the CRM card is still pending")
        marker = f"baton-card-{claim.id}"
        if claim.attempts == 1 or not self.tickets.has_note(ticket.zendesk_ticket_id, marker):
            update = late_card_update(card, self.clock())
            note = f"{update.note_html}<p><small>{marker}</small></p>"
            self.tickets.update_ticket(
                ticket.zendesk_ticket_id, dataclasses.replace(update, note_html=note)
            )
        with self.db.transaction() as session:
            row = session.get(TicketRow, ticket.id, with_for_update=True)
            assert row is not None
            row.card_status = card.status
        self._finish(claim)
        bound.info("handoff.card_added", ticket_id=ticket.zendesk_ticket_id, card=card.status)

    # -- outcomes -----------------------------------------------------------------------

    def _finish(self, claim: Claim) -> None:
        with self.db.transaction() as session:
            row = session.get(OutboxRow, claim.id, with_for_update=True)
            if row is not None and row.status == "claimed" and row.claimed_by == self.worker_id:
                row.status = "done"
                row.done_at = self.clock()
                row.claimed_until = None

    def _retry(
        self,
        claim: Claim,
        error: str,
        retry_after: float | None,
        bound: structlog.typing.FilteringBoundLogger,
    ) -> None:
        if claim.attempts >= self.policy.max_attempts:
            self._dead(claim, f"gave up after {claim.attempts} attempts: {error}", bound)
            return
        delay = self.policy.delay(claim.attempts, retry_after)
        release_for_retry(self.db, claim, self.worker_id, self.clock(), delay, error)
        bound.warning("handoff.retry_scheduled", error=error, delay_seconds=delay.total_seconds())

    def _dead(self, claim: Claim, error: str, bound: structlog.typing.FilteringBoundLogger) -> None:
        now = self.clock()
        dead_letter(self.db, claim, self.worker_id, now, error)
        if claim.kind == "create_ticket":
            with self.db.transaction() as session:
                conversation = session.get(ConversationRow, claim.conversation_id)
                if conversation is not None and conversation.state == "pending":
                    transition(session, conversation, "dead", now, error[:200])
        bound.error("handoff.dead_lettered", error=error)


def _episode_ticket(session: Session, claim: Claim) -> TicketRow | None:
    """The ticket recorded for the claim's escalation episode, if any."""
    return session.scalars(
        select(TicketRow).where(
            TicketRow.conversation_id == claim.conversation_id,
            TicketRow.episode == claim.episode,
        )
    ).first()


def _episode_decision(session: Session, claim: Claim) -> DecisionRow:
    """The newest escalating decision of the claim's episode (it may have grown since)."""
    row = session.scalars(
        select(DecisionRow)
        .where(
            DecisionRow.conversation_id == claim.conversation_id,
            DecisionRow.episode == claim.episode,
            DecisionRow.escalate.is_(True),
        )
        .order_by(DecisionRow.id.desc())
        .limit(1)
    ).first()
    if row is None:
        raise PermanentError(f"no escalating decision for episode {claim.episode}")
    return row


def _note_for(hits: list[TriggerHit], marker: str) -> str:
    """The note of a re-escalation: only what is new, each with its evidence."""
    items = "".join(
        f"<li><b>{escape(trigger_label(h))}</b> “{escape(h.evidence)}” "
        f"<small>(trigger {escape(h.key)})</small></li>"
        for h in hits
    )
    return (
        f"<p><b>Baton: new reasons to escalate</b> since the ticket was opened.</p>"
        f"<ul>{items}</ul><p><small>{marker}</small></p>"
    )


class WorkerPool:
    """N handoff workers in threads; woken early when ingest queues work."""

    def __init__(self, workers: list[HandoffWorker], poll_interval: float = 0.5) -> None:
        self.workers = workers
        self.poll_interval = poll_interval
        self.wake = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for worker in self.workers:
            thread = threading.Thread(
                target=self._loop, args=(worker,), name=worker.worker_id, daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def _loop(self, worker: HandoffWorker) -> None:
        while not self._stop.is_set():
            try:
                busy = worker.run_once()
            except Exception:
                log.exception("handoff.worker_loop_error", worker=worker.worker_id)
                busy = False
            if not busy:
                self.wake.wait(self.poll_interval)
                self.wake.clear()

    def stop(self, timeout: float = 30.0) -> bool:
        """Let in-flight work finish (up to ``timeout``); a row left claimed is re-run later."""
        self._stop.set()
        self.wake.set()
        for thread in self._threads:
            thread.join(timeout)
        return not any(t.is_alive() for t in self._threads)
