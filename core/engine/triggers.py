"""The escalation triggers. Each reads the analysed conversation and returns its hits.

Triggers are *sticky*: a trigger that held at any point of the conversation still holds
later (once a customer has asked for a human, the request stands), so re-evaluating after
every message never withdraws an escalation.
"""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any, Final, Protocol

from core.conversation import ConversationSnapshot, Turn
from core.decision import TriggerHit
from core.engine.analysis import Analyzer, TurnAnalysis
from core.rules import (
    BehavioralRules,
    BusinessRule,
    Condition,
    CustomerRequestRules,
    KeywordRules,
    LoopRules,
    LowConfidenceRules,
    SentimentRules,
    TopicRule,
)


class Context:
    """One conversation as the triggers see it: customer turns with their analyses, and
    per customer turn its analysis serial, bot intent and time (the triggers' memo keys).

    Read-only attributes, not a frozen dataclass: see :class:`core.nlp.lexicon.Match`.
    """

    __slots__ = ("analyses", "analyzer", "conversation", "intents", "serials", "times", "turns")

    def __init__(
        self,
        conversation: ConversationSnapshot,
        turns: tuple[Turn, ...],
        analyses: tuple[TurnAnalysis, ...],
        analyzer: Analyzer,
    ) -> None:
        self.conversation: Final = conversation
        self.turns: Final = turns
        self.analyses: Final = analyses
        self.analyzer: Final = analyzer
        self.serials: Final = tuple([a.serial for a in analyses])
        self.intents: Final = tuple([t.intent for t in turns])
        self.times: Final[tuple[Any, ...]] = tuple([t.occurred_at for t in turns])


class Trigger(Protocol):
    """A reason to hand a conversation to a human."""

    name: str

    def evaluate(self, ctx: Context) -> list[TriggerHit]: ...


