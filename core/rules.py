"""The decision engine's rules: which triggers are on and how they are tuned.

Loaded from YAML by ``config.rules`` (which names file, line and field on errors) and
frozen before the engine sees them.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CustomerRequestRules(_Frozen):
    """The customer asks for a human: phrases, the handoff button, or the bot's intent."""

    phrases: tuple[str, ...] = (
        "talk to a human",
        "speak to a human",
        "talk to a person",
        "speak to a person",
        "real person",
        "human agent",
        "live agent",
        "talk to an agent",
        "speak to an agent",
        "customer service representative",
        "talk to someone",
        "speak to someone",
        "speak with someone",
        "representative",
    )
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


class KeywordRules(_Frozen):
    """Configured phrases that escalate immediately."""

    phrases: tuple[str, ...] = ()


class Rules(_Frozen):
    """Every tunable of the decision engine."""

    customer_request: CustomerRequestRules = CustomerRequestRules()
    low_confidence: LowConfidenceRules = LowConfidenceRules()
    keyword: KeywordRules = KeywordRules()
