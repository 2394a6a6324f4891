"""Adapt the CRM layer's card (``core.crm.card.CardResult``) to the note's AccountCard."""

from __future__ import annotations

from core.context.model import AccountCard, CardStatus
from core.crm.card import SOURCE_LABELS, CardResult


def account_card(result: CardResult) -> AccountCard:
    """The card as the note and the context page show it, whatever the lookup's outcome."""
    if result.status == "pending":
        return AccountCard(CardStatus.PENDING, detail=result.reason)
    if result.status == "failed" or result.enrichment is None:
        return AccountCard(CardStatus.UNAVAILABLE, detail=result.reason)
    enrichment = result.enrichment
    source = SOURCE_LABELS.get(enrichment.source or "", enrichment.source)
    if enrichment.status == "no_match":
        return AccountCard(
            CardStatus.NOT_FOUND,
            source=source,
            fetched_at=result.fetched_at,
            detail=enrichment.detail,
        )
    if enrichment.status == "ambiguous" or enrichment.card is None:
        return AccountCard(
            CardStatus.AMBIGUOUS,
            source=source,
            fetched_at=result.fetched_at,
            detail=enrichment.detail,
        )
    card = enrichment.card
    return AccountCard(
        status=CardStatus.READY,
        title=card.title,
        lines=tuple((line.label, line.display) for line in card.lines),
        source=source,
        fetched_at=result.fetched_at,
        detail=enrichment.detail,
        sections=tuple((s.label, s.rows) for s in card.sections),
        url=card.url,
        stale=result.stale,
    )
