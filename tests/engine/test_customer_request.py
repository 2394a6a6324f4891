"""A human request is never missed and never refused, in every supported language."""

from __future__ import annotations

import pytest

from core.decision import Category
from core.engine import Engine
from core.rules import BusinessHours, BusinessRule, Condition, Rules

from .helpers import conversation, names

REQUESTS = [
    ("en", "I want to talk to a human"),
    ("en", "can I speak with a real person please"),
    ("en", "how do I contact a live agent?"),
    ("en", "agent!!"),
    ("en typo", "i need assistance to talk with an asisstant"),
    ("ms", "saya nak bercakap dengan ejen"),
    ("ms", "boleh sambungkan saya dengan orang sebenar"),
    ("id", "saya mau bicara dengan manusia"),
    ("id", "tolong hubungkan ke agen cs"),
    ("tl", "pakausap po sa totoong tao"),
    ("tl", "gusto kong makausap ang isang ahente"),
    ("zh", "转人工"),
    ("zh", "我要找真人客服"),
    ("code-mixed ms/en", "boleh I cakap dengan live agent tak"),
    ("code-mixed tl/en", "pwede ba makausap a real person"),
    ("code-mixed zh/en", "please 转人工 now"),
]


class TestFires:
    """The customer asks for a person: words in any language, the button, the bot's intent."""

    @pytest.mark.parametrize(
        ("lang", "text"), REQUESTS, ids=[f"{lang}:{t}" for lang, t in REQUESTS]
    )
    def test_words_in_each_language(self, engine: Engine, lang: str, text: str) -> None:
        decision = engine.decide(conversation(text), "e0")
        assert decision.escalate
        hit = next(t for t in decision.triggers if t.name == "customer_request")
        assert hit.message_id == "m0"
        assert hit.evidence

    def test_without_learned_models_too(self, bare: Engine) -> None:
        assert "customer_request" in names(bare.decide(conversation("talk to a human please")))

    def test_handoff_button(self, engine: Engine) -> None:
        decision = engine.decide(conversation("hello", button=True))
        assert "customer_request" in names(decision)
        assert "button" in decision.triggers[0].evidence

    def test_bot_intent(self, engine: Engine) -> None:
        decision = engine.decide(conversation("hmm", intents=["contact_human_agent"]))
        assert "customer_request" in names(decision)

    def test_a_request_stays_after_later_messages(self, engine: Engine) -> None:
        decision = engine.decide(conversation("talk to a human", "ok", "fine"))
        assert "customer_request" in names(decision)


class TestDoesNotFire:
    """Routine questions, declined offers and other people are not requests for a human."""

    @pytest.mark.parametrize(
        "text",
        [
            "where is my order?",
            "I don't want to talk to a human, just tell me the balance",
            "someone transferred money to me, when will it arrive",
            "how do I change my delivery address",
            "我的订单到哪里了",
            "saya nak tukar alamat",
        ],
    )
    def test_routine(self, engine: Engine, text: str) -> None:
        assert "customer_request" not in names(engine.decide(conversation(text)))


class TestNeverRefused:
    """No configuration can keep a customer who asks for a person away from one."""

    def test_outside_business_hours(self) -> None:
        hours = BusinessHours(timezone="Asia/Singapore", days={"mon": "09:00-10:00"})
        engine = Engine(Rules(business_hours=hours))
        late = conversation(
            "I want to speak to a person",
            start=conversation("x").turns[0].occurred_at.replace(hour=14),
        )  # 22:00 in Singapore
        decision = engine.decide(late)
        assert decision.escalate
        assert names(decision) == {"customer_request"}

    def test_whatever_the_business_rules(self) -> None:
        rule = BusinessRule(
            name="low_tier", when=(Condition(field="crm.tier", eq="free"),), effect="priority"
        )
        engine = Engine(Rules(business_rules=(rule,)))
        assert engine.decide(conversation("human please", crm={"tier": "free"})).escalate

    def test_the_trigger_cannot_be_switched_off(self) -> None:
        with pytest.raises(ValueError, match="enabled"):
            Rules.model_validate({"customer_request": {"enabled": False}})


class TestLeftConversation:
    def test_a_conversation_the_customer_left_is_not_escalated(self, engine: Engine) -> None:
        decision = engine.decide(conversation("my card was stolen", "talk to a human", ended=True))
        assert not decision.escalate
        assert decision.triggers == ()
        assert decision.category is Category.C
