"""Loops judged by meaning, and typing behaviour (caps, "!!!", "??", rapid fire)."""

from __future__ import annotations

from core.engine import Engine
from core.rules import BehavioralRules, LoopRules, Rules

from .helpers import conversation, names


class TestLoop:
    def test_the_same_request_three_times_in_other_words(self, engine: Engine) -> None:
        decision = engine.decide(
            conversation(
                "my card still hasn't arrived",
                "when will I get my new card?",
                "how long does card delivery take",
            )
        )
        hit = next(t for t in decision.triggers if t.name == "loop")
        assert "m0, m1, m2" in hit.evidence
        assert hit.score is not None
        assert hit.threshold is not None

    def test_repeated_wording_in_malay(self, engine: Engine) -> None:
        decision = engine.decide(
            conversation(
                "bila barang saya sampai", "barang saya bila sampai ni", "bila sampai barang"
            )
        )
        assert "loop" in names(decision)

    def test_three_different_requests(self, engine: Engine) -> None:
        decision = engine.decide(
            conversation(
                "how do I change my PIN",
                "what is the exchange rate for euros",
                "can I get a refund for my order",
            )
        )
        assert "loop" not in names(decision)

    def test_only_twice(self, engine: Engine) -> None:
        decision = engine.decide(conversation("where is my refund", "where is my refund??"))
        assert "loop" not in names(decision)

    def test_fillers_do_not_count(self, engine: Engine) -> None:
        assert "loop" not in names(engine.decide(conversation("ok", "ok", "yes", "ok")))

    def test_switched_off(self, engine: Engine) -> None:
        off = Engine(Rules(loop=LoopRules(enabled=False)), engine.models)
        texts = ("where is my refund", "where is my refund", "where is my refund")
        assert "loop" not in names(off.decide(conversation(*texts)))


class TestBehavioral:
    def test_caps_and_exclamation_marks(self, bare: Engine) -> None:
        decision = bare.decide(conversation("WHY IS MY ORDER NOT HERE YET!!!"))
        hit = next(t for t in decision.triggers if t.name == "behavioral")
        assert "all caps" in hit.evidence
        assert "!!!" in hit.evidence

    def test_rapid_fire_with_question_marks(self, bare: Engine) -> None:
        decision = bare.decide(conversation("hello", "anyone??", "hello?", gap=4))
        hit = next(t for t in decision.triggers if t.name == "behavioral")
        assert "3 messages in 8s" in hit.evidence

    def test_one_signal_is_not_enough(self, bare: Engine) -> None:
        assert "behavioral" not in names(bare.decide(conversation("where is it??")))
        assert "behavioral" not in names(bare.decide(conversation("a", "b", "c", gap=4)))

    def test_spaced_calm_messages(self, bare: Engine) -> None:
        assert "behavioral" not in names(bare.decide(conversation("hi", "thanks", "ok", gap=60)))

    def test_chinese_cannot_shout_in_caps(self, bare: Engine) -> None:
        assert "behavioral" not in names(bare.decide(conversation("为什么还没有到")))

    def test_configurable(self) -> None:
        strict = Engine(Rules(behavioral=BehavioralRules(min_signals=1)))
        assert "behavioral" in names(strict.decide(conversation("where is it??")))
