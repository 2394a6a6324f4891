"""The sandbox's hubspot API (to be filled in)."""

from __future__ import annotations

from fastapi import FastAPI

from sandbox.state import SandboxState


def install(app: FastAPI, state: SandboxState) -> None:
    """Attach this vendor's store to ``state`` and its routes to ``app``."""
