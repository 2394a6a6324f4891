"""Accept the path variants the real clients send: ``.json`` or not, trailing slashes."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send


def normalize_path(path: str) -> str:
    """``/api/v2/tickets.json/`` → ``/api/v2/tickets``."""
    stripped = path.rstrip("/") or "/"
    if stripped.endswith(".json"):
        stripped = stripped[: -len(".json")]
    return stripped


class NormalizePath:
    """Pure ASGI middleware: ``/api/v2/tickets.json/`` routes like ``/api/v2/tickets``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            stripped = normalize_path(path)
            if stripped != path:
                scope = dict(scope, path=stripped, raw_path=stripped.encode())
        await self.app(scope, receive, send)
