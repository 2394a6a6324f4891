"""The decision engine's rules: which triggers are on and how they are tuned.

Loaded from YAML by ``config.rules`` (which names file, line and field on errors) and
frozen before the engine sees them. ``Rules()`` alone is the built-in default: every
trigger of DESIGN.md on, lexicons for English, Malay, Indonesian, Tagalog and Chinese.

A customer's request for a human cannot be switched off, and nothing here (business
hours, business rules) can suppress it: a human request is never refused.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from core.decision import Category, Priority
from core.nlp.lexicons import DEFAULT_CONCEPTS

BUILTIN_LANGUAGES = ("en", "ms", "id", "tl", "zh")


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Pattern(_Frozen):
    """Every concept in ``all`` occurs in one message, their starts at most ``window``
    tokens apart.

    ``unless`` names concepts (e.g. ``decline``: "don't want") that cancel the match when
    they end at most three tokens before it.
    """

    all: tuple[str, ...] = Field(min_length=1)
    window: int = Field(default=6, ge=1, le=50)
    unless: tuple[str, ...] = ()
    #: the concepts must appear in the order of ``all``
    ordered: bool = False


def _p(
    *concepts: str, window: int = 6, unless: tuple[str, ...] = (), ordered: bool = False
) -> Pattern:
    return Pattern(all=concepts, window=window, unless=unless, ordered=ordered)


class CustomerRequestRules(_Frozen):
    """The customer asks for a human: words, the handoff button, or the bot's intent."""

    phrases: tuple[str, ...] = ()
    patterns: tuple[Pattern, ...] = (
        _p("human_request_phrase", unless=("decline",)),
        _p("contact_verb", "human_agent", window=5, unless=("decline",), ordered=True),
        _p("contact_verb", "someone", window=4, unless=("decline",), ordered=True),
        _p("to_with", "human_agent", window=2, unless=("decline",), ordered=True),
        _p("want_verb", "human_agent", window=3, unless=("decline",), ordered=True),
    )
    #: a message this short that names a human ("agent!", "人工", "human pls") is a request
    short_message_tokens: int = Field(default=3, ge=0, le=10)
    intents: tuple[str, ...] = (
        "human_handoff",
        "agent_handoff",
        "contact_human_agent",
        "talk_to_agent",
        "escalate",
    )


class LowConfidenceRules(_Frozen):
    """The bot does not understand: one very low turn, or several low ones in a row."""

    threshold: float = Field(default=0.5, ge=0.0, le=1.0)
    very_low: float = Field(default=0.2, ge=0.0, le=1.0)
    consecutive: int = Field(default=2, ge=1)
    per_intent: dict[str, float] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _very_low_below_threshold(self) -> LowConfidenceRules:
        if self.very_low > self.threshold:
            raise ValueError("very_low must not be above threshold")
        for intent, value in self.per_intent.items():
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"per_intent[{intent!r}] must be between 0 and 1")
        return self


class KeywordRules(_Frozen):
    """Configured phrases (any language) that escalate immediately."""

    phrases: tuple[str, ...] = ()
    priority: Priority = Priority.HIGH


class TopicRule(_Frozen):
    """A topic that goes to a human: always (category A) or preferably (category B).

    It fires when one of its ``patterns`` matches a customer message, or when the learned
    scorer named by ``model`` (from the shipped text models) scores at or above its
    threshold. ``min_amount`` makes it fire only when the customer names at least that
    amount of money; ``min_distinct_intents`` also fires it when the bot recognised that
    many different intents in the customer's turns (a complex, multi-step issue).
    """

    kind: Literal["always_human", "preferred_human"]
    priority: Priority
    patterns: tuple[Pattern, ...] = ()
    model: str | None = None
    model_threshold: float | None = Field(default=None, ge=0.0, le=1.0)
    min_amount: float | None = Field(default=None, ge=0.0)
    min_distinct_intents: int | None = Field(default=None, ge=2)
    #: bot intents that say nothing about the customer's issue (not counted as distinct)
    ignored_intents: tuple[str, ...] = (
        "greeting",
        "greet",
        "hello",
        "welcome",
        "thanks",
        "thank_you",
        "goodbye",
        "bye",
        "affirm",
        "confirm",
        "deny",
        "yes",
        "no",
        "fallback",
        "default_fallback",
        "none",
        "unknown",
        "out_of_scope",
        "smalltalk",
        "chitchat",
    )
    enabled: bool = True

    @property
    def category(self) -> Category:
        return Category.A if self.kind == "always_human" else Category.B


def _a(priority: Priority, *patterns: Pattern, **kw: object) -> TopicRule:
    return TopicRule(kind="always_human", priority=priority, patterns=patterns, **kw)


def _b(priority: Priority, *patterns: Pattern, **kw: object) -> TopicRule:
    return TopicRule(kind="preferred_human", priority=priority, patterns=patterns, **kw)


