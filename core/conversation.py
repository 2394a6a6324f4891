"""What the decision engine sees of a conversation: an immutable, ordered snapshot."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.events import Role


@dataclass(frozen=True, slots=True)
class Turn:
    """One message of the conversation, with the bot's NLU result when it had one."""

    message_id: str
    role: Role
    text: str
    occurred_at: datetime
    event_id: str
    intent: str | None = None
    confidence: float | None = None


@dataclass(frozen=True, slots=True)
class HandoffRequest:
    """The customer pressed the bot's handoff button (a ``handoff_requested`` event)."""

    event_id: str
    occurred_at: datetime
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class CustomerInfo:
    id: str | None = None
    email: str | None = None
    name: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class ConversationSnapshot:
    """A conversation as of one event: turns in time order, handoff requests, state.

    ``crm`` holds the business-rule fields of the matched CRM record when they are known
    (tier, lifetime value, open disputes...); it is empty before enrichment.
    """

    conversation_id: str
    channel: str | None
    customer: CustomerInfo
    turns: tuple[Turn, ...]
    handoff_requests: tuple[HandoffRequest, ...] = ()
    ended: bool = False
    started_at: datetime | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    crm: Mapping[str, Any] = field(default_factory=dict)

    @property
    def customer_turns(self) -> tuple[Turn, ...]:
        customer = Role.CUSTOMER
        return tuple([t for t in self.turns if t.role is customer])

    @property
    def last_customer_turn(self) -> Turn | None:
        for turn in reversed(self.turns):
            if turn.role is Role.CUSTOMER:
                return turn
        return None
