"""``baton demo``: the whole pipeline on the embedded default, with nothing installed.

Starts the sandbox and the daemon on free loopback ports, sends the bundled sample
conversations through the signed webhook as a bot platform would, waits for the
handoffs, and prints what happened.
"""

from __future__ import annotations

import json
import secrets
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Annotated

import httpx
import typer
from pydantic import SecretStr
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from commands.crm import sandbox_settings
from commands.daemon import Daemon
from commands.scenarios import DEFAULT_SCENARIOS, Scenario, load_scenarios
from config.mappings import DEMO_MAPPING
from config.settings import (
    BatonSettings,
    ContextSettings,
    CrmSettings,
    LogSettings,
    ServerSettings,
    WebhookSettings,
    WorkerSettings,
)
from connectors.zendesk import ZendeskSettings
from core.context.model import RoutingRules
from core.signing import HEADER, sign
from observability.logging import configure_logging
from sandbox.server import SandboxServer
from store.conversations import decision_from_row, latest_decision
from store.outbox import counts_by_status
from store.schema import ConversationRow, TicketRow

DEMO_RULES = Path(str(resources.files("config") / "demo" / "rules.yaml"))
#: Zendesk groups of the sandbox's seed data, by topic, intent and category.
DEMO_ROUTING = RoutingRules(
    default_group="Support",
    groups_by_topic={"security_incident": "Trust & Safety", "vip": "VIP"},
    groups_by_intent={"refund*": "Billing", "invoice*": "Billing", "payment*": "Billing"},
)


@dataclass(frozen=True)
class DemoRow:
    conversation_id: str
    escalate: bool
    category: str
    priority: str
    triggers: tuple[str, ...]
    ticket_id: int | None
    handoff_seconds: float | None
    state: str
    card: str


class WebhookClient:
    """Sends events the way a bot platform does: JSON, signed, over keep-alive HTTP."""

    def __init__(self, url: str, secret: str) -> None:
        self.url = url.rstrip("/") + "/v1/events"
        self.secret = secret
        self.http = httpx.Client(timeout=30)

    def send(self, payload: object) -> httpx.Response:
        body = json.dumps(payload).encode()
        headers = {
            "Content-Type": "application/json",
            HEADER: sign(self.secret, body, int(time.time())),
        }
        response = self.http.post(self.url, content=body, headers=headers)
        response.raise_for_status()
        return response

    def close(self) -> None:
        self.http.close()


def demo(
    scenarios: Annotated[Path, typer.Option(help="Sample conversations (YAML).")] = (
        DEFAULT_SCENARIOS
    ),
    state_dir: Annotated[
        Path | None,
        typer.Option(help="Keep the demo's database here (default: a temporary directory)."),
    ] = None,
    concurrency: Annotated[
        int, typer.Option(min=1, help="Conversations sent at the same time.")
    ] = 4,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for all handoffs.")] = 45.0,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show the daemon's logs.")
    ] = False,
) -> None:
    """Run the whole pipeline on SQLite and the built-in sandbox, and print the handoffs."""
    console = Console(width=max(Console().width, 120))
    configure_logging("INFO" if verbose else "ERROR", "console")
    with tempfile.TemporaryDirectory(prefix="baton-demo-") as tmp:
        code = _run(console, scenarios, state_dir or Path(tmp), concurrency, timeout)
    raise typer.Exit(code)


def demo_settings(sandbox: SandboxServer, state_dir: Path, secret: str) -> BatonSettings:
    """The daemon's settings in the demo: every API on the sandbox, the demo's rules,
    CRM mapping and routing."""
    cfg = sandbox.state.config
    salesforce, hubspot = sandbox_settings(sandbox)
    return BatonSettings(
        state_dir=state_dir,
        server=ServerSettings(port=0),
        webhook=WebhookSettings(secrets=(SecretStr(secret),)),
        workers=WorkerSettings(count=2, poll_interval_seconds=0.2, shutdown_grace_seconds=5),
        log=LogSettings(level="ERROR", format="console"),
        zendesk=ZendeskSettings(
            subdomain=cfg.zendesk_subdomain,
            email=cfg.zendesk_email,
            token=SecretStr(cfg.zendesk_token),
            api_url=sandbox.url,  # type: ignore[arg-type]
        ),
        rules=str(DEMO_RULES),
        crm=CrmSettings(mapping_file=DEMO_MAPPING),
        salesforce=salesforce,
        hubspot=hubspot,
        context=ContextSettings(routing=DEMO_ROUTING),
    )


