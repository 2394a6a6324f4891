"""The sandbox's Zendesk Support API (``/api/v2``), as zenpy sees it.

``install`` registers a :class:`~sandbox.zendesk.store.ZendeskStore` as
``state.vendors["zendesk"]``, the routes, and the gate (auth, rate limit, headers).
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response

from sandbox.http import json_response
from sandbox.state import SandboxState
from sandbox.zendesk import directory, extras, tickets
from sandbox.zendesk.errors import ZendeskError, render
from sandbox.zendesk.gate import ZendeskGate
from sandbox.zendesk.store import ZendeskStore


def install(app: FastAPI, state: SandboxState) -> None:
    """Attach this vendor's store to ``state`` and its routes to ``app``."""
    store = ZendeskStore(state)
    state.vendors["zendesk"] = store
    app.include_router(tickets.routes(store))
    app.include_router(directory.routes(store))
    app.include_router(extras.routes(store))

    @app.api_route("/api/v2/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    async def unknown_endpoint(request: Request, rest: str) -> Response:
        return json_response({"error": "InvalidEndpoint", "description": "Not found"}, 404)

    app.add_exception_handler(ZendeskError, render)
    app.add_middleware(ZendeskGate, store=store)
