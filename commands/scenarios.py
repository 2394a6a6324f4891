"""Sample conversations (``config/demo/conversations.yaml``) turned into webhook events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from config.yamlfile import load_yaml_model
from sandbox.people import PEOPLE

DEFAULT_SCENARIOS = Path(str(resources.files("config") / "demo" / "conversations.yaml"))


class _Turn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    customer: str | None = None
    bot: str | None = None
    button: str | None = None
    end: bool | None = None
    intent: str | None = None
    confidence: float | None = Field(default=None, ge=0, le=1)

    @model_validator(mode="after")
    def _one_kind(self) -> _Turn:
        kinds = [k for k in ("customer", "bot", "button", "end") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError("a turn is exactly one of customer, bot, button, end")
        return self


class _Conversation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    customer: str
    channel: str = "web_chat"
    gap: float = Field(default=20, gt=0)
    turns: tuple[_Turn, ...]


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    conversations: tuple[_Conversation, ...]


@dataclass(frozen=True)
class Scenario:
    conversation_id: str
    customer_key: str
    events: list[dict[str, Any]]


def load_scenarios(
    start: datetime, path: Path = DEFAULT_SCENARIOS, run_id: str = ""
) -> list[Scenario]:
    """Events for each sample conversation, the first starting at ``start``.

    ``run_id`` keeps ids unique when the demo runs twice against one store.
    """
    data = load_yaml_model(path, _File)
    people = {p.key: p for p in PEOPLE}
    out = []
    for n, conv in enumerate(data.conversations):
        person = people[conv.customer]
        cid = f"{conv.id}{run_id}"
        at = start + timedelta(seconds=30 * n)
        customer = {"id": person.key, "email": person.email, "name": person.name}
        customer["phone"] = person.phone
        events: list[dict[str, Any]] = [
            _event(cid, "conversation_started", at, conv.channel, customer, 0)
        ]
        for i, turn in enumerate(conv.turns, start=1):
            at += timedelta(seconds=conv.gap)
            if turn.customer is not None or turn.bot is not None:
                role = "customer" if turn.customer is not None else "bot"
                ev = _event(cid, "message", at, conv.channel, customer, i)
                ev["message"] = {
                    "id": f"{cid}-m{i}",
                    "role": role,
                    "text": turn.customer or turn.bot,
                }
                if turn.intent is not None or turn.confidence is not None:
                    ev["bot"] = {"intent": turn.intent, "confidence": turn.confidence}
            elif turn.button is not None:
                ev = _event(cid, "handoff_requested", at, conv.channel, customer, i)
                ev["metadata"] = {"reason": turn.button}
            else:
                ev = _event(cid, "conversation_ended", at, conv.channel, customer, i)
            events.append(ev)
        out.append(Scenario(conversation_id=cid, customer_key=person.key, events=events))
    return out


def _event(
    cid: str, kind: str, at: datetime, channel: str, customer: dict[str, str], n: int
) -> dict[str, Any]:
    return {
        "event_id": f"{cid}-e{n}",
        "type": kind,
        "conversation_id": cid,
        "occurred_at": at.isoformat().replace("+00:00", "Z"),
        "channel": channel,
        "customer": customer,
    }
