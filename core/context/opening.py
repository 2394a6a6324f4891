"""A suggested first reply that shows the customer they will not have to repeat anything.

Built from facts only (the customer's name, the escalation's triggers, how often they
repeated themselves, their frustration, what the bot tried), never from a remote
summarizer's text. The agent edits it freely: it is a suggestion.
"""

from __future__ import annotations

import re

from core.context.summary import Summary
from core.context.trajectory import Trend
from core.decision import Decision

_DETAIL = re.compile(
    r"(?:[•0-9]{5,}|[A-Z]{2,}[-#]?[0-9]{3,}|#[0-9]{3,}|[^\s@]+@[^\s@]+\.\w+)", re.UNICODE
)
_NUMBERS = {2: "twice", 3: "three times", 4: "four times", 5: "five times"}

_TOPIC_OPENERS: dict[str, str] = {
    "bereavement": "I'm so sorry for your loss, and thank you for reaching out to us.",
    "security_incident": (
        "I understand you're worried someone may have got into your account — "
        "securing it is my first priority."
    ),
    "safety": "Your safety comes first, and I'm here to help right now.",
    "complaint": "I'm sorry about how this has gone, and I want to put it right.",
    "legal": "I understand this is a serious matter, and I'll handle it carefully.",
    "regulator": "I understand this is a serious matter, and I'll handle it carefully.",
    "contract_dispute": (
        "I understand there's a dispute about your contract, and I'll look into it properly."
    ),
    "vip": "Thank you for being with us — I'm looking after this personally.",
}


def first_name(name: str | None) -> str | None:
    if not name:
        return None
    part = name.strip().split()[0] if name.strip() else ""
    if not part or "@" in part or any(ch.isdigit() for ch in part):
        return None
    return part[:40]


def _issue(summary: Summary, intent: str | None) -> str:
    if summary.problems:
        text = summary.problems[0].text
        if len(text) <= 70 and "\n" not in text:
            return f"about “{text.rstrip('.!?')}”"
    if intent:
        return "about your " + intent.replace("_", " ").replace("-", " ").strip()
    return "about your request"


def opening_line(
    *,
    customer_name: str | None,
    decision: Decision,
    summary: Summary,
    trend: Trend,
    customer_texts: tuple[str, ...],
    intent: str | None,
) -> str:
    """One short paragraph the agent can send as the first reply.

    ``summary`` must be the offline summary (facts from the transcript itself).
    """
    name = first_name(customer_name)
    parts = [f"Hi {name}," if name else "Hi,"]
    topics = [h.topic for h in decision.triggers if h.topic]
    opener = next((_TOPIC_OPENERS[t] for t in topics if t in _TOPIC_OPENERS), None)
    repeated = max((p.times for p in summary.problems), default=1)
    loop = any(h.name == "loop" for h in decision.triggers)
    if opener:
        parts.append(opener)
    if repeated > 1 or loop:
        times = _NUMBERS.get(repeated, "several times") if repeated > 1 else "several times"
        parts.append(f"I'm sorry you had to explain this {times}.")
    elif not opener and trend.last is not None and trend.last >= 0.55:
        parts.append("I'm sorry this has been so frustrating.")
    gave_details = any(_DETAIL.search(t) for t in customer_texts)
    already = []
    if summary.bot_tried:
        already.append("what our assistant already tried")
    if gave_details:
        already.append("the details you already gave")
    seen = " and ".join(already)
    read = f"I've read your whole conversation {_issue(summary, intent)}"
    read += f", including {seen}," if seen else ","
    parts.append(read + " so you won't need to repeat anything.")
    parts.append("I'm taking it from here.")
    return " ".join(parts)
