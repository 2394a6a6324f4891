"""End-to-end figures of the handoff pipeline on the embedded default (SQLite + sandbox).

A bot platform posts signed events for ``--conversations`` conversations from
``--senders`` threads (each message its own request, as chats happen); a share of them
ask for a human. Prints webhook throughput and latency percentiles, handoff time
(decision → ticket) percentiles, Zendesk API calls per escalation and peak memory.
The sandbox's rate limit is off here: this measures Baton, not a Zendesk plan.

    .venv/bin/python bench/bench_pipeline.py [--conversations 300] [--senders 8] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from pydantic import SecretStr
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from commands.daemon import Daemon
from config.settings import (
    BatonSettings,
    LogSettings,
    ServerSettings,
    WebhookSettings,
    WorkerSettings,
)
from connectors.zendesk import ZendeskSettings
from core.signing import HEADER, sign
from observability.logging import configure_logging
from sandbox.config import SandboxConfig
from sandbox.server import SandboxServer
from store.outbox import counts_by_status
from store.schema import TicketRow

SECRET = "bench-secret"


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def conversation(n: int, escalate: bool) -> list[dict[str, object]]:
    cid = f"bench-{n}"
    base = time.time() - 600
    texts = ["hi, where is my order?", "it was due on Monday", "the tracking page is empty"]
    texts.append("I want to talk to a human" if escalate else "ok thanks")
    out: list[dict[str, object]] = []
    for i, text in enumerate(texts):
        out.append(
            {
                "event_id": f"{cid}-{i}",
                "type": "message",
                "conversation_id": cid,
                "occurred_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(base + n + i * 5)),
                "channel": "web_chat",
                "customer": {"email": f"c{n}@bench.example", "name": f"Customer {n}"},
                "message": {"id": f"{cid}-m{i}", "role": "customer", "text": text},
                "bot": {"intent": "order_status", "confidence": 0.9},
            }
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=300)
    parser.add_argument("--escalation-share", type=float, default=0.4)
    parser.add_argument("--senders", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    configure_logging("ERROR", "console")

    sandbox = SandboxServer(SandboxConfig(zendesk_requests_per_minute=0)).start()
    tmp = tempfile.TemporaryDirectory(prefix="baton-bench-")
    cfg = sandbox.state.config
    settings = BatonSettings(
        state_dir=Path(tmp.name),
        server=ServerSettings(port=0),
        webhook=WebhookSettings(secrets=(SecretStr(SECRET),)),
        workers=WorkerSettings(count=args.workers, poll_interval_seconds=0.05),
        log=LogSettings(level="ERROR", format="console"),
        zendesk=ZendeskSettings(
            subdomain=cfg.zendesk_subdomain,
            email=cfg.zendesk_email,
            token=SecretStr(cfg.zendesk_token),
            api_url=sandbox.url,  # type: ignore[arg-type]
        ),
    )
    daemon = Daemon(settings).start()
    convs = [
        conversation(n, (n % 100) < args.escalation_share * 100) for n in range(args.conversations)
    ]
    escalating = sum(1 for c in convs if "human" in str(c[-1]["message"]))
    latencies: list[float] = []
    lock = threading.Lock()
    local = threading.local()

    def send(events: list[dict[str, object]]) -> None:
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = httpx.Client(timeout=30)
        for event in events:
            body = json.dumps(event).encode()
            headers = {
                "Content-Type": "application/json",
                HEADER: sign(SECRET, body, int(time.time())),
            }
            t0 = time.perf_counter()
            response = client.post(daemon.url + "/v1/events", content=body, headers=headers)
            elapsed = time.perf_counter() - t0
            response.raise_for_status()
            with lock:
                latencies.append(elapsed)

    print(
        f"pipeline: {args.conversations} conversations x 4 messages, {escalating} escalating, "
        f"{args.senders} senders, {args.workers} handoff workers, SQLite + sandbox"
    )
    started = time.perf_counter()
    with ThreadPoolExecutor(args.senders) as pool:
        list(pool.map(send, convs))
    sent = time.perf_counter() - started
    while True:
        counts = counts_by_status(daemon.db)
        if not counts.get("pending") and not counts.get("claimed"):
            break
        time.sleep(0.05)
    drained = time.perf_counter() - started
    with daemon.db.transaction() as session:
        handoffs = [t for t in session.scalars(select(TicketRow.handoff_seconds)) if t is not None]
    zendesk_requests = sum(
        1 for e in sandbox.state.ledger.entries("zendesk") if e.action.startswith("ticket.")
    )
    calls = sum(w.tickets.calls for w in daemon.pool.workers[:1])  # one shared connector
    daemon.stop()
    sandbox.stop()
    tmp.cleanup()

    events = len(latencies)
    print(f"  webhook: {events / sent:,.0f} events/s ({events} requests in {sent:.2f} s)")
    print(
        "  webhook latency: p50 {:.1f} ms, p95 {:.1f} ms, p99 {:.1f} ms".format(
            *(pct(latencies, p) * 1000 for p in (50, 95, 99))
        )
    )
    if handoffs:
        print(
            "  handoff (decision -> ticket): p50 {:.0f} ms, p95 {:.0f} ms, p99 {:.0f} ms, "
            "max {:.0f} ms".format(
                *(pct(handoffs, p) * 1000 for p in (50, 95, 99)), max(handoffs) * 1000
            )
        )
    print(
        f"  tickets: {len(handoffs)} for {escalating} escalations; all done after {drained:.2f} s"
    )
    print(
        f"  Zendesk calls per escalation: {calls / max(1, len(handoffs)):.2f} "
        f"(sandbox ticket writes: {zendesk_requests})"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak RSS (sandbox + daemon in one process): {peak:.0f} MiB")
    print(f"  mean webhook latency {statistics.fmean(latencies) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
