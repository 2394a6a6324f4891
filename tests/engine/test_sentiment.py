"""Frustration per message, and its trajectory over the customer's turns."""

from __future__ import annotations

import pytest

from core.decision import Category
from core.engine import Engine
from core.nlp.models import LinearScorer, TextModels
from core.rules import Rules, SentimentRules

from .helpers import conversation, names


def _scripted(scores: dict[str, float]) -> TextModels:
    """A frustration 'model' that gives each listed word its score (via the bias trick)."""
    # one word per message; its weight sets the logit, so the probability is exact enough
    import math

    weights = {w: math.log(p / (1 - p)) * 1.0 for w, p in scores.items()}
    return TextModels(frustration=LinearScorer("frustration", weights, bias=0.0, threshold=0.5))


class TestFloor:
    def test_a_complaint_without_a_negative_word(self, engine: Engine) -> None:
        """General lexicons miss "on hold for two hours"; the customer-service cue does not."""
        decision = engine.decide(conversation("I've been on hold for two hours"))
        hit = next(t for t in decision.triggers if t.name == "sentiment")
        assert "two hours" in hit.evidence
        assert decision.category is Category.B

    def test_waiting_in_other_languages(self, bare: Engine) -> None:
        for text in (
            "dah tunggu 3 jam masih tak ada jawapan",
            "sudah menunggu 2 hari",
            "kanina pa ako naghihintay ng isang oras",
            "我已经等了两个小时",
        ):
            assert "sentiment" in names(bare.decide(conversation(text))), text

    @pytest.mark.parametrize(
        "text",
        [
            "its been 3 days and still no refund",
            "it's been two weeks and my parcel is not here",
            "sudah 3 hari belum sampai",
            "已经三天了还没到",
        ],
    )
    def test_time_gone_by_with_something_missing(self, bare: Engine, text: str) -> None:
        assert "sentiment" in names(bare.decide(conversation(text)))

    @pytest.mark.parametrize(
        "text",
        [
            "been using your app for months, love it",
            "It took 2 days to arrive, thanks!",
            "I already paid last month",
            "I still have 3 days left on my plan",
            "sudah 2 bulan saya jadi pelanggan",
        ],
    )
    def test_time_gone_by_alone_is_not_a_complaint(self, bare: Engine, text: str) -> None:
        assert "sentiment" not in names(bare.decide(conversation(text)))

    @pytest.mark.parametrize(
        "text",
        [
            "this is a joke",
            "you guys are a joke",
            "my router is still not working",
            "I still not got my parcel",
            "still no refund after all this",
            "the app is taking forever",
            "I already told you my order number",
            "I have been ignored by your team",
        ],
    )
    def test_customer_service_cues(self, bare: Engine, text: str) -> None:
        assert "sentiment" in names(bare.decide(conversation(text)))

    @pytest.mark.parametrize(
        "text",
        [
            "haha that was a joke",
            "I'm still not sure which plan I want",
            "I will love this phone forever",
            "has anyone told you about the new promo?",
            "I am still waiting on my new card",
            "we have been friends for ages",
        ],
    )
    def test_the_same_words_without_the_complaint(self, bare: Engine, text: str) -> None:
        """Cue words in their everyday sense: a joke, "still not sure", "forever"."""
        assert "sentiment" not in names(bare.decide(conversation(text)))

    @pytest.mark.parametrize(
        "text",
        [
            "my refund still hasn't come through",
            "barang saya masih belum sampai",  # Malay
            "paket saya masih belum diterima",  # Indonesian
            "hindi pa rin dumadating yung order ko",  # Tagalog
            "退款还没收到",  # Chinese
        ],
    )
    def test_still_not_with_what_is_missing(self, bare: Engine, text: str) -> None:
        hit = next(t for t in bare.decide(conversation(text)).triggers if t.name == "sentiment")
        assert "still missing" in hit.evidence

    @pytest.mark.parametrize(
        "text",
        [
            "I still don't understand the fees",
            "saya masih belum pasti nak pilih pelan mana",  # Malay: still not sure
            "saya masih belum tahu mau pilih paket apa",  # Indonesian: still don't know
            "hindi pa rin ako sigurado kung anong plan",  # Tagalog: still not sure
            "我还没决定买哪个",  # Chinese: haven't decided yet
        ],
    )
    def test_still_not_alone_is_not_a_complaint(self, bare: Engine, text: str) -> None:
        assert "sentiment" not in names(bare.decide(conversation(text)))

    def test_how_many_times_only_when_the_customer_repeats(self, bare: Engine) -> None:
        assert "sentiment" in names(bare.decide(conversation("how many times do I have to ask")))
        question = conversation("How many times can I use a disposable card?")
        assert "sentiment" not in names(bare.decide(question))

    def test_an_angry_message(self, engine: Engine) -> None:
        assert "sentiment" in names(engine.decide(conversation("this is useless and ridiculous")))

    def test_a_calm_message(self, engine: Engine) -> None:
        decision = engine.decide(conversation("thanks, that helps a lot"))
        assert "sentiment" not in names(decision)
        assert engine.sentiment(conversation("thanks, that helps a lot"))[0].frustration < 0.3

    def test_switched_off(self, engine: Engine) -> None:
        off = Engine(Rules(sentiment=SentimentRules(enabled=False)), engine.models)
        assert "sentiment" not in names(off.decide(conversation("this is ridiculous")))


class TestTrajectory:
    """Rising frustration over consecutive messages escalates before any single one is bad."""

    models = _scripted({"fine": 0.1, "hmm": 0.35, "annoyed": 0.6, "calm": 0.05})

    def test_rising_over_three_messages(self) -> None:
        engine = Engine(Rules(), self.models)
        decision = engine.decide(conversation("fine", "hmm", "annoyed"))
        hit = next(t for t in decision.triggers if t.name == "sentiment")
        assert "rising" in hit.evidence
        assert hit.message_id == "m2"
        assert all(
            p.frustration < 0.85 for p in engine.sentiment(conversation("fine", "hmm", "annoyed"))
        )

    def test_not_rising(self) -> None:
        engine = Engine(Rules(), self.models)
        assert "sentiment" not in names(engine.decide(conversation("annoyed", "hmm", "fine")))
        assert "sentiment" not in names(engine.decide(conversation("fine", "annoyed", "calm")))

    def test_rise_too_small(self) -> None:
        engine = Engine(Rules(sentiment=SentimentRules(min_rise=0.6)), self.models)
        assert "sentiment" not in names(engine.decide(conversation("fine", "hmm", "annoyed")))

    def test_the_trajectory_for_the_ticket_chart(self) -> None:
        engine = Engine(Rules(), self.models)
        points = engine.sentiment(conversation("fine", "hmm", "annoyed", bot=True))
        assert [p.message_id for p in points] == ["m0", "m1", "m2"]
        assert [round(p.frustration, 2) for p in points] == [0.1, 0.35, 0.6]
