"""Building blocks: tokens, lexicon matching, amounts, the shipped models, determinism."""

from __future__ import annotations

from importlib import resources

import pytest

from config.models import BUNDLED, load_models
from core.engine import Engine
from core.nlp.lexicon import Lexicon, match_all
from core.nlp.models import ConvScorer
from core.nlp.signals import amounts
from core.nlp.text import text_features, tokenize, word_features

from .helpers import conversation


class TestTokens:
    def test_chinese_characters_are_tokens(self) -> None:
        assert tokenize("我要转人工!") == ["我", "要", "转", "人", "工", "!"]

    def test_apostrophes_and_case(self) -> None:
        assert tokenize("I’VE been WAITING") == ["i've", "been", "waiting"]


class TestLexicon:
    lexicon = Lexicon(
        {"verb": ["talk*", "speak"], "who": ["agent", "real person", "assistant", "人工"]},
        known_words=frozenset({"assistance"}),
    )

    def test_prefix_phrase_and_typo(self) -> None:
        found = self.lexicon.find(tokenize("talking to a reel person or an asisstant"))
        assert [m.term for m in found["verb"]] == ["talk*"]
        assert {m.term for m in found["who"]} == {"assistant"}  # "reel person" is 2 edits off

    def test_a_known_word_is_not_a_typo(self) -> None:
        assert "who" not in self.lexicon.find(tokenize("I need assistance"))

    def test_window_order_and_negation(self) -> None:
        found = self.lexicon.find(tokenize("speak to an agent"))
        assert match_all(found, ("verb", "who"), window=3, ordered=True) is not None
        assert match_all(found, ("who", "verb"), window=3, ordered=True) is None
        assert match_all(found, ("verb", "who"), window=1) is None

    def test_cjk_terms_match_as_sequences(self) -> None:
        assert "who" in self.lexicon.find(tokenize("请帮我转人工"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I dispute RM 2,500", (2500.0,)),
        ("$1.2k", (1200.0,)),
        ("5 juta rupiah", (5_000_000.0,)),
        ("3000元", (3000.0,)),
        ("PHP 15,000.50", (15000.5,)),
        ("order 123456 and phone +6591234567", ()),
        ("a refund of us$ 40 please", (40.0,)),
        ("pay usd 50", (50.0,)),
        ("PAID USD 40 AND 5 JUTA RUPIAH", (40.0, 5_000_000.0)),
        ("İİ paid 3k dollars", (3000.0,)),  # lower() makes "İ" two characters
        ("pay.usd 50", ()),  # the scan starts at "usd", but still sees the "." before it
    ],
)
def test_amounts(text: str, expected: tuple[float, ...]) -> None:
    assert amounts(text) == expected


class TestModels:
    def test_bundled_models_are_small_and_complete(self) -> None:
        size = len(resources.files("config.models").joinpath(BUNDLED).read_bytes())
        # the frustration student's word vectors and subword table are most of it
        assert size < 5_000_000
        models = load_models()
        assert isinstance(models.frustration, ConvScorer)
        assert models.intents is not None
        assert "security_incident" in models.topics

    def test_frustration_separates_angry_from_calm(self) -> None:
        engine = Engine(models=load_models())
        angry, calm = engine.sentiment(
            conversation("this is absolutely ridiculous, worst service ever", "thank you so much")
        )
        assert angry.frustration > 0.8 > 0.2 > calm.frustration

    def test_words_the_model_never_saw_read_as_calm(self) -> None:
        """The student is English-trained: other languages must not look frustrated by
        default (their cues and lexicons do that work)."""
        engine = Engine(models=load_models())
        texts = (
            "我想查一下我的订单",
            "saya nak tukar alamat",
            "paano ko babaguhin ang password ko",
        )
        for point in engine.sentiment(conversation(*texts)):
            assert point.frustration < 0.2


class TestDeterminism:
    def test_memo_never_changes_a_decision(self, engine: Engine) -> None:
        snap = conversation("where is my card", "still no card??", "WHERE IS MY CARD", gap=5)
        first = engine.decide(snap, "e2")
        engine.forget()
        again = engine.decide(snap, "e2")
        fresh = Engine(engine.rules, engine.models).decide(snap, "e2")
        assert first == again == fresh

    def test_token_caches_never_change_a_score(self) -> None:
        models = load_models()
        texts = ["my card was stolen!!", "where is my card", "card still not here, stolen?"]
        tokens = [tokenize(t) for t in texts]
        words = [word_features(t) for t in tokens]
        security = models.topics["security_incident"]
        frustration, intents = models.frustration, models.intents
        assert frustration is not None
        assert intents is not None

        def scores() -> list[tuple[float, float, list[float] | None]]:
            out = []
            for w, t in zip(words, tokens, strict=True):
                meaning = intents.meaning(w, t)
                rounded = None if meaning is None else meaning.round(6).tolist()
                out.append((frustration.message_score(w, t), security.score_tokens(w, t), rounded))
            return out

        models.clear_caches()
        cold = scores()
        warm = scores()  # every token now comes from the caches
        models.clear_caches()
        assert cold == warm == scores()
        # the cached sums equal the plain feature sums
        for w, t in zip(words, tokens, strict=True):
            plain = security.score(w, text_features(t)[1])
            assert security.score_tokens(w, t) == pytest.approx(plain, abs=1e-12)

    def test_the_same_message_id_with_new_text_is_reanalysed(self, engine: Engine) -> None:
        assert engine.decide(conversation("my card was stolen")).escalate
        assert not engine.decide(conversation("thanks!")).escalate
