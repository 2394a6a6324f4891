"""The plan's rate limit and Idempotency-Key semantics, through zenpy."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from zenpy.lib.api_objects import Comment, Ticket, User
from zenpy.lib.exception import APIException, RatelimitBudgetExceeded

from sandbox.config import SandboxConfig
from sandbox.server import SandboxServer
from tests.sandbox.conftest import ORIGIN, KeyedSession, raw_session, zenpy_for


@pytest.fixture
def tiny_plan() -> Iterator[SandboxServer]:
    """A sandbox whose plan allows 3 requests a minute, its clock just past a minute's start.

    Windows align to the clock; starting a second into one keeps a test's requests in the
    same window however slowly a busy machine runs them.
    """
    with SandboxServer(SandboxConfig(zendesk_requests_per_minute=3, seed=False)) as server:
        clock = server.state.clock
        clock.advance(60 - clock() % 60 + 1)
        yield server


class TestRateLimit:
    def test_headers_count_down(self, tiny_plan: SandboxServer) -> None:
        http = raw_session(tiny_plan)
        answers = [http.get(f"{ORIGIN}/api/v2/users/me.json") for _ in range(3)]
        assert [a.headers["x-rate-limit-remaining"] for a in answers] == ["2", "1", "0"]
        assert {a.headers["x-rate-limit"] for a in answers} == {"3"}
        assert [a.headers["ratelimit-remaining"] for a in answers] == ["2", "1", "0"]
        assert all(1 <= int(a.headers["ratelimit-reset"]) <= 60 for a in answers)

    def test_over_the_limit_is_a_text_429_with_retry_after(self, tiny_plan: SandboxServer) -> None:
        http = raw_session(tiny_plan)
        for _ in range(3):
            http.get(f"{ORIGIN}/api/v2/users/me.json").raise_for_status()
        answer = http.get(f"{ORIGIN}/api/v2/users/me.json")
        assert answer.status_code == 429
        assert answer.headers["Content-Type"].startswith("text/plain")
        assert answer.text == "Number of allowed API requests per minute exceeded"
        assert 1 <= int(answer.headers["Retry-After"]) <= 60
        assert answer.headers["x-rate-limit-remaining"] == "0"

    def test_zenpy_gives_up_when_its_budget_runs_out(self, tiny_plan: SandboxServer) -> None:
        """zenpy would sleep Retry-After seconds; a budget makes it raise instead."""
        zd = zenpy_for(tiny_plan, ratelimit_budget=1)
        for _ in range(3):
            zd.users.me()
        with pytest.raises(RatelimitBudgetExceeded):
            zd.users.me()

    def test_the_next_minute_has_a_fresh_budget(self, tiny_plan: SandboxServer) -> None:
        http = raw_session(tiny_plan)
        for _ in range(4):
            http.get(f"{ORIGIN}/api/v2/users/me.json")
        tiny_plan.state.clock.advance(60)
        answer = http.get(f"{ORIGIN}/api/v2/users/me.json")
        assert answer.status_code == 200
        assert answer.headers["x-rate-limit-remaining"] == "2"

    def test_plan_sets_the_limit(self) -> None:
        with SandboxServer(SandboxConfig(plan="team", seed=False)) as server:
            answer = raw_session(server).get(f"{ORIGIN}/api/v2/users/me.json")
        assert answer.headers["x-rate-limit"] == "200"


def _ticket(subject: str = "Refund please") -> Ticket:
    return Ticket(
        subject=subject,
        comment=Comment(body="I was charged twice", public=False),
        requester=User(name="Raj Patel", email="raj.patel@saffronsystems.example"),
        external_id="conv-idem",
    )


class TestIdempotency:
    """``Idempotency-Key`` on ticket creation: miss, hit, mismatch, expiry."""

    def test_replay_returns_the_first_answer_and_creates_nothing(
        self, isolated: SandboxServer
    ) -> None:
        session = KeyedSession()
        session.key = "conv-idem:1"
        zd = zenpy_for(isolated, session=session)
        first = zd.tickets.create(_ticket())
        second = zd.tickets.create(_ticket())
        assert second.ticket.id == first.ticket.id
        assert isolated.state.ledger.count("zendesk", "ticket.create") == 1

    def test_lookup_header_says_miss_then_hit(self, isolated: SandboxServer) -> None:
        http = raw_session(isolated)
        body = {"ticket": {"subject": "x", "comment": {"body": "y"}}}
        headers = {"Idempotency-Key": "k-lookup"}
        first = http.post(f"{ORIGIN}/api/v2/tickets.json", json=body, headers=headers)
        second = http.post(f"{ORIGIN}/api/v2/tickets.json", json=body, headers=headers)
        assert (first.status_code, second.status_code) == (201, 201)
        assert first.headers["x-idempotency-lookup"] == "miss"
        assert second.headers["x-idempotency-lookup"] == "hit"
        assert second.json() == first.json()
        assert second.headers["Location"] == first.headers["Location"]

    def test_same_key_different_body_is_a_400(self, isolated: SandboxServer) -> None:
        session = KeyedSession()
        session.key = "conv-idem:2"
        zd = zenpy_for(isolated, session=session)
        zd.tickets.create(_ticket())
        with pytest.raises(APIException) as caught:
            zd.tickets.create(_ticket(subject="Something else"))
        assert caught.value.response.status_code == 400
        assert caught.value.response.json() == {
            "error": "IdempotentRequestError",
            "description": "Request parameters don't match the given idempotency key",
        }
        assert isolated.state.ledger.count("zendesk", "ticket.create") == 1

    def test_key_expires_after_the_window(self, isolated: SandboxServer) -> None:
        session = KeyedSession()
        session.key = "conv-idem:3"
        zd = zenpy_for(isolated, session=session)
        first = zd.tickets.create(_ticket())
        isolated.state.clock.advance(isolated.state.config.idempotency_window_seconds + 1)
        again = zd.tickets.create(_ticket())
        assert again.ticket.id != first.ticket.id
        assert isolated.state.ledger.count("zendesk", "ticket.create") == 2

    def test_without_a_key_every_post_creates(self, isolated: SandboxServer) -> None:
        zd = zenpy_for(isolated)
        zd.tickets.create(_ticket())
        zd.tickets.create(_ticket())
        assert isolated.state.ledger.count("zendesk", "ticket.create") == 2


def test_raw_requests_without_adapter_link_to_the_sandbox_itself(sandbox: SandboxServer) -> None:
    """Without X-Forwarded-Host (the ZENPY_FORCE_NETLOC case) links use the sandbox's URL."""
    config = sandbox.state.config
    auth = (f"{config.zendesk_email}/token", config.zendesk_token)
    page = requests.get(
        f"{sandbox.url}/api/v2/users.json", params={"page[size]": 2}, auth=auth, timeout=5
    ).json()
    assert page["links"]["next"].startswith(f"{sandbox.url}/api/v2/users.json?")
    assert "page%5Bafter%5D=" in page["links"]["next"]
