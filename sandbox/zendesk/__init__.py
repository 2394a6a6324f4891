"""The sandbox's Zendesk Support API (``/api/v2``), as zenpy sees it.

``install`` registers a :class:`~sandbox.zendesk.store.ZendeskStore` as
``state.vendors["zendesk"]`` and mounts the API at ``/api/v2`` behind its gate (auth,
rate limit, headers, error rendering). Mounting keeps route matching to Zendesk's own
routes, which matters for the sandbox's throughput.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response

from sandbox.http import json_response
from sandbox.routing import Routes
from sandbox.state import SandboxState
from sandbox.zendesk import directory, extras, tickets
from sandbox.zendesk.gate import ZendeskGate
from sandbox.zendesk.store import ZendeskStore


def install(app: FastAPI, state: SandboxState) -> None:
    """Attach this vendor's store to ``state`` and its routes to ``app``."""
    store = ZendeskStore(state)
    state.vendors["zendesk"] = store
    api = Routes()
    for module in (tickets, directory, extras):
        api.extend(module.routes(store))

    @api.add("*", "/{rest:path}")
    async def unknown_endpoint(request: Request, rest: str) -> Response:
        return json_response({"error": "InvalidEndpoint", "description": "Not found"}, 404)

    app.mount("/api/v2", ZendeskGate(api.router(), store))
    app.mount("/attachments", extras.content_routes(store).router())
