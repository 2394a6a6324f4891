"""How fast is the sandbox on loopback? Requests/s and latency percentiles per endpoint.

The sandbox runs in a child process (rate limits off, so the plan does not cap the
numbers); this process drives it from several threads, each with its own keep-alive
urllib3 connection, for ``--seconds`` per endpoint. It also checks that Nagle's algorithm
is off on both ends (TCP_NODELAY), since a 40 ms delayed-ACK stall would dominate every
small request.

It also reports the server's CPU time per request (``server CPU``): on a shared machine
the wall-clock rate mostly says how busy the cores are, while ``1e6 / CPU µs`` is what one
core of sandbox can serve.

    .venv/bin/python bench/bench_sandbox.py [--seconds 2] [--threads 4]
"""

from __future__ import annotations

import argparse
import base64
import json
import multiprocessing
import socket
import statistics
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

import urllib3

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sandbox.config import SandboxConfig
from sandbox.server import SandboxServer

TARGET_RPS = 1_000


def _serve(pipe: Connection) -> None:
    """Child process: a sandbox without rate limits, controlled through ``pipe``."""
    config = SandboxConfig(zendesk_requests_per_minute=0, zendesk_incremental_per_minute=0)
    with SandboxServer(config) as server:
        pipe.send(server.url)
        while (message := pipe.recv()) != "stop":
            if message == "nodelay":
                pipe.send(server.connections_nodelay())
            elif message == "cpu":
                pipe.send(time.process_time())


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str
    body: bytes | None = None


@dataclass
class Result:
    endpoint: Endpoint
    latencies: list[float]
    errors: int
    seconds: float

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


def _run(
    pool: urllib3.HTTPConnectionPool,
    endpoint: Endpoint,
    headers: dict[str, str],
    threads: int,
    seconds: float,
) -> Result:
    latencies: list[list[float]] = [[] for _ in range(threads)]
    errors = [0] * threads
    deadline = time.perf_counter() + seconds
    start_line = threading.Barrier(threads + 1)

    def worker(slot: int) -> None:
        start_line.wait()
        mine = latencies[slot]
        while (now := time.perf_counter()) < deadline:
            response = pool.request(
                endpoint.method,
                endpoint.path,
                body=endpoint.body,
                headers=headers,
                retries=False,
            )
            mine.append(time.perf_counter() - now)
            if response.status >= 400:
                errors[slot] += 1

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in workers:
        thread.start()
    started = time.perf_counter()
    start_line.wait()
    for thread in workers:
        thread.join()
    elapsed = time.perf_counter() - started
    return Result(endpoint, [x for xs in latencies for x in xs], sum(errors), elapsed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="per endpoint")
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args(argv)

    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    child = context.Process(target=_serve, args=(theirs,), daemon=True)
    child.start()
    try:
        url: str = ours.recv()
        host, port = url.removeprefix("http://").split(":")
        pool = urllib3.HTTPConnectionPool(host, int(port), maxsize=args.threads, block=True)
        config = SandboxConfig()
        token = f"{config.zendesk_email}/token:{config.zendesk_token}"
        headers = {
            "Authorization": "Basic " + base64.b64encode(token.encode()).decode(),
            "Content-Type": "application/json",
        }
        ticket = {
            "ticket": {
                "subject": "Bench",
                "comment": {"body": "Where is my order?"},
                "requester": {"name": "Ana Tan", "email": "ana.tan@lumenfoods.example"},
            }
        }
        created = pool.request(
            "POST", "/api/v2/tickets.json", body=json.dumps(ticket), headers=headers
        )
        ticket_id = json.loads(created.data)["ticket"]["id"]
        endpoints = [
            Endpoint("health (no auth)", "GET", "/_sandbox/health"),
            Endpoint("users/me", "GET", "/api/v2/users/me.json"),
            Endpoint("ticket show", "GET", f"/api/v2/tickets/{ticket_id}.json"),
            Endpoint(
                "users search",
                "GET",
                "/api/v2/users/search.json?query=email:ana.tan@lumenfoods.example",
            ),
            Endpoint("ticket create", "POST", "/api/v2/tickets.json", json.dumps(ticket).encode()),
        ]
        print(
            f"sandbox {url}; {args.threads} client threads (urllib3 keep-alive), "
            f"{args.seconds:g} s per endpoint; rate limits off"
        )
        print(
            f"{'endpoint':<18}{'requests':>9}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}"
            f"{'p99 ms':>8}{'errors':>7}{'server CPU':>12}"
        )
        results = []
        for endpoint in endpoints:
            _run(pool, endpoint, headers, args.threads, min(0.3, args.seconds))  # warm up
            ours.send("cpu")
            cpu_before: float = ours.recv()
            result = _run(pool, endpoint, headers, args.threads, args.seconds)
            ours.send("cpu")
            cpu_us = (ours.recv() - cpu_before) / max(1, len(result.latencies)) * 1e6
            results.append(result)
            print(
                f"{endpoint.name:<18}{len(result.latencies):>9}{result.rps:>8.0f}"
                f"{result.percentile(50):>8.2f}{result.percentile(95):>8.2f}"
                f"{result.percentile(99):>8.2f}{result.errors:>7}{cpu_us:>9.0f} µs"
            )
        ours.send("nodelay")
        server_nodelay: list[bool] = ours.recv()
        client_nodelay = _client_nodelay(pool)
        print(f"TCP_NODELAY: server {_summary(server_nodelay)}, client {_summary(client_nodelay)}")
        vendor = [r for r in results if r.endpoint.path.startswith("/api/v2")]
        worst = min(r.rps for r in vendor)
        median = statistics.median(r.rps for r in vendor)
        verdict = "OK" if worst >= TARGET_RPS else "BELOW TARGET"
        print(
            f"Zendesk endpoints: worst {worst:.0f} req/s, median {median:.0f} req/s "
            f"(target >= {TARGET_RPS}): {verdict}"
        )
        nagle_off = all(server_nodelay) and all(client_nodelay)
        return 0 if worst >= TARGET_RPS and nagle_off else 1
    finally:
        ours.send("stop")
        child.join(timeout=10)


def _client_nodelay(pool: urllib3.HTTPConnectionPool) -> list[bool]:
    flags = []
    queue = pool.pool
    conns = list(queue.queue) if queue is not None else []
    for conn in conns:
        sock: socket.socket | None = getattr(conn, "sock", None) if conn else None
        if sock is not None:
            flags.append(bool(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)))
    return flags


def _summary(flags: list[bool]) -> str:
    if not flags:
        return "no open connections"
    return f"{sum(flags)}/{len(flags)} connections on"


if __name__ == "__main__":
    sys.exit(main())
