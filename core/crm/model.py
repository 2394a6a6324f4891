"""What a CRM lookup works with: customer keys, records found, and what a lookup concludes.

A connector (Salesforce, HubSpot) implements :class:`CrmSource`: given the keys of many
customers at once, it fetches every candidate record in as few API calls as it can and
returns, per customer, :class:`Matched`, :class:`NoMatch` or :class:`Ambiguous`.
Matching itself (which candidate belongs to which customer, in which key order, with which
policy for several matches) is pure and lives in :mod:`core.crm.matching`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

#: The keys a chat customer can be matched by, in the vocabulary of mapping files.
MatchKey = Literal["email", "phone", "external_id"]
MATCH_KEYS: tuple[MatchKey, ...] = ("email", "phone", "external_id")


@dataclass(frozen=True, slots=True)
class CustomerKeys:
    """A chat customer's normalized keys (lower-case email, E.164 phone, external id)."""

    email: str | None = None
    phone: str | None = None
    external_id: str | None = None

    def get(self, key: MatchKey) -> str | None:
        value: str | None = getattr(self, key)
        return value

    @property
    def cache_key(self) -> str:
        """Identifies the customer across conversations (and in the lookup cache)."""
        return "|".join(f"{k}={self.get(k) or ''}" for k in MATCH_KEYS)

    @property
    def usable(self) -> bool:
        return any(self.get(k) for k in MATCH_KEYS)


@dataclass(frozen=True, slots=True)
class CrmRecord:
    """One CRM contact and what the mapping asked for around it, as raw CRM values.

    ``values`` is keyed by the mapping's source paths (``Account.Tier__c``,
    ``company.customer_tier``); ``lists`` by the mapping's list names, each item keyed by
    field name. ``keys`` holds the record's own normalized key values, for matching.
    """

    source: str
    record_id: str
    values: Mapping[str, Any]
    lists: Mapping[str, tuple[Mapping[str, Any], ...]] = field(default_factory=dict)
    keys: Mapping[MatchKey, tuple[str, ...]] = field(default_factory=dict)
    url: str | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Matched:
    record: CrmRecord
    matched_by: MatchKey


@dataclass(frozen=True, slots=True)
class NoMatch:
    source: str
    tried: tuple[MatchKey, ...]


@dataclass(frozen=True, slots=True)
class Ambiguous:
    source: str
    key: MatchKey
    candidates: tuple[CrmRecord, ...]


LookupResult = Matched | NoMatch | Ambiguous


class CrmSource(Protocol):
    """A CRM that can look up many customers in one round of API calls."""

    @property
    def name(self) -> str:
        """``salesforce`` or ``hubspot``: the mapping section this source reads."""
        ...

    def lookup_many(self, customers: Sequence[CustomerKeys]) -> dict[str, LookupResult]:
        """One result per ``customer.cache_key``. Raises :class:`core.errors.BatonError`."""
        ...
