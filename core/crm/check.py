"""Results of checking a mapping against a live CRM schema, and name suggestions."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem (or confirmation) about a name the mapping uses."""

    crm: str  # salesforce | hubspot
    where: str  # the mapping location, e.g. "fields.tier.salesforce"
    name: str  # the name as written, e.g. "Account.Tier_c"
    problem: str | None = None  # None: the name exists
    suggestion: str | None = None  # the closest real name

    @property
    def ok(self) -> bool:
        return self.problem is None

    def message(self) -> str:
        if self.problem is None:
            return "ok"
        hint = f" — did you mean {self.suggestion!r}?" if self.suggestion else ""
        return f"{self.problem}{hint}"


def closest(name: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The real name closest to ``name`` (case-insensitive), as the CRM spells it."""
    by_lower: dict[str, str] = {}
    for candidate in candidates:
        by_lower.setdefault(candidate.lower(), candidate)
    found = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=cutoff)
    return by_lower[found[0]] if found else None
