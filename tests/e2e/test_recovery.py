"""No escalation is lost and none is ticketed twice: crashes, lost responses, outages."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from commands.daemon import Daemon
from core.engine import Engine
from sandbox.faults import FaultRule
from sandbox.server import SandboxServer
from store.db import Database
from store.ingest import ingest
from store.outbox import claim_next
from store.schema import OutboxRow, TicketRow
from tests.fixtures.daemon import Bot, wait_for_outbox
from tests.helpers import events, raw_event

ROOT = Path(__file__).resolve().parents[2]


def creates_for(sandbox: SandboxServer, conversation_id: str) -> int:
    return sum(
        1
        for e in sandbox.state.ledger.entries("zendesk", "ticket.create")
        if e.details.get("external_id") == f"baton:{conversation_id}:1"
    )


def outbox_row(db: Database, conversation_id: str) -> OutboxRow:
    with db.transaction() as session:
        return session.scalars(
            select(OutboxRow).where(OutboxRow.conversation_id == conversation_id)
        ).one()


class TestLostResponses:
    """The ticket is created but the answer never arrives: the idempotency key saves us."""

    def test_commit_then_drop_yields_one_ticket(
        self, daemon: Daemon, bot: Bot, sandbox: SandboxServer, zendesk: Any
    ) -> None:
        cid = f"lost-{uuid.uuid4().hex[:8]}"
        with sandbox.state.faults.injected(
            FaultRule(kind="commit_then_fail", api="zendesk", path="/api/v2/tickets",
                      method="POST", times=1)
        ):  # fmt: skip
            bot.send(raw_event(cid, text="let me talk to a human"))
            assert wait_for_outbox(daemon) == {"done": 1}
        assert creates_for(sandbox, cid) == 1
        assert len(list(zendesk.tickets(external_id=f"baton:{cid}:1"))) == 1

    def test_a_503_outage_is_retried_until_the_ticket_exists(
        self, daemon: Daemon, bot: Bot, sandbox: SandboxServer
    ) -> None:
        cid = f"outage-{uuid.uuid4().hex[:8]}"
        with sandbox.state.faults.injected(
            FaultRule(kind="error", status=503, api="zendesk", path="/api/v2/tickets",
                      method="POST", times=2)
        ):  # fmt: skip
            bot.send(raw_event(cid, text="talk to a human"))
            assert wait_for_outbox(daemon) == {"done": 1}
        assert creates_for(sandbox, cid) == 1

    def test_a_permanent_refusal_is_dead_lettered_with_its_reason(
        self, daemon: Daemon, bot: Bot, sandbox: SandboxServer
    ) -> None:
        cid = f"refused-{uuid.uuid4().hex[:8]}"
        with sandbox.state.faults.injected(
            FaultRule(kind="error", status=422, api="zendesk", path="/api/v2/tickets",
                      method="POST", times=1)
        ):  # fmt: skip
            bot.send(raw_event(cid, text="talk to a human"))
            wait_for_outbox(daemon)
        row = outbox_row(daemon.db, cid)
        assert row.status == "dead"
        assert "422" in (row.last_error or "")


class TestWorkerDeath:
    """A worker that dies holding a claim leaves, after restart, exactly one ticket."""

    def test_claimed_but_never_sent(
        self, sandbox: SandboxServer, start_daemon: Any, tmp_path: Path
    ) -> None:
        cid = f"claimed-{uuid.uuid4().hex[:8]}"
        db = Database(f"sqlite:///{tmp_path / 'd0' / 'baton.db'}")
        db.migrate()
        then = datetime.now(UTC) - timedelta(minutes=5)
        ingest(db, events(raw_event(cid, text="talk to a human")), Engine(), then)
        # A worker claimed the row five minutes ago and died before sending anything.
        claim = claim_next(db, "dead-worker", then, timedelta(seconds=60))
        assert claim is not None
        db.dispose()

        daemon = start_daemon()
        assert wait_for_outbox(daemon) == {"done": 1}
        assert outbox_row(daemon.db, cid).attempts == 2
        assert creates_for(sandbox, cid) == 1

    @pytest.mark.slow
    @pytest.mark.parametrize("phase", ["before", "after"])
    def test_killed_mid_request(self, sandbox: SandboxServer, tmp_path: Path, phase: str) -> None:
        """SIGKILL while the create request is in flight — before Zendesk commits it, or
        after (the ticket exists, the worker never recorded it). A restarted daemon
        finishes the job with exactly one ticket."""
        cid = f"killed-{phase}-{uuid.uuid4().hex[:8]}"
        cfg = sandbox.state.config
        config = tmp_path / "baton.yaml"
        config.write_text(
            f"state_dir: {tmp_path / 'state'}\n"
            "server: {port: 0}\n"
            "workers: {count: 1, lease_seconds: 5, poll_interval_seconds: 0.1,"
            " shutdown_grace_seconds: 1}\n"
            "log: {level: INFO, format: json}\n"
            f"zendesk: {{subdomain: {cfg.zendesk_subdomain}, email: {cfg.zendesk_email},"
            f" api_url: '{sandbox.url}'}}\n"
        )
        env = dict(
            os.environ,
            BATON_WEBHOOK__SECRETS="s",
            BATON_ZENDESK__TOKEN=cfg.zendesk_token,
        )
        db = Database(f"sqlite:///{tmp_path / 'state' / 'baton.db'}")
        db.migrate()
        ingest(db, events(raw_event(cid, text="talk to a human")), Engine(), datetime.now(UTC))

        rule = sandbox.state.faults.add(
            FaultRule(kind="latency", latency_ms=2500, phase=phase, api="zendesk",
                      path="/api/v2/tickets", method="POST", times=1)
        )  # fmt: skip
        cmd = [sys.executable, str(ROOT / "main.py"), "run", "--config", str(config)]
        first = subprocess.Popen(cmd, env=env, cwd=ROOT, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 20
            while outbox_row(db, cid).status != "claimed":
                assert time.monotonic() < deadline, "the first daemon never claimed the row"
                time.sleep(0.05)
            time.sleep(0.5)  # the create request is now held by the sandbox
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        finally:
            if first.poll() is None:
                first.kill()
            sandbox.state.faults.remove(rule.id or "")
        assert outbox_row(db, cid).status == "claimed"  # died holding it

        second = subprocess.Popen(cmd, env=env, cwd=ROOT, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 30
            while outbox_row(db, cid).status != "done":
                assert second.poll() is None, second.stderr.read().decode()[-2000:]  # type: ignore[union-attr]
                assert time.monotonic() < deadline, "the restarted daemon did not finish"
                time.sleep(0.1)
            second.send_signal(signal.SIGTERM)
            assert second.wait(15) == 0
        finally:
            if second.poll() is None:
                second.kill()
        with db.transaction() as session:
            tickets = session.scalars(
                select(TicketRow).where(TicketRow.conversation_id == cid)
            ).all()
        db.dispose()
        assert len(tickets) == 1
        assert creates_for(sandbox, cid) == 1
