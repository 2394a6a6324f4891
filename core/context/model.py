"""What a handoff's context is built from: :class:`HandoffContext` and its parts.

Everything here is plain data, frozen, with no I/O: the worker gathers it (store, CRM
cache, sentiment scores, configuration) and the builders turn it into a note, ticket
fields, a chart and a context page.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from core.context.masking import MaskingRules
from core.conversation import ConversationSnapshot
from core.decision import Category, Decision
from core.rules import CustomerRequestRules


class CardStatus(StrEnum):
    """Where the CRM account card stands when the ticket is built."""

    READY = "ready"  # fetched (possibly from cache: see ``fetched_at``)
    PENDING = "pending"  # the lookup is still running; the ticket gets it later
    UNAVAILABLE = "unavailable"  # the CRM is down or refused; the ticket goes without
    NOT_FOUND = "not_found"  # no CRM record matches this customer
    AMBIGUOUS = "ambiguous"  # several records match; none was picked


@dataclass(frozen=True, slots=True)
class AccountCard:
    """The CRM account card as the note shows it: a title and labelled lines.

    Neutral on purpose: the CRM layer maps its records to this (which fields, in which
    order, sensitive ones left out); this module only lays it out.
    """

    status: CardStatus
    title: str | None = None
    lines: tuple[tuple[str, str], ...] = ()
    source: str | None = None  # "Salesforce", "HubSpot"
    fetched_at: datetime | None = None
    detail: str | None = None  # "matched by email", or why it is missing
    #: related lists (open cases, deals...): a label and one line per item
    sections: tuple[tuple[str, tuple[str, ...]], ...] = ()
    url: str | None = None  # the record in the CRM (from the CRM's own instance URL)
    stale: bool = False  # served past its TTL because a refresh failed


@dataclass(frozen=True, slots=True)
class Verification:
    """Whether the bot platform verified who the customer is, and how."""

    verified: bool | None  # None: the platform did not say
    method: str | None = None

    @classmethod
    def from_metadata(cls, metadata: Mapping[str, Any]) -> Verification:
        """Read ``verified``/``authenticated`` and ``verification_method`` from metadata."""
        value = metadata.get("verified", metadata.get("authenticated"))
        method = metadata.get("verification_method", metadata.get("auth_method"))
        return cls(
            verified=value if isinstance(value, bool) else None,
            method=str(method)[:60] if isinstance(method, str | int) and method != "" else None,
        )


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FieldTitles(_Frozen):
    """Titles of the Zendesk custom ticket fields Baton fills (``None``: leave it out)."""

    intent: str | None = "Bot intent"
    sentiment: str | None = "Sentiment"
    reason: str | None = "Escalation reason"
    category: str | None = "Escalation category"
    conversation_id: str | None = "Conversation ID"


class FieldValues(_Frozen):
    """Values written to the drop-down (tagger) fields; ``{}`` is filled in."""

    sentiment: str = "sentiment_{band}"
    reason: str = "escalation_{trigger}"
    category: str = "category_{category}"


class RoutingRules(_Frozen):
    """Group routing, tags and custom fields of Baton's tickets (configuration).

    The group is the first that applies: by topic (always-/preferred-human topics, in the
    order of the decision's triggers), by the bot's intent (shell-style patterns such as
    ``billing_*``; the latest intent that is not a plain handoff request), by category,
    then ``default_group``. Groups are named as in Zendesk.
    """

    default_group: str | None = None
    #: intents that only mean "get me a human": routing and the intent field look past them
    handoff_intents: tuple[str, ...] = CustomerRequestRules().intents
    groups_by_topic: dict[str, str] = Field(default_factory=dict)
    groups_by_intent: dict[str, str] = Field(default_factory=dict)
    groups_by_category: dict[Category, str] = Field(default_factory=dict)
    tags: tuple[str, ...] = ()
    fields: FieldTitles = FieldTitles()
    values: FieldValues = FieldValues()


@dataclass(frozen=True, slots=True)
class ZendeskDirectory:
    """Zendesk ids by name: custom ticket fields by title, groups by name.

    The connector lists them (``GET /api/v2/ticket_fields``, ``/groups``) at start-up.
    """

    fields: Mapping[str, int] = field(default_factory=dict)
    groups: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class HandoffContext:
    """Everything the note, the ticket fields, the chart and the context page come from.

    ``frustration`` maps a customer message id to its frustration score, 0 (calm) to 1
    (furious); messages without a score are simply not drawn. From the engine:
    ``{p.message_id: p.frustration for p in engine.sentiment(snapshot)}`` (and
    ``frustration_evidence`` from ``p.evidence``). ``card`` is ``None`` when no
    CRM is configured. ``context_url`` is the signed link to the context page.
    """

    snapshot: ConversationSnapshot
    decision: Decision
    episode: int
    generated_at: datetime
    frustration: Mapping[str, float] = field(default_factory=dict)
    #: why a message scored as it did (the scorer's evidence), shown on the context page
    frustration_evidence: Mapping[str, str] = field(default_factory=dict)
    card: AccountCard | None = None
    context_url: str | None = None
    context_url_expires_at: datetime | None = None
    routing: RoutingRules = field(default_factory=RoutingRules)
    directory: ZendeskDirectory = field(default_factory=ZendeskDirectory)
    masking: MaskingRules = field(default_factory=MaskingRules)
    verification: Verification | None = None

    def __post_init__(self) -> None:
        if self.generated_at.tzinfo is None:
            raise ValueError("HandoffContext.generated_at must be timezone-aware")
        clean = {
            str(k): min(max(float(v), 0.0), 1.0)
            for k, v in self.frustration.items()
            if isinstance(v, int | float) and math.isfinite(v)
        }
        object.__setattr__(self, "frustration", clean)

    @property
    def verification_status(self) -> Verification:
        if self.verification is not None:
            return self.verification
        return Verification.from_metadata(self.snapshot.metadata)
