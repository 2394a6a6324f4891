"""One engine with the bundled models for the whole engine test session (loading is I/O)."""

from __future__ import annotations

import pytest

from config.rules import load_engine
from core.engine import Engine


@pytest.fixture(scope="session")
def engine() -> Engine:
    """The default preset with the shipped text models, as the daemon runs it."""
    return load_engine()


@pytest.fixture
def bare() -> Engine:
    """Built-in rules and no learned models: lexicons and cues only."""
    return Engine()
