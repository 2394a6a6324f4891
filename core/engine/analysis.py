"""Per-message analysis: everything the triggers need from one customer turn.

A turn is analysed once per engine and remembered in a bounded memo keyed by message id
and text, so re-evaluating a conversation on every new message costs one analysis (the
new message) plus cheap conversation-level logic. The memo never changes a result: the
analysis is a pure function of the turn's text and the engine's rules and models.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from core.conversation import Turn
from core.engine.text import compile_phrases, normalize
from core.nlp.lexicon import Lexicon, Match, match_all
from core.nlp.models import FloatArray, TextModels
from core.nlp.signals import (
    Wording,
    amounts,
    caps_shouting,
    content_words,
    cosine,
    double_question,
    punctuation_run,
    wording_vector,
)
from core.nlp.text import tokenize, word_features
from core.rules import Pattern, Rules

_MEMO_LIMIT = 100_000


@dataclass(frozen=True, slots=True)
class TopicFound:
    topic: str
    evidence: str
    score: float | None = None
    threshold: float | None = None


class TurnAnalysis:
    """What one customer message says, as far as escalation is concerned.

    Read-only attributes, not a frozen dataclass: see :class:`core.nlp.lexicon.Match`.
    ``words``, ``tokens`` and ``content`` are the inputs of the meaning and wording
    vectors, which :class:`Analyzer` computes lazily (only for messages a loop check
    compares).
    """

    __slots__ = (
        "amounts",
        "caps",
        "content",
        "content_tokens",
        "double_question",
        "frustration",
        "frustration_evidence",
        "keyword",
        "punctuation",
        "request",
        "serial",
        "tokens",
        "topics",
        "words",
    )

    def __init__(
        self,
        *,
        serial: int,
        request: str | None,
        keyword: str | None,
        topics: tuple[TopicFound, ...],
        frustration: float,
        frustration_evidence: str,
        amounts: tuple[float, ...],
        caps: bool,
        punctuation: str | None,
        double_question: bool,
        content_tokens: int,
        words: tuple[str, ...],
        tokens: tuple[str, ...],
        content: tuple[str, ...],
    ) -> None:
        self.serial: Final = serial
        self.request: Final = request
        self.keyword: Final = keyword
        self.topics: Final = topics
        self.frustration: Final = frustration
        self.frustration_evidence: Final = frustration_evidence
        self.amounts: Final = amounts
        self.caps: Final = caps
        self.punctuation: Final = punctuation
        self.double_question: Final = double_question
        self.content_tokens: Final = content_tokens
        self.words: Final = words
        self.tokens: Final = tokens
        self.content: Final = content


def _span(tokens: list[str], matches: tuple[Match, ...]) -> str:
    start = min(m.start for m in matches)
    end = max(m.end for m in matches)
    sep = "" if all(len(t) == 1 and not t.isascii() for t in tokens[start:end]) else " "
    return sep.join(tokens[start:end])


class Analyzer:
    """Compiled rules and models; ``analyze(turn)`` is pure and memoised."""

    def __init__(self, rules: Rules, models: TextModels | None) -> None:
        self.rules = rules
        self.models = models or TextModels()
        self._lexicon = Lexicon(rules.concepts(), self.models.known_words)
        self._request_phrases = compile_phrases(rules.customer_request.phrases)
        self._keywords = compile_phrases(rules.keyword.phrases)
        # each topic with the concepts its patterns start with: most messages hit none,
        # and one set test skips the topic's patterns
        self._topics = [
            (name, t, frozenset(p.all[0] for p in t.patterns))
            for name, t in rules.topics.items()
            if t.enabled
        ]
        self._memo: dict[tuple[str, str], TurnAnalysis] = {}
        self._pairs: dict[tuple[int, int], float] = {}
        self._meanings: dict[int, FloatArray | None] = {}
        self._wordings: dict[int, Wording] = {}
        self._serial = itertools.count(1)

    # -- one message ------------------------------------------------------------------

    def analyze(self, turn: Turn) -> TurnAnalysis:
        key = (turn.message_id, turn.text)
        found = self._memo.get(key)
        if found is None:
            found = self._analyze(turn.text)
            if len(self._memo) >= _MEMO_LIMIT:
                for old in list(itertools.islice(self._memo, _MEMO_LIMIT // 10)):
                    self._memo.pop(old, None)
                self._pairs.clear()
                self._meanings.clear()
                self._wordings.clear()
            self._memo[key] = found
        return found

    def _analyze(self, text: str) -> TurnAnalysis:
        rules = self.rules
        tokens = tokenize(text)
        words_only = [t for t in tokens if t not in ("!", "?")]
        hits = self._lexicon.find(words_only)
        words = word_features(tokens)
        norm = normalize(text) if self._request_phrases or self._keywords else ""

        request = self._request(words_only, hits, norm)
        keyword = None
        if self._keywords is not None:
            m = self._keywords.search(norm)
            keyword = m.group(0) if m else None

        topics = []
        for name, topic, starts in self._topics:
            evidence = (
                None
                if starts.isdisjoint(hits)
                else self._first_pattern(topic.patterns, words_only, hits)
            )
            if evidence is not None:
                topics.append(TopicFound(name, evidence))
                continue
            scorer = self.models.topics.get(topic.model) if topic.model else None
            if scorer is not None:
                threshold = topic.model_threshold or scorer.threshold
                score = scorer.score_tokens(words, tokens)
                if score >= threshold:
                    cue = ", ".join(scorer.strongest(words)) or "wording"
                    topics.append(
                        TopicFound(name, f"{scorer.name} model: {cue}", round(score, 3), threshold)
                    )

        frustration, why = self._frustration(words, tokens, words_only, hits)
        content = content_words(words_only)
        b = rules.behavioral
        return TurnAnalysis(
            serial=next(self._serial),
            request=request,
            keyword=keyword,
            topics=tuple(topics),
            frustration=frustration,
            frustration_evidence=why,
            amounts=amounts(text),
            caps=caps_shouting(text, b.caps_min_letters, b.caps_ratio),
            punctuation=punctuation_run(text, b.punctuation_run),
            double_question=double_question(text),
            content_tokens=len(content),
            words=tuple(words),
            tokens=tuple(tokens),
            content=tuple(content),
        )

    def _first_pattern(
        self, patterns: tuple[Pattern, ...], tokens: list[str], hits: Mapping[str, list[Match]]
    ) -> str | None:
        for pattern in patterns:
            if pattern.all[0] not in hits:
                continue
            combo = match_all(
                hits, pattern.all, pattern.window, pattern.unless, ordered=pattern.ordered
            )
            if combo is not None:
                return _span(tokens, combo)
        return None

    def _request(self, tokens: list[str], hits: Mapping[str, list[Match]], norm: str) -> str | None:
        rules = self.rules.customer_request
        if self._request_phrases is not None:
            m = self._request_phrases.search(norm)
            if m:
                return m.group(0)
        found = self._first_pattern(rules.patterns, tokens, hits)
        if found is not None:
            return found
        short = rules.short_message_tokens
        if short and "human_agent" in hits and "decline" not in hits:
            cjk = all(len(t) == 1 and not t.isascii() for t in tokens)
            size = len("".join(tokens)) // 2 if cjk else len(tokens)
            if size <= short:
                return _span(tokens, tuple(hits["human_agent"][:1]))
        return None

    def _frustration(
        self,
        words: list[str],
        all_tokens: list[str],
        tokens: list[str],
        hits: Mapping[str, list[Match]],
    ) -> tuple[float, str]:
        best, why = 0.0, "calm"
        scorer = self.models.frustration
        if scorer is not None:
            best = scorer.message_score(words, all_tokens)
            if best >= scorer.threshold:  # the evidence is only worth its cost when shown
                why = f"model: {', '.join(scorer.evidence(words, all_tokens)) or 'wording'}"
        cue_score = self.rules.sentiment.cue_score
        if cue_score > best:
            waited = match_all(hits, ("waited", "duration"), 6)
            if waited is None and "negation" in hits:
                waited = match_all(hits, ("elapsed", "duration"), 6)
            if waited is not None:
                return cue_score, f"waiting: {_span(tokens, waited)}"
            missing = match_all(hits, ("still_not", "outcome"), 4)
            if missing is not None:
                return cue_score, f"still missing: {_span(tokens, missing)}"
            for concept in ("repeated_contact", "dissatisfied", "complaint"):
                if concept in hits:
                    return cue_score, f"cue: {hits[concept][0].term}"
        return best, why

    # -- pairs of messages ------------------------------------------------------------

    def meaning(self, a: TurnAnalysis) -> FloatArray | None:
        """The message's intent distribution (unit vector), or None off the known intents."""
        if a.serial in self._meanings:
            return self._meanings[a.serial]
        space = self.models.intents
        found = space.meaning(a.words, a.tokens) if space is not None and a.content else None
        self._meanings[a.serial] = found
        return found

    def wording(self, a: TurnAnalysis) -> Wording:
        found = self._wordings.get(a.serial)
        if found is None:
            found = self._wordings[a.serial] = wording_vector(a.content)
        return found

    def forget(self) -> None:
        """Drop every remembered analysis (tests and the cold benchmark use this)."""
        self._memo.clear()
        self._pairs.clear()
        self._meanings.clear()
        self._wordings.clear()

    def similarity(self, a: TurnAnalysis, b: TurnAnalysis) -> float:
        """How alike two messages are in meaning (learned intents) or wording, 0..1."""
        key = (a.serial, b.serial) if a.serial < b.serial else (b.serial, a.serial)
        cached = self._pairs.get(key)
        if cached is not None:
            return cached
        ma, mb = self.meaning(a), self.meaning(b)
        if ma is not None and mb is not None:
            # both messages have a likely intent: compare meanings (cosine of the intent
            # distributions, square-rooted onto the scale of wording similarity)
            sim = math.sqrt(max(float(ma @ mb), 0.0))
        else:  # off the known intents: compare wording (content words, character n-grams)
            sim = cosine(self.wording(a), self.wording(b))
        if len(self._pairs) >= _MEMO_LIMIT:
            self._pairs.clear()
        self._pairs[key] = sim
        return sim