_HIGH, _URGENT, _NORMAL, _LOW = Priority.HIGH, Priority.URGENT, Priority.NORMAL, Priority.LOW

DEFAULT_TOPICS: dict[str, TopicRule] = {
    "complaint": _a(
        _HIGH,
        _p("complaint"),
        _p("dissatisfied", "provider", window=5),
        _p("claim", "against", window=2),
        _p("claim_verb", "claim", window=3),
    ),
    "legal": _a(_HIGH, _p("legal", unless=("negation",))),
    "regulator": _a(_HIGH, _p("regulator")),
    "safety": _a(_URGENT, _p("safety", unless=("negation",))),
    "security_incident": _a(
        _URGENT,
        _p("security_phrase", unless=("negation",)),
        _p("theft", "secret_asset", window=6, unless=("negation",)),
        _p("theft", "physical_asset", window=6, unless=("negation",)),
        _p("loss", "physical_asset", window=4, unless=("negation",)),
        _p("unrecognised", "transaction", window=6),
        model="security_incident",
    ),
    "bereavement": _a(_HIGH, _p("death")),
    "contract_dispute": _a(_HIGH, _p("dispute"), min_amount=1000.0),
    "complex_issue": _b(_NORMAL, _p("many", "issues", window=2), min_distinct_intents=3),
    "emotional": _b(_NORMAL, _p("emotional")),
    "negotiation": _b(_LOW, _p("negotiation")),
}


class SentimentRules(_Frozen):
    """Frustration per customer message (0 calm … 1 furious) and its trajectory.

    Fires when one message reaches ``floor``, or when frustration rises across
    ``trajectory_turns`` consecutive customer messages by at least ``min_rise`` and ends
    at ``min_last`` or more, even though no single message reached the floor.
    """

    enabled: bool = True
    floor: float = Field(default=0.85, gt=0.0, le=1.0)
    trajectory_turns: int = Field(default=3, ge=2, le=10)
    min_rise: float = Field(default=0.3, gt=0.0, le=1.0)
    min_last: float = Field(default=0.5, ge=0.0, le=1.0)
    #: frustration given to a message with a customer-service cue ("waiting for two hours")
    cue_score: float = Field(default=0.9, ge=0.0, le=1.0)
    #: the frustration of one message above which a whole escalation is raised one level
    urgent_level: float = Field(default=0.95, ge=0.0, le=1.0)


class LoopRules(_Frozen):
    """The customer asks substantially the same thing ``repeats`` times (by meaning)."""

    enabled: bool = True
    repeats: int = Field(default=3, ge=2, le=10)
    #: mean pairwise similarity (0..1) of the repeated messages; unset: the threshold
    #: calibrated with the shipped intent model (0.5 without one)
    similarity: float | None = Field(default=None, gt=0.0, le=1.0)
    window_turns: int = Field(default=6, ge=2, le=50)
    #: messages with fewer content tokens ("ok", "yes") never count as a repeat
    min_tokens: int = Field(default=1, ge=1)


class BehavioralRules(_Frozen):
    """Typing signals: all caps, repeated punctuation, "??", rapid-fire messages."""

    enabled: bool = True
    caps_min_letters: int = Field(default=8, ge=1)
    caps_ratio: float = Field(default=0.8, gt=0.0, le=1.0)
    punctuation_run: int = Field(default=3, ge=2)
    double_question: bool = True
    rapid_messages: int = Field(default=3, ge=2)
    rapid_seconds: float = Field(default=20.0, gt=0.0)
    #: how many signals (over the last ``window_turns`` customer messages) escalate
    min_signals: int = Field(default=2, ge=1)
    window_turns: int = Field(default=5, ge=1)


