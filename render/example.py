"""A realistic example handoff: for the agent guide's picture, previews and tests.

``python -m render.example --html note.html`` writes the example note (wrapped in a page
that looks like a Zendesk internal note); ``--png`` writes the chart image;
``--screenshot docs/img/agent-note.png`` renders the note in headless Chromium (the agent
guide's picture).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path

from PIL import Image

from core.context.model import (
    AccountCard,
    CardStatus,
    HandoffContext,
    RoutingRules,
    Verification,
    ZendeskDirectory,
)
from core.conversation import ConversationSnapshot, CustomerInfo, Turn
from core.decision import Category, Decision, Priority, TriggerHit
from core.events import Role

T0 = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)

#: (seconds after T0, message id, role, text, intent, confidence, frustration)
MESSAGES: tuple[tuple[int, str, Role, str, str | None, float | None, float | None], ...] = (
    (
        5,
        "m1",
        Role.CUSTOMER,
        "Hi, my parcel never arrived. Order 88123-SG",
        "order_status",
        0.91,
        0.30,
    ),
    (
        9,
        "m2",
        Role.BOT,
        "I'm sorry to hear that! Order 88123-SG was shipped on 24 Nov with "
        "NinjaVan and is marked as delivered.",
        None,
        None,
        None,
    ),
    (
        90,
        "m3",
        Role.CUSTOMER,
        "the tracking says delivered but I got nothing",
        "order_status",
        0.62,
        0.45,
    ),
    (
        95,
        "m4",
        Role.BOT,
        "Parcels are sometimes left with a neighbour or at the concierge. Could you check there?",
        None,
        None,
        None,
    ),
    (
        250,
        "m5",
        Role.CUSTOMER,
        "I checked, nothing there. I want a refund",
        "refund_request",
        0.48,
        0.62,
    ),
    (254, "m6", Role.BOT, "I can help with refunds for orders paid by card.", None, None, None),
    (302, "m7", Role.CUSTOMER, "it was charged to my card 4111 1111", "refund_request", 0.41, 0.66),
    (309, "m8", Role.CUSTOMER, "1111 1111", None, 0.12, 0.70),
    (312, "m9", Role.BOT, "Sorry, I didn't understand that. Could you rephrase?", None, None, None),
    (
        400,
        "m10",
        Role.CUSTOMER,
        "WHERE IS MY PARCEL?? third time I'm asking, I want to talk to a human",
        "human_handoff",
        0.95,
        0.88,
    ),
)

DIRECTORY = ZendeskDirectory(
    fields={
        "Bot intent": 360001,
        "Sentiment": 360002,
        "Escalation reason": 360003,
        "Escalation category": 360004,
        "Conversation ID": 360005,
    },
    groups={"Support": 501, "Billing": 502, "Trust & Safety": 503, "VIP": 504},
)

ROUTING = RoutingRules(
    default_group="Support",
    groups_by_topic={"security_incident": "Trust & Safety", "vip": "VIP"},
    groups_by_intent={"refund*": "Billing", "billing*": "Billing"},
)


def example_snapshot() -> ConversationSnapshot:
    return ConversationSnapshot(
        conversation_id="conv_8812",
        channel="web_chat",
        customer=CustomerInfo(
            id="c_9", email="ana.tan@lumenfoods.example", name="Ana Tan", phone="+6591234567"
        ),
        turns=tuple(
            Turn(
                message_id=mid,
                role=role,
                text=text,
                occurred_at=T0 + timedelta(seconds=sec),
                event_id=f"evt_{mid}",
                intent=intent,
                confidence=conf,
            )
            for sec, mid, role, text, intent, conf, _ in MESSAGES
        ),
        started_at=T0,
        metadata={"verified": True, "verification_method": "app login"},
    )


def example_decision() -> Decision:
    return Decision(
        conversation_id="conv_8812",
        escalate=True,
        category=Category.C,
        priority=Priority.HIGH,
        triggers=(
            TriggerHit(
                name="customer_request", message_id="m10", evidence="I want to talk to a human"
            ),
            TriggerHit(
                name="sentiment",
                message_id="m10",
                evidence="frustration rose over 5 customer messages (0.30 → 0.88)",
                score=0.88,
                threshold=0.75,
            ),
            TriggerHit(
                name="loop",
                message_id="m10",
                evidence="the customer asked about the missing parcel 3 times",
            ),
        ),
        decided_at_event="evt_m10",
    )


def example_card(now: datetime) -> AccountCard:
    return AccountCard(
        status=CardStatus.READY,
        title="Ana Tan · Lumen Foods Pte Ltd",
        lines=(
            ("Tier", "Gold"),
            ("Customer since", "March 2021"),
            ("Lifetime value", "SGD 4,820"),
            ("Open cases", "1 — CS-00412 late delivery (2 days old)"),
            ("Last order", "88123-SG · SGD 129.90 · 24 Nov"),
        ),
        source="Salesforce",
        fetched_at=now - timedelta(minutes=2),
        detail="Matched by email.",
    )


def example_context(context_url: str | None = None) -> HandoffContext:
    now = T0 + timedelta(seconds=402)
    return HandoffContext(
        snapshot=example_snapshot(),
        decision=example_decision(),
        episode=1,
        generated_at=now,
        frustration={mid: f for _, mid, _, _, _, _, f in MESSAGES if f is not None},
        frustration_evidence={"m5": "cue: nothing there", "m10": "all caps; cue: third time"},
        card=example_card(now),
        context_url=context_url
        or "https://baton.example.com/context/conv_8812?episode=1&exp=1796000000&sig=…",
        context_url_expires_at=now + timedelta(days=14),
        routing=ROUTING,
        directory=DIRECTORY,
        verification=Verification(verified=True, method="app login"),
    )


#: A little CSS close to how Zendesk shows an internal note (yellow, narrow column).
NOTE_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>{title}</title><style>
body{{margin:0;background:#f8f9f9;font:14px/1.5 -apple-system,"Segoe UI","DejaVu Sans",
Helvetica,Arial,sans-serif;color:#2f3941}}
.note{{max-width:760px;margin:16px;background:#fff6e0;border:1px solid #f5d281;
border-radius:4px;padding:12px 18px}}
.who{{font-weight:600;margin-bottom:6px}} .who small{{font-weight:400;color:#68737d}}
h3{{font-size:14px;margin:14px 0 4px}} p{{margin:4px 0}} ul{{margin:4px 0;padding-left:22px}}
table{{border-collapse:collapse}} th{{text-align:left;padding:1px 12px 1px 0;color:#49545c;
font-weight:600;vertical-align:top}} td{{padding:1px 0}}
blockquote{{margin:4px 0;padding:4px 10px;border-left:3px solid #c2c8cc}}
code{{font-size:15px}} a{{color:#1f73b7}} small{{color:#68737d}}
</style></head><body><div class="note"><div class="who">Baton <small>· internal note</small>
</div>{body}</div></body></html>"""


