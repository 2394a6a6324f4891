"""Zendesk's error answers, with the bodies the real API sends."""

from __future__ import annotations

from typing import Any


class ZendeskError(Exception):
    """Raised by handlers; the gate renders it as ``{"error", "description", "details"?}``."""

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
