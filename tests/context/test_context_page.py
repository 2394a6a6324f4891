"""The context page over a real socket: signed links only, the masked transcript with
per-message sentiment, the chart and the account card; every opening is counted."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI

from core.context.links import sign_context_link
from core.context.model import HandoffContext
from render.example import T0, example_context
from store.context_views import context_view_rate, count_context_views, record_context_view
from store.db import Database
from store.schema import ConversationRow, TicketRow
from tests.context.helpers import serve
from web.context import context_router

SECRET = "page-secret"
NOW = T0 + timedelta(minutes=10)


def add_conversation(db: Database, conversation_id: str, *, ticket: bool = True) -> None:
    with db.transaction() as session:
        session.add(
            ConversationRow(
                id=conversation_id, state="ticketed", episode=1, started_at=T0, last_event_at=T0
            )
        )
        if ticket:
            session.flush()
            session.add(
                TicketRow(
                    conversation_id=conversation_id,
                    episode=1,
                    zendesk_ticket_id=7,
                    external_id=f"baton:{conversation_id}:1",
                    idempotency_key=f"k-{conversation_id}",
                    created_at=T0,
                )
            )


@pytest.fixture
def site(database: Database) -> Iterator[tuple[str, Database]]:
    add_conversation(database, "conv_8812")
    contexts: dict[tuple[str, int], HandoffContext] = {("conv_8812", 1): example_context()}

    def record(conversation_id: str, episode: int, at: datetime) -> None:
        record_context_view(database, conversation_id, episode, at)

    app = FastAPI()
    app.include_router(
        context_router(
            load=lambda c, e: contexts.get((c, e)),
            secrets=[SECRET],
            record_view=record,
            clock=lambda: NOW,
        )
    )
    with serve(app) as url:
        yield url, database


def link(base: str, conversation: str = "conv_8812", expires: datetime | None = None) -> str:
    return sign_context_link(base, conversation, 1, SECRET, expires or NOW + timedelta(days=1))


class TestPage:
    def test_shows_transcript_sentiment_chart_and_card(self, site: tuple[str, Database]) -> None:
        base, _ = site
        response = httpx.get(link(base))
        assert response.status_code == 200
        html = response.text
        assert response.headers["content-type"].startswith("text/html")
        assert "<title>Ana Tan · Baton context</title>" in html
        assert html.count('class="turn customer"') == 6
        assert html.count('class="turn bot"') == 4
        assert "angry 0.88" in html  # the last customer message's chip
        assert '<span class="nlu why">all caps; cue: third time</span>' in html
        assert "<svg" in html
        assert html.count("<circle") == 6
        assert "Lumen Foods Pte Ltd" in html
        assert "<dt>Tier</dt><dd>Gold</dd>" in html
        assert "Hi Ana," in html

    def test_only_masked_text(self, site: tuple[str, Database]) -> None:
        html = httpx.get(link(site[0])).text
        assert "4111" not in html
        assert "•••• 1111" in html

    def test_self_contained_and_locked_down(self, site: tuple[str, Database]) -> None:
        response = httpx.get(link(site[0]))
        csp = response.headers["content-security-policy"]
        assert "default-src 'none'" in csp
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["referrer-policy"] == "no-referrer"
        html = response.text
        assert "<script" not in html
        assert "src=" not in html
        assert "stylesheet" not in html

    def test_views_are_counted(self, site: tuple[str, Database]) -> None:
        base, db = site
        assert count_context_views(db, "conv_8812") == 0
        httpx.get(link(base))
        httpx.get(link(base))
        assert count_context_views(db, "conv_8812", 1) == 2
        rate = context_view_rate(db)
        assert (rate.tickets, rate.viewed, rate.rate) == (1, 1, 1.0)


class TestRefusals:
    def test_a_bad_signature_is_403_with_a_clear_message(self, site: tuple[str, Database]) -> None:
        base, db = site
        response = httpx.get(link(base).replace("sig=", "sig=0"))
        assert response.status_code == 403
        assert "signature does not match" in response.text
        assert count_context_views(db, "conv_8812") == 0

    def test_an_expired_link_is_403_saying_when(self, site: tuple[str, Database]) -> None:
        expired = link(site[0], expires=NOW - timedelta(minutes=1))
        response = httpx.get(expired)
        assert response.status_code == 403
        assert "expired on 2026-11-29 10:09 UTC" in response.text

    @pytest.mark.parametrize("query", ["", "?episode=1", "?episode=x&exp=1&sig=a"])
    def test_an_incomplete_link_is_403(self, site: tuple[str, Database], query: str) -> None:
        response = httpx.get(f"{site[0]}/context/conv_8812{query}")
        assert response.status_code == 403
        assert "incomplete" in response.text

    def test_an_unknown_conversation_is_404(self, site: tuple[str, Database]) -> None:
        response = httpx.get(link(site[0], "conv_gone"))
        assert response.status_code == 404
        assert "not known to Baton" in response.text


def test_view_rate_counts_tickets_without_views(database: Database) -> None:
    add_conversation(database, "a")
    add_conversation(database, "b")
    add_conversation(database, "c", ticket=False)
    at = datetime(2026, 11, 29, tzinfo=UTC)
    record_context_view(database, "a", 1, at)
    record_context_view(database, "a", 1, at)
    record_context_view(database, "c", 1, at)  # no ticket: not in the rate
    rate = context_view_rate(database)
    assert (rate.tickets, rate.viewed) == (2, 1)
    assert rate.rate == 0.5
    assert context_view_rate(database, since=T0 + timedelta(minutes=1)).tickets == 0