def note_page(note_html: str, title: str = "Baton note") -> str:
    """The note wrapped in a page that looks like it does in Zendesk's agent workspace."""
    return NOTE_PAGE.format(title=escape(title), body=note_html)


def screenshot(html: str, out: Path, chromium: str = "/usr/bin/chromium", width: int = 820) -> None:
    """Render ``html`` in headless Chromium; save a trimmed, palette PNG (small for docs)."""
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "note.html"
        page.write_text(html, encoding="utf-8")
        raw = Path(tmp) / "shot.png"
        subprocess.run(  # noqa: S603 (the browser the caller names, our own arguments)
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                f"--user-data-dir={tmp}/profile",
                f"--screenshot={raw}",
                f"--window-size={width},3200",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
            env={**os.environ, "HOME": tmp},
        )
        image = Image.open(raw).convert("RGB")
        background = image.getpixel((width - 1, image.height - 1))
        bottom = image.height
        while bottom > 1 and all(
            image.getpixel((x, bottom - 1)) == background for x in range(0, width, 4)
        ):
            bottom -= 1
        image = image.crop((0, 0, width, min(image.height, bottom + 16)))
        image.quantize(colors=48, method=Image.Quantize.MEDIANCUT).save(out, optimize=True)


def main(argv: list[str] | None = None) -> None:
    from core.handoff import build_handoff_draft
    from render.charts import trajectory_png

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--html", type=Path, help="write the example note page here")
    parser.add_argument("--png", type=Path, help="write the example chart PNG here")
    parser.add_argument("--screenshot", type=Path, help="write a picture of the note here")
    args = parser.parse_args(argv)
    draft = build_handoff_draft(example_context(), chart=trajectory_png)
    if args.html:
        args.html.write_text(note_page(draft.note_html), encoding="utf-8")
    if args.png and draft.attachments:
        args.png.write_bytes(draft.attachments[0].data)
    if args.screenshot:
        screenshot(note_page(draft.note_html), args.screenshot)


if __name__ == "__main__":
    main()
