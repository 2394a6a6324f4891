"""Signed, expiring links to a conversation's context page.

``{base_url}/context/{conversation_id}?episode=N&exp=UNIX&sig=HEX`` where ``sig`` is the
hex HMAC-SHA256, under a secret only Baton knows, of the conversation id, the episode and
the expiry. Several secrets may be accepted at once (rotation); comparison is
constant-time. The link grants reading one episode's context until it expires.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import quote

PATH_PREFIX = "/context/"


class LinkError(ValueError):
    """The link is malformed, expired, or its signature does not match."""


def _mac(secret: str, conversation_id: str, episode: int, expires: int) -> str:
    message = f"baton-context-v1\n{conversation_id}\n{episode}\n{expires}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign_context_link(
    base_url: str, conversation_id: str, episode: int, secret: str, expires_at: datetime
) -> str:
    """The URL of the episode's context page, valid until ``expires_at``."""
    if not secret:
        raise ValueError("a context link needs a non-empty secret")
    if expires_at.tzinfo is None:
        raise ValueError("expires_at must be timezone-aware")
    expires = int(expires_at.timestamp())
    sig = _mac(secret, conversation_id, episode, expires)
    path = PATH_PREFIX + quote(conversation_id, safe="")
    return f"{base_url.rstrip('/')}{path}?episode={episode}&exp={expires}&sig={sig}"


def verify_context_link(
    conversation_id: str,
    episode: int,
    expires: int,
    sig: str,
    secrets: Iterable[str],
    now: datetime,
) -> None:
    """Raise :class:`LinkError` (with a reason a person can act on) unless the link is good."""
    if not sig:
        raise LinkError("the link has no signature; open it from the Zendesk ticket")
    matched = False
    for secret in secrets:
        if not secret:
            continue
        want = _mac(secret, conversation_id, episode, expires)
        matched |= hmac.compare_digest(want.encode(), sig.encode())
    if not matched:
        raise LinkError(
            "the link's signature does not match; open it again from the Zendesk ticket"
        )
    if now.timestamp() >= expires:
        when = datetime.fromtimestamp(expires, UTC).strftime("%Y-%m-%d %H:%M UTC")
        raise LinkError(
            f"this context link expired on {when}; the ticket's internal note still holds "
            "the summary and the full transcript"
        )
