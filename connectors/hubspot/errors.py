"""HubSpot status → Baton error, and the one place HubSpot's exceptions are handled.

hubspot-api-client is generated per API package: contacts, companies, deals, associations
and the rest each raise their **own** ``ApiException`` class (no common base outside the
package). :data:`API_EXCEPTIONS` lists every package the connector uses, and
:func:`translate` is the only code that looks inside them. ``str(ApiException)`` holds the
response headers and body (customer data): it is never logged, never put in a message;
only the status, HubSpot's ``category``/``policyName`` and ``correlationId`` are kept.

Each row of :data:`STATUS_ACTIONS` is a test in ``tests/crm/test_hubspot_errors.py``.
"""

from __future__ import annotations

import json
from typing import Any

import urllib3
from hubspot.crm.associations.v4.exceptions import ApiException as AssociationsApiException
from hubspot.crm.companies.exceptions import ApiException as CompaniesApiException
from hubspot.crm.contacts.exceptions import ApiException as ContactsApiException
from hubspot.crm.deals.exceptions import ApiException as DealsApiException
from hubspot.crm.objects.notes.exceptions import ApiException as NotesApiException
from hubspot.crm.owners.exceptions import ApiException as OwnersApiException
from hubspot.crm.properties.exceptions import ApiException as PropertiesApiException
from hubspot.crm.tickets.exceptions import ApiException as TicketsApiException

from core.errors import (
    AuthError,
    BatonError,
    PermanentError,
    RateLimited,
    SkippableError,
    Unavailable,
)

API_EXCEPTIONS: tuple[type[Exception], ...] = (
    ContactsApiException,
    CompaniesApiException,
    DealsApiException,
    TicketsApiException,
    NotesApiException,
    AssociationsApiException,
    PropertiesApiException,
    OwnersApiException,
)

#: status → (error class, what it means)
STATUS_ACTIONS: dict[int, tuple[type[BatonError], str]] = {
    400: (PermanentError, "request refused (validation error)"),
    401: (AuthError, "access token missing, wrong or expired"),
    403: (AuthError, "the private app lacks a scope"),
    404: (SkippableError, "object not found"),
    409: (PermanentError, "conflict with an existing object"),
    423: (Unavailable, "object locked by a concurrent update"),
    429: (RateLimited, "rate limit reached"),
    500: (Unavailable, "HubSpot internal error"),
    502: (Unavailable, "bad gateway"),
    503: (Unavailable, "HubSpot unavailable"),
    504: (Unavailable, "gateway timeout"),
}

#: how long a 429 of each HubSpot policy takes to clear (HubSpot sends no Retry-After);
#: ``SECONDLY`` (searches) waits ``rate_limit_wait_seconds`` (1 s by default)
POLICY_WAITS: dict[str, float | None] = {
    "SECONDLY": -1.0,
    "TEN_SECONDLY_ROLLING": 10.0,
    "DAILY": None,  # tomorrow: leave it to the caller's schedule
}


def _body(err: Any) -> dict[str, Any]:
    raw = getattr(err, "body", None)
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except (TypeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _header(err: Any, name: str) -> str | None:
    headers = getattr(err, "headers", None)
    if headers is None:
        return None
    for key, value in dict(headers).items():
        if str(key).lower() == name.lower():
            return str(value)
    return None


def rate_limit_wait(err: Any, default: float) -> float | None:
    """Seconds to wait after a 429: ``Retry-After`` if ever sent, else by policy."""
    header = _header(err, "Retry-After")
    if header is not None:
        try:
            return float(header)
        except ValueError:
            pass
    policy = str(_body(err).get("policyName") or "")
    if policy in POLICY_WAITS:
        wait = POLICY_WAITS[policy]
        return default if wait == -1.0 else wait
    return default


def translate(err: Exception, *, rate_limit_default: float = 1.0) -> BatonError:
    """Map anything hubspot-api-client or urllib3 raised to Baton's error tree."""
    if isinstance(err, BatonError):
        return err
    if isinstance(err, API_EXCEPTIONS):
        status = int(getattr(err, "status", 0) or 0)
        body = _body(err)
        if status == 0:  # the client's own wrapper of an SSL or request-building error
            return Unavailable("HubSpot request failed before an answer")
        cls, meaning = STATUS_ACTIONS.get(
            status, (Unavailable if status >= 500 else PermanentError, "unexpected status")
        )
        label = body.get("category") or body.get("errorType") or meaning
        policy = body.get("policyName")
        correlation = body.get("correlationId")
        detail = f"HubSpot {status} {label}"
        if policy:
            detail += f" ({policy})"
        if correlation:
            detail += f" [correlationId {correlation}]"
        if cls is RateLimited:
            return RateLimited(detail, rate_limit_wait(err, rate_limit_default))
        return cls(detail)
    if isinstance(err, urllib3.exceptions.TimeoutError):
        return Unavailable("HubSpot did not answer in time")
    if isinstance(err, urllib3.exceptions.HTTPError):
        return Unavailable(f"could not reach HubSpot ({type(err).__name__})")
    if isinstance(err, ValueError):
        # the generated models refuse an answer that lacks a required field
        return Unavailable("HubSpot answered with an unexpected body")
    return Unavailable(f"unexpected error talking to HubSpot: {type(err).__name__}")
