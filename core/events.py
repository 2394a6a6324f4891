"""The event schema (bot → Baton), as written in DESIGN.md.

One JSON object per event; a batch is a JSON array or JSON Lines. Validation is strict:
unknown top-level fields are refused (``metadata`` is the free-form place), times must
carry an offset, and a ``message`` event must carry its message.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from core.errors import InputError

_ID = Field(min_length=1, max_length=200)


class EventType(StrEnum):
    CONVERSATION_STARTED = "conversation_started"
    MESSAGE = "message"
    HANDOFF_REQUESTED = "handoff_requested"
    CONVERSATION_ENDED = "conversation_ended"
    CSAT = "csat"


class Role(StrEnum):
    CUSTOMER = "customer"
    BOT = "bot"
    AGENT = "agent"
    SYSTEM = "system"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Customer(_Strict):
    id: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    name: str | None = Field(default=None, max_length=300)
    phone: str | None = Field(default=None, max_length=40, pattern=r"^\+?[0-9 ()./-]{5,39}$")


class Message(_Strict):
    id: str = _ID
    role: Role
    text: str = Field(max_length=20_000)


class BotNlu(_Strict):
    intent: str | None = Field(default=None, max_length=200)
    confidence: float | None = Field(default=None, ge=0.0, le=1.0)


class Csat(_Strict):
    score: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=5_000)


class Event(_Strict):
    """One event from a bot platform."""

    event_id: str = _ID
    type: EventType
    conversation_id: str = _ID
    occurred_at: AwareDatetime
    channel: str | None = Field(default=None, max_length=100)
    customer: Customer | None = None
    message: Message | None = None
    bot: BotNlu | None = None
    csat: Csat | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _payload_matches_type(self) -> Event:
        if self.type is EventType.MESSAGE and self.message is None:
            raise ValueError("a 'message' event needs a 'message' object")
        if self.type is EventType.CSAT and self.csat is None:
            raise ValueError("a 'csat' event needs a 'csat' object")
        return self


_EVENTS = TypeAdapter(list[Event])


class FieldProblem(BaseModel):
    """One problem in an incoming batch, with the JSON path of the field it concerns."""

    model_config = ConfigDict(frozen=True)

    field: str
    message: str


class EventBatchError(InputError):
    """A batch of events failed validation; ``problems`` names every bad field."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = problems
        summary = "; ".join(f"{p.field}: {p.message}" for p in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        super().__init__(f"invalid events: {summary}{more}")


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out or "(body)"


def parse_events(items: list[Any], *, single: bool = False) -> list[Event]:
    """Validate raw JSON values as events, all or nothing.

    Raises :class:`EventBatchError` naming each bad field (``[2].message.role``, or
    ``message.role`` for a single object) when any item is invalid.
    """
    try:
        return _EVENTS.validate_python(items)
    except ValidationError as err:
        problems = []
        for e in err.errors(include_url=False):
            loc = e["loc"][1:] if single and e["loc"] else e["loc"]
            # A model-level check ("a 'message' event needs ...") has no field of its own.
            problems.append(FieldProblem(field=_path(tuple(loc)), message=e["msg"]))
        raise EventBatchError(problems) from err


def utc(dt: datetime) -> datetime:
    """The same instant, expressed in UTC (events may arrive with any offset)."""
    return dt.astimezone(UTC)
