"""Shared fixtures: one sandbox per test session (per xdist worker), reset between uses."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox.server import SandboxServer

pytest_plugins = ["tests.fixtures.db", "tests.fixtures.daemon"]


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxServer]:
    """One running sandbox shared by the session: cheap to reuse, real HTTP on loopback."""
    with SandboxServer() as server:
        yield server


@pytest.fixture
def fresh_sandbox(sandbox: SandboxServer) -> SandboxServer:
    """The shared sandbox, reset first: seed data only, empty ledger, no faults, clock
    offset kept. Cheap (no restart); use it when a test counts or lists everything."""
    sandbox.state.reset()
    return sandbox
