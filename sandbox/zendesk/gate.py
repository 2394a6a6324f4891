"""Authentication and the plan's rate limit, in front of every ``/api/v2`` request.

Pure ASGI so it stays cheap, mounted at ``/api/v2``. It authenticates (Basic
``{email}/token:{token}`` or Bearer), counts the request against the plan's per-minute
limit (and incremental exports against their own 10 a minute), answers 401/429 exactly
as Zendesk does, and adds the rate-limit headers to every answer, errors included (it
renders :class:`ZendeskError` itself). The authenticated user's id reaches handlers as
``request.state.zendesk_user_id``.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox.faults import send_bytes
from sandbox.ratelimit import Verdict
from sandbox.zendesk.errors import ZendeskError
from sandbox.zendesk.store import ZendeskStore

PREFIX = "/api/v2"
_JSON = (b"content-type", b"application/json; charset=utf-8")
_BASIC_401 = (
    [_JSON, (b"www-authenticate", b'Basic realm="Web Password"')],
    json.dumps({"error": "Couldn't authenticate you"}).encode(),
)
_BEARER_401 = (
    [_JSON, (b"www-authenticate", b'Bearer realm="Zendesk", error="invalid_token"')],
    json.dumps(
        {
            "error": "invalid_token",
            "error_description": "The access token provided is expired, revoked, "
            "malformed or invalid for other reasons.",
        }
    ).encode(),
)
_TOO_MANY = b"Number of allowed API requests per minute exceeded"


def rate_headers(verdict: Verdict) -> list[tuple[bytes, bytes]]:
    limit, remaining = str(verdict.limit).encode(), str(verdict.remaining).encode()
    return [
        (b"x-rate-limit", limit),
        (b"x-rate-limit-remaining", remaining),
        (b"ratelimit-limit", limit),
        (b"ratelimit-remaining", remaining),
        (b"ratelimit-reset", str(verdict.reset).encode()),
    ]


class ZendeskGate:
    def __init__(self, app: ASGIApp, store: ZendeskStore) -> None:
        self.app = app
        self.store = store

    def authenticate(self, authorization: str | None) -> tuple[int | None, bool]:
        """``(user id or None, bearer?)``."""
        config = self.store.state.config
        if not authorization:
            return None, False
        scheme, _, credentials = authorization.partition(" ")
        scheme = scheme.lower()
        if scheme == "bearer":
            ok = secrets.compare_digest(credentials.strip(), config.zendesk_oauth_token)
            return (self.store.api_user_id if ok else None), True
        if scheme != "basic":
            return None, False
        try:
            decoded = base64.b64decode(credentials.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None, False
        login, _, secret = decoded.partition(":")
        email, token_marker, _ = login.partition("/token")
        # Only API tokens: password access is deprecated on Zendesk (and in zenpy).
        if not token_marker or not secrets.compare_digest(secret, config.zendesk_token):
            return None, False
        user = self.store.agent_by_email(email)
        return (user["id"] if user else None), False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        authorization = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value.decode("latin-1")
                break
        user_id, bearer = self.authenticate(authorization)
        if user_id is None:
            headers, body = _BEARER_401 if bearer else _BASIC_401
            await send_bytes(send, 401, headers, body)
            return
        verdict = self.store.limiter.take()
        extra = rate_headers(verdict) if verdict.limit else []
        if verdict.allowed and path.startswith(PREFIX + "/incremental/"):
            incremental = self.store.incremental_limiter.take()
            if not incremental.allowed:
                verdict = incremental
        if not verdict.allowed:
            headers = [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"retry-after", str(verdict.reset).encode()),
                *extra,
            ]
            await send_bytes(send, 429, headers, _TOO_MANY)
            return
        scope.setdefault("state", {})["zendesk_user_id"] = user_id

        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if extra:
                    message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except ZendeskError as err:
            if started:
                raise
            body = json.dumps(err.body, separators=(",", ":")).encode()
            await send_bytes(send, err.status, [_JSON, *extra], body)
