"""End-to-end figures of the handoff pipeline on the embedded default (SQLite + sandbox).

The sandbox and the daemon run as their own processes (`baton sandbox`, `baton run`), as
they would deployed; this process is the bot platform: ``--senders`` threads post signed
events for ``--conversations`` conversations (each message its own request, as chats
happen), a share of which ask for a human. Prints webhook throughput and latency
percentiles, handoff time (decision → ticket) percentiles, Zendesk API requests per
escalation and the daemon's peak memory. The sandbox's rate limit is off: this measures
Baton, not a Zendesk plan.

    .venv/bin/python bench/bench_pipeline.py [--conversations 300] [--senders 8] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.signing import HEADER, sign  # noqa: E402 (after the sys.path line)

SECRET = "bench-secret"


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def conversation(n: int, escalate: bool) -> list[dict[str, object]]:
    cid = f"bench-{n}"
    base = time.time() - 600
    texts = ["hi, where is my order?", "it was due on Monday", "the tracking page is empty"]
    texts.append("I want to talk to a human" if escalate else "ok thanks")
    return [
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
        for i, text in enumerate(texts)
    ]


def start_sandbox() -> tuple[subprocess.Popen[str], dict[str, str]]:
    cmd = [sys.executable, str(ROOT / "main.py"), "sandbox", "--port", "0", "--no-rate-limit"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout is not None
    values: dict[str, str] = {}
    while len(values) < 7:
        name, _, value = proc.stdout.readline().strip().partition("=")
        values[name] = value
    return proc, values


def start_daemon(
    state: Path, sandbox: dict[str, str], workers: int
) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as probe:  # a free port (the daemon binds it right after)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = state / "baton.yaml"
    config.write_text(
        f"state_dir: {state}\n"
        f"server: {{port: {port}}}\n"
        f"workers: {{count: {workers}}}\n"
        "log: {level: WARNING, format: json}\n"
        f"zendesk: {{subdomain: {sandbox['ZENDESK_SUBDOMAIN']}, "
        f"email: {sandbox['ZENDESK_EMAIL']}, api_url: '{sandbox['SANDBOX_URL']}'}}\n"
    )
    env = dict(
        os.environ,
        BATON_WEBHOOK__SECRETS=SECRET,
        BATON_ZENDESK__TOKEN=sandbox["ZENDESK_TOKEN"],
    )
    cmd = [sys.executable, str(ROOT / "main.py"), "run", "--config", str(config)]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                return proc, url
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            raise SystemExit("the daemon did not start")
        time.sleep(0.05)


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--conversations", type=int, default=300)
    parser.add_argument("--escalation-share", type=float, default=0.4)
    parser.add_argument("--senders", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="baton-bench-")
    state = Path(tmp.name)
    sandbox, values = start_sandbox()
    daemon, url = start_daemon(state, values, args.workers)
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
            client.post(url + "/v1/events", content=body, headers=headers).raise_for_status()
            elapsed = time.perf_counter() - t0
            with lock:
                latencies.append(elapsed)

    print(
        f"pipeline: {args.conversations} conversations x 4 messages, {escalating} escalating, "
        f"{args.senders} senders, {args.workers} handoff workers; daemon and sandbox in "
        "their own processes, SQLite"
    )
    db = sqlite3.connect(state / "baton.db")
    try:
        started = time.perf_counter()
        with ThreadPoolExecutor(args.senders) as pool:
            list(pool.map(send, convs))
        sent = time.perf_counter() - started
        while db.execute(
            "SELECT count(*) FROM outbox WHERE status IN ('pending', 'claimed')"
        ).fetchone()[0]:
            time.sleep(0.05)
        drained = time.perf_counter() - started
        handoffs = [r[0] for r in db.execute("SELECT handoff_seconds FROM tickets")]
        ledger = httpx.get(values["SANDBOX_URL"] + "/_sandbox/ledger?api=zendesk").json()
        writes = [e for e in ledger["entries"] if e["action"].startswith(("ticket.", "upload."))]
        rss = peak_rss_mib(daemon.pid)
    finally:
        db.close()
        daemon.terminate()
        daemon.wait(30)
        sandbox.terminate()
        sandbox.wait(30)
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
    print(f"  tickets: {len(handoffs)} for {escalating} escalations, all done {drained:.2f} s in")
    print(
        f"  Zendesk writes per escalation: {len(writes) / max(1, len(handoffs)):.2f} "
        "(ticket create + chart upload)"
    )
    print(f"  daemon peak RSS: {rss:.0f} MiB")


if __name__ == "__main__":
    main()
