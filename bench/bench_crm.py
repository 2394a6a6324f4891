"""CRM enrichment figures: API calls per escalation, handoff time prefetched vs not.

Runs an in-process sandbox with latency injected on Salesforce and HubSpot (``--latency``
ms plus up to ``--jitter`` ms per request, as a real SaaS answers over the internet) and
``--escalations`` customers of the demo (both CRMs, and some in neither), through the real
clients and the demo mapping. Four runs, each with a fresh enricher (cold cache):

- **one by one, not prefetched**: each handoff asks for its card when it happens;
- **together, not prefetched**: the handoffs happen at once (a peak), the enricher
  coalesces them into batches;
- **prefetched**: each conversation's lookup starts when it begins; the handoff comes
  later (``--talk`` seconds of conversation) and finds the card cached;
- **CRM down**: Salesforce answers 503 throughout: the handoff still gets its answer
  ("card pending") within the budget.

Prints, per run: CRM API calls per escalation (from the sandbox ledger and usage
counters), and handoff-time percentiles (the time ``card_for`` takes at handoff).

    .venv/bin/python bench/bench_crm.py [--escalations 20] [--latency 150] [--jitter 100]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import structlog

from commands.crm import build_enricher, sandbox_settings
from config.mappings import DEMO_MAPPING, load_mapping
from core.conversation import CustomerInfo
from core.crm.card import CardResult
from sandbox.config import SandboxConfig
from sandbox.people import PEOPLE
from sandbox.server import SandboxServer
from scheduler.enrichment import Enricher


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


class Counter:
    """CRM API calls made since ``start`` (Salesforce usage, HubSpot ledger)."""

    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        self.sf0 = server.state.vendors["salesforce"].usage
        self.hs0 = len(server.state.ledger.entries("hubspot"))

    def calls(self) -> tuple[int, int]:
        sf = self.server.state.vendors["salesforce"].usage - self.sf0
        hs = len(self.server.state.ledger.entries("hubspot")) - self.hs0
        return sf, hs


def customers(n: int) -> list[CustomerInfo]:
    people = [PEOPLE[i % len(PEOPLE)] for i in range(n)]
    return [CustomerInfo(id=p.key, email=p.email, phone=p.phone, name=p.name) for p in people]


def run(
    server: SandboxServer,
    label: str,
    who: list[CustomerInfo],
    scenario: Callable[[Enricher, list[CustomerInfo]], list[tuple[float, CardResult]]],
    budget: float,
) -> dict[str, object]:
    mapping = load_mapping(DEMO_MAPPING)
    sf, hs = sandbox_settings(server)
    server.state.vendors["hubspot"].budget.search.reset()
    counter = Counter(server)
    with build_enricher(mapping, sf, hs, batch_window=0.05, retry_delays=(5.0,)) as enricher:
        timings = scenario(enricher, who)
    sf_calls, hs_calls = counter.calls()
    seconds = [t for t, _ in timings]
    ready = sum(1 for _, r in timings if r.status == "ready")
    return {
        "run": label,
        "escalations": len(who),
        "cards at handoff": f"{ready}/{len(who)}",
        "salesforce calls": sf_calls,
        "hubspot calls": hs_calls,
        "calls/escalation": round((sf_calls + hs_calls) / len(who), 2),
        "handoff p50 ms": round(percentile(seconds, 50) * 1000, 1),
        "handoff p95 ms": round(percentile(seconds, 95) * 1000, 1),
        "handoff max ms": round(max(seconds) * 1000, 1),
        "within budget": all(t <= budget + 0.05 for t in seconds),
    }


def timed(
    enricher: Enricher, conv: str, who: CustomerInfo, budget: float
) -> tuple[float, CardResult]:
    started = time.perf_counter()
    result = enricher.card_for(conv, who, timeout_s=budget)
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--escalations", type=int, default=20)
    parser.add_argument("--latency", type=float, default=150.0, help="ms per CRM request")
    parser.add_argument("--jitter", type=float, default=100.0, help="ms, uniform, added")
    parser.add_argument("--budget", type=float, default=2.0, help="s card_for may wait")
    parser.add_argument(
        "--talk",
        type=float,
        default=1.5,
        help="s between conversation start and handoff (prefetched run)",
    )
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(40))
    budget = args.budget

    def one_by_one(e: Enricher, who: list[CustomerInfo]) -> list[tuple[float, CardResult]]:
        return [timed(e, f"c{i}", c, budget) for i, c in enumerate(who)]

    def together(e: Enricher, who: list[CustomerInfo]) -> list[tuple[float, CardResult]]:
        with ThreadPoolExecutor(max_workers=len(who)) as pool:
            return list(pool.map(lambda ic: timed(e, f"c{ic[0]}", ic[1], budget), enumerate(who)))

    def prefetched(e: Enricher, who: list[CustomerInfo]) -> list[tuple[float, CardResult]]:
        for i, c in enumerate(who):
            e.prefetch(f"c{i}", c)
        time.sleep(args.talk)  # the conversation goes on; the lookups run meanwhile
        return [timed(e, f"c{i}", c, budget) for i, c in enumerate(who)]

    config = SandboxConfig(zendesk_requests_per_minute=0)
    with SandboxServer(config) as server:
        for api in ("salesforce", "hubspot"):
            server.state.faults.add(
                {
                    "kind": "latency",
                    "api": api,
                    "latency_ms": args.latency,
                    "jitter_ms": args.jitter,
                }
            )
        who = customers(args.escalations)
        rows = [
            run(server, "one by one, not prefetched", who, one_by_one, budget),
            run(server, "together, not prefetched", who, together, budget),
            run(server, "prefetched", who, prefetched, budget),
        ]
        outage = server.state.faults.add({"kind": "error", "api": "salesforce", "status": 503})
        rows.append(run(server, "Salesforce down", who, together, budget))
        assert outage.id is not None
        server.state.faults.remove(outage.id)

    print(
        f"CRM enrichment: {args.escalations} escalations, demo mapping, latency "
        f"{args.latency:g} ms + up to {args.jitter:g} ms jitter per CRM request, "
        f"handoff budget {budget:g} s"
    )
    columns = list(rows[0])
    widths = [max(len(c), *(len(str(r[c])) for r in rows)) for c in columns]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    for r in rows:
        print("  ".join(str(r[c]).ljust(w) for c, w in zip(columns, widths, strict=True)))
    ready = [r["handoff p50 ms"] for r in rows]
    print(
        f"median handoff time: {ready[0]} ms one by one, {ready[1]} ms together, "
        f"{ready[2]} ms prefetched; Salesforce down: {ready[3]} ms (card pending, ticket not "
        "delayed beyond the budget)"
    )
    _ = statistics  # imported for readers extending the figures


if __name__ == "__main__":
    main()
