"""The side-effect ledger: every write the sandbox performs, countable by tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    api: str  # zendesk | salesforce | hubspot
    action: str  # e.g. ticket.create, ticket.comment, soql.query, note.create
    object_id: str | None
    at: float
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class Ledger:
    """Thread-safe, append-only record of side effects (and of counted reads)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: list[LedgerEntry] = []

    def record(
        self, api: str, action: str, object_id: str | int | None = None, **details: Any
    ) -> LedgerEntry:
        entry = LedgerEntry(
            api=api,
            action=action,
            object_id=None if object_id is None else str(object_id),
            at=self._clock(),
            details=details,
        )
        with self._lock:
            self._entries.append(entry)
        return entry

    def entries(self, api: str | None = None, action: str | None = None) -> list[LedgerEntry]:
        with self._lock:
            return [
                e
                for e in self._entries
                if (api is None or e.api == api) and (action is None or e.action == action)
            ]

    def count(self, api: str | None = None, action: str | None = None) -> int:
        return len(self.entries(api, action))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
