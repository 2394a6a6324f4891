"""Build the sandbox's ASGI app: one server, routed by path to each vendor's API."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.types import ASGIApp

from sandbox import admin, hubspot, salesforce, zendesk
from sandbox.config import SandboxConfig
from sandbox.faults import FaultLayer
from sandbox.paths import NormalizePath
from sandbox.state import SandboxState


class SandboxApp(FastAPI):
    """FastAPI with the fault layer outside everything else, even Starlette's error
    middleware, so that it sees the server's own ``send`` and can drop a connection."""

    def build_middleware_stack(self) -> ASGIApp:
        state: SandboxState = self.state.sandbox
        return FaultLayer(super().build_middleware_stack(), state.faults, state.clock)


def create_app(config: SandboxConfig | None = None, state: SandboxState | None = None) -> FastAPI:
    """A fresh sandbox app; its state is reachable as ``app.state.sandbox``."""
    state = state or SandboxState(config or SandboxConfig())
    app = SandboxApp(title="Baton sandbox", openapi_url=None, docs_url=None, redoc_url=None)
    app.state.sandbox = state
    for vendor in (zendesk, salesforce, hubspot, admin):
        vendor.install(app, state)
    app.add_middleware(NormalizePath)
    return app