def _short(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


_UNKNOWN: Any = object()
_PREFIX_LIMIT = 100_000


class _Scanning:
    """A sticky trigger that asks, at each customer message, "does it hold here?".

    The answer for a conversation prefix is remembered (keyed by the analyses' serials),
    so deciding after a new message costs one evaluation at that message, not a rescan.
    """

    def __init__(self) -> None:
        self._memo: dict[tuple[Any, ...], TriggerHit | None] = {}

    def _key(self, ctx: Context, size: int) -> tuple[Any, ...]:
        return ctx.serials[:size]

    def at(self, ctx: Context, end: int) -> TriggerHit | None:
        raise NotImplementedError

    def evaluate(self, ctx: Context) -> list[TriggerHit]:
        n = len(ctx.analyses)
        if n == 0:
            return []
        key = self._key(ctx, n)
        hit = self._memo.get(key, _UNKNOWN)
        if hit is _UNKNOWN:
            before = self._memo.get(self._key(ctx, n - 1), _UNKNOWN) if n > 1 else None
            if before is _UNKNOWN:
                before = None
                for end in range(n - 1):
                    before = self.at(ctx, end)
                    if before is not None:
                        break
            hit = before if before is not None else self.at(ctx, n - 1)
            if len(self._memo) >= _PREFIX_LIMIT:
                self._memo.clear()
            self._memo[key] = hit
        return [hit] if hit is not None else []


class CustomerRequest(_Scanning):
    """The customer asked for a human: the handoff button, the bot's intent, or words."""

    name = "customer_request"

    def __init__(self, rules: CustomerRequestRules) -> None:
        super().__init__()
        self._intents = frozenset(i.casefold() for i in rules.intents)

    def _key(self, ctx: Context, size: int) -> tuple[Any, ...]:
        return (ctx.serials[:size], ctx.intents[:size])

    def evaluate(self, ctx: Context) -> list[TriggerHit]:
        for request in ctx.conversation.handoff_requests:
            return [
                TriggerHit(
                    name=self.name,
                    evidence=f"handoff button pressed ({request.reason or 'no reason given'})",
                )
            ]
        return super().evaluate(ctx)

    def at(self, ctx: Context, end: int) -> TriggerHit | None:
        turn, analysis = ctx.turns[end], ctx.analyses[end]
        if turn.intent and turn.intent.casefold() in self._intents:
            return TriggerHit(
                name=self.name,
                message_id=turn.message_id,
                evidence=f"bot intent '{turn.intent}'",
                score=turn.confidence,
            )
        if analysis.request is not None:
            return TriggerHit(name=self.name, message_id=turn.message_id, evidence=analysis.request)
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

    def evaluate(self, ctx: Context) -> list[TriggerHit]:
        streak: list[Turn] = []
        for turn in ctx.turns:
            if turn.confidence is None:
                continue
            if turn.confidence < self._rules.very_low:
                return [
                    TriggerHit(
                        name=self.name,
                        message_id=turn.message_id,
                        evidence=(
                            f"confidence {turn.confidence:.2f} below {self._rules.very_low:.2f}"
                        ),
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


class Keyword(_Scanning):
    """A configured phrase appears in a customer message."""

    name = "keyword"

    def __init__(self, rules: KeywordRules) -> None:
        super().__init__()
        self._on = bool(rules.phrases)

    def evaluate(self, ctx: Context) -> list[TriggerHit]:
        return super().evaluate(ctx) if self._on else []

    def at(self, ctx: Context, end: int) -> TriggerHit | None:
        keyword = ctx.analyses[end].keyword
        if keyword is None:
            return None
        return TriggerHit(name=self.name, message_id=ctx.turns[end].message_id, evidence=keyword)


class Topics:
    """Always-human (A) and preferred-human (B) topics, each reported with its ``topic``.

    Sticky like the others: the topics found in a conversation prefix are remembered, so a
    new message is only checked for the topics not found yet.
    """

    name = "topics"

    def __init__(self, topics: dict[str, TopicRule]) -> None:
        self._topics = {name: t for name, t in topics.items() if t.enabled}
        self._ignored = {
            name: frozenset(i.casefold() for i in t.ignored_intents)
            for name, t in self._topics.items()
        }
        self._memo: dict[tuple[Any, ...], tuple[TriggerHit, ...]] = {}

    @staticmethod
    def _trigger_name(rule: TopicRule) -> str:
        return "always_human_topic" if rule.kind == "always_human" else "preferred_human_topic"

    @staticmethod
    def _key(ctx: Context, size: int) -> tuple[Any, ...]:
        # the distinct-intents rule reads the bot's intents, not only the texts
        return (ctx.serials[:size], ctx.intents[:size])

    def evaluate(self, ctx: Context) -> list[TriggerHit]:
        n = len(ctx.analyses)
        if n == 0:
            return []
        key = self._key(ctx, n)
        found = self._memo.get(key)
        if found is None:
            before = self._memo.get(self._key(ctx, n - 1)) if n > 1 else ()
            if before is None:
                found = tuple(self._scan(ctx, n, {}, incremental=False))
            else:
                found = tuple(self._scan(ctx, n, {h.topic: h for h in before}, incremental=True))
            if len(self._memo) >= _PREFIX_LIMIT:
                self._memo.clear()
            self._memo[key] = found
        return list(found)

    def _scan(
        self, ctx: Context, n: int, have: dict[str | None, TriggerHit], incremental: bool
    ) -> list[TriggerHit]:
        """Hits for the prefix of ``n`` messages; ``incremental``: ``have`` holds the hits of
        the prefix of ``n - 1``, so only the newest message needs looking at."""
        newest = {f.topic for f in ctx.analyses[n - 1].topics}
        amount_named = bool(ctx.analyses[n - 1].amounts)
        hits = []
        for name, rule in self._topics.items():
            hit = have.get(name)
            if hit is None:
                if not incremental:
                    hit = self._first(ctx, name, rule, start=0)
                elif name in newest or (rule.min_amount is not None and amount_named):
                    # found now, or an amount named now completes an earlier dispute
                    hit = self._first(ctx, name, rule, start=0)
                elif rule.min_distinct_intents is not None:
                    hit = self._intents(ctx, name, rule)
            if hit is not None:
                hits.append(hit)
        return hits

    def _first(self, ctx: Context, name: str, rule: TopicRule, start: int) -> TriggerHit | None:
        trigger = self._trigger_name(rule)
        for turn, analysis in zip(ctx.turns[start:], ctx.analyses[start:], strict=True):
            for found in analysis.topics:
                if found.topic != name:
                    continue
                evidence = found.evidence
                if rule.min_amount is not None:
                    largest = max((a for an in ctx.analyses for a in an.amounts), default=0.0)
                    if largest < rule.min_amount:
                        continue
                    evidence = f"{evidence}; amount {largest:,.2f} >= {rule.min_amount:,.2f}"
                return TriggerHit(
                    name=trigger,
                    topic=name,
                    message_id=turn.message_id,
                    evidence=evidence,
                    score=found.score,
                    threshold=found.threshold,
                )
        return self._intents(ctx, name, rule)

    def _intents(self, ctx: Context, name: str, rule: TopicRule) -> TriggerHit | None:
        """A complex, multi-step issue: the bot recognised this many different intents."""
        if rule.min_distinct_intents is not None:
            trigger = self._trigger_name(rule)
            seen: list[str] = []
            ignored = self._ignored[name]
            for turn in ctx.turns:
                if (
                    turn.intent
                    and turn.intent not in seen
                    and turn.intent.casefold() not in ignored
                ):
                    seen.append(turn.intent)
                if len(seen) >= rule.min_distinct_intents:
                    return TriggerHit(
                        name=trigger,
                        topic=name,
                        message_id=turn.message_id,
                        evidence=f"{len(seen)} different intents: {', '.join(seen)}",
                        score=float(len(seen)),
                        threshold=float(rule.min_distinct_intents),
                    )
        return None


class Sentiment(_Scanning):
    """Frustration crosses the floor, or rises over consecutive customer messages."""

    name = "sentiment"

    def __init__(self, rules: SentimentRules) -> None:
        super().__init__()
        self._rules = rules

    def evaluate(self, ctx: Context) -> list[TriggerHit]:
        return super().evaluate(ctx) if self._rules.enabled else []

    def at(self, ctx: Context, end: int) -> TriggerHit | None:
        r = self._rules
        turn, analysis = ctx.turns[end], ctx.analyses[end]
        if analysis.frustration >= r.floor:
            return TriggerHit(
                name=self.name,
                message_id=turn.message_id,
                evidence=(
                    f"frustration {analysis.frustration:.2f} at or above floor "
                    f"{r.floor:.2f} ({analysis.frustration_evidence})"
                ),
                score=round(analysis.frustration, 3),
                threshold=r.floor,
            )
        n = r.trajectory_turns
        if end + 1 < n:
            return None
        window = [a.frustration for a in ctx.analyses[end + 1 - n : end + 1]]
        rising = all(b > a for a, b in itertools.pairwise(window))
        if rising and window[-1] - window[0] >= r.min_rise and window[-1] >= r.min_last:
            path = " → ".join(f"{s:.2f}" for s in window)
            return TriggerHit(
                name=self.name,
                message_id=turn.message_id,
                evidence=f"frustration rising over {n} messages: {path}",
                score=round(window[-1] - window[0], 3),
                threshold=r.min_rise,
            )
        return None


class Loop(_Scanning):
    """The customer asks substantially the same thing several times (meaning, not text)."""

    name = "loop"

    def __init__(self, rules: LoopRules, calibrated: float = 0.5) -> None:
        super().__init__()
        self._rules = rules
        self.threshold = rules.similarity if rules.similarity is not None else calibrated

    def evaluate(self, ctx: Context) -> list[TriggerHit]:
        return super().evaluate(ctx) if self._rules.enabled else []

    def at(self, ctx: Context, end: int) -> TriggerHit | None:
        r = self._rules
        analyses = ctx.analyses
        if analyses[end].content_tokens < r.min_tokens:
            return None
        earlier = [
            i
            for i in range(max(0, end + 1 - r.window_turns), end)
            if analyses[i].content_tokens >= r.min_tokens
        ]
        if len(earlier) + 1 < r.repeats:
            return None
        sim = ctx.analyzer.similarity
        # a repeat resembles the latest message at least half as much as the threshold
        to_end = {i: sim(analyses[i], analyses[end]) for i in earlier}
        earlier = [i for i in earlier if to_end[i] >= self.threshold / 2]
        if len(earlier) + 1 < r.repeats:
            return None
        for group in itertools.combinations(earlier, r.repeats - 1):
            pairs = [to_end[i] for i in group]
            pairs += [sim(analyses[a], analyses[b]) for a, b in itertools.combinations(group, 2)]
            mean = sum(pairs) / len(pairs)
            if mean >= self.threshold:
                members = (*group, end)
                ids = ", ".join(ctx.turns[m].message_id for m in members)
                first = _short(ctx.turns[members[0]].text, 60)
                return TriggerHit(
                    name=self.name,
                    message_id=ctx.turns[end].message_id,
                    evidence=f"{r.repeats} similar requests ({ids}), first: '{first}'",
                    score=round(mean, 3),
                    threshold=self.threshold,
                )
        return None


class Behavioral(_Scanning):
    """All caps, repeated punctuation, "??", rapid-fire messages: enough of them escalate."""

    name = "behavioral"

    def __init__(self, rules: BehavioralRules) -> None:
        super().__init__()
        self._rules = rules

    def evaluate(self, ctx: Context) -> list[TriggerHit]:
        return super().evaluate(ctx) if self._rules.enabled else []

    def _key(self, ctx: Context, size: int) -> tuple[Any, ...]:
        # rapid-fire depends on the messages' times, not only on their text
        return (ctx.serials[:size], ctx.times[:size])

    def at(self, ctx: Context, end: int) -> TriggerHit | None:
        r = self._rules
        start = max(0, end + 1 - r.window_turns)
        turns, analyses = ctx.turns[start : end + 1], ctx.analyses[start : end + 1]
        count = sum(
            a.caps + (a.punctuation is not None or (r.double_question and a.double_question))
            for a in analyses
        )
        times = ctx.times[start : end + 1]
        k = r.rapid_messages
        rapid = any(
            (times[i + k - 1] - times[i]).total_seconds() <= r.rapid_seconds
            for i in range(len(times) - k + 1)
        )
        if count + rapid < r.min_signals:
            return None
        signals: list[str] = []
        for turn, a in zip(turns, analyses, strict=True):
            if a.caps:
                signals.append(f"all caps ({turn.message_id})")
            if a.punctuation is not None:
                signals.append(f"'{a.punctuation}' ({turn.message_id})")
            elif r.double_question and a.double_question:
                signals.append(f"'??' ({turn.message_id})")
        for i in range(len(times) - r.rapid_messages + 1):
            span = (times[i + r.rapid_messages - 1] - times[i]).total_seconds()
            if span <= r.rapid_seconds:
                signals.append(f"{r.rapid_messages} messages in {span:.0f}s")
                break
        if len(signals) < r.min_signals:
            return None
        return TriggerHit(
            name=self.name,
            message_id=ctx.turns[end].message_id,
            evidence="; ".join(signals),
            score=float(len(signals)),
            threshold=float(r.min_signals),
        )


def _field(conversation: ConversationSnapshot, path: str) -> Any:
    if path == "channel":
        return conversation.channel
    head, _, rest = path.partition(".")
    if head == "customer":
        return getattr(conversation.customer, rest, None)
    value: Any = conversation.crm if head == "crm" else conversation.metadata
    for part in rest.split("."):
        if not isinstance(value, dict) and not hasattr(value, "get"):
            return None
        value = value.get(part)
        if value is None:
            return None
    return value


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.replace(",", ""))
        except ValueError:
            return None
    return None


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.casefold() == b.casefold()
    na, nb = _number(a), _number(b)
    if na is not None and nb is not None and not isinstance(a, bool):
        return na == nb
    return bool(a == b)


def check(condition: Condition, conversation: ConversationSnapshot) -> str | None:
    """The condition's evidence when it holds ("crm.tier = gold"), else None."""
    value = _field(conversation, condition.field)
    f = condition.field
    if condition.exists is not None:
        ok = (value is not None) == condition.exists
        return f"{f} {'exists' if condition.exists else 'missing'}" if ok else None
    if value is None:
        return None
    if condition.eq is not None:
        return f"{f} = {value}" if _same(value, condition.eq) else None
    if condition.ne is not None:
        return f"{f} = {value} (not {condition.ne})" if not _same(value, condition.ne) else None
    if condition.in_ is not None:
        return f"{f} = {value}" if any(_same(value, v) for v in condition.in_) else None
    if condition.not_in is not None:
        return f"{f} = {value}" if not any(_same(value, v) for v in condition.not_in) else None
    if condition.contains is not None:
        hay = value if isinstance(value, str) else " ".join(map(str, value))
        return (
            f"{f} contains {condition.contains}"
            if condition.contains.casefold() in hay.casefold()
            else None
        )
    number = _number(value)
    if number is None:
        return None
    for op, bound in (
        (">", condition.gt),
        (">=", condition.gte),
        ("<", condition.lt),
        ("<=", condition.lte),
    ):
        if bound is not None:
            return f"{f} = {number:g} {op} {bound:g}" if _compare(op, number, bound) else None
    return None


def _compare(op: str, x: float, y: float) -> bool:
    if op == ">":
        return x > y
    if op == ">=":
        return x >= y
    if op == "<":
        return x < y
    return x <= y


class BusinessRules:
    """Rules over CRM fields, channel and metadata: escalate, mark VIP, or raise priority."""

    name = "business_rule"

    def __init__(self, rules: tuple[BusinessRule, ...]) -> None:
        self._rules = rules

    def matching(self, conversation: ConversationSnapshot) -> list[tuple[BusinessRule, str]]:
        out = []
        for rule in self._rules:
            evidence = []
            for condition in rule.when:
                found = check(condition, conversation)
                if found is None:
                    break
                evidence.append(found)
            else:
                out.append((rule, f"rule '{rule.name}': " + ", ".join(evidence)))
        return out

    def evaluate(self, ctx: Context) -> list[TriggerHit]:
        hits = []
        for rule, evidence in self.matching(ctx.conversation):
            if rule.effect == "escalate":
                hits.append(TriggerHit(name=self.name, topic=rule.name, evidence=evidence))
            elif rule.effect == "vip":
                hits.append(TriggerHit(name="always_human_topic", topic="vip", evidence=evidence))
        return hits


def as_of(conversation: ConversationSnapshot) -> datetime | None:
    """The time of the latest event the snapshot reflects (never the wall clock)."""
    times = [t.occurred_at for t in conversation.turns]
    times += [h.occurred_at for h in conversation.handoff_requests]
    return max(times) if times else conversation.started_at
