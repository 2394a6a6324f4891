"""A CRM outage delays the account card, never the ticket; the card follows as an update."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from commands.daemon import Daemon
from commands.demo import demo_settings
from commands.scenarios import load_scenarios
from config.settings import CrmSettings
from sandbox.faults import FaultRule
from sandbox.server import SandboxServer
from store.schema import TicketRow
from tests.fixtures.daemon import Bot, wait_for_outbox

SECRET = "outage-secret"


def test_outage_then_recovery(sandbox: SandboxServer, zendesk: Any, tmp_path: Path) -> None:
    settings = demo_settings(sandbox, tmp_path, SECRET)
    settings = settings.model_copy(
        update={"crm": CrmSettings(mapping_file=settings.crm.mapping_file, card_budget_seconds=0.5)}
    )
    run = f"-{uuid.uuid4().hex[:6]}"
    (scenario,) = [
        s
        for s in load_scenarios(datetime.now(UTC) - timedelta(minutes=5), run_id=run)
        if s.conversation_id == f"demo-handoff-button{run}"  # Maria Santos, Salesforce
    ]
    outage = sandbox.state.faults.add(FaultRule(kind="outage", api="salesforce", status=503))
    daemon = Daemon(settings).start()
    try:
        bot = Bot(daemon.url, SECRET)
        started = time.monotonic()
        for event in scenario.events:
            assert bot.send(event).status_code == 200
        wait_for_outbox(daemon, timeout=10)
        took = time.monotonic() - started
        (ticket,) = list(zendesk.tickets(external_id=f"baton:{scenario.conversation_id}:1"))
        assert "baton_crm_pending" in ticket.tags
        (note,) = list(zendesk.tickets.comments(ticket=ticket.id))
        assert "not available yet" in note.html_body or "pending" in note.html_body.lower()
        assert took < 5, f"the ticket waited {took:.1f} s for a CRM that was down"

        sandbox.state.faults.remove(outage.id or "")
        deadline = time.monotonic() + 20
        while True:
            with daemon.db.transaction() as session:
                row = (
                    session.query(TicketRow)
                    .filter_by(conversation_id=scenario.conversation_id)
                    .one()
                )
                status = row.card_status
            if status != "pending":
                break
            assert time.monotonic() < deadline, "the card never followed"
            time.sleep(0.2)
        wait_for_outbox(daemon, timeout=10)
        assert status == "ready"
        ticket = zendesk.tickets(id=ticket.id)
        assert "baton_crm_pending" not in ticket.tags
        assert "baton_crm_salesforce" in ticket.tags
        _first, update = list(zendesk.tickets.comments(ticket=ticket.id))
        assert update.public is False
        assert "Bayanihan Logistics" in update.html_body
    finally:
        sandbox.state.faults.remove(outage.id or "")
        daemon.stop()
