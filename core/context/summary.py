"""A chronological summary of the conversation: what the customer said was wrong, what
the bot already tried, and what is still open.

The default, :class:`OfflineSummarizer`, is deterministic and runs without network. A
remote summarizer (``connectors.summarizer``) implements the same :class:`Summarizer`
protocol; it receives only masked text (:class:`SummaryRequest`) and whatever it answers
is cleaned as untrusted data (:func:`sanitize_summary`) and used for the summary alone:
never for the priority, group, tags, fields or any decision.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from core.context.masking import MaskingRules
from core.context.untrusted import clean_untrusted, shorten
from core.decision import Decision
from core.events import Role

MAX_ITEM_CHARS = 220
MAX_HEADLINE_CHARS = 200
MAX_ITEMS = 5


@dataclass(frozen=True, slots=True)
class SummaryTurn:
    """One message as a summarizer sees it: role, masked text, time. No names, no ids."""

    role: Role
    text: str
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SummaryRequest:
    """What a summarizer gets: the masked transcript and the bot's reading of it."""

    turns: tuple[SummaryTurn, ...]
    #: indexes into ``turns`` of the customer messages the escalation's evidence points at
    evidence_turns: frozenset[int] = frozenset()
    #: indexes of the customer messages in which the customer asked for a human
    human_request_turns: frozenset[int] = frozenset()
    intents: tuple[tuple[str, float | None], ...] = ()


@dataclass(frozen=True, slots=True)
class SummaryItem:
    text: str
    at: datetime | None = None
    times: int = 1


@dataclass(frozen=True, slots=True)
class Summary:
    headline: str
    problems: tuple[SummaryItem, ...] = ()
    bot_tried: tuple[SummaryItem, ...] = ()
    still_open: tuple[str, ...] = ()
    source: str = "offline"


class Summarizer(Protocol):
    """Turns a masked conversation into a :class:`Summary`.

    Implementations that call out of Baton raise :class:`core.errors.BatonError`
    subclasses on failure; the caller then falls back to the offline summary.
    """

    name: str

    def summarize(self, request: SummaryRequest) -> Summary: ...


# -- the offline summarizer -----------------------------------------------------------------

_WORD = re.compile(r"[\w']+", re.UNICODE)
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+")


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_ACKS = _word_set(
    "ok okay k yes yeah yep ya yup no nope nah thanks thank you thx ty hi hello hey hai halo "
    "good morning afternoon evening please pls sure fine alright right cool great bye lah la "
    "terima kasih salamat po hmm huh what"
)
_PROBLEM_CUES = _word_set(
    "not no never cannot can't cant won't wont didn't didnt doesn't doesnt isn't isnt haven't "
    "hasn't wasn't still again wrong error failed fail failing broken missing lost late delay "
    "delayed charged twice double refund cancel cancelled canceled overcharged stolen hacked "
    "blocked locked unable problem issue complaint complain where why help urgent damaged "
    "disconnected slow down outage stuck scam fraud unauthorized dispute angry hours days weeks "
    "tak belum tidak bukan hilang rosak salah hindi wala sira nawala"
)
_FALLBACK_CUES = (
    "didn't understand",
    "did not understand",
    "don't understand",
    "not sure i understand",
    "not sure what you mean",
    "could you rephrase",
    "can you rephrase",
    "please rephrase",
    "i didn't get that",
    "i did not get that",
    "i'm not sure i follow",
    "sorry, i can't help",
    "i can't help with that",
)


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def _is_ack(text: str) -> bool:
    words = _words(text)
    return len(words) <= 4 and all(w in _ACKS for w in words)


def _problem_weight(text: str) -> int:
    words = _words(text)
    cues = sum(1 for w in words if w in _PROBLEM_CUES)
    cues += sum(1 for cue in ("没有", "退款", "不能", "错") if cue in text)
    return cues + (1 if "?" in text else 0)


def similar(a: str, b: str) -> bool:
    """Whether two statements say substantially the same (word-set overlap)."""
    wa, wb = set(_words(a)), set(_words(b))
    if not wa or not wb:
        return False
    return len(wa & wb) / len(wa | wb) >= 0.5


_GREETING = re.compile(
    r"^(?:hi|hello|hey|hai|halo|helo|good (?:morning|afternoon|evening)|dear \w+)\b[\s,!.:-]*",
    re.IGNORECASE,
)
_PLEASANTRY = re.compile(
    r"^(?:i'?m (?:so |very )?sorry|sorry|thanks?|thank you|great|sure|okay|ok|"
    r"happy to help|i understand|no problem|of course)\b[^.!?]*[.!?]?$",
    re.IGNORECASE,
)


def _without_greeting(text: str) -> str:
    stripped = _GREETING.sub("", text).strip()
    if not stripped or stripped == text:
        return text
    return stripped[0].upper() + stripped[1:]


def _first_sentence(text: str) -> str:
    """The bot message's first informative sentence (pleasantries skipped)."""
    sentences = [s for s in _SENTENCE_END.split(text.strip()) if s]
    for sentence in sentences:
        if not _PLEASANTRY.match(sentence):
            return sentence
    return sentences[0] if sentences else text


