"""The context page: ``GET /context/{conversation_id}?episode=N&exp=UNIX&sig=HEX``.

The Zendesk note links here with a signed, expiring link (``core.context.links``). The
page shows the masked transcript with each customer message's frustration, the
trajectory chart (inline SVG) and the CRM account card, as one self-contained HTML
document: no scripts, no external assets, a strict Content-Security-Policy. Each opening
is recorded (the context view rate).

Mount it with ``app.include_router(context_router(...))``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from html import escape

import structlog
from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from core.context.links import LinkError, verify_context_link
from core.context.model import CardStatus, HandoffContext
from core.context.note import (
    CATEGORY_LABELS,
    card_heading,
    role_label,
    trigger_label,
    urgency_reasons,
    verification_text,
)
from core.context.svg import BAND_COLOURS, colour, trajectory_svg
from core.context.trajectory import band, sparkline
from core.context.view import HandoffView, ViewTurn, prepare
from core.events import Role

log = structlog.get_logger("baton.context")

#: Loads one episode's context (conversation, decision, scores, card), or None if unknown.
ContextLoader = Callable[[str, int], HandoffContext | None]
#: Records that an agent opened the page (conversation id, episode, time).
ViewRecorder = Callable[[str, int, datetime], None]

HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Robots-Tag": "noindex, nofollow",
}


def _utcnow() -> datetime:
    return datetime.now(UTC)


def context_router(
    *,
    load: ContextLoader,
    secrets: Sequence[str] | Callable[[], Sequence[str]],
    record_view: ViewRecorder | None = None,
    clock: Callable[[], datetime] = _utcnow,
) -> APIRouter:
    """The router serving context pages.

    ``secrets`` are the link-signing secrets (several during a rotation), or a function
    returning them. ``load`` and ``record_view`` run in a worker thread (they may block).
    """
    router = APIRouter()

    @router.get("/context/{conversation_id}", response_class=HTMLResponse)
    async def context_page(
        conversation_id: str,
        episode: str | None = None,
        exp: str | None = None,
        sig: str | None = None,
    ) -> HTMLResponse:
        """One escalation episode's context, for the agent working its ticket."""
        if not (episode and exp and sig) or not (episode.isdigit() and exp.isdigit()):
            return _error(403, "This link is incomplete: open it from the Zendesk ticket.")
        keys = secrets() if callable(secrets) else secrets
        now = clock()
        try:
            verify_context_link(conversation_id, int(episode), int(exp), sig, keys, now)
        except LinkError as err:
            log.info("context.link_refused", conversation_id=conversation_id, reason=str(err))
            reason = str(err)
            return _error(403, reason[:1].upper() + reason[1:] + ".")
        context = await run_in_threadpool(load, conversation_id, int(episode))
        if context is None:
            return _error(404, "This conversation is not known to Baton (or was purged).")
        if record_view is not None:
            await run_in_threadpool(record_view, conversation_id, int(episode), now)
        log.info("context.viewed", conversation_id=conversation_id, episode=int(episode))
        return HTMLResponse(render_page(prepare(context)), headers=HEADERS)

    return router


def _error(status: int, message: str) -> HTMLResponse:
    title = "Link refused" if status == 403 else "Not found"
    body = (
        f'<main class="error"><h1>{escape(title)}</h1><p>{escape(message)}</p>'
        "<p class=muted>Baton · handoff context</p></main>"
    )
    return HTMLResponse(_document(title, body), status_code=status, headers=HEADERS)


# -- the page --------------------------------------------------------------------------------

