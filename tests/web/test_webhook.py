"""The signed webhook over a real socket: what it accepts, what it refuses, what it stores."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from sqlalchemy import func, select

from commands.daemon import Daemon
from core.signing import HEADER, sign
from store.schema import ConversationRow, EventRow, MessageRow
from tests.fixtures.daemon import SECRET, Bot
from tests.helpers import raw_event


def stored(daemon: Daemon) -> tuple[int, int, int]:
    with daemon.db.transaction() as session:
        return tuple(  # type: ignore[return-value]
            int(session.scalar(select(func.count()).select_from(t)) or 0)
            for t in (EventRow, ConversationRow, MessageRow)
        )


class TestAccepted:
    """A valid event is committed before the answer, which carries the decision."""

    def test_one_event_is_stored_and_its_decision_returned(self, daemon: Daemon, bot: Bot) -> None:
        response = bot.send(raw_event("w1", text="where is my order?", event_id="w1-1"))
        assert response.status_code == 200
        body = response.json()
        assert body["accepted"] == 1
        assert (
            body["decisions"]
            == [
                {
                    "conversation_id": "w1",
                    "escalate": False,
                    "category": "C",
                    "priority": "low",
                    "triggers": [],
                    "decided_at_event": "w1-1",
                }
            ]
            or body["decisions"][0]["escalate"] is False
        )
        assert stored(daemon) == (1, 1, 1)

    def test_a_json_array_and_json_lines_are_batches(self, daemon: Daemon, bot: Bot) -> None:
        batch = [raw_event("w2", text=f"message {i}") for i in range(3)]
        assert bot.send(batch).json()["accepted"] == 3
        lines = "\n".join(json.dumps(raw_event("w3", text=f"line {i}")) for i in range(2))
        response = bot.post_raw(lines.encode(), content_type="application/x-ndjson")
        assert response.json()["accepted"] == 2
        assert stored(daemon)[0] == 5

    def test_a_duplicate_event_id_is_accepted_and_ignored(self, daemon: Daemon, bot: Bot) -> None:
        event = raw_event("w4", text="hi", event_id="dup-1")
        assert bot.send(event).json()["accepted"] == 1
        again = bot.send(event)
        assert again.status_code == 200
        assert (again.json()["accepted"], again.json()["duplicates"]) == (0, 1)
        assert stored(daemon) == (1, 1, 1)

    def test_a_rotated_secret_is_accepted_while_both_are_configured(
        self,
        start_daemon,
        sandbox,  # type: ignore[no-untyped-def]
    ) -> None:
        from pydantic import SecretStr

        from config.settings import WebhookSettings

        d = start_daemon(
            webhook=WebhookSettings(secrets=(SecretStr("new-secret"), SecretStr(SECRET)))
        )
        for secret in ("new-secret", SECRET):
            assert Bot(d.url, secret).send(raw_event("w5", text="hi")).status_code == 200
        assert Bot(d.url, "retired").send(raw_event("w5", text="hi")).status_code == 401


class TestRefused:
    """Each bad input gets its status and a message naming the problem, and writes nothing."""

    def test_wrong_signature(self, daemon: Daemon, bot: Bot) -> None:
        body = json.dumps(raw_event("r1", text="hi")).encode()
        response = bot.post_raw(body, signature=sign("not-the-secret", body, int(time.time())))
        assert response.status_code == 401
        assert "does not match" in response.json()["message"]
        assert stored(daemon) == (0, 0, 0)

    def test_body_changed_after_signing(self, daemon: Daemon, bot: Bot) -> None:
        body = json.dumps(raw_event("r1", text="hi")).encode()
        signature = sign(SECRET, body, int(time.time()))
        tampered = body.replace(b"hi", b"yo")
        response = bot.post_raw(tampered, signature=signature)
        assert response.status_code == 401
        assert stored(daemon) == (0, 0, 0)

    def test_missing_signature_header(self, daemon: Daemon) -> None:
        response = httpx.post(daemon.url + "/v1/events", json=raw_event("r2", text="hi"))
        assert response.status_code == 401
        assert response.json()["message"] == f"missing {HEADER} header"
        assert stored(daemon) == (0, 0, 0)

    def test_stale_timestamp(self, daemon: Daemon, bot: Bot) -> None:
        body = json.dumps(raw_event("r3", text="hi")).encode()
        response = bot.post_raw(body, timestamp=int(time.time()) - 301)
        assert response.status_code == 401
        assert "stale" in response.json()["message"]
        assert stored(daemon) == (0, 0, 0)

    def test_oversized_body_with_content_length(self, daemon: Daemon, bot: Bot) -> None:
        big = [raw_event("r4", text="x" * 10_000) for _ in range(8)]
        response = bot.send(big)
        assert response.status_code == 413
        assert "65536-byte limit" in response.json()["message"]
        assert stored(daemon) == (0, 0, 0)

    def test_oversized_body_streamed_without_content_length(self, daemon: Daemon) -> None:
        chunk = b"x" * 16_384

        def stream():  # type: ignore[no-untyped-def]
            for _ in range(8):
                yield chunk

        response = httpx.post(
            daemon.url + "/v1/events",
            content=stream(),
            headers={HEADER: "t=1,v1=00", "Content-Type": "application/json"},
        )
        assert response.status_code == 413
        assert stored(daemon) == (0, 0, 0)

    def test_malformed_json(self, daemon: Daemon, bot: Bot) -> None:
        response = bot.post_raw(b'{"event_id": "e", "type": ')
        assert response.status_code == 400
        body = response.json()
        assert body["error"] == "malformed_body"
        assert "malformed JSON" in body["message"]
        assert "line 1" in body["message"]
        assert stored(daemon) == (0, 0, 0)

    def test_missing_field_is_named(self, daemon: Daemon, bot: Bot) -> None:
        event = raw_event("r5", text="hi")
        del event["conversation_id"]
        response = bot.send(event)
        assert response.status_code == 422
        assert response.json()["errors"] == [
            {"field": "conversation_id", "message": "Field required"}
        ]
        assert stored(daemon) == (0, 0, 0)

    @pytest.mark.parametrize(
        ("path", "value", "field"),
        [
            (("message", "role"), "robot", "message.role"),
            (("occurred_at",), "yesterday", "occurred_at"),
            (("occurred_at",), "2026-11-29T10:00:00", "occurred_at"),
            (("bot", "confidence"), 1.5, "bot.confidence"),
            (("customer", "email"), 42, "customer.email"),
        ],
    )
    def test_wrong_type_is_named(
        self, daemon: Daemon, bot: Bot, path: tuple[str, ...], value: object, field: str
    ) -> None:
        event = raw_event("r6", text="hi", intent="x", confidence=0.5)
        target = event
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        response = bot.send(event)
        assert response.status_code == 422
        fields = [e["field"] for e in response.json()["errors"]]
        assert field in fields
        assert stored(daemon) == (0, 0, 0)

    def test_one_bad_event_refuses_the_whole_batch_and_names_its_index(
        self, daemon: Daemon, bot: Bot
    ) -> None:
        good = raw_event("r7", text="fine")
        bad = raw_event("r7", text="fine")
        bad["type"] = "telepathy"
        response = bot.send([good, bad])
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "[1].type"
        assert stored(daemon) == (0, 0, 0)

    def test_message_event_without_message(self, daemon: Daemon, bot: Bot) -> None:
        event = raw_event("r8", text="hi")
        del event["message"]
        response = bot.send(event)
        assert response.status_code == 422
        assert "needs a 'message' object" in response.json()["message"]
