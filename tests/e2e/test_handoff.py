"""End to end over real HTTP: signed events in, an enriched Zendesk ticket out, read back
with zenpy from the sandbox."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from structlog.testing import capture_logs

from commands.daemon import Daemon
from core.engine import compiled
from sandbox.server import SandboxServer
from tests.fixtures.daemon import Bot, wait_for_outbox
from tests.helpers import raw_event


def tickets_with_external_prefix(zendesk: Any, conversation_id: str) -> list[Any]:
    return list(zendesk.tickets(external_id=f"baton:{conversation_id}:1"))


@pytest.fixture
def conversation_id() -> str:
    return f"e2e-{uuid.uuid4().hex[:10]}"


class TestTicketFromEscalation:
    """An explicit request for a human becomes one ticket carrying the evidence."""

    def test_ticket_carries_requester_tags_priority_and_evidence(
        self, daemon: Daemon, bot: Bot, zendesk: Any, conversation_id: str
    ) -> None:
        for ev in (
            raw_event(conversation_id, text="My invoice has the wrong VAT number",
                      email="budi@kopinusantara.example", name="Budi Santoso",
                      intent="invoice_issue", confidence=0.72),
            raw_event(conversation_id, role="bot", text="I can resend your invoice.",
                      email="budi@kopinusantara.example", name="Budi Santoso"),
            raw_event(conversation_id, text="No. I want to talk to a human please",
                      email="budi@kopinusantara.example", name="Budi Santoso",
                      event_id=f"{conversation_id}-ask"),
        ):  # fmt: skip
            assert bot.send(ev).status_code == 200
        assert wait_for_outbox(daemon) == {"done": 1}

        (ticket,) = tickets_with_external_prefix(zendesk, conversation_id)
        requester = zendesk.users(id=ticket.requester_id)
        assert (requester.name, requester.email) == ("Budi Santoso", "budi@kopinusantara.example")
        # "No. I want to talk to a human" after the bot's offer reads as annoyed (0.86 to
        # the frustration student, which reads words in context; 0.05 without the "No."):
        # the request comes with rising frustration, category B, priority high
        assert ticket.priority == "high"
        tags = {"baton", "baton_customer_request", "baton_sentiment", "baton_category_b"}
        assert tags <= set(ticket.tags)
        assert ticket.subject == "My invoice has the wrong VAT number"

        (note,) = list(zendesk.tickets.comments(ticket=ticket.id))
        assert note.public is False
        assert "customer_request" in note.html_body
        assert "talk to a human" in note.html_body  # the matched phrase, as evidence
        assert "wrong VAT number" in note.html_body  # the transcript
        assert "I can resend your invoice." in note.html_body

    def test_a_duplicate_delivery_creates_no_second_ticket(
        self, daemon: Daemon, bot: Bot, zendesk: Any, sandbox: SandboxServer, conversation_id: str
    ) -> None:
        batch = [
            raw_event(conversation_id, text="hello"),
            raw_event(conversation_id, text="get me a real person"),
        ]
        assert bot.send(batch).json()["accepted"] == 2
        wait_for_outbox(daemon)
        again = bot.send(batch).json()
        assert (again["accepted"], again["duplicates"]) == (0, 2)
        wait_for_outbox(daemon)
        assert len(tickets_with_external_prefix(zendesk, conversation_id)) == 1
        creates = [
            e
            for e in sandbox.state.ledger.entries("zendesk", "ticket.create")
            if e.details.get("external_id") == f"baton:{conversation_id}:1"
        ]
        assert len(creates) == 1

    def test_a_later_escalation_adds_an_internal_note_to_the_open_ticket(
        self,
        start_daemon: Callable[..., Daemon],
        zendesk: Any,
        conversation_id: str,
        tmp_path: Path,
    ) -> None:
        rules = tmp_path / "rules.yaml"
        rules.write_text("keyword:\n  phrases: [chargeback]\n")
        daemon = start_daemon(rules=str(rules))
        bot = Bot(daemon.url)
        bot.send(raw_event(conversation_id, text="I need to speak to an agent"))
        wait_for_outbox(daemon)
        bot.send(raw_event(conversation_id, text="or I file a chargeback today"))
        counts = wait_for_outbox(daemon)
        assert counts == {"done": 2}

        (ticket,) = tickets_with_external_prefix(zendesk, conversation_id)
        _first, second = list(zendesk.tickets.comments(ticket=ticket.id))
        assert second.public is False
        assert "keyword" in second.html_body
        assert "chargeback" in second.html_body
        assert "customer_request" not in second.html_body  # only what is new


def test_the_start_log_says_which_engine_runs(start_daemon: Callable[..., Daemon]) -> None:
    with capture_logs() as logs:
        daemon = start_daemon()
    started = [e for e in logs if e["event"] == "daemon.started"]
    assert len(started) == 1
    assert started[0]["url"] == daemon.url
    assert started[0]["engine"] == ("compiled" if compiled() else "python")
