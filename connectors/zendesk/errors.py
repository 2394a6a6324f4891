"""Zendesk HTTP status → Baton error: the whole policy in one table.

Each row is exercised by ``tests/connectors/test_zendesk_errors.py`` against the
sandbox's fault injection.
"""

from __future__ import annotations

import json
from typing import Any

import requests
from zenpy.lib.exception import APIException, RatelimitBudgetExceeded, ZenpyException

from core.errors import (
    AuthError,
    BatonError,
    PermanentError,
    RateLimited,
    Unavailable,
)

#: status → (error class, what it means for Baton)
STATUS_ACTIONS: dict[int, tuple[type[BatonError], str]] = {
    400: (PermanentError, "request refused as malformed"),
    401: (AuthError, "credentials missing or wrong"),
    403: (AuthError, "credentials lack permission"),
    404: (PermanentError, "record not found"),
    409: (Unavailable, "conflicting concurrent update; retry"),
    413: (PermanentError, "payload too large"),
    422: (PermanentError, "record invalid"),
    429: (RateLimited, "rate limit exceeded"),
    500: (Unavailable, "Zendesk internal error"),
    502: (Unavailable, "bad gateway"),
    503: (Unavailable, "Zendesk unavailable or in maintenance"),
    504: (Unavailable, "gateway timeout"),
}


class IdempotencyConflict(PermanentError):
    """The idempotency key was used before with a different body."""


def _body(response: requests.Response | None) -> dict[str, Any]:
    if response is None:
        return {}
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def retry_after(response: requests.Response | None) -> float | None:
    if response is None:
        return None
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def translate(err: Exception, last_response: requests.Response | None = None) -> BatonError:
    """Map a zenpy or requests exception to Baton's error tree (never leaks bodies)."""
    if isinstance(err, RatelimitBudgetExceeded):
        return RateLimited("Zendesk rate limit exceeded", retry_after(last_response))
    if isinstance(err, requests.Timeout):
        return Unavailable("Zendesk did not answer in time")
    if isinstance(err, requests.ConnectionError):
        return Unavailable("could not connect to Zendesk")
    response: requests.Response | None = getattr(err, "response", None)
    if isinstance(err, APIException | requests.HTTPError) and response is not None:
        status = response.status_code
        body = _body(response)
        code = str(body.get("error", ""))
        if status == 400 and code == "IdempotentRequestError":
            return IdempotencyConflict("idempotency key reused with a different request")
        cls, meaning = STATUS_ACTIONS.get(
            status, (Unavailable if status >= 500 else PermanentError, "unexpected status")
        )
        detail = f"Zendesk {status} {code or meaning}".strip()
        if cls is RateLimited:
            return RateLimited(detail, retry_after(response))
        return cls(detail)
    if isinstance(err, ZenpyException):
        return PermanentError(f"zenpy: {err}")
    if isinstance(err, json.JSONDecodeError):
        return Unavailable("Zendesk answered with a body that is not JSON")
    return Unavailable(f"unexpected error talking to Zendesk: {type(err).__name__}")
