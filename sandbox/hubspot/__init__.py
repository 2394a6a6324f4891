"""The sandbox's HubSpot CRM API (``/crm/v3/...``, ``/crm/v4/...``); see :mod:`.api`.

- Auth: ``Authorization: Bearer <hubspot_token>``; anything else gets HubSpot's 401
  ``INVALID_AUTHENTICATION`` body.
- Budgets per token: ``hubspot_requests_per_10s`` (``TEN_SECONDLY_ROLLING``), five
  searches a second (``SECONDLY``), a daily allowance (``DAILY``). Past one: 429 with
  ``{"status": "error", "errorType": "RATE_LIMIT", "policyName": ...}`` and no
  ``Retry-After`` (HubSpot does not document one). Answers carry the
  ``X-HubSpot-RateLimit-*`` headers, except searches (HubSpot's search endpoints do not
  send them).
- Counted in the ledger (api ``hubspot``): ``search``, ``batch.read``, ``object.get``,
  ``object.list``, ``object.create``, ``note.create``, ``object.update``,
  ``associations.read``, ``associations.batch_read``, ``properties.list``,
  ``owners.list``.
"""

from __future__ import annotations

import uuid

from fastapi import FastAPI, Request
from starlette.responses import Response

from sandbox.http import json_response
from sandbox.hubspot.api import HubSpotApi
from sandbox.hubspot.store import PORTAL_ID, HubSpotStore
from sandbox.state import SandboxState

__all__ = ["HubSpotStore", "install"]

_AUTH_MESSAGE = (
    "Authentication credentials not found. This API supports OAuth 2.0 authentication and "
    "you can find more details at https://developers.hubspot.com/docs/methods/auth/"
    "oauth-overview"
)


def install(app: FastAPI, state: SandboxState) -> None:
    """Register the HubSpot store in ``state.vendors`` and its routes on ``app``."""
    store = HubSpotStore(state)
    state.vendors["hubspot"] = store
    api = HubSpotApi(store)

    async def crm(request: Request) -> Response:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or token.strip() != state.config.hubspot_token:
            return json_response(
                {
                    "status": "error",
                    "message": _AUTH_MESSAGE,
                    "correlationId": str(uuid.uuid4()),
                    "category": "INVALID_AUTHENTICATION",
                },
                401,
                {"x-hubspot-auth-failure": "401 Unauthorized"},
            )
        path = request.url.path
        search = request.method == "POST" and path.rstrip("/").endswith("/search")
        body = await request.body()
        with state.lock:
            allowed, policy = store.take(search)
            headers = {} if search else store.rate_headers()
            if not allowed:
                limit_name = (policy or "").lower()
                return json_response(
                    {
                        "status": "error",
                        "message": f"You have reached your {limit_name} limit.",
                        "errorType": "RATE_LIMIT",
                        "correlationId": str(uuid.uuid4()),
                        "policyName": policy,
                        "groupName": f"publicapi:private-app-api-calls:{PORTAL_ID}",
                    },
                    429,
                    store.rate_headers(),
                )
            params = {k: request.query_params.getlist(k) for k in request.query_params}
            reply = api.handle(request.method, path, params, body)
        headers.update(reply.headers)
        if reply.body is None:
            return Response(status_code=reply.status, headers=headers)
        return json_response(reply.body, reply.status, headers)

    app.add_api_route(
        "/crm/{rest:path}",
        crm,
        methods=["GET", "POST", "PATCH", "PUT", "DELETE"],
        include_in_schema=False,
    )
