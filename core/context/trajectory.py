"""The customer's frustration over the conversation, in forms that read at a glance.

Scores are per customer message, 0 (calm) to 1 (furious). The trajectory is drawn as a
Unicode sparkline in the note (Zendesk keeps plain text, drops scripts and SVG), as an
inline SVG on the context page, and as a PNG attached to the ticket (``render.charts``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from core.conversation import ConversationSnapshot

BARS = "▁▂▃▄▅▆▇█"
#: Upper bounds of the bands, in order; the last band takes the rest.
BANDS: tuple[tuple[float, str], ...] = (
    (0.15, "positive"),
    (0.35, "neutral"),
    (0.55, "negative"),
    (0.75, "frustrated"),
    (1.01, "angry"),
)
#: A change smaller than this between the start and the end reads as steady.
STEADY = 0.15


@dataclass(frozen=True, slots=True)
class TrajectoryPoint:
    message_id: str
    at: datetime
    score: float


class Direction(StrEnum):
    RISING = "rising"  # frustration grows: sentiment is falling
    FALLING = "falling"  # the customer calms down
    STEADY = "steady"
    UNKNOWN = "unknown"  # fewer than two scored messages


@dataclass(frozen=True, slots=True)
class Trend:
    direction: Direction
    first: float | None
    last: float | None
    peak: float | None
    points: int

    @property
    def band(self) -> str | None:
        """The band of the latest score (what the "Sentiment" field says)."""
        return band(self.last) if self.last is not None else None


def band(score: float) -> str:
    """``positive``, ``neutral``, ``negative``, ``frustrated`` or ``angry``."""
    for upper, name in BANDS:
        if score < upper:
            return name
    return BANDS[-1][1]


def trajectory(
    snapshot: ConversationSnapshot, frustration: Mapping[str, float]
) -> tuple[TrajectoryPoint, ...]:
    """Scored customer messages, in conversation order."""
    return tuple(
        TrajectoryPoint(t.message_id, t.occurred_at, frustration[t.message_id])
        for t in snapshot.customer_turns
        if t.message_id in frustration
    )


def sparkline(scores: Sequence[float]) -> str:
    """One block character per score, on a fixed 0..1 scale (so heights compare)."""
    top = len(BARS) - 1
    return "".join(BARS[min(top, max(0, round(s * top)))] for s in scores)


def trend(points: Sequence[TrajectoryPoint]) -> Trend:
    if not points:
        return Trend(Direction.UNKNOWN, None, None, None, 0)
    scores = [p.score for p in points]
    first, last, peak = scores[0], scores[-1], max(scores)
    if len(scores) < 2:
        direction = Direction.UNKNOWN
    elif last - first >= STEADY:
        direction = Direction.RISING
    elif first - last >= STEADY:
        direction = Direction.FALLING
    else:
        direction = Direction.STEADY
    return Trend(direction, first, last, peak, len(scores))
