"""The internal note reads top-down at a glance, shows only masked text, and keeps to the
simple HTML Zendesk preserves."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest

from core.context.model import AccountCard, CardStatus, Verification
from core.context.note import render_note
from core.context.view import prepare
from core.decision import Category, Priority
from core.handoff import build_handoff_draft
from render.charts import trajectory_png
from render.example import example_context
from tests.context.helpers import context, decision, hit, snapshot

#: Tags Zendesk keeps in comment HTML that the note may use.
ALLOWED_TAGS = {
    "p",
    "br",
    "b",
    "small",
    "h3",
    "ul",
    "li",
    "table",
    "tr",
    "th",
    "td",
    "a",
    "code",
    "blockquote",
}
SECTIONS = [
    "<h3>Who</h3>",
    "<h3>Why Baton escalated</h3>",
    "<h3>Bot intent</h3>",
    "<h3>Frustration</h3>",
    "<h3>Urgency</h3>",
    "<h3>Summary</h3>",
    "<h3>Suggested opening line</h3>",
    "Open the full context page",
    "<h3>Transcript</h3>",
]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.hrefs: list[str] = []
        self.attrs: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            self.attrs.add(name)
            if name == "href" and value:
                self.hrefs.append(value)


def parse(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    return parser


@pytest.fixture
def note() -> str:
    return build_handoff_draft(example_context()).note_html


class TestLayout:
    def test_sections_come_in_reading_order(self, note: str) -> None:
        positions = [note.index(s) for s in SECTIONS]
        assert positions == sorted(positions)

    def test_first_line_says_priority_who_why_and_mood(self, note: str) -> None:
        first = note[: note.index("<h3>")]
        assert "<b>HIGH</b>" in first
        assert "Ana Tan" in first
        assert "Customer asked for a human" in first
        assert "<code>▃▄▅▆▆▇</code> rising" in first

    def test_who_has_customer_verification_and_the_account_card_with_freshness(
        self, note: str
    ) -> None:
        who = note[note.index("<h3>Who</h3>") : note.index("<h3>Why")]
        assert "ana.tan@lumenfoods.example" in who
        assert "Verified by the bot (app login)" in who
        assert "Ana Tan · Lumen Foods Pte Ltd (Salesforce, fetched 2 min ago)" in who
        assert "<th>Tier</th><td>Gold</td>" in who

    def test_why_lists_each_trigger_with_its_evidence(self, note: str) -> None:
        why = note[note.index("<h3>Why") : note.index("<h3>Bot intent")]
        assert why.count("<li>") == 3
        assert "“I want to talk to a human”" in why
        assert "score 0.88 vs threshold 0.75" in why

    def test_intent_and_confidence(self, note: str) -> None:
        assert "<b>refund_request</b>, confidence 0.41 (low)" in note
        assert "order_status → refund_request → human_handoff" in note

    def test_trajectory_urgency_summary_and_opening(self, note: str) -> None:
        assert "<code>▃▄▅▆▆▇</code> <b>rising</b>, 0.30 → 0.88 over 6 customer messages" in note
        assert "<b>HIGH</b> — reply next" in note
        assert "The customer said" in note
        assert "The bot already tried" in note
        assert "<blockquote>Hi Ana," in note

    def test_the_transcript_is_complete_and_in_order(self, note: str) -> None:
        transcript = note[note.index("<h3>Transcript</h3>") :]
        assert transcript.count("<b>Customer:</b>") == 6
        assert transcript.count("<b>Bot:</b>") == 4
        assert transcript.index("parcel never arrived") < transcript.index("WHERE IS MY PARCEL")
        assert "frustration ▇ 0.88" in transcript


class TestSafety:
    def test_only_simple_tags_and_no_style_or_script(self, note: str) -> None:
        tags = parse(note)
        assert tags.tags <= ALLOWED_TAGS
        assert tags.attrs <= {"href"}

    def test_the_only_link_is_the_context_page(self, note: str) -> None:
        assert parse(note).hrefs == [example_context().context_url]

    def test_card_numbers_never_reach_the_note_or_subject(self) -> None:
        """Even if unmasked text reached the builder, the note and subject are masked."""
        snap = snapshot(
            ("customer", "refund to 4111 1111 1111 1111 please"),
            ("customer", "or my other card 5555 5555"),
            ("customer", "5555 4444"),
        )
        dec = decision(hit("keyword", "refund to 4111 1111 1111 1111", "m1"))
        draft = build_handoff_draft(context(snap, dec))
        flat = re.sub(r"\D", "", draft.note_html + draft.subject)
        assert "41111111" not in flat
        assert "55555555" not in flat
        assert "•••• •••• •••• 1111" in draft.note_html
        assert "refund to •••• •••• •••• 1111 please" in draft.subject

    def test_customer_text_is_escaped(self) -> None:
        snap = snapshot(("customer", "<script>alert(1)</script> <a href='http://x'>x</a>"))
        note = build_handoff_draft(context(snap, decision(hit("keyword", "<b>", "m1")))).note_html
        assert "<script" not in note
        assert "&lt;script&gt;" in note
        assert parse(note).hrefs == []


class TestVariants:
    @pytest.mark.parametrize(
        ("card", "expected"),
        [
            (None, "No CRM configured"),
            (AccountCard(CardStatus.PENDING, source="Salesforce"), "CRM card pending"),
            (AccountCard(CardStatus.UNAVAILABLE, source="HubSpot"), "CRM card unavailable"),
            (AccountCard(CardStatus.NOT_FOUND, source="HubSpot"), "No HubSpot record matches"),
            (AccountCard(CardStatus.AMBIGUOUS, source="Salesforce"), "Several Salesforce records"),
        ],
    )
    def test_card_states(self, card: AccountCard | None, expected: str) -> None:
        snap = snapshot(("customer", "help"))
        note = build_handoff_draft(context(snap, decision(hit("keyword")), card=card)).note_html
        assert expected in note

    def test_a_stale_card_says_so(self) -> None:
        ctx = example_context()
        stale = AccountCard(
            CardStatus.READY,
            title="Acme",
            source="Salesforce",
            fetched_at=ctx.generated_at - timedelta(hours=3),
            stale=True,
        )
        note = build_handoff_draft(context(ctx.snapshot, ctx.decision, card=stale)).note_html
        assert "fetched 3 h ago, STALE" in note

    @pytest.mark.parametrize(
        ("metadata", "verification", "expected"),
        [
            ({"verified": True}, None, "Verified by the bot"),
            ({"authenticated": False}, None, "NOT verified"),
            ({}, None, "Unknown — the bot platform did not say"),
            ({}, Verification(True, "OTP"), "Verified by the bot (OTP)"),
        ],
    )
    def test_verification(self, metadata, verification, expected) -> None:  # type: ignore[no-untyped-def]
        snap = snapshot(("customer", "help"), metadata=metadata)
        ctx = context(snap, decision(hit("keyword")), verification=verification)
        assert expected in build_handoff_draft(ctx).note_html

    def test_without_scores_the_note_says_so_and_attaches_no_chart(self) -> None:
        snap = snapshot(("customer", "help me"), ("customer", "now"))
        draft = build_handoff_draft(context(snap, decision(hit("keyword"))), chart=trajectory_png)
        assert "No sentiment scores for this conversation." in draft.note_html
        assert draft.attachments == ()

    def test_with_scores_the_chart_is_attached_and_mentioned(self) -> None:
        draft = build_handoff_draft(example_context(), chart=trajectory_png)
        (attachment,) = draft.attachments
        assert attachment.filename == "baton-frustration.png"
        assert attachment.content_type == "image/png"
        assert attachment.data.startswith(b"\x89PNG")
        assert "Chart attached: baton-frustration.png" in draft.note_html

    def test_urgency_lists_its_reasons(self) -> None:
        snap = snapshot(("customer", "someone logged into my account"))
        dec = decision(
            hit("always_human_topic", "logged into my account", "m1", topic="security_incident"),
            category=Category.A,
            priority=Priority.URGENT,
        )
        note = build_handoff_draft(context(snap, dec, scores=[0.9])).note_html
        assert "<b>URGENT</b> — reply now. category A — always human" in note
        assert "customer is angry now (0.90)" in note
        assert "Always-human topic: account-security incident" in note

    def test_render_note_is_deterministic(self) -> None:
        assert render_note(prepare(example_context())) == render_note(prepare(example_context()))
