"""Ticket fields of a handoff: priority, group, tags and custom fields.

All of it comes from the decision, the bot's own NLU result, the sentiment scores and
configuration — never from summary text, so nothing a remote summarizer writes can
change how a ticket is routed or prioritised.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

from core.context.model import HandoffContext, RoutingRules, ZendeskDirectory
from core.context.trajectory import Direction, Trend
from core.conversation import ConversationSnapshot
from core.decision import Decision, TriggerHit

TICKET_TAG = "baton"

#: Which trigger names the "Escalation reason" field when several fired.
REASON_RANK = (
    "always_human_topic",
    "customer_request",
    "business_rule",
    "keyword",
    "sentiment",
    "loop",
    "preferred_human_topic",
    "behavioral",
    "low_confidence",
)
_TAG_UNSAFE = re.compile(r"[^a-z0-9_:/-]+")


@dataclass(frozen=True, slots=True)
class TicketFields:
    priority: str
    group_id: int | None
    group_name: str | None
    tags: tuple[str, ...]
    custom_fields: tuple[tuple[int, str], ...]
    #: configured names that Zendesk does not know (fields or groups), for a warning
    problems: tuple[str, ...] = ()


def tag(text: str) -> str:
    """A Zendesk tag: lower case, no spaces."""
    return _TAG_UNSAFE.sub("_", text.strip().lower()).strip("_")[:80]


def primary_trigger(decision: Decision) -> TriggerHit | None:
    """The trigger that best explains the escalation (the "Escalation reason")."""
    if not decision.triggers:
        return None
    rank = {name: i for i, name in enumerate(REASON_RANK)}
    return min(
        enumerate(decision.triggers),
        key=lambda pair: (rank.get(pair[1].name, len(rank)), pair[0]),
    )[1]


def latest_intent(snapshot: ConversationSnapshot) -> tuple[str | None, float | None]:
    """The bot's intent and confidence on the latest customer message that had one."""
    for turn in reversed(snapshot.turns):
        if turn.intent is not None or turn.confidence is not None:
            return turn.intent, turn.confidence
    return None, None


def topical_intent(
    snapshot: ConversationSnapshot, handoff_intents: Sequence[str] = ()
) -> tuple[str | None, float | None]:
    """The latest intent that says what the conversation is about (not "get me a human").

    Falls back to the latest intent of any kind.
    """
    skip = set(handoff_intents)
    for turn in reversed(snapshot.turns):
        if turn.intent and turn.intent not in skip:
            return turn.intent, turn.confidence
    return latest_intent(snapshot)


def intent_path(snapshot: ConversationSnapshot) -> tuple[tuple[str, float | None], ...]:
    """Each distinct intent the bot read, in order, with its latest confidence."""
    seen: dict[str, float | None] = {}
    for turn in snapshot.turns:
        if turn.intent:
            seen.pop(turn.intent, None)
            seen[turn.intent] = turn.confidence
    return tuple(seen.items())


def tags_for(decision: Decision) -> tuple[str, ...]:
    """``baton``, the category, one tag per trigger and per topic."""
    tags = [TICKET_TAG, f"baton_category_{decision.category.value.lower()}"]
    for hit in decision.triggers:
        for candidate in (f"baton_{hit.name}", f"baton_topic_{hit.topic}" if hit.topic else ""):
            candidate = tag(candidate)
            if candidate and candidate not in tags:
                tags.append(candidate)
    return tuple(tags)


def group_for(
    rules: RoutingRules, decision: Decision, intent: str | None
) -> tuple[str | None, str]:
    """The configured group name and why it was chosen."""
    for hit in decision.triggers:
        if hit.topic and hit.topic in rules.groups_by_topic:
            return rules.groups_by_topic[hit.topic], f"topic {hit.topic}"
    if intent:
        for pattern, group in rules.groups_by_intent.items():
            if fnmatchcase(intent, pattern):
                return group, f"intent {intent}"
    if decision.category in rules.groups_by_category:
        return rules.groups_by_category[decision.category], f"category {decision.category.value}"
    return rules.default_group, "default"


def routing_problems(rules: RoutingRules, directory: ZendeskDirectory) -> list[str]:
    """Configured groups and field titles Zendesk does not have (check at start-up)."""
    problems = []
    groups = {
        rules.default_group,
        *rules.groups_by_topic.values(),
        *rules.groups_by_intent.values(),
        *rules.groups_by_category.values(),
    }
    for group in sorted(g for g in groups if g):
        if group not in directory.groups:
            problems.append(f"routing: no Zendesk group named {group!r}")
    for key, title in rules.fields.model_dump().items():
        if title and title not in directory.fields:
            problems.append(f"routing.fields.{key}: no Zendesk ticket field titled {title!r}")
    return problems


def ticket_fields(context: HandoffContext, trend: Trend) -> TicketFields:
    """Priority, group, tags and custom fields of the ticket for ``context``."""
    decision, rules, directory = context.decision, context.routing, context.directory
    intent, confidence = topical_intent(context.snapshot, rules.handoff_intents)
    problems: list[str] = []

    group_name, _why = group_for(rules, decision, intent)
    group_id = None
    if group_name:
        group_id = directory.groups.get(group_name)
        if group_id is None:
            problems.append(f"no Zendesk group named {group_name!r}")

    tags = list(tags_for(decision))
    if trend.band:
        tags.append(f"baton_sentiment_{trend.band}")
    if trend.direction is Direction.RISING:
        tags.append("baton_frustration_rising")
    if context.card is not None:
        tags.append(f"baton_crm_{context.card.status.value}")
    tags.extend(tag(t) for t in rules.tags)

    values: list[tuple[str | None, str | None]] = []
    titles, formats = rules.fields, rules.values
    if intent or confidence is not None:
        shown = intent or "unknown"
        if confidence is not None:
            shown += f" ({confidence:.2f})"
        values.append((titles.intent, shown))
    if trend.band:
        values.append((titles.sentiment, formats.sentiment.format(band=trend.band)))
    primary = primary_trigger(decision)
    if primary is not None:
        values.append((titles.reason, formats.reason.format(trigger=primary.name)))
    values.append(
        (titles.category, formats.category.format(category=decision.category.value.lower()))
    )
    values.append((titles.conversation_id, context.snapshot.conversation_id))
    custom: list[tuple[int, str]] = []
    for title, value in values:
        if not title or value is None:
            continue
        field_id = directory.fields.get(title)
        if field_id is None:
            problems.append(f"no Zendesk ticket field titled {title!r}")
            continue
        custom.append((field_id, value))

    return TicketFields(
        priority=decision.priority.value,
        group_id=group_id,
        group_name=group_name,
        tags=_unique(tags),
        custom_fields=tuple(custom),
        problems=tuple(problems),
    )


def _unique(items: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in items if i))
