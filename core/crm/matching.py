"""Matching a chat customer to CRM records: key normalization, key order, policies.

Order and policies come from the mapping's ``match`` section:

- keys are tried in the configured order (e.g. email, then phone, then external id);
  the first key that finds at least one record decides;
- ``on_several`` says what happens when that key finds several records:
  ``ambiguous`` (no card; the ticket lists the candidates), ``next_key`` (narrow the
  candidates with the next keys; ambiguous if that does not leave exactly one), or
  ``most_recent`` (the most recently modified record).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Literal

from core.conversation import CustomerInfo
from core.crm.model import (
    Ambiguous,
    CrmRecord,
    CustomerKeys,
    LookupResult,
    Matched,
    MatchKey,
    NoMatch,
)

SeveralPolicy = Literal["ambiguous", "next_key", "most_recent"]

_PHONE_NOISE = re.compile(r"[\s().\-/]")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def normalize_email(value: str | None) -> str | None:
    if not value:
        return None
    email = value.strip().lower()
    return email if "@" in email and " " not in email else None


def normalize_phone(value: str | None) -> str | None:
    """E.164 (``+6591234567``) from common spellings; None when it cannot be sure.

    Numbers without a country code are not guessed at: a national number would match
    customers of other countries.
    """
    if not value:
        return None
    phone = _PHONE_NOISE.sub("", value.strip())
    if phone.startswith("00"):
        phone = "+" + phone[2:]
    return phone if _E164.match(phone) else None


def normalize_external_id(value: str | None) -> str | None:
    if value is None:
        return None
    text = value.strip()
    return text or None


def normalize(key: MatchKey, value: str | None) -> str | None:
    if key == "email":
        return normalize_email(value)
    if key == "phone":
        return normalize_phone(value)
    return normalize_external_id(value)


def customer_keys(customer: CustomerInfo) -> CustomerKeys:
    """The keys Baton can match a chat customer by."""
    return CustomerKeys(
        email=normalize_email(customer.email),
        phone=normalize_phone(customer.phone),
        external_id=normalize_external_id(customer.id),
    )


def _hits(customer: CustomerKeys, key: MatchKey, records: Iterable[CrmRecord]) -> list[CrmRecord]:
    wanted = customer.get(key)
    if not wanted:
        return []
    comparable = wanted.lower() if key != "phone" else wanted
    out = []
    for record in records:
        values = record.keys.get(key, ())
        if any((v.lower() if key != "phone" else v) == comparable for v in values):
            out.append(record)
    return out


def _dedupe(records: Iterable[CrmRecord]) -> list[CrmRecord]:
    seen: dict[str, CrmRecord] = {}
    for record in records:
        seen.setdefault(record.record_id, record)
    return list(seen.values())


def resolve(
    customer: CustomerKeys,
    candidates: Sequence[CrmRecord],
    *,
    source: str,
    order: Sequence[MatchKey],
    on_several: SeveralPolicy,
) -> LookupResult:
    """Which of ``candidates`` (records of one CRM) is this customer's, by ``order``."""
    pool = _dedupe(candidates)
    tried = tuple(k for k in order if customer.get(k))
    for position, key in enumerate(order):
        hits = _hits(customer, key, pool)
        if not hits:
            continue
        if len(hits) == 1:
            return Matched(hits[0], key)
        if on_several == "most_recent":
            return Matched(_most_recent(hits), key)
        if on_several == "next_key":
            narrowed = hits
            for later in order[position + 1 :]:
                subset = _hits(customer, later, narrowed)
                if len(subset) == 1:
                    return Matched(subset[0], key)
                if subset:
                    narrowed = subset
            return Ambiguous(source, key, tuple(narrowed))
        return Ambiguous(source, key, tuple(hits))
    return NoMatch(source, tried)


def _most_recent(records: Sequence[CrmRecord]) -> CrmRecord:
    floor = datetime.min.replace(tzinfo=UTC)
    return max(records, key=lambda r: (r.updated_at or floor, r.record_id))


def needs_more_keys(result: LookupResult, on_several: SeveralPolicy) -> bool:
    """Whether a lookup that so far used only some keys could still change its answer."""
    if isinstance(result, Matched):
        return False
    if isinstance(result, Ambiguous):
        return on_several == "next_key"
    return True
