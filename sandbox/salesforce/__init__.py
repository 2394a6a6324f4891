"""The sandbox's Salesforce: REST API ``/services/data/vXX.X/...`` and OAuth token endpoint.

- Auth: ``Authorization: Bearer <session id>`` (or ``OAuth <id>``). The configured
  ``salesforce_session_id`` is valid, and so is every access token issued by
  ``POST /services/oauth2/token`` (client credentials with :data:`store.CLIENT_ID` /
  :data:`store.CLIENT_SECRET`, or ``refresh_token`` with :data:`store.REFRESH_TOKEN`).
  Anything else: 401 ``INVALID_SESSION_ID``. ``POST /_sandbox/salesforce/expire-session``
  (or ``store.expire_session``) expires one, to exercise session refresh.
- Every authenticated call counts against ``salesforce_daily_limit``; past it, 403
  ``REQUEST_LIMIT_EXCEEDED``. ``Sforce-Limit-Info: api-usage=N/LIMIT`` on every answer.
- Counted in the ledger (api ``salesforce``): ``soql.query``, ``soql.query_more``,
  ``sobject.get``, ``sobject.create``, ``sobject.update``, ``sobject.delete``,
  ``describe``, ``composite``.
"""

from __future__ import annotations

import base64
import secrets
from typing import Any
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from starlette.responses import Response

from sandbox.http import json_response, public_base_url
from sandbox.salesforce.api import SalesforceApi, error, version_of
from sandbox.salesforce.store import (
    CLIENT_ID,
    CLIENT_SECRET,
    ORG_ID,
    REFRESH_TOKEN,
    SalesforceStore,
)
from sandbox.state import SandboxState

__all__ = ["CLIENT_ID", "CLIENT_SECRET", "REFRESH_TOKEN", "SalesforceStore", "install"]

_VERSIONS = [
    {"label": label, "url": f"/services/data/v{v}", "version": v}
    for v, label in (
        ("57.0", "Spring '23"),
        ("58.0", "Summer '23"),
        ("59.0", "Winter '24"),
        ("60.0", "Spring '24"),
        ("61.0", "Summer '24"),
        ("62.0", "Winter '25"),
    )
]


def _session_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() in ("bearer", "oauth") and token.strip():
        return token.strip()
    return None


def install(app: FastAPI, state: SandboxState) -> None:
    """Register the Salesforce store in ``state.vendors`` and its routes on ``app``."""
    store = SalesforceStore(state)
    state.vendors["salesforce"] = store
    api = SalesforceApi(store)

    def reply(status: int, body: Any, headers: dict[str, str]) -> Response:
        if status == 204 or body is None:
            return Response(status_code=status, headers=headers)
        return json_response(body, status, headers)

    async def versions() -> Response:
        return json_response(_VERSIONS)

    async def rest(request: Request) -> Response:
        segment = request.path_params["version"]
        version = version_of(segment)
        if version is None:
            status_body = error(404, "NOT_FOUND", "The requested resource does not exist")
            return reply(status_body.status, status_body.body, {})
        token = _session_token(request)
        body = await request.body()
        with state.lock:
            if token is None or not store.session_valid(token):
                return json_response(
                    [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}],
                    401,
                    {"WWW-Authenticate": "Token"},
                )
            if not store.take_call():
                return json_response(
                    [
                        {
                            "message": "TotalRequests Limit exceeded.",
                            "errorCode": "REQUEST_LIMIT_EXCEEDED",
                        }
                    ],
                    403,
                    {"Sforce-Limit-Info": store.limit_info()},
                )
            params = {k: request.query_params.getlist(k) for k in request.query_params}
            headers = {k.lower(): v for k, v in request.headers.items()}
            result = api.handle(
                request.method, version, request.path_params.get("rest", ""), params, body, headers
            )
            out_headers = {"Sforce-Limit-Info": store.limit_info(), **result.headers}
        return reply(result.status, result.body, out_headers)

    async def token(request: Request) -> Response:
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        header = request.headers.get("authorization", "")
        if header.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(header[6:]).decode()
            except ValueError:
                decoded = ":"
            client_id, _, client_secret = decoded.partition(":")
        grant = form.get("grant_type")
        if grant not in ("client_credentials", "refresh_token"):
            return json_response(
                {
                    "error": "unsupported_grant_type",
                    "error_description": "grant type not supported",
                },
                400,
            )
        if client_id != CLIENT_ID or (
            grant == "client_credentials" and client_secret != CLIENT_SECRET
        ):
            return json_response(
                {"error": "invalid_client", "error_description": "invalid client credentials"}, 400
            )
        if grant == "refresh_token" and form.get("refresh_token") != REFRESH_TOKEN:
            return json_response(
                {"error": "invalid_grant", "error_description": "expired access/refresh token"}, 400
            )
        with state.lock:
            access = store.issue_session()
            issued = str(int(state.clock() * 1000))
        return json_response(
            {
                "access_token": access,
                "signature": base64.b64encode(secrets.token_bytes(32)).decode(),
                "scope": "api",
                "instance_url": public_base_url(request),
                "id": f"{public_base_url(request)}/id/{ORG_ID}/{store.integration_user_id}",
                "token_type": "Bearer",
                "issued_at": issued,
            }
        )

    async def expire_session(request: Request) -> Response:
        payload = await request.json()
        with state.lock:
            store.expire_session(str(payload.get("session_id", "")))
        return json_response({"expired": True})

    app.add_api_route("/services/data", versions, methods=["GET"], include_in_schema=False)
    methods = ["GET", "POST", "PATCH", "DELETE", "PUT"]
    app.add_api_route("/services/data/{version}", rest, methods=methods, include_in_schema=False)
    app.add_api_route(
        "/services/data/{version}/{rest:path}", rest, methods=methods, include_in_schema=False
    )
    app.add_api_route("/services/oauth2/token", token, methods=["POST"], include_in_schema=False)
    app.add_api_route(
        "/_sandbox/salesforce/expire-session",
        expire_session,
        methods=["POST"],
        include_in_schema=False,
    )