def _merge(items: list[SummaryItem], text: str, at: datetime | None) -> None:
    for i, item in enumerate(items):
        if similar(item.text, text):
            items[i] = replace(item, times=item.times + 1)
            return
    items.append(
        SummaryItem(shorten(_without_greeting(" ".join(text.split())), MAX_ITEM_CHARS), at)
    )


def _fmt_time(at: datetime | None) -> str:
    return f" ({at.strftime('%H:%M')})" if at else ""


class OfflineSummarizer:
    """Deterministic, extractive: the customer's own problem statements, in order."""

    name = "offline"

    def summarize(self, request: SummaryRequest) -> Summary:
        problems: list[SummaryItem] = []
        bot_tried: list[SummaryItem] = []
        fallbacks = 0
        asked_human_at: datetime | None = None
        for index, turn in enumerate(request.turns):
            text = " ".join(turn.text.split())
            if not text:
                continue
            if turn.role is Role.CUSTOMER:
                if index in request.human_request_turns:
                    asked_human_at = asked_human_at or turn.at
                    if _problem_weight(text) < 2:
                        continue
                if _is_ack(text):
                    continue
                if (
                    not problems
                    or _problem_weight(text)
                    or len(_words(text)) >= 5
                    or index in request.evidence_turns
                ):
                    _merge(problems, text, turn.at)
            elif turn.role is Role.BOT:
                lowered = text.casefold()
                if any(cue in lowered for cue in _FALLBACK_CUES):
                    fallbacks += 1
                    continue
                _merge(bot_tried, _first_sentence(text), turn.at)
        if len(problems) > MAX_ITEMS:  # the first statement, then the latest ones
            problems = problems[:1] + problems[-(MAX_ITEMS - 1) :]
        tried = bot_tried[-(MAX_ITEMS - 1) :]
        if fallbacks:
            times = "once" if fallbacks == 1 else f"{fallbacks} times"
            tried.append(SummaryItem(f"The bot did not understand the customer {times}."))
        if request.intents:
            readings = ", ".join(
                f"{name}" + (f" ({conf:.2f})" if conf is not None else "")
                for name, conf in request.intents
            )
            tried.append(SummaryItem(f"The bot read the request as: {readings}."))
        still_open: list[str] = []
        if problems:  # escalated: nothing the customer raised was solved by the bot
            still_open.append(f"Unresolved: {problems[0].text}")
            if len(problems) > 1:
                still_open.append(f"Latest: {problems[-1].text}")
        if asked_human_at is not None or request.human_request_turns:
            still_open.append(f"The customer asked for a human{_fmt_time(asked_human_at)}.")
        return Summary(
            headline=_headline(problems, fallbacks),
            problems=tuple(problems),
            bot_tried=tuple(tried),
            still_open=tuple(still_open),
            source=self.name,
        )


def _headline(problems: Sequence[SummaryItem], fallbacks: int) -> str:
    if not problems:
        return "The customer has not described a problem yet."
    first = problems[0]
    repeated = max(p.times for p in problems)
    text = shorten(first.text, 120)
    extra = []
    if repeated > 1:
        extra.append(f"said {repeated} times")
    if len(problems) > 1:
        extra.append(f"{len(problems)} problem statements")
    if fallbacks:
        extra.append("bot did not understand")
    return shorten(f"“{text}”" + (f" — {', '.join(extra)}" if extra else ""), MAX_HEADLINE_CHARS)


# -- building the request and checking an answer -----------------------------------------


def summary_request(
    turns: Sequence[tuple[Role, str, datetime | None, str]],
    decision: Decision,
    intents: Sequence[tuple[str, float | None]] = (),
) -> SummaryRequest:
    """The request for ``turns`` (role, masked text, time, message id) and ``decision``."""
    evidence_ids = {h.message_id for h in decision.triggers if h.message_id}
    human_ids = {
        h.message_id for h in decision.triggers if h.name == "customer_request" and h.message_id
    }
    return SummaryRequest(
        turns=tuple(SummaryTurn(role, text, at) for role, text, at, _ in turns),
        evidence_turns=frozenset(
            i for i, t in enumerate(turns) if t[3] in evidence_ids and t[0] is Role.CUSTOMER
        ),
        human_request_turns=frozenset(
            i for i, t in enumerate(turns) if t[3] in human_ids and t[0] is Role.CUSTOMER
        ),
        intents=tuple(intents),
    )


def sanitize_summary(summary: Summary, rules: MaskingRules | None = None) -> Summary:
    """An untrusted summary made safe: plain text only, masked, no links, capped."""

    def item(i: SummaryItem) -> SummaryItem:
        return SummaryItem(clean_untrusted(i.text, MAX_ITEM_CHARS, rules), i.at, max(1, i.times))

    def items(seq: Sequence[SummaryItem]) -> tuple[SummaryItem, ...]:
        cleaned = (item(i) for i in seq[:MAX_ITEMS])
        return tuple(i for i in cleaned if i.text)

    return Summary(
        headline=clean_untrusted(summary.headline, MAX_HEADLINE_CHARS, rules),
        problems=items(summary.problems),
        bot_tried=items(summary.bot_tried),
        still_open=tuple(
            t
            for t in (clean_untrusted(s, MAX_ITEM_CHARS, rules) for s in summary.still_open[:3])
            if t
        ),
        source=clean_untrusted(summary.source, 40) or "remote",
    )
