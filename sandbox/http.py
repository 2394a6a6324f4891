"""Small HTTP helpers shared by the vendor modules: fast JSON answers, absolute links."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off", ""})


def json_response(
    body: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """A JSON answer without FastAPI's encoder pass (handlers already hold plain data)."""
    return Response(
        json.dumps(body, separators=(",", ":")).encode(),
        status_code=status,
        headers=dict(headers or {}),
        media_type="application/json; charset=utf-8",
    )


def public_base_url(request: Request) -> str:
    """The origin the client believes it is talking to, for absolute links.

    Behind :class:`connectors.loopback.LoopbackAdapter` that is ``X-Forwarded-Proto://
    X-Forwarded-Host`` (e.g. ``https://acme.zendesk.com``), so links route back through the
    adapter; otherwise (``ZENPY_FORCE_NETLOC``, curl) the sandbox's own base URL.
    """
    host = request.headers.get("x-forwarded-host")
    if host:
        proto = request.headers.get("x-forwarded-proto", "https")
        return f"{proto}://{host}"
    # Not request.base_url: under a mount it carries the mount's root path.
    url = request.url
    return f"{url.scheme}://{url.netloc}"


def absolute_url(request: Request, path: str, params: Mapping[str, Any] | None = None) -> str:
    """``path`` (e.g. ``/api/v2/tickets.json``) on the public base URL, with a query."""
    query = f"?{urlencode(params)}" if params else ""
    return f"{public_base_url(request)}{path}{query}"


def parse_bool(value: str | None, default: bool = False) -> bool:
    """Query booleans as clients send them: ``true``, ``True``, ``False``, ``1``..."""
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    return default
