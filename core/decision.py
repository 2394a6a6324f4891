"""An escalation decision and the evidence behind it (DESIGN.md's decision schema)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Category(StrEnum):
    """A: always human. B: preferred human. C: AI-first, human available."""

    A = "A"
    B = "B"
    C = "C"


class Priority(StrEnum):
    """Zendesk's ticket priorities, in increasing urgency."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"

    @property
    def rank(self) -> int:
        return _PRIORITY_RANK[self]


_PRIORITY_RANK = {Priority.LOW: 0, Priority.NORMAL: 1, Priority.HIGH: 2, Priority.URGENT: 3}


class TriggerHit(BaseModel):
    """One reason to escalate, with the evidence that makes it explainable."""

    model_config = ConfigDict(frozen=True)

    name: str
    topic: str | None = None
    message_id: str | None = None
    evidence: str
    score: float | None = None
    threshold: float | None = None

    @property
    def key(self) -> str:
        """``name`` or ``name:topic``: what identifies the trigger across re-evaluations."""
        return f"{self.name}:{self.topic}" if self.topic else self.name


class Decision(BaseModel):
    """The engine's verdict on a conversation as of one event."""

    model_config = ConfigDict(frozen=True)

    conversation_id: str
    escalate: bool
    category: Category
    priority: Priority
    triggers: tuple[TriggerHit, ...] = Field(default_factory=tuple)
    decided_at_event: str | None = None

    @property
    def trigger_keys(self) -> frozenset[str]:
        return frozenset(t.key for t in self.triggers)
