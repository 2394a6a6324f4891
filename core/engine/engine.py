"""Combine the triggers' hits into one decision with a category and a priority."""

from __future__ import annotations

from core.conversation import ConversationSnapshot
from core.decision import Category, Decision, Priority, TriggerHit
from core.engine.triggers import CustomerRequest, Keyword, LowConfidence, Trigger
from core.rules import Rules

# A trigger's name → the category and priority it implies on its own.
_IMPLIES: dict[str, tuple[Category, Priority]] = {
    "customer_request": (Category.C, Priority.NORMAL),
    "low_confidence": (Category.C, Priority.NORMAL),
    "keyword": (Category.C, Priority.HIGH),
}


class Engine:
    """Conversation in, decision out. Pure and deterministic."""

    def __init__(self, rules: Rules | None = None) -> None:
        self.rules = rules or Rules()
        self._triggers: tuple[Trigger, ...] = (
            CustomerRequest(self.rules.customer_request),
            LowConfidence(self.rules.low_confidence),
            Keyword(self.rules.keyword),
        )

    def decide(self, conversation: ConversationSnapshot, event_id: str | None = None) -> Decision:
        hits: list[TriggerHit] = []
        if not conversation.ended:
            for trigger in self._triggers:
                hits.extend(trigger.evaluate(conversation))
        category, priority = _grade(hits)
        return Decision(
            conversation_id=conversation.conversation_id,
            escalate=bool(hits),
            category=category,
            priority=priority,
            triggers=tuple(hits),
            decided_at_event=event_id,
        )


def _grade(hits: list[TriggerHit]) -> tuple[Category, Priority]:
    category, priority = Category.C, Priority.LOW
    for hit in hits:
        implied_category, implied_priority = _IMPLIES.get(hit.name, (Category.C, Priority.NORMAL))
        category = min(category, implied_category)  # "A" < "B" < "C"
        if implied_priority.rank > priority.rank:
            priority = implied_priority
    return category, priority if hits else Priority.LOW
