"""Small builders for test events (DESIGN.md's event schema)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from core.events import Event, parse_events

_ids = itertools.count(1)
T0 = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)


def raw_event(
    conversation_id: str,
    kind: str = "message",
    text: str | None = None,
    *,
    role: str = "customer",
    at: datetime | None = None,
    event_id: str | None = None,
    intent: str | None = None,
    confidence: float | None = None,
    email: str = "ana.tan@lumenfoods.example",
    name: str = "Ana Tan",
    **extra: Any,
) -> dict[str, Any]:
    n = next(_ids)
    ev: dict[str, Any] = {
        "event_id": event_id or f"evt-{n}",
        "type": kind,
        "conversation_id": conversation_id,
        "occurred_at": (at or T0 + timedelta(seconds=n)).isoformat(),
        "channel": "web_chat",
        "customer": {"id": "c-1", "email": email, "name": name},
    }
    if kind == "message":
        ev["message"] = {"id": f"m-{n}", "role": role, "text": text or "hello"}
    if intent is not None or confidence is not None:
        ev["bot"] = {"intent": intent, "confidence": confidence}
    ev.update(extra)
    return ev


def events(*raw: dict[str, Any]) -> list[Event]:
    return parse_events(list(raw))
