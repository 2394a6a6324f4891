"""The sandbox portal's data: CRM objects, associations, owners and request budgets."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sandbox.hubspot.schema import ASSOCIATION_TYPES, INVERSE, OBJECT_TYPES, property_map
from sandbox.ratelimit import Verdict, WindowLimiter
from sandbox.state import SandboxState

#: The search endpoints' own limit, per token (HubSpot documents five a second).
SEARCH_PER_SECOND = 5
#: Daily allowance of a private app on an Enterprise portal.
DAILY_LIMIT = 1_000_000
PORTAL_ID = 24_681_357
_ID_BASES = {
    "contacts": 51_000,
    "companies": 8_120_000,
    "deals": 9_250_000,
    "tickets": 3_410_000,
    "notes": 61_000_000,
}


def hs_datetime(moment: datetime) -> str:
    """``2026-11-29T10:00:00.123Z``: HubSpot's datetime format."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass(slots=True)
class HObject:
    id: str
    object_type: str
    properties: dict[str, str]
    created_at: str
    updated_at: str
    archived: bool = False

    def to_json(self, wanted: list[str] | None) -> dict[str, Any]:
        names = wanted if wanted is not None else sorted(self.properties)
        props = {n: self.properties.get(n) for n in names if n in property_map(self.object_type)}
        return {
            "id": self.id,
            "properties": props,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
            "archived": self.archived,
        }


@dataclass(slots=True)
class Owner:
    id: str
    user_id: int
    email: str
    first_name: str
    last_name: str
    created_at: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "email": self.email,
            "type": "PERSON",
            "firstName": self.first_name,
            "lastName": self.last_name,
            "userId": self.user_id,
            "userIdIncludingInactive": self.user_id,
            "createdAt": self.created_at,
            "updatedAt": self.created_at,
            "archived": False,
            "teams": [],
        }


@dataclass(slots=True)
class Budget:
    """The three request budgets of one token: 10-second, per-second search, daily."""

    ten_seconds: WindowLimiter
    search: WindowLimiter
    daily_used: int = 0
    day: date | None = None
    last: Verdict | None = field(default=None)


