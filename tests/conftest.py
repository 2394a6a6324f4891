"""Shared fixtures: one sandbox per test session (per xdist worker), reset between uses."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox.config import SandboxConfig
from sandbox.server import SandboxServer

pytest_plugins = ["tests.fixtures.db", "tests.fixtures.daemon"]


def pytest_configure(config: pytest.Config) -> None:
    """Refuse to test an engine compiled from other sources: Python would import the old
    extension modules instead of the edited ``.py`` files, and the tests would lie."""
    from scripts.compile_engine import status

    if status() == "stale":
        pytest.exit(
            "the compiled decision engine is older than its sources: run ./dev setup "
            "(or .venv/bin/python scripts/compile_engine.py; --clean runs it as plain Python)",
            returncode=2,
        )


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxServer]:
    """One running sandbox shared by the session: cheap to reuse, real HTTP on loopback.

    Its Zendesk plan allows 100,000 requests a minute: a whole test session would pass an
    Enterprise plan's 700 on a fast machine and stall on Retry-After. The plans' limits
    are tested on sandboxes of their own (``tests/sandbox/test_zendesk_limits``).
    """
    with SandboxServer(SandboxConfig(zendesk_requests_per_minute=100_000)) as server:
        yield server


@pytest.fixture
def fresh_sandbox(sandbox: SandboxServer) -> SandboxServer:
    """The shared sandbox, reset first: seed data only, empty ledger, no faults, clock
    offset kept. Cheap (no restart); use it when a test counts or lists everything."""
    sandbox.state.reset()
    return sandbox
