"""Always-human (A) and preferred-human (B) topics, with their topic names and urgency."""

from __future__ import annotations

import pytest

from core.decision import Category, Priority
from core.engine import Engine
from core.rules import BusinessRule, Condition, Rules

from .helpers import conversation, keys

A_CASES = [
    ("complaint", "I want to file a formal complaint about your service"),
    ("complaint", "I am very unhappy with your company"),
    ("complaint", "saya nak buat aduan"),
    ("complaint", "saya mau komplain soal layanan"),
    ("complaint", "gusto kong magreklamo"),
    ("complaint", "我要投诉"),
    ("legal", "I will speak to my lawyer about this"),
    ("legal", "saya akan saman syarikat ini"),
    ("legal", "我会去法院起诉"),
    ("regulator", "I am reporting you to the financial ombudsman"),
    ("regulator", "saya akan lapor ke OJK"),
    ("safety", "the charger caught fire in my room"),
    ("safety", "nasunog yung charger"),
    ("security_incident", "someone logged into my account without my permission"),
    ("security_incident", "my phone was stolen with the app on it"),
    ("security_incident", "there is a payment I don't recognise"),
    ("security_incident", "kad saya dicuri"),
    ("security_incident", "rekening saya dibobol"),
    ("security_incident", "我的卡被盗刷了"),
    ("bereavement", "my mother passed away and I need to close her account"),
    ("bereavement", "ayah saya sudah meninggal dunia"),
    ("bereavement", "pumanaw na ang asawa ko"),
]


class TestAlwaysHuman:
    @pytest.mark.parametrize(("topic", "text"), A_CASES, ids=[f"{t}:{x}" for t, x in A_CASES])
    def test_fires_with_its_topic(self, engine: Engine, topic: str, text: str) -> None:
        decision = engine.decide(conversation(text))
        assert f"always_human_topic:{topic}" in keys(decision)
        assert decision.category is Category.A
        assert decision.priority.rank >= Priority.HIGH.rank

    def test_security_is_urgent(self, engine: Engine) -> None:
        assert engine.decide(conversation("my card was stolen")).priority is Priority.URGENT

    def test_a_regardless_of_bot_confidence(self, engine: Engine) -> None:
        decision = engine.decide(conversation("my card was stolen", confidences=[0.99]))
        assert decision.category is Category.A

    def test_learned_security_head_catches_unusual_wording(self, engine: Engine) -> None:
        decision = engine.decide(
            conversation("There is a direct debit in the app I did not set up")
        )
        hit = next(t for t in decision.triggers if t.topic == "security_incident")
        assert hit.score is not None
        assert hit.threshold is not None
        assert hit.score >= hit.threshold

    def test_contract_dispute_needs_the_amount(self, engine: Engine) -> None:
        small = engine.decide(conversation("I dispute this RM 50 charge"))
        large = engine.decide(conversation("I dispute this charge", "it was RM 2,500"))
        assert "always_human_topic:contract_dispute" not in keys(small)
        hit = next(t for t in large.triggers if t.topic == "contract_dispute")
        assert "2,500" in hit.evidence

    def test_vip_from_crm(self) -> None:
        rule = BusinessRule(
            name="gold", when=(Condition(field="crm.tier", eq="gold"),), effect="vip"
        )
        engine = Engine(Rules(business_rules=(rule,)))
        decision = engine.decide(conversation("hi, a question about my bill", crm={"tier": "Gold"}))
        assert "always_human_topic:vip" in keys(decision)
        assert decision.category is Category.A


class TestPreferredHuman:
    @pytest.mark.parametrize(
        ("topic", "text"),
        [
            ("emotional", "I'm so stressed and anxious about this loan"),
            ("emotional", "saya sangat risau dan takut"),
            ("negotiation", "can you waive the fee or give me a better deal"),
            ("negotiation", "boleh kurangkan harga?"),
            ("complex_issue", "I have several issues with my account"),
        ],
    )
    def test_fires_with_category_b(self, engine: Engine, topic: str, text: str) -> None:
        decision = engine.decide(conversation(text))
        assert f"preferred_human_topic:{topic}" in keys(decision)
        assert decision.category is Category.B

    def test_complex_issue_from_many_intents(self, engine: Engine) -> None:
        decision = engine.decide(
            conversation("a", "b", "c", intents=["billing", "delivery", "refund"])
        )
        assert "preferred_human_topic:complex_issue" in keys(decision)

    def test_greetings_and_thanks_are_not_issues(self, engine: Engine) -> None:
        decision = engine.decide(
            conversation(
                "hi", "where is my order", "thanks", intents=["greeting", "order_status", "thanks"]
            )
        )
        assert "preferred_human_topic:complex_issue" not in keys(decision)


class TestDoesNotFire:
    @pytest.mark.parametrize(
        "text",
        [
            "how do I cancel my subscription",
            "I am trying to update my address",
            "how can I transfer money using my card",
            "what stores accept my card",
            "I lost my password, how do I reset it",
            "is there a discount code for new customers",
            "berapa lama pengiriman ke Surabaya",
        ],
    )
    def test_routine_requests(self, engine: Engine, text: str) -> None:
        decision = engine.decide(conversation(text))
        assert decision.category is Category.C, decision.triggers

    def test_a_disabled_topic(self) -> None:
        rules = Rules.model_validate(
            {"topics": {"legal": {"kind": "always_human", "priority": "high", "enabled": False}}}
        )
        decision = Engine(rules).decide(conversation("I will call my lawyer"))
        assert "always_human_topic:legal" not in keys(decision)


class TestNegation:
    """A negation just before the event cancels it; one inside a matched term does not."""

    @pytest.mark.parametrize(
        "text",
        [
            "my card was not stolen, I just want a new design",
            "I didn't lose my card",
            "kad saya tidak dicuri",
            "I'm not going to sue anyone, just asking",
        ],
    )
    def test_negated_events(self, bare: Engine, text: str) -> None:
        assert bare.decide(conversation(text)).category is Category.C

    @pytest.mark.parametrize(
        "text",
        [
            "I haven't received my card, I think it was stolen",
            "I didn't make this payment",
            "there is a charge I don't recognise",
        ],
    )
    def test_negation_elsewhere_in_the_message(self, bare: Engine, text: str) -> None:
        assert bare.decide(conversation(text)).category is Category.A
