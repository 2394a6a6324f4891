"""Context links are signed and expire; a tampered or expired link is refused with a
reason a person can act on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from core.context.links import LinkError, sign_context_link, verify_context_link

NOW = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
SECRET = "context-secret"


def parts(url: str) -> tuple[str, int, int, str]:
    split = urlsplit(url)
    query = parse_qs(split.query)
    conversation = unquote(split.path.removeprefix("/context/"))
    return conversation, int(query["episode"][0]), int(query["exp"][0]), query["sig"][0]


def link(conversation: str = "conv_42", episode: int = 2, ttl: timedelta = timedelta(days=1)):  # type: ignore[no-untyped-def]
    return sign_context_link("https://baton.example/", conversation, episode, SECRET, NOW + ttl)


def test_a_fresh_link_verifies() -> None:
    url = link()
    assert url.startswith("https://baton.example/context/conv_42?episode=2&exp=")
    verify_context_link(*parts(url), [SECRET], NOW)


def test_conversation_ids_are_quoted_in_the_path() -> None:
    url = link("conv/with space")
    assert "/context/conv%2Fwith%20space?" in url
    verify_context_link(*parts(url), [SECRET], NOW)


@pytest.mark.parametrize("field", [0, 1, 2, 3])
def test_any_tampered_part_is_refused(field: int) -> None:
    values = list(parts(link()))
    values[field] = {0: "conv_43", 1: 3, 2: values[2] + 3600, 3: "0" * 64}[field]
    with pytest.raises(LinkError, match="signature does not match"):
        verify_context_link(*values, [SECRET], NOW)  # type: ignore[arg-type]


def test_an_expired_link_is_refused_saying_when_it_expired() -> None:
    url = link(ttl=timedelta(hours=1))
    with pytest.raises(LinkError, match="expired on 2026-11-29 11:00 UTC"):
        verify_context_link(*parts(url), [SECRET], NOW + timedelta(hours=1))


def test_another_secret_is_refused_and_rotation_accepts_either() -> None:
    args = parts(link())
    with pytest.raises(LinkError):
        verify_context_link(*args, ["other"], NOW)
    verify_context_link(*args, ["new-secret", SECRET], NOW)


def test_a_missing_signature_is_refused() -> None:
    conversation, episode, exp, _ = parts(link())
    with pytest.raises(LinkError, match="no signature"):
        verify_context_link(conversation, episode, exp, "", [SECRET], NOW)


def test_signing_needs_a_secret_and_an_aware_expiry() -> None:
    with pytest.raises(ValueError, match="secret"):
        sign_context_link("https://b", "c", 1, "", NOW)
    with pytest.raises(ValueError, match="timezone-aware"):
        sign_context_link("https://b", "c", 1, SECRET, datetime(2026, 1, 1))
