"""The small protocols that connectors implement and the handoff worker calls.

Connectors translate vendor errors into :mod:`core.errors` at their edge, so callers only
ever see Baton's error tree.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from core.context.model import ZendeskDirectory
from core.handoff import TicketDraft, TicketRef, TicketUpdate

Clock = Callable[[], datetime]


class TicketSystem(Protocol):
    """Where escalations become tickets (Zendesk)."""

    def create_ticket(self, draft: TicketDraft, idempotency_key: str) -> TicketRef:
        """Create the ticket once; a replay with the same key returns the same ticket."""
        ...

    def find_ticket(self, external_id: str) -> TicketRef | None:
        """The ticket carrying this ``external_id``, if one exists."""
        ...

    def update_ticket(self, ticket_id: int, update: TicketUpdate) -> None:
        """Change tags and custom fields and add an internal note, in one update."""
        ...

    def directory(self) -> ZendeskDirectory:
        """Custom ticket fields by title and groups by name."""
        ...

    def has_note(self, ticket_id: int, marker: str) -> bool:
        """Whether a comment containing ``marker`` is already on the ticket (retries)."""
        ...