_CSS = """
*{box-sizing:border-box}
body{margin:0;background:#f4f6f8;color:#1f2933;
font:15px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"DejaVu Sans",Arial,sans-serif}
header{background:#1f2933;color:#fff;padding:14px 28px;display:flex;align-items:center;
gap:16px;flex-wrap:wrap}
header h1{font-size:18px;margin:0;font-weight:600}
header .conv{color:#cbd2d9;font-size:13px}
.badge{display:inline-block;border-radius:999px;padding:2px 10px;font-size:12px;
font-weight:700;letter-spacing:.03em;text-transform:uppercase}
.p-urgent{background:#dc2626;color:#fff}.p-high{background:#ea580c;color:#fff}
.p-normal{background:#2563eb;color:#fff}.p-low{background:#6b7280;color:#fff}
.cat{background:#e4e7eb;color:#1f2933}
main{max-width:1180px;margin:0 auto;padding:22px 28px 40px}
.grid{display:grid;grid-template-columns:minmax(0,1.7fr) minmax(0,1fr);gap:18px}
@media (max-width:900px){.grid{grid-template-columns:1fr}}
section{background:#fff;border:1px solid #e4e7eb;border-radius:8px;padding:16px 20px;
margin-bottom:18px}
h2{font-size:13px;text-transform:uppercase;letter-spacing:.06em;color:#616e7c;margin:0 0 10px}
h3{font-size:14px;margin:12px 0 4px}
ul{margin:4px 0;padding-left:20px}
.glance{font-size:17px;font-weight:600}
.muted{color:#7b8794;font-size:13px}
.opening{background:#f0f9ff;border-left:4px solid #2563eb;padding:10px 14px;margin:0;
border-radius:4px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 14px;margin:0}
dt{color:#616e7c}dd{margin:0;font-weight:500}
.status{border-radius:6px;padding:8px 12px;background:#fff7ed;color:#9a3412}
.chart svg{display:block;max-width:100%;height:auto}
.legend span{display:inline-block;margin-right:14px;font-size:12px;color:#52606d}
.legend i{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:5px;
vertical-align:-1px}
.turn{display:flex;gap:12px;padding:10px 0;border-top:1px solid #f0f2f4}
.turn:first-child{border-top:0}
.turn .meta{width:96px;flex:none;font-size:12px;color:#7b8794}
.turn .meta b{display:block;color:#1f2933;font-size:13px}
.bubble{flex:1;white-space:pre-wrap;word-wrap:break-word}
.customer .bubble{background:#f8fafc;border-radius:8px;padding:8px 12px}
.bot .bubble,.agent .bubble,.system .bubble{color:#3e4c59;padding:8px 12px}
.score{flex:none;width:150px;text-align:right;font-size:12px}
.chip{display:inline-block;border-radius:999px;padding:2px 9px;color:#fff;font-weight:600}
.nlu{display:block;color:#7b8794;margin-top:4px}
.evidence{color:#52606d}
.error{max-width:640px;margin:80px auto;background:#fff;border:1px solid #e4e7eb;
border-radius:8px;padding:24px 32px}
.error h1{font-size:22px;margin:0 0 8px}
"""


def _document(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta name="robots" content="noindex,nofollow">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head>"
        f"<body>{body}</body></html>"
    )


def _hhmm(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%H:%M:%S")


def _chip(score: float) -> str:
    return (
        f'<span class="chip" style="background:{colour(score)}">'
        f"{escape(band(score))} {score:.2f}</span>"
    )


def _turn(turn: ViewTurn) -> str:
    kind = turn.role.value
    score = ""
    if turn.score is not None:
        score = f"{_chip(turn.score)}<span class=nlu>{sparkline([turn.score])}</span>"
        if turn.score_evidence:
            score += f'<span class="nlu why">{escape(turn.score_evidence)}</span>'
    nlu = ""
    if turn.intent or turn.confidence is not None:
        conf = f" · {turn.confidence:.2f}" if turn.confidence is not None else ""
        nlu = f'<span class="nlu">bot read: {escape(turn.intent or "?")}{conf}</span>'
    return (
        f'<div class="turn {kind}" data-message-id="{escape(turn.message_id, quote=True)}">'
        f'<div class="meta"><b>{escape(role_label(turn.role))}</b>{_hhmm(turn.at)}</div>'
        f'<div class="bubble">{escape(turn.text)}{nlu}</div>'
        f'<div class="score">{score}</div></div>'
    )


def _card(view: HandoffView) -> str:
    context = view.context
    card = context.card
    heading = escape(card_heading(card, context.generated_at))
    if card is None or card.status is not CardStatus.READY:
        body = f'<p class="status">{heading}</p>'
    else:
        rows = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in card.lines)
        fetched = ""
        if card.fetched_at is not None:
            fetched = f" · {card.fetched_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
        body = f"<h3>{heading}</h3><dl>{rows}</dl>"
        for label, items in card.sections:
            lis = "".join(f"<li>{escape(i)}</li>" for i in items) or "<li>none</li>"
            body += f"<h3>{escape(label)} ({len(items)})</h3><ul>{lis}</ul>"
        if card.url and card.url.startswith(("https://", "http://")):
            body += (
                f'<p><a href="{escape(card.url, quote=True)}" rel="noreferrer">'
                f"Open in {escape(card.source or 'the CRM')}</a></p>"
            )
        body += f'<p class="muted">Source: {escape(card.source or "CRM")}{fetched}</p>'
    if card is not None and card.detail:
        body += f'<p class="muted">{escape(card.detail)}</p>'
    return f'<section id="account"><h2>Account</h2>{body}</section>'


def _customer(view: HandoffView) -> str:
    context = view.context
    c = context.snapshot.customer
    rows = [("Name", c.name or "—")]
    if c.email:
        rows.append(("Email", c.email))
    if c.phone:
        rows.append(("Phone", c.phone))
    rows.append(("Verification", verification_text(context)))
    rows.append(("Channel", context.snapshot.channel or "chat"))
    body = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows)
    return f'<section id="customer"><h2>Customer</h2><dl>{body}</dl></section>'


