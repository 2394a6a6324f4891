"""Webhook request signatures: ``X-Baton-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>``.

The MAC covers ``f"{t}.".encode() + body``. Several ``v1=`` values may be present (one per
active secret during a rotation); any match passes. Comparison is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

HEADER = "X-Baton-Signature"
DEFAULT_TOLERANCE_SECONDS = 300


class SignatureError(ValueError):
    """The signature header is missing, malformed, stale, or does not match."""


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The header value a sender puts on ``body`` at ``timestamp``."""
    return f"t={timestamp},v1={_mac(secret, body, timestamp)}"


def _mac(secret: str, body: bytes, timestamp: int) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def verify(
    header: str | None,
    body: bytes,
    secrets: Iterable[str],
    now: float,
    tolerance: float = DEFAULT_TOLERANCE_SECONDS,
) -> None:
    """Raise :class:`SignatureError` unless ``header`` signs ``body`` with one of ``secrets``."""
    if not header:
        raise SignatureError(f"missing {HEADER} header")
    timestamp: int | None = None
    macs: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            raise SignatureError(f"malformed {HEADER} header: expected t=...,v1=...")
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError:
                raise SignatureError(f"malformed {HEADER} timestamp {value!r}") from None
        elif key == "v1":
            macs.append(value)
    if timestamp is None or not macs:
        raise SignatureError(f"malformed {HEADER} header: needs both t= and v1=")
    if abs(now - timestamp) > tolerance:
        raise SignatureError(
            f"stale {HEADER} timestamp: {abs(now - timestamp):.0f} s from now "
            f"(tolerance {tolerance:.0f} s)"
        )
    expected = [_mac(s, body, timestamp) for s in secrets]
    # Check every pair without early exit so timing does not reveal which part matched.
    matched = False
    for mac in macs:
        for want in expected:
            matched |= hmac.compare_digest(mac.encode(), want.encode())
    if not matched:
        raise SignatureError(f"{HEADER} does not match the request body")
