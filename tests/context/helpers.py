"""Builders for handoff contexts, and a tiny uvicorn server on a free loopback port."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import uvicorn

from core.context.model import HandoffContext
from core.conversation import ConversationSnapshot, CustomerInfo, Turn
from core.decision import Category, Decision, Priority, TriggerHit
from core.events import Role

T0 = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)


def snapshot(
    *messages: tuple[str, str] | tuple[str, str, str | None, float | None],
    conversation_id: str = "conv_1",
    name: str | None = "Ana Tan",
    email: str | None = "ana.tan@lumenfoods.example",
    metadata: dict[str, Any] | None = None,
) -> ConversationSnapshot:
    """A conversation from (role, text[, intent, confidence]) pairs, one minute apart."""
    turns = []
    for i, message in enumerate(messages, start=1):
        role, text = message[0], message[1]
        intent = message[2] if len(message) > 2 else None  # type: ignore[misc]
        confidence = message[3] if len(message) > 3 else None  # type: ignore[misc]
        turns.append(
            Turn(
                message_id=f"m{i}",
                role=Role(role),
                text=text,
                occurred_at=T0 + timedelta(minutes=i),
                event_id=f"e{i}",
                intent=intent,
                confidence=confidence,
            )
        )
    return ConversationSnapshot(
        conversation_id=conversation_id,
        channel="web_chat",
        customer=CustomerInfo(id="c1", email=email, name=name),
        turns=tuple(turns),
        started_at=T0,
        metadata=metadata or {},
    )


def decision(
    *hits: TriggerHit,
    category: Category = Category.C,
    priority: Priority = Priority.NORMAL,
    conversation_id: str = "conv_1",
) -> Decision:
    return Decision(
        conversation_id=conversation_id,
        escalate=bool(hits),
        category=category,
        priority=priority,
        triggers=hits,
    )


def hit(name: str, evidence: str = "", message_id: str | None = None, **kw: Any) -> TriggerHit:
    return TriggerHit(name=name, evidence=evidence, message_id=message_id, **kw)


def context(
    snap: ConversationSnapshot,
    dec: Decision,
    *,
    scores: Sequence[float] = (),
    **kw: Any,
) -> HandoffContext:
    """A context whose customer messages get ``scores`` in order."""
    customer_ids = [t.message_id for t in snap.customer_turns]
    frustration = dict(zip(customer_ids, scores, strict=False))
    generated = snap.turns[-1].occurred_at + timedelta(seconds=5) if snap.turns else T0
    return HandoffContext(
        snapshot=snap,
        decision=dec,
        episode=kw.pop("episode", 1),
        generated_at=kw.pop("generated_at", generated),
        frustration=frustration,
        **kw,
    )


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Run an ASGI app with uvicorn on a free loopback port; yields its base URL."""
    sock = free_socket()
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
