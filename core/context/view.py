"""One prepared view of a handoff, shared by the note, the ticket fields and the page.

:func:`prepare` masks the transcript (again: masking is idempotent, so text stored masked
at ingest stays as it is), scores the trajectory, summarizes, writes the opening line and
computes the ticket fields — all from a :class:`HandoffContext`, with no I/O of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.context.fields import (
    TicketFields,
    intent_path,
    latest_intent,
    ticket_fields,
    topical_intent,
)
from core.context.masking import mask_text, mask_transcript
from core.context.model import HandoffContext
from core.context.opening import opening_line
from core.context.summary import (
    OfflineSummarizer,
    Summarizer,
    Summary,
    sanitize_summary,
    summary_request,
)
from core.context.trajectory import TrajectoryPoint, Trend, trajectory, trend
from core.decision import TriggerHit
from core.errors import BatonError
from core.events import Role


@dataclass(frozen=True, slots=True)
class ViewTurn:
    message_id: str
    role: Role
    text: str  # masked
    at: datetime
    score: float | None = None
    score_evidence: str | None = None  # masked
    intent: str | None = None
    confidence: float | None = None


@dataclass(frozen=True, slots=True)
class HandoffView:
    context: HandoffContext
    turns: tuple[ViewTurn, ...]
    triggers: tuple[TriggerHit, ...]  # evidence masked
    points: tuple[TrajectoryPoint, ...]
    trend: Trend
    summary: Summary
    opening_line: str
    fields: TicketFields
    intent: str | None  # what the chat is about (not a plain handoff intent)
    confidence: float | None
    intents: tuple[tuple[str, float | None], ...]
    last_intent: str | None  # the bot's reading of the latest message
    last_confidence: float | None
    #: why the summary shown is not the one asked for (remote summarizer failed), if so
    summary_fallback: str | None = None

    @property
    def duration_minutes(self) -> float | None:
        if len(self.turns) < 2:
            return None
        return (self.turns[-1].at - self.turns[0].at).total_seconds() / 60


def prepare(context: HandoffContext, summarizer: Summarizer | None = None) -> HandoffView:
    """Everything the note and the page show, computed once."""
    snapshot = context.snapshot
    rules = context.masking
    texts = mask_transcript(
        [t.text for t in snapshot.turns],
        [t.role is Role.CUSTOMER for t in snapshot.turns],
        rules,
    )
    turns = tuple(
        ViewTurn(
            message_id=t.message_id,
            role=t.role,
            text=text,
            at=t.occurred_at,
            score=context.frustration.get(t.message_id) if t.role is Role.CUSTOMER else None,
            score_evidence=_evidence(context, t.message_id) if t.role is Role.CUSTOMER else None,
            intent=t.intent,
            confidence=t.confidence,
        )
        for t, text in zip(snapshot.turns, texts, strict=True)
    )
    triggers = tuple(
        hit.model_copy(update={"evidence": mask_text(hit.evidence, rules)})
        for hit in context.decision.triggers
    )
    points = trajectory(snapshot, context.frustration)
    shape = trend(points)
    intents = intent_path(snapshot)
    request = summary_request(
        [(t.role, t.text, t.at, t.message_id) for t in turns], context.decision, intents
    )
    offline = OfflineSummarizer().summarize(request)
    summary, fallback = offline, None
    if summarizer is not None and not isinstance(summarizer, OfflineSummarizer):
        try:
            summary = sanitize_summary(summarizer.summarize(request), rules)
        except (BatonError, ValueError) as err:
            fallback = f"{summarizer.name} summarizer failed ({type(err).__name__})"
        else:
            if not summary.headline and not summary.problems:
                summary, fallback = offline, f"{summarizer.name} summarizer returned nothing"
    intent, confidence = topical_intent(snapshot, context.routing.handoff_intents)
    last_intent, last_confidence = latest_intent(snapshot)
    line = opening_line(
        customer_name=snapshot.customer.name,
        decision=context.decision,
        summary=offline,
        trend=shape,
        customer_texts=tuple(t.text for t in turns if t.role is Role.CUSTOMER),
        intent=intent,
    )
    return HandoffView(
        context=context,
        turns=turns,
        triggers=triggers,
        points=points,
        trend=shape,
        summary=summary,
        opening_line=line,
        fields=ticket_fields(context, shape),
        intent=intent,
        confidence=confidence,
        intents=intents,
        last_intent=last_intent,
        last_confidence=last_confidence,
        summary_fallback=fallback,
    )


def _evidence(context: HandoffContext, message_id: str) -> str | None:
    why = context.frustration_evidence.get(message_id)
    return mask_text(why, context.masking)[:120] if why else None
