"""The sandbox org's data: records, record ids, sessions, API usage and query cursors."""

from __future__ import annotations

import copy
import itertools
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sandbox.salesforce.schema import KEY_PREFIXES, SObject, build_schema
from sandbox.state import SandboxState

Record = dict[str, Any]

#: OAuth 2.0 client the sandbox's token endpoint accepts (client credentials or refresh).
CLIENT_ID = "3MVG9sandbox.baton.connected.app"
CLIENT_SECRET = "sandbox-salesforce-client-secret"  # noqa: S105 - sandbox fixture, not a secret
REFRESH_TOKEN = "5Aep861sandbox.baton.refresh.token"  # noqa: S105 - sandbox fixture
ORG_ID = "00D5g00000SANDBOX"
#: How long a query cursor (``nextRecordsUrl``) stays valid without use.
CURSOR_IDLE_SECONDS = 15 * 60
DEFAULT_BATCH = 2000
MIN_BATCH, MAX_BATCH = 200, 2000

_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def _base62(n: int, width: int) -> str:
    out = ""
    while n:
        n, r = divmod(n, 62)
        out = _B62[r] + out
    return out.rjust(width, "0")


def id18(id15: str) -> str:
    """Salesforce's case-insensitive 18-character form of a 15-character id."""
    suffix = ""
    for chunk in range(3):
        bits = 0
        for i, ch in enumerate(id15[chunk * 5 : chunk * 5 + 5]):
            if "A" <= ch <= "Z":
                bits |= 1 << i
        suffix += _SUFFIX[bits]
    return id15 + suffix


