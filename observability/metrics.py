"""Prometheus instruments of the daemon, on their own registry (served at ``/metrics``)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    """One set of instruments; tests and the demo make their own to avoid shared state."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.events = Counter(
            "baton_events_total",
            "Events received on the webhook, by outcome.",
            ["outcome"],
            registry=self.registry,
        )
        self.requests_rejected = Counter(
            "baton_webhook_rejected_total",
            "Webhook requests refused, by HTTP status.",
            ["status"],
            registry=self.registry,
        )
        self.escalations = Counter(
            "baton_escalations_total",
            "Escalation episodes opened.",
            registry=self.registry,
        )
        self.tickets = Counter(
            "baton_tickets_total",
            "Handoff outcomes, by result (created, replayed, note, retry, dead).",
            ["result"],
            registry=self.registry,
        )
        self.handoff_seconds = Histogram(
            "baton_handoff_seconds",
            "From the escalation decision to the ticket existing.",
            buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300),
            registry=self.registry,
        )
        self.outbox = Gauge(
            "baton_outbox_rows",
            "Outbox rows by status.",
            ["status"],
            registry=self.registry,
        )
