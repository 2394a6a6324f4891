"""The internal note an agent reads first: HTML for a Zendesk comment's ``html_body``.

Zendesk sanitizes comment HTML (no scripts, no styles to rely on, no inline SVG), so the
note keeps to simple tags — headings, paragraphs, lists, a small table, ``code`` for the
sparkline — and reads top-down in the order an agent needs it:

1. one line at a glance (priority, who, why, frustration),
2. who: customer, verification, CRM account card and its freshness,
3. why Baton escalated: triggers with their evidence,
4. the bot's intent and confidence,
5. the frustration trajectory (sparkline; the PNG chart is attached),
6. urgency,
7. summary,
8. suggested opening line,
9. link to the context page,
10. the full transcript, masked.

Every piece of text is escaped; the only link is the context page's.
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

from core.context.fields import primary_trigger
from core.context.model import AccountCard, CardStatus, HandoffContext
from core.context.trajectory import Direction, band, sparkline
from core.context.view import HandoffView, ViewTurn
from core.decision import Category, Priority, TriggerHit
from core.events import Role

CHART_FILENAME = "baton-frustration.png"

TRIGGER_LABELS = {
    "customer_request": "Customer asked for a human",
    "low_confidence": "Bot did not understand (low confidence)",
    "keyword": "Escalation keyword",
    "always_human_topic": "Always-human topic",
    "preferred_human_topic": "Preferred-human topic",
    "sentiment": "Frustration rising",
    "loop": "Customer repeating the same request",
    "behavioral": "Agitation signals (caps, ??!, rapid-fire)",
    "business_rule": "Business rule",
}
TOPIC_LABELS = {
    "complaint": "complaint",
    "legal": "legal matter",
    "regulator": "regulator reference",
    "safety": "safety",
    "security_incident": "account-security incident",
    "bereavement": "bereavement",
    "vip": "VIP customer",
    "contract_dispute": "contract dispute",
}
CATEGORY_LABELS = {
    Category.A: "A — always human",
    Category.B: "B — preferred human",
    Category.C: "C — bot first, human on request",
}
_ROLE_LABELS = {Role.CUSTOMER: "Customer", Role.BOT: "Bot", Role.AGENT: "Agent"}


def trigger_label(hit: TriggerHit) -> str:
    label = TRIGGER_LABELS.get(hit.name, hit.name.replace("_", " ").capitalize())
    if hit.topic:
        label += f": {TOPIC_LABELS.get(hit.topic, hit.topic.replace('_', ' '))}"
    return label


def role_label(role: Role) -> str:
    return _ROLE_LABELS.get(role, role.value.capitalize())


def ago(then: datetime, now: datetime) -> str:
    seconds = max(0.0, (now - then).total_seconds())
    if seconds < 90:
        return "just now"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min ago"
    if seconds < 36 * 3600:
        return f"{round(seconds / 3600)} h ago"
    return f"{round(seconds / 86400)} days ago"


def _hhmm(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%H:%M")


def verification_text(context: HandoffContext) -> str:
    v = context.verification_status
    how = f" ({v.method})" if v.method else ""
    if v.verified is True:
        return f"Verified by the bot{how}"
    if v.verified is False:
        return "NOT verified — confirm identity before discussing or changing the account"
    return "Unknown — the bot platform did not say; verify before account changes"


def card_heading(card: AccountCard | None, now: datetime) -> str:
    """One line saying whose card this is, where from, and how fresh."""
    if card is None:
        return "No CRM configured"
    source = card.source or "CRM"
    if card.status is CardStatus.READY:
        fresh = f", fetched {ago(card.fetched_at, now)}" if card.fetched_at else ""
        if card.stale:
            fresh += ", STALE: the CRM did not answer the refresh"
        title = card.title or "Account"
        return f"{title} ({source}{fresh})"
    if card.status is CardStatus.PENDING:
        return f"CRM card pending — {source} has not answered yet; it will be added to this ticket"
    if card.status is CardStatus.NOT_FOUND:
        return f"No {source} record matches this customer"
    if card.status is CardStatus.AMBIGUOUS:
        return f"Several {source} records match this customer; none was picked"
    return f"CRM card unavailable — {source} could not be reached"


def urgency_reasons(view: HandoffView) -> list[str]:
    decision = view.context.decision
    reasons = [f"category {CATEGORY_LABELS[decision.category]}"]
    names = {h.name for h in decision.triggers}
    if "customer_request" in names:
        reasons.append("the customer asked for a human")
    if view.trend.last is not None and view.trend.last >= 0.55:
        reasons.append(f"customer is {band(view.trend.last)} now ({view.trend.last:.2f})")
    if view.trend.direction is Direction.RISING:
        reasons.append("frustration rising")
    if view.duration_minutes is not None and view.duration_minutes >= 1:
        reasons.append(f"{round(view.duration_minutes)} min in the bot chat")
    return reasons


def _glance(view: HandoffView) -> str:
    context = view.context
    decision = context.decision
    customer = context.snapshot.customer
    who = customer.name or customer.email or "Unknown customer"
    primary = primary_trigger(decision)
    bits = [f"<b>{escape(decision.priority.value.upper())}</b>", escape(who)]
    if primary is not None:
        bits.append(escape(trigger_label(primary)))
    if view.points:
        bits.append(
            f"frustration <code>{sparkline([p.score for p in view.points])}</code> "
            f"{escape(view.trend.direction.value)}"
        )
    return f"<p>Baton handoff · {' · '.join(bits)}</p>"


def _who(view: HandoffView) -> str:
    context = view.context
    customer = context.snapshot.customer
    rows = [("Customer", customer.name or "—")]
    contact = " · ".join(x for x in (customer.email, customer.phone) if x)
    if contact:
        rows.append(("Contact", contact))
    rows.append(("Verification", verification_text(context)))
    channel = context.snapshot.channel or "chat"
    span = ""
    if view.duration_minutes is not None:
        span = f" over {max(1, round(view.duration_minutes))} min"
    rows.append(
        (
            "Chat",
            f"{channel} · {len(view.turns)} messages{span} · {context.snapshot.conversation_id}",
        )
    )
    table = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    card = context.card
    heading = card_heading(card, context.generated_at)
    link = ""
    if card is not None and card.url and card.url.startswith(("https://", "http://")):
        source = escape(card.source or "CRM")
        link = f' · <a href="{escape(card.url, quote=True)}">open in {source}</a>'
    out = [
        f"<h3>Who</h3><table>{table}</table>",
        f"<p><b>Account:</b> {escape(heading)}{link}</p>",
    ]
    if card is not None and card.status is CardStatus.READY:
        if card.lines:
            lines = "".join(
                f"<tr><th>{escape(label)}</th><td>{escape(value)}</td></tr>"
                for label, value in card.lines
            )
            out.append(f"<table>{lines}</table>")
        for section_label, entries in card.sections:
            items = "".join(f"<li>{escape(e)}</li>" for e in entries) or "<li>none</li>"
            out.append(f"<p><b>{escape(section_label)}</b> ({len(entries)})</p><ul>{items}</ul>")
    if card is not None and card.detail:
        out.append(f"<p><small>{escape(card.detail)}</small></p>")
    return "".join(out)


def _evidence(hit: TriggerHit, turns: dict[str, ViewTurn]) -> str:
    parts = [f"<b>{escape(trigger_label(hit))}</b>"]
    if hit.evidence:
        parts.append(f"“{escape(hit.evidence)}”")
    detail = []
    turn = turns.get(hit.message_id or "")
    if turn is not None:
        detail.append(f"{role_label(turn.role).lower()} at {_hhmm(turn.at)}")
    if hit.score is not None:
        score = f"score {hit.score:.2f}"
        if hit.threshold is not None:
            score += f" vs threshold {hit.threshold:.2f}"
        detail.append(score)
    detail.append(f"trigger {hit.key}")  # the name in tags and reports
    parts.append(f"<small>({escape(', '.join(detail))})</small>")
    return f"<li>{' '.join(parts)}</li>"


def _why(view: HandoffView) -> str:
    turns = {t.message_id: t for t in view.turns}
    items = "".join(_evidence(hit, turns) for hit in view.triggers)
    return f"<h3>Why Baton escalated</h3><ul>{items or '<li>No trigger recorded</li>'}</ul>"


def _intent(view: HandoffView) -> str:
    if view.intent is None and view.confidence is None:
        return "<h3>Bot intent</h3><p>The bot reported no intent.</p>"
    shown = escape(view.intent or "unknown")
    conf = ""
    if view.confidence is not None:
        level = "low" if view.confidence < 0.5 else "medium" if view.confidence < 0.8 else "high"
        conf = f", confidence {view.confidence:.2f} ({level})"
    latest = ""
    if view.last_intent and view.last_intent != view.intent:
        last_conf = f" {view.last_confidence:.2f}" if view.last_confidence is not None else ""
        latest = f"<br><small>Last message read as {escape(view.last_intent)}{last_conf}</small>"
    path = ""
    if len(view.intents) > 1:
        steps = " → ".join(escape(name) for name, _ in view.intents)
        path = f"<br><small>Intents over the chat: {steps}</small>"
    return f"<h3>Bot intent</h3><p><b>{shown}</b>{conf}{latest}{path}</p>"


def _trajectory(view: HandoffView, chart_attached: bool) -> str:
    if not view.points:
        return "<h3>Frustration</h3><p>No sentiment scores for this conversation.</p>"
    t = view.trend
    assert t.first is not None
    assert t.last is not None
    assert t.peak is not None
    line = sparkline([p.score for p in view.points])
    text = (
        f"<code>{line}</code> <b>{escape(t.direction.value)}</b>, "
        f"{t.first:.2f} → {t.last:.2f} over {t.points} customer messages "
        f"(peak {t.peak:.2f}; now {escape(band(t.last))})"
    )
    scale = "<br><small>0 = calm, 1 = furious; one bar per customer message.</small>"
    chart = f" <small>Chart attached: {CHART_FILENAME}.</small>" if chart_attached else ""
    return f"<h3>Frustration</h3><p>{text}{chart}{scale}</p>"


def _urgency(view: HandoffView) -> str:
    priority = view.context.decision.priority
    advice = {
        Priority.URGENT: "reply now",
        Priority.HIGH: "reply next",
        Priority.NORMAL: "reply in queue order",
        Priority.LOW: "reply when free",
    }[priority]
    reasons = "; ".join(urgency_reasons(view))
    return (
        f"<h3>Urgency</h3><p><b>{escape(priority.value.upper())}</b> — {escape(advice)}. "
        f"{escape(reasons)}.</p>"
    )


def _summary(view: HandoffView) -> str:
    s = view.summary
    out = ["<h3>Summary</h3>", f"<p>{escape(s.headline)}</p>"]

    def items(title: str, entries: list[str]) -> None:
        if entries:
            out.append(f"<p><b>{title}</b></p><ul>{''.join(entries)}</ul>")

    def when(at: datetime | None) -> str:
        return f"{_hhmm(at)} " if at else ""

    items(
        "The customer said",
        [
            f"<li>{escape(when(i.at))}“{escape(i.text)}”"
            + (f" <small>(×{i.times})</small>" if i.times > 1 else "")
            + "</li>"
            for i in s.problems
        ],
    )
    items(
        "The bot already tried",
        [f"<li>{escape(when(i.at))}{escape(i.text)}</li>" for i in s.bot_tried],
    )
    items("Still open", [f"<li>{escape(i)}</li>" for i in s.still_open])
    source = "Baton (offline)" if s.source == "offline" else f"summarizer {s.source}"
    if view.summary_fallback:
        source += f"; {view.summary_fallback}"
    out.append(f"<p><small>Summary by {escape(source)}.</small></p>")
    return "".join(out)


def _opening(view: HandoffView) -> str:
    return f"<h3>Suggested opening line</h3><blockquote>{escape(view.opening_line)}</blockquote>"


def _link(context: HandoffContext) -> str:
    if not context.context_url:
        return ""
    until = ""
    if context.context_url_expires_at is not None:
        until = f" <small>(link valid until {context.context_url_expires_at:%Y-%m-%d})</small>"
    return (
        f'<p><a href="{escape(context.context_url, quote=True)}">Open the full context page'
        f"</a> — transcript with per-message sentiment, chart and account card.{until}</p>"
    )


def _transcript(view: HandoffView) -> str:
    rows = []
    for turn in view.turns:
        score = ""
        if turn.score is not None:
            score = f" <small>frustration {sparkline([turn.score])} {turn.score:.2f}</small>"
        nlu = ""
        if turn.intent or turn.confidence is not None:
            conf = f" {turn.confidence:.2f}" if turn.confidence is not None else ""
            nlu = f" <small>[{escape(turn.intent or '?')}{conf}]</small>"
        text = escape(turn.text).replace("\n", "<br>")
        rows.append(
            f"<p><small>{_hhmm(turn.at)}</small> <b>{escape(role_label(turn.role))}:</b> "
            f"{text}{score}{nlu}</p>"
        )
    return f"<h3>Transcript</h3>{''.join(rows)}"


def render_note(view: HandoffView, *, chart_attached: bool = False) -> str:
    """The note's HTML: the sections above, in order."""
    context = view.context
    footer = (
        f"<p><small>Baton · conversation {escape(context.snapshot.conversation_id)} · "
        f"episode {context.episode} · {context.generated_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC · "
        "times in UTC · card numbers and configured secrets are masked</small></p>"
    )
    return "".join(
        (
            _glance(view),
            _who(view),
            _why(view),
            _intent(view),
            _trajectory(view, chart_attached),
            _urgency(view),
            _summary(view),
            _opening(view),
            _link(context),
            _transcript(view),
            footer,
        )
    )
