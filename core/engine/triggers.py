"""The escalation triggers. Each looks at a snapshot and returns its hits with evidence."""

from __future__ import annotations

from typing import Protocol

from core.conversation import ConversationSnapshot, Turn
from core.decision import TriggerHit
from core.engine.text import compile_phrases, normalize
from core.rules import CustomerRequestRules, KeywordRules, LowConfidenceRules


class Trigger(Protocol):
    """A reason to hand a conversation to a human."""

    name: str

    def evaluate(self, conversation: ConversationSnapshot) -> list[TriggerHit]: ...


class CustomerRequest:
    """The customer asked for a human: a phrase, the handoff button, or the bot's intent."""

    name = "customer_request"

    def __init__(self, rules: CustomerRequestRules) -> None:
        self._phrases = compile_phrases(rules.phrases)
        self._intents = frozenset(i.casefold() for i in rules.intents)

    def evaluate(self, conversation: ConversationSnapshot) -> list[TriggerHit]:
        for request in conversation.handoff_requests:
            return [
                TriggerHit(
                    name=self.name,
                    evidence=f"handoff button pressed ({request.reason or 'no reason given'})",
                    message_id=None,
                )
            ]
        for turn in conversation.customer_turns:
            hit = self._match(turn)
            if hit is not None:
                return [hit]
        return []

    def _match(self, turn: Turn) -> TriggerHit | None:
        if turn.intent and turn.intent.casefold() in self._intents:
            return TriggerHit(
                name=self.name,
                message_id=turn.message_id,
                evidence=f"bot intent '{turn.intent}'",
                score=turn.confidence,
            )
        if self._phrases is not None:
            found = self._phrases.search(normalize(turn.text))
            if found:
                return TriggerHit(
                    name=self.name, message_id=turn.message_id, evidence=found.group(0)
                )
        return None


class LowConfidence:
    """The bot's NLU confidence is very low once, or low for N customer turns in a row."""

    name = "low_confidence"

    def __init__(self, rules: LowConfidenceRules) -> None:
        self._rules = rules

    def _threshold(self, turn: Turn) -> float:
        if turn.intent and turn.intent in self._rules.per_intent:
            return self._rules.per_intent[turn.intent]
        return self._rules.threshold

    def evaluate(self, conversation: ConversationSnapshot) -> list[TriggerHit]:
        streak: list[Turn] = []
        for turn in conversation.customer_turns:
            if turn.confidence is None:
                continue
            if turn.confidence < self._rules.very_low:
                return [
                    TriggerHit(
                        name=self.name,
                        message_id=turn.message_id,
                        evidence=f"confidence {turn.confidence:.2f} below {self._rules.very_low:.2f}",
                        score=turn.confidence,
                        threshold=self._rules.very_low,
                    )
                ]
            threshold = self._threshold(turn)
            streak = [*streak, turn] if turn.confidence < threshold else []
            if len(streak) >= self._rules.consecutive:
                scores = ", ".join(f"{t.confidence:.2f}" for t in streak)
                return [
                    TriggerHit(
                        name=self.name,
                        message_id=turn.message_id,
                        evidence=f"{len(streak)} turns below {threshold:.2f} ({scores})",
                        score=turn.confidence,
                        threshold=threshold,
                    )
                ]
        return []


class Keyword:
    """A configured phrase appears in a customer message."""

    name = "keyword"

    def __init__(self, rules: KeywordRules) -> None:
        self._phrases = compile_phrases(rules.phrases)

    def evaluate(self, conversation: ConversationSnapshot) -> list[TriggerHit]:
        if self._phrases is None:
            return []
        for turn in conversation.customer_turns:
            found = self._phrases.search(normalize(turn.text))
            if found:
                return [
                    TriggerHit(name=self.name, message_id=turn.message_id, evidence=found.group(0))
                ]
        return []
