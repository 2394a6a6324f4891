"""Build the sandbox's ASGI app: one server, routed by path to each vendor's API."""

from __future__ import annotations

from fastapi import FastAPI

from sandbox import admin, hubspot, salesforce, zendesk
from sandbox.config import SandboxConfig
from sandbox.paths import NormalizePath
from sandbox.state import SandboxState


def create_app(config: SandboxConfig | None = None, state: SandboxState | None = None) -> FastAPI:
    """A fresh sandbox app; its state is reachable as ``app.state.sandbox``."""
    state = state or SandboxState(config or SandboxConfig())
    app = FastAPI(title="Baton sandbox", openapi_url=None, docs_url=None, redoc_url=None)
    app.state.sandbox = state
    for vendor in (zendesk, salesforce, hubspot, admin):
        vendor.install(app, state)
    app.add_middleware(NormalizePath)
    return app
