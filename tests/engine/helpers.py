"""Small builders for engine tests: conversations from a few lines of text."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from core.conversation import ConversationSnapshot, CustomerInfo, HandoffRequest, Turn
from core.decision import Decision
from core.events import Role

#: Monday 30 November 2026, 10:00 in Singapore (02:00 UTC)
T0 = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


def turns(
    *texts: str,
    gap: float = 60.0,
    start: datetime = T0,
    bot: bool = False,
    intents: Sequence[str | None] | None = None,
    confidences: Sequence[float | None] | None = None,
) -> tuple[Turn, ...]:
    """Customer turns ``m0, m1, ...`` ``gap`` seconds apart (with bot replies if ``bot``)."""
    out: list[Turn] = []
    at = start
    for i, text in enumerate(texts):
        out.append(
            Turn(
                f"m{i}",
                Role.CUSTOMER,
                text,
                at,
                f"e{i}",
                intent=intents[i] if intents else None,
                confidence=confidences[i] if confidences else None,
            )
        )
        if bot:
            out.append(Turn(f"b{i}", Role.BOT, "Let me check that.", at, f"f{i}"))
        at += timedelta(seconds=gap)
    return tuple(out)


def conversation(
    *texts: str,
    crm: Mapping[str, Any] | None = None,
    channel: str | None = "web_chat",
    ended: bool = False,
    button: bool = False,
    **kw: Any,
) -> ConversationSnapshot:
    seq = turns(*texts, **kw)
    handoffs = (HandoffRequest("h1", seq[-1].occurred_at if seq else T0, "menu"),) if button else ()
    return ConversationSnapshot(
        conversation_id="c1",
        channel=channel,
        customer=CustomerInfo(id="u1", name="Ana Tan"),
        turns=seq,
        handoff_requests=handoffs,
        ended=ended,
        started_at=T0,
        crm=dict(crm or {}),
    )


def names(decision: Decision) -> set[str]:
    return {t.name for t in decision.triggers}


def keys(decision: Decision) -> set[str]:
    return set(decision.trigger_keys)