def _intent(view: HandoffView) -> str:
    rows = []
    if view.intent:
        conf = f" ({view.confidence:.2f})" if view.confidence is not None else ""
        rows.append(("Intent", f"{view.intent}{conf}"))
    if view.last_intent and view.last_intent != view.intent:
        conf = f" ({view.last_confidence:.2f})" if view.last_confidence is not None else ""
        rows.append(("Last message", f"{view.last_intent}{conf}"))
    if len(view.intents) > 1:
        rows.append(("Over the chat", " → ".join(name for name, _ in view.intents)))
    priority = view.context.decision.priority.value.upper()
    rows.append(("Urgency", f"{priority}: " + "; ".join(urgency_reasons(view))))
    body = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows)
    return f'<section id="intent"><h2>Intent and urgency</h2><dl>{body}</dl></section>'


def _why(view: HandoffView) -> str:
    items = []
    for hit in view.triggers:
        detail = f' <span class="evidence">“{escape(hit.evidence)}”</span>' if hit.evidence else ""
        items.append(f"<li><b>{escape(trigger_label(hit))}</b>{detail}</li>")
    return f"<h3>Why Baton escalated</h3><ul>{''.join(items) or '<li>No trigger</li>'}</ul>"


def _summary(view: HandoffView) -> str:
    s = view.summary
    parts = [f"<h3>Summary</h3><p>{escape(s.headline)}</p>"]
    if s.problems:
        parts.append(
            "<p><b>The customer said</b></p><ul>"
            + "".join(
                f"<li>“{escape(p.text)}”{f' (×{p.times})' if p.times > 1 else ''}</li>"
                for p in s.problems
            )
            + "</ul>"
        )
    if s.bot_tried:
        parts.append(
            "<p><b>The bot already tried</b></p><ul>"
            + "".join(f"<li>{escape(i.text)}</li>" for i in s.bot_tried)
            + "</ul>"
        )
    if s.still_open:
        parts.append(
            "<p><b>Still open</b></p><ul>"
            + "".join(f"<li>{escape(i)}</li>" for i in s.still_open)
            + "</ul>"
        )
    return "".join(parts)


def _chart(view: HandoffView) -> str:
    legend = "".join(
        f'<span><i style="background:{c}"></i>{escape(name)}</span>'
        for name, c in BAND_COLOURS.items()
    )
    t = view.trend
    caption = "No sentiment scores for this conversation."
    if t.first is not None and t.last is not None:
        caption = (
            f"Frustration {t.direction.value}: {t.first:.2f} → {t.last:.2f} over "
            f"{t.points} customer messages (0 calm, 1 furious)."
        )
    return (
        f'<section id="trajectory" class="chart"><h2>Frustration over the conversation</h2>'
        f'<p class="muted">{escape(caption)}</p>{trajectory_svg(view.points, 720, 220)}'
        f'<p class="legend">{legend}</p></section>'
    )


def render_page(view: HandoffView) -> str:
    """The context page's full HTML document."""
    context = view.context
    decision = context.decision
    customer = context.snapshot.customer
    who = customer.name or customer.email or "Unknown customer"
    priority = decision.priority.value
    header = (
        "<header><h1>Baton · handoff context</h1>"
        f'<span class="badge p-{escape(priority)}">{escape(priority)}</span>'
        f'<span class="badge cat">Category {escape(CATEGORY_LABELS[decision.category])}</span>'
        f'<span class="conv">{escape(context.snapshot.conversation_id)} · episode '
        f"{context.episode} · {context.generated_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC</span>"
        "</header>"
    )
    glance = f"{who}"
    if view.trend.last is not None:
        glance += f" · {band(view.trend.last)} ({view.trend.direction.value})"
    overview = (
        f'<section id="overview"><h2>At a glance</h2><p class="glance">{escape(glance)}</p>'
        f"{_why(view)}{_summary(view)}<h3>Suggested opening line</h3>"
        f'<p class="opening">{escape(view.opening_line)}</p></section>'
    )
    turns = "".join(_turn(t) for t in view.turns)
    customers = sum(1 for t in view.turns if t.role is Role.CUSTOMER)
    transcript = (
        f'<section id="transcript"><h2>Transcript · {len(view.turns)} messages, '
        f"{customers} from the customer</h2>{turns}"
        '<p class="muted">Card numbers and configured secrets are masked. Times in UTC.</p>'
        "</section>"
    )
    body = (
        f'{header}<main><div class="grid"><div>{overview}{_chart(view)}</div>'
        f"<div>{_customer(view)}{_card(view)}{_intent(view)}</div></div>{transcript}</main>"
    )
    return _document(f"{who} · Baton context", body)