class Condition(_Frozen):
    """One test on a conversation field: ``crm.<field>``, ``channel``, ``metadata.<key>``,
    ``customer.<id|email|name|phone>``. Exactly one operator is given."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    field: str = Field(
        pattern=r"^(crm|metadata)\.[A-Za-z0-9_.-]+$|^channel$|^customer\.(id|email|name|phone)$"
    )
    eq: str | float | bool | None = None
    ne: str | float | bool | None = None
    in_: tuple[str | float, ...] | None = Field(default=None, alias="in")
    not_in: tuple[str | float, ...] | None = None
    gt: float | None = None
    gte: float | None = None
    lt: float | None = None
    lte: float | None = None
    exists: bool | None = None
    contains: str | None = None

    @model_validator(mode="after")
    def _one_operator(self) -> Condition:
        ops = [n for n in _OPERATORS if getattr(self, n) is not None]
        if len(ops) != 1:
            raise ValueError(
                "give exactly one operator of eq, ne, in, not_in, gt, gte, lt, lte, "
                f"exists, contains (got {', '.join(ops) or 'none'})"
            )
        return self


_OPERATORS = ("eq", "ne", "in_", "not_in", "gt", "gte", "lt", "lte", "exists", "contains")


class BusinessRule(_Frozen):
    """A rule over CRM fields, channel or metadata.

    ``effect``: ``escalate`` (a ``business_rule`` trigger with this category and priority),
    ``vip`` (the always-human topic ``vip``), or ``priority`` (no trigger of its own: raises
    the priority of an escalation that happens anyway).
    """

    #: becomes the trigger's ``topic`` and so a ticket tag: letters, digits, ``_`` and ``-``
    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")
    when: tuple[Condition, ...] = Field(min_length=1)
    effect: Literal["escalate", "vip", "priority"] = "escalate"
    category: Category = Category.B
    priority: Priority = Priority.NORMAL


_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$")
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class BusinessHours(_Frozen):
    """When humans are at work, in ``timezone`` (IANA name), judged at the event's time.

    Outside these hours only the categories in ``outside_hours_categories`` escalate (the
    ticket waits for the morning); a customer's request for a human always escalates.
    """

    timezone: str = "UTC"
    days: dict[str, str] = Field(default_factory=lambda: {d: "09:00-18:00" for d in _DAYS[:5]})
    holidays: tuple[date, ...] = ()
    outside_hours_categories: tuple[Category, ...] = (Category.A,)

    @field_validator("days")
    @classmethod
    def _valid_days(cls, value: dict[str, str]) -> dict[str, str]:
        for day, span in value.items():
            if day not in _DAYS:
                raise ValueError(f"unknown day {day!r}: use {', '.join(_DAYS)}")
            if not _HHMM.match(span):
                raise ValueError(f"{day}: {span!r} is not HH:MM-HH:MM")
            start, end = span.split("-")
            if end <= start:
                raise ValueError(f"{day}: {span!r} ends before it starts")
        return value

    @field_validator("timezone")
    @classmethod
    def _valid_zone(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*", value):
            raise ValueError(f"{value!r} is not an IANA time zone name")
        return value


class Rules(_Frozen):
    """Every tunable of the decision engine."""

    languages: tuple[str, ...] = BUILTIN_LANGUAGES
    #: extra terms per concept and language, added to the built-in lexicons
    lexicon: dict[str, dict[str, tuple[str, ...]]] = Field(default_factory=dict)
    customer_request: CustomerRequestRules = CustomerRequestRules()
    low_confidence: LowConfidenceRules = LowConfidenceRules()
    keyword: KeywordRules = KeywordRules()
    topics: dict[str, TopicRule] = Field(default_factory=lambda: dict(DEFAULT_TOPICS))
    sentiment: SentimentRules = SentimentRules()
    loop: LoopRules = LoopRules()
    behavioral: BehavioralRules = BehavioralRules()
    business_rules: tuple[BusinessRule, ...] = ()
    business_hours: BusinessHours | None = None

    @model_validator(mode="after")
    def _references_exist(self) -> Rules:
        known_languages = set(BUILTIN_LANGUAGES) | {
            lang for by_lang in self.lexicon.values() for lang in by_lang
        }
        for lang in self.languages:
            if lang not in known_languages:
                raise ValueError(
                    f"languages: {lang!r} has no lexicon; add its terms under 'lexicon:'"
                )
        concepts = set(DEFAULT_CONCEPTS) | set(self.lexicon)
        patterns = [
            (f"customer_request.patterns.{i}", p)
            for i, p in enumerate(self.customer_request.patterns)
        ]
        patterns += [
            (f"topics.{name}.patterns.{i}", p)
            for name, t in self.topics.items()
            for i, p in enumerate(t.patterns)
        ]
        for where, pattern in patterns:
            for concept in (*pattern.all, *pattern.unless):
                if concept not in concepts:
                    raise ValueError(
                        f"{where}: unknown concept {concept!r}; define it under 'lexicon:'"
                    )
        for name in self.topics:
            if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
                raise ValueError(
                    f"topics: {name!r} must be letters, digits, '_' or '-' (it becomes a tag)"
                )
        names = [r.name for r in self.business_rules]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"business_rules: duplicate rule names {dupes}")
        return self

    def concepts(self) -> dict[str, tuple[str, ...]]:
        """Every concept's terms in the enabled languages: built-ins plus configured ones."""
        merged: dict[str, tuple[str, ...]] = {}
        for name in set(DEFAULT_CONCEPTS) | set(self.lexicon):
            terms: list[str] = []
            for source in (DEFAULT_CONCEPTS.get(name, {}), self.lexicon.get(name, {})):
                for lang, words in source.items():
                    if lang in self.languages:
                        terms.extend(words)
            merged[name] = tuple(dict.fromkeys(terms))
        return merged
