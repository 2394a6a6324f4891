"""Card numbers — plain, spaced, dashed, or typed across two messages — never reach the
store, Zendesk, the logs or the summarizer; order and phone numbers are kept."""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import SecretStr
from sqlalchemy import select

from commands.daemon import Daemon
from config.settings import ContextSettings
from connectors.summarizer.client import SummarizerSettings
from core.context.masking import MaskingRules, MaskPattern
from sandbox.server import SandboxServer
from store.schema import DecisionRow, EventRow, MessageRow
from tests.context.helpers import serve
from tests.fixtures.daemon import Bot, daemon_settings, wait_for_outbox
from tests.helpers import raw_event

CARDS = ["4111111111111111", "5500000000000004", "4012888888881881", "378282246310005"]
API_KEY = "sk-LIVEabcdefghijklmnopqrstuv"
MESSAGES = [
    "my card 4111 1111 1111 1111 was charged twice for order 48213-77",
    "the other one, 5500-0000-0000-0004, too",
    "and 4012888888881881 as well. call me on +6591234567",
    f"my api key {API_KEY} leaked too",
    "the new card is 3782 822463",
    "10005 — now get me a human please",
]


def digits_only(text: str) -> str:
    return re.sub(r"[\s\-]", "", text)


def leaks(text: str) -> list[str]:
    """Full card numbers (or the API key) found in ``text``, whatever the separators."""
    flat = digits_only(text)
    found = [card for card in CARDS if card in flat]
    return found + ([API_KEY] if API_KEY in text else [])


@pytest.fixture
def summarizer() -> Iterator[tuple[list[dict[str, Any]], str]]:
    """A local OpenAI-compatible endpoint that records what Baton sends it."""
    received: list[dict[str, Any]] = []
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def chat(request: Request) -> JSONResponse:
        received.append(json.loads(await request.body()))
        answer = {
            "headline": "Customer disputes duplicate card charges",
            "customer_problems": ["Charged twice"],
            "bot_attempts": [],
            "still_open": ["Refund the duplicate charges"],
        }
        return JSONResponse(
            {"choices": [{"index": 0, "message": {"role": "assistant",
                          "content": json.dumps(answer)}, "finish_reason": "stop"}]}
        )  # fmt: skip

    with serve(app) as url:
        yield received, url


def test_no_card_number_leaves_ingest_unmasked(
    sandbox: SandboxServer,
    zendesk: Any,
    tmp_path: Path,
    summarizer: tuple[list[dict[str, Any]], str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    received, url = summarizer
    settings = daemon_settings(
        sandbox,
        tmp_path,
        context=ContextSettings(
            masking=MaskingRules(
                patterns=(MaskPattern(name="api key", regex=r"sk-[A-Za-z0-9]{20,}"),)
            )
        ),
        summarizer=SummarizerSettings(
            base_url=f"{url}/v1", model="stub", api_key=SecretStr("k"), timeout_seconds=5
        ),
    )
    daemon = Daemon(settings).start()
    cid = f"mask-{uuid.uuid4().hex[:8]}"
    try:
        bot = Bot(daemon.url)
        for text in MESSAGES:
            assert bot.send(raw_event(cid, text=text)).status_code == 200
        wait_for_outbox(daemon)

        with daemon.db.transaction() as session:
            stored = " ".join(
                [json.dumps(p) for p in session.scalars(select(EventRow.payload))]
                + [t or "" for t in session.scalars(select(MessageRow.text))]
                + [json.dumps(t) for t in session.scalars(select(DecisionRow.triggers))]
            )
        (ticket,) = list(zendesk.tickets(external_id=f"baton:{cid}:1"))
        comments = " ".join(c.html_body for c in zendesk.tickets.comments(ticket=ticket.id))
        in_zendesk = comments + ticket.subject + repr(ticket.custom_fields)
        ledger = json.dumps([e.to_json() for e in sandbox.state.ledger.entries()])
    finally:
        daemon.stop()

    assert received, "the summarizer was asked"
    assert leaks(stored) == []
    assert leaks(in_zendesk) == []
    assert leaks(ledger) == []
    assert leaks(caplog.text) == []
    assert leaks(json.dumps(received)) == []
    # Each form is masked to its last four, so the agent can still ask about "the one
    # ending 0005"; near-misses stay as they are.
    for last_four in ("1111", "0004", "1881", "0005"):
        assert re.search(rf"•[ \-]?{last_four}", in_zendesk), last_four
    assert "48213-77" in in_zendesk
    assert "+6591234567" in in_zendesk
    assert "[api key removed]" in in_zendesk