def _run(
    console: Console, scenarios_path: Path, state_dir: Path, concurrency: int, timeout: float
) -> int:
    started = time.monotonic()
    with SandboxServer() as sandbox:
        secret = secrets.token_hex(16)
        settings = demo_settings(sandbox, state_dir, secret)
        console.print(f"[bold]Baton demo[/] sandbox {sandbox.url}  state {state_dir}")
        daemon = Daemon(settings).start()
        try:
            console.print(f"daemon listening on {daemon.url}; sending conversations...")
            items = load_scenarios(
                datetime.now(UTC) - timedelta(minutes=15),
                scenarios_path,
                run_id=_run_id(daemon),
            )
            client = WebhookClient(daemon.url, secret)
            try:
                _send_all(client, items, concurrency)
                # A bot platform retrying a delivery it thinks failed: same event ids again.
                resent = client.send(items[1].events).json()
            finally:
                client.close()
            waited = _wait_for_handoffs(daemon, timeout)
            rows = _collect(daemon, sandbox, items)
            tickets_by_external = _zendesk_tickets(sandbox)
        finally:
            daemon.stop()
    escalated = [r for r in rows if r.escalate]
    ticketed = [r for r in rows if r.ticket_id is not None]
    duplicates = sum(n - 1 for n in tickets_by_external.values() if n > 1)
    _print_table(console, rows)
    console.print(
        f"re-sent {len(items[1].events)} events of {items[1].conversation_id}: "
        f"{resent['accepted']} accepted, {resent['duplicates']} ignored as duplicates"
    )
    if not waited:
        console.print(f"[red]handoffs still pending after {timeout:.0f} s[/]")
    console.print(f"finished in {time.monotonic() - started:.1f} s")
    console.print(
        f"{len(rows)} conversations, {len(escalated)} escalated, "
        f"{len(tickets_by_external)} tickets created, {duplicates} duplicates",
        highlight=False,
    )
    ok = waited and duplicates == 0 and len(ticketed) == len(escalated)
    return 0 if ok else 1


def _run_id(daemon: Daemon) -> str:
    """A suffix for conversation ids when a kept state directory already has a demo run."""
    with daemon.db.transaction() as session:
        seen = session.scalar(select(ConversationRow.id).limit(1))
    return f"-{int(time.time())}" if seen is not None else ""


def _send_all(client: WebhookClient, items: list[Scenario], concurrency: int) -> None:
    def one(item: Scenario) -> None:
        for event in item.events:  # each message its own request, as chats happen
            client.send(event)

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for future in [pool.submit(one, item) for item in items]:
            future.result()


def _wait_for_handoffs(daemon: Daemon, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        counts = counts_by_status(daemon.db)
        if not counts.get("pending") and not counts.get("claimed"):
            return True
        daemon.pool.wake.set()
        time.sleep(0.1)
    return False


def _card_source(sandbox: SandboxServer, ticket_id: int) -> str:
    """Which CRM's card the ticket carries, read from the sandbox's Zendesk tags."""
    tags = set(sandbox.state.vendors["zendesk"].tickets[ticket_id]["tags"])
    for source in ("salesforce", "hubspot"):
        if f"baton_crm_{source}" in tags:
            return source
    for outcome in ("no_match", "ambiguous", "pending", "unavailable"):
        if f"baton_crm_{outcome}" in tags:
            return outcome.replace("_", " ")
    return "-"


def _collect(daemon: Daemon, sandbox: SandboxServer, items: list[Scenario]) -> list[DemoRow]:
    rows = []
    with daemon.db.transaction() as session:
        for item in items:
            conversation = session.get(ConversationRow, item.conversation_id)
            decision_row = latest_decision(session, item.conversation_id)
            decision = decision_from_row(decision_row) if decision_row else None
            ticket = session.scalars(
                select(TicketRow)
                .where(TicketRow.conversation_id == item.conversation_id)
                .order_by(TicketRow.episode.desc())
            ).first()
            rows.append(
                DemoRow(
                    conversation_id=item.conversation_id,
                    escalate=bool(conversation and conversation.episode > 0),
                    category=decision.category.value if decision else "C",
                    priority=decision.priority.value if decision else "low",
                    triggers=tuple(t.key for t in decision.triggers) if decision else (),
                    ticket_id=ticket.zendesk_ticket_id if ticket else None,
                    handoff_seconds=ticket.handoff_seconds if ticket else None,
                    state=conversation.state if conversation else "unknown",
                    card=_card_source(sandbox, ticket.zendesk_ticket_id) if ticket else "-",
                )
            )
    return rows


def _zendesk_tickets(sandbox: SandboxServer) -> Counter[str]:
    """Tickets the sandbox's Zendesk holds, counted per Baton external_id."""
    counts: Counter[str] = Counter()
    for entry in sandbox.state.ledger.entries("zendesk", "ticket.create"):
        external = entry.details.get("external_id")
        if isinstance(external, str) and external.startswith("baton:"):
            counts[external] += 1
    return counts


def _print_table(console: Console, rows: list[DemoRow]) -> None:
    table = Table(title="Handoffs", show_lines=False)
    table.add_column("conversation", no_wrap=True)
    table.add_column("decision", no_wrap=True)
    table.add_column("triggers", overflow="fold")
    table.add_column("CRM card")
    table.add_column("ticket", justify="right")
    table.add_column("handoff", justify="right")
    for r in rows:
        decision = f"escalate {r.category}/{r.priority}" if r.escalate else "bot keeps it"
        table.add_row(
            r.conversation_id,
            decision,
            ", ".join(r.triggers) or "-",
            r.card,
            f"#{r.ticket_id}" if r.ticket_id else "-",
            f"{r.handoff_seconds * 1000:.0f} ms" if r.handoff_seconds is not None else "-",
        )
    console.print(table)
