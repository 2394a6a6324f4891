"""Combine the triggers' hits into one decision with a category and a priority."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from core.conversation import ConversationSnapshot, Turn
from core.decision import Category, Decision, Priority, TriggerHit
from core.engine.analysis import Analyzer, TurnAnalysis
from core.engine.triggers import (
    Behavioral,
    BusinessRules,
    Context,
    CustomerRequest,
    Keyword,
    Loop,
    LowConfidence,
    Sentiment,
    Topics,
    Trigger,
    as_of,
)
from core.nlp.models import TextModels
from core.rules import BusinessHours, Rules

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True)
class SentimentPoint:
    """One customer message's frustration (0 calm … 1 furious), for the ticket's chart."""

    message_id: str
    occurred_at: datetime
    frustration: float
    evidence: str


class Engine:
    """Conversation in, decision out. Pure and deterministic.

    Build one engine per rule set and keep it: it compiles the lexicons once and
    remembers each message's analysis (bounded), so deciding after every new message
    only analyses that message. ``models`` are the learned scorers (frustration, topic
    heads, intent space) loaded by ``config.models``; without them the lexicon and cue
    rules still work.
    """

    def __init__(self, rules: Rules | None = None, models: TextModels | None = None) -> None:
        self.rules = rules or Rules()
        self.models = models or TextModels()
        self._analyzer = Analyzer(self.rules, self.models)
        self._business = BusinessRules(self.rules.business_rules)
        self._triggers: tuple[Trigger, ...] = (
            CustomerRequest(self.rules.customer_request),
            LowConfidence(self.rules.low_confidence),
            Keyword(self.rules.keyword),
            Topics(self.rules.topics),
            Sentiment(self.rules.sentiment),
            Loop(
                self.rules.loop,
                self.models.intents.loop_similarity if self.models.intents else 0.5,
            ),
            Behavioral(self.rules.behavioral),
            self._business,
        )
        hours = self.rules.business_hours
        self._zone = ZoneInfo(hours.timezone) if hours is not None else None

    def analyze(self, turn: Turn) -> TurnAnalysis:
        """The per-message analysis (memoised): what the triggers read from one message."""
        return self._analyzer.analyze(turn)

    def forget(self) -> None:
        """Drop every remembered per-message analysis (results never depend on it)."""
        self._analyzer.forget()

    def sentiment(self, conversation: ConversationSnapshot) -> tuple[SentimentPoint, ...]:
        """The customer's frustration, message by message: the trajectory agents see."""
        return tuple(
            SentimentPoint(
                t.message_id, t.occurred_at, round(a.frustration, 3), a.frustration_evidence
            )
            for t in conversation.customer_turns
            for a in (self._analyzer.analyze(t),)
        )

    def decide(self, conversation: ConversationSnapshot, event_id: str | None = None) -> Decision:
        hits: list[TriggerHit] = []
        analyses: tuple[TurnAnalysis, ...] = ()
        if not conversation.ended:  # a conversation the customer left is not escalated
            turns = conversation.customer_turns
            analyses = tuple(map(self._analyzer.analyze, turns))
            ctx = Context(conversation, turns, analyses, self._analyzer)
            for trigger in self._triggers:
                hits.extend(trigger.evaluate(ctx))
            hits = self._within_hours(conversation, hits)
        category, priority = self._grade(conversation, hits, analyses)
        # validated: pydantic-core's constructor is faster than model_construct's Python
        return Decision(
            conversation_id=conversation.conversation_id,
            escalate=bool(hits),
            category=category,
            priority=priority,
            triggers=tuple(hits),
            decided_at_event=event_id,
        )

    # -- grading ---------------------------------------------------------------------

    def _implied(self, hit: TriggerHit) -> tuple[Category, Priority]:
        rules = self.rules
        if hit.name in ("always_human_topic", "preferred_human_topic"):
            topic = rules.topics.get(hit.topic or "")
            if topic is not None:
                return topic.category, topic.priority
            for rule in rules.business_rules:  # the VIP topic comes from a business rule
                if rule.effect == "vip":
                    return Category.A, max(rule.priority, Priority.HIGH, key=_rank)
            return Category.A, Priority.HIGH
        if hit.name == "business_rule":
            for rule in rules.business_rules:
                if rule.name == hit.topic:
                    return rule.category, rule.priority
        if hit.name == "sentiment":
            floor = hit.threshold == rules.sentiment.floor
            return Category.B, Priority.HIGH if floor else Priority.NORMAL
        if hit.name == "keyword":
            return Category.C, rules.keyword.priority
        return Category.C, Priority.NORMAL

    def _grade(
        self,
        conversation: ConversationSnapshot,
        hits: list[TriggerHit],
        analyses: tuple[TurnAnalysis, ...],
    ) -> tuple[Category, Priority]:
        """Category: the strongest implied (A < B < C). Priority: the highest implied,
        one level up when the customer's latest message is very frustrated, and at least
        what a matching ``priority`` business rule asks for."""
        if not hits:
            return Category.C, Priority.LOW
        category, priority = Category.C, Priority.LOW
        for hit in hits:
            implied_category, implied_priority = self._implied(hit)
            category = min(category, implied_category)
            priority = max(priority, implied_priority, key=_rank)
        if analyses and analyses[-1].frustration >= self.rules.sentiment.urgent_level:
            priority = _up(priority)
        for rule, _ in self._business.matching(conversation):
            if rule.effect == "priority":
                priority = max(priority, rule.priority, key=_rank)
        return category, priority

    # -- business hours --------------------------------------------------------------

    def _within_hours(
        self, conversation: ConversationSnapshot, hits: list[TriggerHit]
    ) -> list[TriggerHit]:
        hours = self.rules.business_hours
        if hours is None or not hits or self._zone is None:
            return hits
        moment = as_of(conversation)
        if moment is None or _open(hours, self._zone, moment):
            return hits
        allowed = set(hours.outside_hours_categories)
        return [h for h in hits if h.name == "customer_request" or self._implied(h)[0] in allowed]


def _rank(priority: Priority) -> int:
    return priority.rank


def _up(priority: Priority) -> Priority:
    order = sorted(Priority, key=_rank)
    return order[min(order.index(priority) + 1, len(order) - 1)]


def _open(hours: BusinessHours, zone: ZoneInfo, moment: datetime) -> bool:
    """Whether humans are at work at ``moment`` (the event's time) in the configured zone."""
    local = moment.astimezone(zone)
    if local.date() in hours.holidays:
        return False
    span = hours.days.get(_DAYS[local.weekday()])
    if span is None:
        return False
    start, end = span.split("-")
    now = local.strftime("%H:%M")
    return start <= now < end if end != "24:00" else start <= now
