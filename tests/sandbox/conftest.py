"""Clients for the sandbox tests: the real zenpy over the loopback adapter."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from zenpy import Zenpy

from connectors.loopback import LoopbackAdapter
from sandbox.config import SandboxConfig
from sandbox.server import SandboxServer

ORIGIN = "https://acme.zendesk.com"


class KeyedSession(requests.Session):
    """Adds ``Idempotency-Key`` to POSTs while ``key`` is set (zenpy has no header hook)."""

    key: str | None = None

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if self.key and str(method).upper() == "POST":
            kwargs["headers"] = {**(kwargs.get("headers") or {}), "Idempotency-Key": self.key}
        return super().request(method, url, *args, **kwargs)


def zenpy_for(
    server: SandboxServer, session: requests.Session | None = None, **kwargs: Any
) -> Zenpy:
    """A zenpy client that believes it talks to https://acme.zendesk.com."""
    config = server.state.config
    session = session or requests.Session()
    session.mount(ORIGIN, LoopbackAdapter(server.url, **Zenpy.http_adapter_kwargs()))
    kwargs.setdefault("disable_cache", True)
    if "oauth_token" not in kwargs:
        kwargs.setdefault("email", config.zendesk_email)
        kwargs.setdefault("token", config.zendesk_token)
    return Zenpy(subdomain=config.zendesk_subdomain, session=session, **kwargs)


def raw_session(server: SandboxServer) -> requests.Session:
    """A plain requests session through the same adapter, authenticated, to see headers."""
    config = server.state.config
    session = requests.Session()
    session.mount(ORIGIN, LoopbackAdapter(server.url))
    session.auth = (f"{config.zendesk_email}/token", config.zendesk_token)
    return session


@pytest.fixture
def zd(sandbox: SandboxServer) -> Zenpy:
    return zenpy_for(sandbox)


@pytest.fixture
def http(sandbox: SandboxServer) -> requests.Session:
    return raw_session(sandbox)


@pytest.fixture(scope="module")
def private_sandbox() -> Iterator[SandboxServer]:
    """A sandbox of this module's own, for faults, clocks and limits that would disturb
    the shared one. Reset before each use by ``isolated``."""
    with SandboxServer(SandboxConfig()) as server:
        yield server


@pytest.fixture
def isolated(private_sandbox: SandboxServer) -> SandboxServer:
    private_sandbox.state.reset()
    return private_sandbox