def sf_datetime(moment: datetime) -> str:
    """``2026-11-29T10:00:00.000+0000``: how Salesforce writes datetimes in JSON."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


@dataclass(slots=True)
class Cursor:
    records: list[Record]
    batch: int
    total: int
    touched: float


class SalesforceStore:
    """All records by object and id, plus the org's counters. Mutate under ``state.lock``."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.schema: dict[str, SObject] = build_schema()
        self.reset()

    # --- lifecycle -------------------------------------------------------------------

    def reset(self) -> None:
        from sandbox.salesforce.seed import seed

        with self.state.lock:
            self.records: dict[str, dict[str, Record]] = {
                obj.name: {} for obj in self.schema.values()
            }
            self._counters = {prefix: itertools.count(1) for prefix in KEY_PREFIXES}
            self._case_numbers = itertools.count(1001)
            self.sessions: set[str] = {self.state.config.salesforce_session_id}
            self.expired: set[str] = set()
            self.usage = 0
            self.usage_day = self._today()
            self.cursors: dict[str, Cursor] = {}
            self._locators = itertools.count(1)
            self.integration_user_id = ""
            if self.state.config.seed:
                seed(self)

    # --- time ------------------------------------------------------------------------

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.state.clock(), tz=UTC)

    def _today(self) -> date:
        return self.now().date()

    # --- ids and records -------------------------------------------------------------

    def new_id(self, sobject: str) -> str:
        prefix = self.schema[sobject.lower()].key_prefix
        return id18(prefix + "5g00000" + _base62(next(self._counters[prefix]), 5))

    def object_of(self, record_id: str) -> str | None:
        return KEY_PREFIXES.get(record_id[:3])

    def get(self, sobject: str, record_id: str | None) -> Record | None:
        if not record_id:
            return None
        table = self.records.get(self.schema[sobject.lower()].name, {})
        if len(record_id) == 15:
            record_id = id18(record_id)
        return table.get(record_id)

    def all(self, sobject: str) -> Iterable[Record]:
        return list(self.records[self.schema[sobject.lower()].name].values())

    def children(self, sobject: str, field: str, parent_id: str) -> Iterable[Record]:
        parent15 = parent_id[:15]
        return [
            r
            for r in self.records[self.schema[sobject.lower()].name].values()
            if (r.get(field) or "")[:15] == parent15
        ]

    def insert(self, sobject: str, values: Record, *, created: datetime | None = None) -> Record:
        """Store a new record with its system and derived fields; returns it."""
        obj = self.schema[sobject.lower()]
        moment = sf_datetime(created or self.now())
        record: Record = {f.name: None for f in obj.fields.values()}
        for f in obj.fields.values():
            if f.type == "boolean":
                record[f.name] = False
        record.update(values)
        record["Id"] = self.new_id(obj.name)
        record["IsDeleted"] = False
        record["CreatedDate"] = record["LastModifiedDate"] = record["SystemModstamp"] = moment
        if "OwnerId" in record and not record["OwnerId"]:
            record["OwnerId"] = self.integration_user_id or None
        if "CurrencyIsoCode" in record and not record["CurrencyIsoCode"]:
            record["CurrencyIsoCode"] = "USD"
        if obj.name == "Case":
            record["CaseNumber"] = f"{next(self._case_numbers):08d}"
        self.derive(obj.name, record)
        self.records[obj.name][record["Id"]] = record
        return record

    def update(self, sobject: str, record: Record, values: Record) -> None:
        record.update(values)
        record["LastModifiedDate"] = record["SystemModstamp"] = sf_datetime(self.now())
        self.derive(self.schema[sobject.lower()].name, record)

    def derive(self, sobject: str, record: Record) -> None:
        """Formula-like fields Salesforce computes itself."""
        if sobject in ("Contact", "User"):
            parts = [record.get("FirstName"), record.get("LastName")]
            record["Name"] = " ".join(p for p in parts if p)
        elif sobject == "Case":
            closed = record.get("Status") == "Closed"
            if closed and not record.get("IsClosed"):
                record["ClosedDate"] = record.get("LastModifiedDate")
            record["IsClosed"] = closed
            if not closed:
                record["ClosedDate"] = None
        elif sobject == "Opportunity":
            stage = record.get("StageName")
            record["IsClosed"] = stage in ("Closed Won", "Closed Lost")
            record["IsWon"] = stage == "Closed Won"
        elif sobject == "Task":
            record["IsClosed"] = record.get("Status") == "Completed"

    def delete(self, sobject: str, record_id: str) -> None:
        self.records[self.schema[sobject.lower()].name].pop(record_id, None)

    def snapshot(self) -> dict[str, dict[str, Record]]:
        return copy.deepcopy(self.records)

    def restore(self, snapshot: dict[str, dict[str, Record]]) -> None:
        self.records = snapshot

    # --- sessions --------------------------------------------------------------------

    def session_valid(self, token: str) -> bool:
        return token in self.sessions and token not in self.expired

    def issue_session(self) -> str:
        token = f"{ORG_ID}!AQ{secrets.token_urlsafe(24)}"
        self.sessions.add(token)
        return token

    def expire_session(self, token: str) -> None:
        """Make ``token`` answer 401 ``INVALID_SESSION_ID`` from now on (tests, admin)."""
        self.expired.add(token)

    # --- API usage (Sforce-Limit-Info, REQUEST_LIMIT_EXCEEDED) -------------------------

    @property
    def daily_limit(self) -> int:
        return self.state.config.salesforce_daily_limit

    def take_call(self) -> bool:
        """Count one API call; False when the day's allowance is already spent."""
        today = self._today()
        if today != self.usage_day:
            self.usage_day, self.usage = today, 0
        if self.usage >= self.daily_limit:
            return False
        self.usage += 1
        return True

    def limit_info(self) -> str:
        return f"api-usage={self.usage}/{self.daily_limit}"

    # --- query cursors (nextRecordsUrl) ----------------------------------------------

    def open_cursor(self, records: list[Record], batch: int, total: int) -> str:
        self._expire_cursors()
        locator = id18("01g5g00000" + _base62(next(self._locators), 5))
        self.cursors[locator] = Cursor(records, batch, total, self.state.clock())
        return locator

    def cursor(self, locator: str) -> Cursor | None:
        self._expire_cursors()
        cursor = self.cursors.get(locator)
        if cursor is not None:
            cursor.touched = self.state.clock()
        return cursor

    def _expire_cursors(self) -> None:
        now = self.state.clock()
        for key in [k for k, c in self.cursors.items() if now - c.touched > CURSOR_IDLE_SECONDS]:
            del self.cursors[key]
