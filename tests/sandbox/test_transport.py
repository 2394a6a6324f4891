"""How clients reach the sandbox: the loopback adapter, ZENPY_FORCE_NETLOC, Nagle."""

from __future__ import annotations

import pytest
import requests
from zenpy import Zenpy
from zenpy.lib.api_objects import Comment, Ticket

from connectors.loopback import LoopbackAdapter, mount_loopback
from sandbox.server import SandboxServer
from tests.sandbox.conftest import ORIGIN, raw_session


class TestLoopbackAdapter:
    def test_restores_the_original_urls(self, sandbox: SandboxServer) -> None:
        """zenpy checks ``base_url in response.request.url``: both URLs must be the vendor's."""
        response = raw_session(sandbox).get(f"{ORIGIN}/api/v2/users/me.json")
        assert response.status_code == 200
        assert response.url == f"{ORIGIN}/api/v2/users/me.json"
        assert response.request.url == f"{ORIGIN}/api/v2/users/me.json"

    def test_sends_the_original_origin_in_forwarded_headers(self, sandbox: SandboxServer) -> None:
        response = raw_session(sandbox).get(f"{ORIGIN}/api/v2/users/me.json")
        assert response.request.headers["X-Forwarded-Host"] == "acme.zendesk.com"
        assert response.request.headers["X-Forwarded-Proto"] == "https"
        # ...which the sandbox uses for the absolute URLs it returns.
        assert response.json()["user"]["url"].startswith(f"{ORIGIN}/api/v2/users/")

    def test_serves_an_https_host_port_origin(self, sandbox: SandboxServer) -> None:
        """simple-salesforce's case: it always speaks https to ``host:port``."""
        session = mount_loopback(
            requests.Session(), f"https://127.0.0.1:{sandbox.port}", sandbox.url
        )
        answer = session.get(f"https://127.0.0.1:{sandbox.port}/_sandbox/health", timeout=5)
        assert answer.json() == {"status": "ok"}
        assert answer.url == f"https://127.0.0.1:{sandbox.port}/_sandbox/health"

    def test_other_origins_are_untouched(self, sandbox: SandboxServer) -> None:
        session = requests.Session()
        session.mount(ORIGIN, LoopbackAdapter(sandbox.url))
        assert session.get_adapter("https://example.com/") is not session.get_adapter(ORIGIN)

    def test_rejects_a_relative_target(self) -> None:
        with pytest.raises(ValueError, match="absolute"):
            LoopbackAdapter("127.0.0.1:8080")


def test_zenpy_force_netloc_mode_pages_back_to_the_sandbox(
    isolated: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the adapter, links are built from the sandbox's own address, so zenpy's
    environment override (``ZENPY_FORCE_NETLOC``/``ZENPY_FORCE_SCHEME``) pages too."""
    monkeypatch.setenv("ZENPY_FORCE_NETLOC", f"127.0.0.1:{isolated.port}")
    monkeypatch.setenv("ZENPY_FORCE_SCHEME", "http")
    config = isolated.state.config
    zd = Zenpy(
        subdomain="acme", email=config.zendesk_email, token=config.zendesk_token, disable_cache=True
    )
    ticket = zd.tickets.create(Ticket(subject="x", comment=Comment(body="first"))).ticket
    http = requests.Session()
    http.auth = (f"{config.zendesk_email}/token", config.zendesk_token)
    for n in range(100):
        http.put(
            f"{isolated.url}/api/v2/tickets/{ticket.id}.json",
            json={"ticket": {"comment": {"body": f"n{n}", "public": False}}},
            timeout=5,
        )
    comments = list(zd.tickets.comments(ticket=ticket.id))
    assert len(comments) == 101
    assert isinstance(comments[-1], Comment)


def test_errors_carry_the_rate_limit_headers(sandbox: SandboxServer) -> None:
    answer = raw_session(sandbox).get(f"{ORIGIN}/api/v2/tickets/999999999.json")
    assert answer.status_code == 404
    assert "x-rate-limit-remaining" in answer.headers


def test_nagle_is_off_on_server_connections(sandbox: SandboxServer) -> None:
    session = requests.Session()
    assert session.get(f"{sandbox.url}/_sandbox/health", timeout=5).ok
    flags = sandbox.connections_nodelay()
    assert flags
    assert all(flags)
