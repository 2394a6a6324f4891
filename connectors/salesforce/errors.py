"""Salesforce status (and error code) → Baton error: the whole policy in one table.

Each row is a test in ``tests/crm/test_salesforce_errors.py`` against the sandbox (real
answers or fault injection). Statuses without a row fall back by class: other 401/403
codes → ``AuthError``, other 5xx → ``Unavailable``, anything else → ``PermanentError``.

Messages carry the status and Salesforce's ``errorCode`` only: Salesforce echoes the
SOQL query (customers' emails and phones) in its messages, so those never reach Baton's
errors or logs.
"""

from __future__ import annotations

from typing import Any

import requests
from simple_salesforce.exceptions import SalesforceAuthenticationFailed, SalesforceError

from core.errors import (
    AuthError,
    BatonError,
    ConfigError,
    PermanentError,
    RateLimited,
    Unavailable,
)

#: (status, errorCode or None for "any other") → (error class, who acts / what it means)
STATUS_ACTIONS: dict[tuple[int, str | None], tuple[type[BatonError], str]] = {
    (300, None): (PermanentError, "several records for an external id"),
    (400, "MALFORMED_QUERY"): (ConfigError, "the mapping produced SOQL Salesforce refuses"),
    (400, "INVALID_FIELD"): (ConfigError, "the mapping names a field the org does not have"),
    (400, "INVALID_TYPE"): (ConfigError, "the mapping names an object the org does not have"),
    (400, "INVALID_QUERY_FILTER_OPERATOR"): (ConfigError, "a mapping condition has a bad value"),
    (400, None): (PermanentError, "request refused as malformed"),
    (401, None): (AuthError, "session expired or invalid, and could not be refreshed"),
    (403, "REQUEST_LIMIT_EXCEEDED"): (RateLimited, "the org's API allowance is spent"),
    (404, None): (ConfigError, "no such resource: check the instance URL and API version"),
    (429, None): (RateLimited, "too many requests"),
    (500, None): (Unavailable, "Salesforce internal error"),
    (502, None): (Unavailable, "bad gateway"),
    (503, None): (Unavailable, "Salesforce unavailable or in maintenance"),
    (504, None): (Unavailable, "gateway timeout"),
}


def error_code(content: Any) -> str | None:
    """``errorCode`` of a Salesforce error body (a JSON array of errors)."""
    if isinstance(content, list) and content and isinstance(content[0], dict):
        code = content[0].get("errorCode")
        return str(code) if code else None
    return None


def action_for(status: int, code: str | None) -> tuple[type[BatonError], str]:
    row = STATUS_ACTIONS.get((status, code)) or STATUS_ACTIONS.get((status, None))
    if row is not None:
        return row
    return (
        (Unavailable, "unexpected server error")
        if status >= 500
        else (
            PermanentError,
            "unexpected status",
        )
    )


def _retry_after(headers: Any) -> float | None:
    value = headers.get("Retry-After") if headers is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def translate(err: Exception, response_headers: Any = None) -> BatonError:
    """Map a simple-salesforce or requests exception to Baton's error tree."""
    if isinstance(err, BatonError):
        return err
    if isinstance(err, requests.Timeout):
        return Unavailable("Salesforce did not answer in time")
    if isinstance(err, requests.ConnectionError):
        return Unavailable("could not connect to Salesforce")
    if isinstance(err, SalesforceAuthenticationFailed):
        return AuthError(f"Salesforce login failed ({err.code})")
    if isinstance(err, SalesforceError):
        code = error_code(err.content)
        cls, meaning = action_for(err.status, code)
        detail = f"Salesforce {err.status} {code or ''}".rstrip() + f": {meaning}"
        if cls is RateLimited:
            return RateLimited(detail, _retry_after(response_headers))
        return cls(detail)
    if isinstance(err, ValueError):  # a body that is not JSON
        return Unavailable("Salesforce answered with a body that is not JSON")
    return Unavailable(f"unexpected error talking to Salesforce: {type(err).__name__}")
