"""Accept the path variants the real clients send: ``.json`` or not, trailing slashes."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send


class NormalizePath:
    """Pure ASGI middleware: ``/api/v2/tickets.json/`` routes like ``/api/v2/tickets``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            stripped = path.rstrip("/") or "/"
            if stripped.endswith(".json"):
                stripped = stripped[: -len(".json")]
            if stripped != path:
                scope = dict(scope, path=stripped, raw_path=stripped.encode())
        await self.app(scope, receive, send)
