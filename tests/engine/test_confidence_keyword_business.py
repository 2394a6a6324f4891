"""Low bot confidence, keywords, CRM business rules, channel and business hours."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.decision import Category, Priority
from core.engine import Engine
from core.rules import (
    BusinessHours,
    BusinessRule,
    Condition,
    KeywordRules,
    LowConfidenceRules,
    Rules,
)

from .helpers import T0, conversation, keys, names


class TestLowConfidence:
    def test_one_very_low_turn(self, bare: Engine) -> None:
        assert "low_confidence" in names(bare.decide(conversation("blorp", confidences=[0.1])))

    def test_two_low_turns_in_a_row(self, bare: Engine) -> None:
        decision = bare.decide(conversation("a", "b", confidences=[0.4, 0.45]))
        assert "low_confidence" in names(decision)

    def test_confident_or_interrupted(self, bare: Engine) -> None:
        assert not bare.decide(conversation("a", "b", confidences=[0.9, 0.8])).escalate
        assert not bare.decide(conversation("a", "b", "c", confidences=[0.4, 0.9, 0.4])).escalate

    def test_per_intent_threshold(self) -> None:
        engine = Engine(Rules(low_confidence=LowConfidenceRules(per_intent={"billing": 0.8})))
        decision = engine.decide(
            conversation("a", "b", intents=["billing", "billing"], confidences=[0.7, 0.75])
        )
        assert "low_confidence" in names(decision)


class TestKeyword:
    def test_configured_phrase(self) -> None:
        engine = Engine(Rules(keyword=KeywordRules(phrases=("data breach",))))
        decision = engine.decide(conversation("Was there a DATA BREACH?"))
        assert "keyword" in names(decision)
        assert decision.priority is Priority.HIGH

    def test_no_phrases_no_hit(self, bare: Engine) -> None:
        assert "keyword" not in names(bare.decide(conversation("data breach")))


def _rules(*rules: BusinessRule, hours: BusinessHours | None = None) -> Rules:
    return Rules(business_rules=rules, business_hours=hours)


class TestBusinessRules:
    def test_escalate_on_open_disputes(self) -> None:
        rule = BusinessRule(
            name="open_dispute",
            when=(Condition(field="crm.open_disputes", gt=0),),
            priority=Priority.HIGH,
        )
        engine = Engine(_rules(rule))
        decision = engine.decide(conversation("hello", crm={"open_disputes": 2}))
        hit = next(t for t in decision.triggers if t.name == "business_rule")
        assert hit.topic == "open_dispute"
        assert "crm.open_disputes = 2 > 0" in hit.evidence
        assert decision.category is Category.B
        assert decision.priority is Priority.HIGH
        assert not engine.decide(conversation("hello", crm={"open_disputes": 0})).escalate
        assert not engine.decide(conversation("hello")).escalate  # before enrichment

    def test_lifetime_value_raises_priority_only(self) -> None:
        rule = BusinessRule(
            name="ltv",
            when=(Condition(field="crm.lifetime_value", gte=10000),),
            effect="priority",
            priority=Priority.URGENT,
        )
        engine = Engine(_rules(rule))
        assert not engine.decide(conversation("hello", crm={"lifetime_value": 50000})).escalate
        decision = engine.decide(conversation("talk to a human", crm={"lifetime_value": "50,000"}))
        assert decision.priority is Priority.URGENT

    def test_channel_condition(self) -> None:
        rule = BusinessRule(name="voice", when=(Condition(field="channel", **{"in": ("voice",)}),))
        engine = Engine(_rules(rule))
        assert "business_rule:voice" in keys(engine.decide(conversation("hi", channel="voice")))
        assert not engine.decide(conversation("hi", channel="web_chat")).escalate

    def test_all_conditions_must_hold(self) -> None:
        rule = BusinessRule(
            name="both",
            when=(Condition(field="crm.tier", eq="gold"), Condition(field="crm.region", eq="MY")),
        )
        engine = Engine(_rules(rule))
        assert not engine.decide(conversation("hi", crm={"tier": "gold", "region": "SG"})).escalate
        assert engine.decide(conversation("hi", crm={"tier": "gold", "region": "MY"})).escalate


class TestBusinessHours:
    """Judged at the event's time in the configured zone, never by the wall clock."""

    hours = BusinessHours(
        timezone="Asia/Singapore",
        days={"mon": "09:00-18:00"},
        outside_hours_categories=(Category.A,),
    )

    @pytest.mark.parametrize(
        ("utc_hour", "open_"),
        [(2, True), (0, False), (9, True), (10, False), (12, False)],  # 10:00, 08:00, 17:00...
    )
    def test_b_escalates_only_inside_hours(self, utc_hour: int, open_: bool) -> None:
        engine = Engine(_rules(hours=self.hours))
        start = T0.replace(hour=utc_hour)
        decision = engine.decide(conversation("I'm so anxious and stressed", start=start))
        assert decision.escalate is open_

    def test_a_escalates_outside_hours(self) -> None:
        engine = Engine(_rules(hours=self.hours))
        night = T0 + timedelta(hours=12)  # 22:00 in Singapore
        assert engine.decide(conversation("my card was stolen", start=night)).escalate

    def test_holiday(self) -> None:
        hours = BusinessHours(
            timezone="Asia/Singapore", days={"mon": "09:00-18:00"}, holidays=(T0.date(),)
        )
        engine = Engine(_rules(hours=hours))
        assert not engine.decide(conversation("I'm so anxious and stressed")).escalate
