"""Zendesk's error answers, with the bodies the real API sends."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from sandbox.http import json_response


class ZendeskError(Exception):
    """Raised by handlers; rendered as ``{"error", "description", "details"?}``."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(body.get("error"))
        self.status = status
        self.body = body


def not_found() -> ZendeskError:
    return ZendeskError(404, {"error": "RecordNotFound", "description": "Not found"})


def record_invalid(field: str, description: str, error: str = "InvalidValue") -> ZendeskError:
    """422 ``RecordInvalid`` with one detail, e.g. for ``email``: ``DuplicateValue``."""
    return ZendeskError(
        422,
        {
            "error": "RecordInvalid",
            "description": "Record validation errors",
            "details": {field: [{"description": description, "error": error}]},
        },
    )


def bad_request(error: str, description: str, **extra: Any) -> ZendeskError:
    return ZendeskError(400, {"error": error, "description": description, **extra})


async def render(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ZendeskError)
    return json_response(exc.body, exc.status)