class HubSpotStore:
    """All of the portal's state. Mutate under ``state.lock``."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.reset()

    def reset(self) -> None:
        from sandbox.hubspot.seed import seed

        with self.state.lock:
            self.objects: dict[str, dict[str, HObject]] = {t: {} for t in OBJECT_TYPES}
            # (from type, from id, to type) -> {to id: {type ids}}
            self.associations: dict[tuple[str, str, str], dict[str, set[int]]] = {}
            self.owners: dict[str, Owner] = {}
            self._ids = {t: itertools.count(base + 1) for t, base in _ID_BASES.items()}
            self.budget = Budget(
                WindowLimiter(self.state.config.hubspot_requests_per_10s, 10.0, self.state.clock),
                WindowLimiter(SEARCH_PER_SECOND, 1.0, self.state.clock),
            )
            if self.state.config.seed:
                seed(self)

    # --- time --------------------------------------------------------------------------

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.state.clock(), tz=UTC)

    # --- objects -----------------------------------------------------------------------

    def insert(
        self, object_type: str, properties: dict[str, Any], created: datetime | None = None
    ) -> HObject:
        object_id = str(next(self._ids[object_type]))
        stamp = hs_datetime(created or self.now())
        props = {k: _text(v) for k, v in properties.items() if v is not None}
        props["hs_object_id"] = object_id
        created_key = "hs_createdate" if object_type == "notes" else "createdate"
        props[created_key] = stamp
        props["hs_lastmodifieddate"] = stamp
        if object_type == "contacts":
            props["lastmodifieddate"] = stamp
            if "email" in props:
                props["email"] = props["email"].lower()
        obj = HObject(object_id, object_type, props, stamp, stamp)
        self.derive(obj)
        self.objects[object_type][object_id] = obj
        return obj

    def update(self, obj: HObject, properties: dict[str, Any]) -> None:
        for key, value in properties.items():
            if value is None or value == "":
                obj.properties.pop(key, None)
            else:
                obj.properties[key] = _text(value)
        stamp = hs_datetime(self.now())
        obj.updated_at = obj.properties["hs_lastmodifieddate"] = stamp
        if obj.object_type == "contacts":
            obj.properties["lastmodifieddate"] = stamp
        self.derive(obj)

    def derive(self, obj: HObject) -> None:
        props = obj.properties
        if obj.object_type == "deals":
            stage = props.get("dealstage")
            props["hs_is_closed"] = _text(stage in ("closedwon", "closedlost"))
            props["hs_is_closed_won"] = _text(stage == "closedwon")
        elif obj.object_type == "tickets":
            closed = props.get("hs_pipeline_stage") == "4"
            props["hs_is_closed"] = _text(closed)
            if closed:
                props.setdefault("closed_date", props.get("hs_lastmodifieddate", ""))
            else:
                props.pop("closed_date", None)

    def find(self, object_type: str, value: str, id_property: str | None = None) -> HObject | None:
        table = self.objects[object_type]
        if not id_property or id_property == "hs_object_id":
            return table.get(value)
        wanted = value.lower()
        for obj in table.values():
            if obj.properties.get(id_property, "").lower() == wanted:
                return obj
        return None

    # --- associations ------------------------------------------------------------------

    def associate(
        self, from_type: str, from_id: str, to_type: str, to_id: str, type_id: int
    ) -> None:
        self.associations.setdefault((from_type, from_id, to_type), {}).setdefault(
            to_id, set()
        ).add(type_id)
        self.associations.setdefault((to_type, to_id, from_type), {}).setdefault(
            from_id, set()
        ).add(INVERSE[type_id])

    def associated(self, from_type: str, from_id: str, to_type: str) -> list[tuple[str, list[int]]]:
        edges = self.associations.get((from_type, from_id, to_type), {})
        return [
            (to_id, sorted(types))
            for to_id, types in sorted(edges.items(), key=lambda e: int(e[0]))
        ]

    @staticmethod
    def association_type(type_id: int) -> Any:
        return ASSOCIATION_TYPES.get(type_id)

    # --- owners ------------------------------------------------------------------------

    def add_owner(self, email: str, first: str, last: str, created: datetime) -> Owner:
        number = len(self.owners) + 1
        owner = Owner(
            str(61_500_000 + number), 9_100_000 + number, email, first, last, hs_datetime(created)
        )
        self.owners[owner.id] = owner
        return owner

    # --- budgets -----------------------------------------------------------------------

    def take(self, search: bool) -> tuple[bool, str | None]:
        """Spend one request; (allowed, the policy that refused it)."""
        budget = self.budget
        today = self.now().date()
        if budget.day != today:
            budget.day, budget.daily_used = today, 0
        if budget.daily_used >= DAILY_LIMIT:
            return False, "DAILY"
        if search:
            verdict = budget.search.take()
            if not verdict.allowed:
                return False, "SECONDLY"
        verdict = budget.ten_seconds.take()
        budget.last = verdict
        if not verdict.allowed:
            return False, "TEN_SECONDLY_ROLLING"
        budget.daily_used += 1
        return True, None

    def rate_headers(self) -> dict[str, str]:
        verdict = self.budget.last
        limit = self.state.config.hubspot_requests_per_10s
        remaining = verdict.remaining if verdict else limit
        return {
            "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
            "X-HubSpot-RateLimit-Max": str(limit),
            "X-HubSpot-RateLimit-Remaining": str(remaining),
            "X-HubSpot-RateLimit-Daily": str(DAILY_LIMIT),
            "X-HubSpot-RateLimit-Daily-Remaining": str(DAILY_LIMIT - self.budget.daily_used),
        }


def _text(value: Any) -> str:
    """HubSpot stores (and returns) every property value as a string."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return hs_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
