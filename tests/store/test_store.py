"""The store on SQLite and PostgreSQL: migrations, ingest, outbox claims."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import func, inspect, select

from core.conversation import ConversationSnapshot
from core.decision import Decision
from core.engine import Engine
from store.db import Database
from store.ingest import ingest
from store.outbox import claim_next, dead_letter, release_for_retry
from store.schema import DecisionRow, EventRow, MessageRow, OutboxRow
from tests.helpers import T0, events, raw_event

NOW = T0 + timedelta(minutes=5)
LEASE = timedelta(seconds=60)


def count(db: Database, table: type) -> int:
    with db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


class TestMigrations:
    """Alembic brings an empty database to the current schema, idempotently."""

    def test_creates_every_table(self, database: Database) -> None:
        tables = set(inspect(database.engine).get_table_names())
        assert {
            "events",
            "conversations",
            "messages",
            "decisions",
            "outbox",
            "tickets",
            "transitions",
            "alembic_version",
        } <= tables

    def test_running_again_changes_nothing(self, database: Database) -> None:
        database.migrate()
        assert count(database, EventRow) == 0


class TestIngest:
    """Events are stored once; escalations queue exactly one outbox row."""

    def test_duplicate_event_ids_are_ignored_across_and_within_batches(
        self, database: Database
    ) -> None:
        first = raw_event("c1", text="where is my parcel", event_id="e-1")
        result = ingest(database, events(first, first), Engine(), NOW)
        assert (result.accepted, result.duplicates) == (1, 1)
        again = ingest(database, events(first), Engine(), NOW)
        assert (again.accepted, again.duplicates) == (0, 1)
        assert count(database, EventRow) == 1
        assert count(database, MessageRow) == 1

    def test_escalation_writes_decision_and_outbox_row_together(self, database: Database) -> None:
        result = ingest(
            database,
            events(raw_event("c2", text="I want to talk to a human", event_id="e-h")),
            Engine(),
            NOW,
        )
        decision = result.decisions["c2"]
        assert decision.escalate
        assert decision.triggers[0].name == "customer_request"
        assert decision.decided_at_event == "e-h"
        with database.transaction() as session:
            row = session.scalars(select(OutboxRow)).one()
            stored = session.scalars(select(DecisionRow)).one()
        assert (row.kind, row.status, row.episode, row.decision_id) == (
            "create_ticket",
            "pending",
            1,
            stored.id,
        )

    def test_further_messages_of_an_escalated_conversation_queue_nothing_new(
        self, database: Database
    ) -> None:
        ingest(database, events(raw_event("c3", text="talk to a human")), Engine(), NOW)
        ingest(database, events(raw_event("c3", text="hello? talk to a human")), Engine(), NOW)
        assert count(database, OutboxRow) == 1

    def test_a_failure_mid_batch_writes_nothing(self, database: Database) -> None:
        class Exploding:  # wraps the engine (a compiled class cannot be subclassed here)
            def __init__(self) -> None:
                self.engine = Engine()

            def __getattr__(self, name: str) -> Any:
                return getattr(self.engine, name)

            def decide(
                self, conversation: ConversationSnapshot, event_id: str | None = None
            ) -> Decision:
                if event_id == "boom":
                    raise RuntimeError("engine bug")
                return self.engine.decide(conversation, event_id)

        batch = events(
            raw_event("c4", text="talk to a human", event_id="ok"),
            raw_event("c4", text="second", event_id="boom"),
        )
        with pytest.raises(RuntimeError):
            ingest(database, batch, Exploding(), NOW)  # type: ignore[arg-type]
        assert count(database, EventRow) == 0
        assert count(database, OutboxRow) == 0
        assert count(database, DecisionRow) == 0

    def test_times_with_offsets_are_stored_as_the_same_instant(self, database: Database) -> None:
        at = datetime(2026, 11, 29, 18, 0, tzinfo=timezone(timedelta(hours=8)))
        ingest(database, events(raw_event("c5", at=at, text="hi")), Engine(), NOW)
        with database.transaction() as session:
            stored = session.scalars(select(MessageRow.occurred_at)).one()
        assert stored == datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
        assert stored.tzinfo is not None


class TestOutboxClaims:
    """A row is held by one worker at a time; a dead worker's claim expires."""

    @pytest.fixture
    def queued(self, database: Database) -> Database:
        ingest(database, events(raw_event("q1", text="talk to a human")), Engine(), NOW)
        return database

    def test_a_claimed_row_cannot_be_claimed_again_before_its_lease_ends(
        self, queued: Database
    ) -> None:
        first = claim_next(queued, "w1", NOW, LEASE)
        assert first is not None
        assert first.attempts == 1
        assert claim_next(queued, "w2", NOW + timedelta(seconds=30), LEASE) is None

    def test_an_expired_lease_is_claimed_again_with_another_attempt(self, queued: Database) -> None:
        claim_next(queued, "w1", NOW, LEASE)
        second = claim_next(queued, "w2", NOW + LEASE + timedelta(seconds=1), LEASE)
        assert second is not None
        assert second.attempts == 2

    def test_a_released_row_is_due_again_only_after_its_delay(self, queued: Database) -> None:
        claim = claim_next(queued, "w1", NOW, LEASE)
        assert claim is not None
        release_for_retry(queued, claim, "w1", NOW, timedelta(seconds=10), "Unavailable: 503")
        assert claim_next(queued, "w1", NOW + timedelta(seconds=5), LEASE) is None
        again = claim_next(queued, "w1", NOW + timedelta(seconds=11), LEASE)
        assert again is not None
        assert again.attempts == 2

    def test_only_the_holder_can_release_and_dead_letter(self, queued: Database) -> None:
        claim = claim_next(queued, "w1", NOW, LEASE)
        assert claim is not None
        dead_letter(queued, claim, "intruder", NOW, "no")
        with queued.transaction() as session:
            assert session.scalars(select(OutboxRow.status)).one() == "claimed"
        dead_letter(queued, claim, "w1", NOW, "PermanentError: 422")
        with queued.transaction() as session:
            row = session.scalars(select(OutboxRow)).one()
        assert (row.status, row.last_error) == ("dead", "PermanentError: 422")
        assert claim_next(queued, "w1", NOW + timedelta(days=1), LEASE) is None
