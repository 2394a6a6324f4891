"""Gather everything a handoff needs — scores, CRM card, context link — into a ticket draft.

The pure builder (:func:`core.handoff.build_handoff_draft`) does the layout; this module
does the fetching: the engine's per-message frustration, the CRM card within its budget
(never blocking the ticket), the signed link to the context page, and the Zendesk ids of
fields and groups.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from core.context.crm import account_card
from core.context.links import sign_context_link
from core.context.masking import MaskingRules
from core.context.model import HandoffContext, RoutingRules, ZendeskDirectory
from core.context.summary import Summarizer
from core.conversation import ConversationSnapshot, CustomerInfo
from core.crm.card import CardResult
from core.decision import Decision
from core.engine import Engine
from core.handoff import ChartRenderer, TicketDraft, build_handoff_draft


class CardSource(Protocol):
    """The part of :class:`scheduler.enrichment.Enricher` a handoff uses."""

    def card_for(
        self, conversation_id: str, customer: CustomerInfo, timeout_s: float
    ) -> CardResult: ...

    def prefetch(self, conversation_id: str, customer: CustomerInfo) -> None: ...


@dataclass(frozen=True)
class ContextLinks:
    """Signs links to the context page; the first secret signs, all verify."""

    base_url: str
    secrets: Sequence[str]
    ttl: timedelta

    def sign(self, conversation_id: str, episode: int, now: datetime) -> tuple[str, datetime]:
        expires = now + self.ttl
        return sign_context_link(
            self.base_url, conversation_id, episode, self.secrets[0], expires
        ), expires


def derive_link_secret(webhook_secret: str) -> str:
    """A link-signing key derived from a webhook secret (no second secret to manage).

    Derived, not reused: a leaked link never helps forge a webhook signature.
    """
    return hmac.new(webhook_secret.encode(), b"baton context links", hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Handoff:
    """A draft ready to send, and whether the CRM card made it onto it."""

    draft: TicketDraft
    card_status: str  # ready | pending | failed | none


@dataclass
class HandoffAssembler:
    """Builds the ticket of an escalation episode from the store's snapshot and decision."""

    engine: Engine
    clock: Callable[[], datetime]
    routing: RoutingRules = dataclasses.field(default_factory=RoutingRules)
    masking: MaskingRules = dataclasses.field(default_factory=MaskingRules)
    directory: ZendeskDirectory = dataclasses.field(default_factory=ZendeskDirectory)
    cards: CardSource | None = None
    card_budget_seconds: float = 2.0
    links: ContextLinks | None = None
    summarizer: Summarizer | None = None
    chart: ChartRenderer | None = None

    def context(
        self,
        snapshot: ConversationSnapshot,
        decision: Decision,
        episode: int,
        card: CardResult | None = None,
    ) -> HandoffContext:
        now = self.clock()
        points = self.engine.sentiment(snapshot)
        url = expires = None
        if self.links is not None:
            url, expires = self.links.sign(snapshot.conversation_id, episode, now)
        return HandoffContext(
            snapshot=snapshot,
            decision=decision,
            episode=episode,
            generated_at=now,
            frustration={p.message_id: p.frustration for p in points},
            frustration_evidence={p.message_id: p.evidence for p in points if p.evidence},
            card=account_card(card) if card is not None else None,
            context_url=url,
            context_url_expires_at=expires,
            routing=self.routing,
            directory=self.directory,
            masking=self.masking,
        )

    def card(self, snapshot: ConversationSnapshot, timeout_s: float) -> CardResult | None:
        if self.cards is None:
            return None
        return self.cards.card_for(snapshot.conversation_id, snapshot.customer, timeout_s)

    def handoff(self, snapshot: ConversationSnapshot, decision: Decision, episode: int) -> Handoff:
        """The ticket draft; waits at most ``card_budget_seconds`` for the CRM card."""
        card = self.card(snapshot, self.card_budget_seconds)
        draft = build_handoff_draft(
            self.context(snapshot, decision, episode, card),
            summarizer=self.summarizer,
            chart=self.chart,
        )
        if card is not None:
            # The CRM mapping's own tags, ticket, requester and organization fields.
            zendesk = card.enrichment.zendesk if card.enrichment is not None else None
            draft = dataclasses.replace(
                draft,
                tags=_merge(draft.tags, card.tags),
                custom_fields=_merge_fields(draft.custom_fields, card.custom_fields),
                requester_fields=zendesk.requester_fields if zendesk else (),
                organization_fields=zendesk.organization_fields if zendesk else (),
            )
        return Handoff(draft=draft, card_status=card.status if card is not None else "none")


def _merge(first: Sequence[str], more: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys([*first, *more]))


def _merge_fields(
    first: Sequence[tuple[int, str]], more: Sequence[tuple[int, str]]
) -> tuple[tuple[int, str], ...]:
    merged = dict(first)
    merged.update(more)
    return tuple(merged.items())
