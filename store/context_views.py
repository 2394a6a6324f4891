"""Openings of the context page: recorded per conversation and episode, counted for the
context view rate (episodes whose ticket was opened at least once / tickets created)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select

from store.db import Database
from store.schema import ContextViewRow, TicketRow


def record_context_view(db: Database, conversation_id: str, episode: int, at: datetime) -> None:
    """One agent opened the episode's context page at ``at``."""
    with db.transaction() as session:
        session.add(ContextViewRow(conversation_id=conversation_id, episode=episode, viewed_at=at))


def count_context_views(db: Database, conversation_id: str, episode: int | None = None) -> int:
    """How many times the conversation's (or one episode's) context page was opened."""
    query = select(func.count(ContextViewRow.id)).where(
        ContextViewRow.conversation_id == conversation_id
    )
    if episode is not None:
        query = query.where(ContextViewRow.episode == episode)
    with db.transaction() as session:
        return int(session.scalar(query) or 0)


@dataclass(frozen=True)
class ContextViewRate:
    tickets: int
    viewed: int

    @property
    def rate(self) -> float | None:
        return self.viewed / self.tickets if self.tickets else None


def context_view_rate(db: Database, since: datetime | None = None) -> ContextViewRate:
    """Tickets created (since ``since``) and how many of them had their page opened."""
    tickets = select(TicketRow.conversation_id, TicketRow.episode)
    if since is not None:
        tickets = tickets.where(TicketRow.created_at >= since)
    viewed = (
        tickets.join(
            ContextViewRow,
            and_(
                ContextViewRow.conversation_id == TicketRow.conversation_id,
                ContextViewRow.episode == TicketRow.episode,
            ),
        )
        .distinct()
        .subquery()
    )
    with db.transaction() as session:
        total = session.scalar(select(func.count()).select_from(tickets.subquery()))
        opened = session.scalar(select(func.count()).select_from(viewed))
    return ContextViewRate(tickets=int(total or 0), viewed=int(opened or 0))
