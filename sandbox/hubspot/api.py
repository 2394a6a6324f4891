"""HubSpot CRM API handlers (paths below ``/crm``), answering as the real API does.

==========================================================  ==============================
``POST /crm/v3/objects/{type}/search``                      filter groups, sorts, paging
``POST /crm/v3/objects/{type}/batch/read``                  by id or ``idProperty``; 207
``GET  /crm/v3/objects/{type}/{id}``                        ``properties``, ``associations``
``GET  /crm/v3/objects/{type}``                             list, paged
``POST /crm/v3/objects/{type}``                             create (notes with associations)
``PATCH /crm/v3/objects/{type}/{id}``                       update
``DELETE /crm/v3/objects/{type}/{id}``                      archive → 204
``GET  /crm/v4/objects/{type}/{id}/associations/{to}``      associations v4
``POST /crm/v4/associations/{from}/{to}/batch/read``        associations v4, batched
``GET  /crm/v3/properties/{type}[/{name}]``                 property definitions
``GET  /crm/v3/owners[/{id}]``                              owners
==========================================================  ==============================

Object types: ``contacts``, ``companies``, ``deals``, ``tickets``, ``notes`` (also their
singular names and ``0-1``-style ids). Errors: ``{"status": "error", "message",
"correlationId", "category", ...}``.
"""

from __future__ import annotations

import fnmatch
import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sandbox.hubspot.schema import (
    ASSOCIATION_TYPES,
    DEFAULT_PROPERTIES,
    OBJECT_TYPES,
    PROPERTIES,
    SEARCHABLE,
    object_type,
    property_map,
)
from sandbox.hubspot.store import HObject, HubSpotStore, hs_datetime

MAX_BATCH = 100
MAX_SEARCH_LIMIT = 200
MAX_SEARCH_RESULTS = 10_000
MAX_FILTER_GROUPS = 5
MAX_FILTERS_PER_GROUP = 10


@dataclass(slots=True)
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


def hs_error(status: int, category: str, message: str, **extra: Any) -> Reply:
    body = {
        "status": "error",
        "message": message,
        "correlationId": str(uuid.uuid4()),
        "category": category,
        **extra,
    }
    return Reply(status, body)


def _not_found(object_id: str) -> Reply:
    return hs_error(
        404,
        "OBJECT_NOT_FOUND",
        "Object not found.  objectId are usually numeric.",
        context={"id": [object_id]},
    )


def _validation(message: str, **extra: Any) -> Reply:
    return hs_error(400, "VALIDATION_ERROR", message, **extra)


class _BadRequest(Exception):
    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.body.get("message"))
        self.reply = reply


class HubSpotApi:
    """Answers one authenticated request under ``/crm``. Call under ``state.lock``."""

    def __init__(self, store: HubSpotStore) -> None:
        self.store = store
        self.ledger = store.state.ledger

    def handle(self, method: str, path: str, params: Mapping[str, list[str]], body: bytes) -> Reply:
        parts = [p for p in path.split("/") if p]
        try:
            payload = json.loads(body) if body else None
        except ValueError:
            return _validation("Invalid input JSON on line 1, column 1: Cannot build request body")
        try:
            return self._route(method, parts, params, payload)
        except _BadRequest as exc:
            return exc.reply

    def _route(
        self, method: str, parts: list[str], params: Mapping[str, list[str]], payload: Any
    ) -> Reply:
        # parts[0] == "crm"
        if len(parts) >= 4 and parts[1] == "v3" and parts[2] == "objects":
            kind = object_type(parts[3])
            if kind is None:
                return hs_error(
                    400, "VALIDATION_ERROR", f"Unable to infer object type from: {parts[3]}"
                )
            rest = parts[4:]
            if rest == ["search"] and method == "POST":
                return self.search(kind, payload)
            if rest == ["batch", "read"] and method == "POST":
                return self.batch_read(kind, payload, params)
            if not rest and method == "GET":
                return self.list_objects(kind, params)
            if not rest and method == "POST":
                return self.create(kind, payload)
            if len(rest) == 1 and method == "GET":
                return self.get(kind, rest[0], params)
            if len(rest) == 1 and method == "PATCH":
                return self.update(kind, rest[0], payload)
            if len(rest) == 1 and method == "DELETE":
                return self.archive(kind, rest[0])
        if (
            len(parts) == 7
            and parts[1:3] == ["v4", "objects"]
            and parts[5] == "associations"
            and method == "GET"
        ):
            return self.associations(parts[3], parts[4], parts[6], params)
        if (
            len(parts) == 7
            and parts[1:3] == ["v4", "associations"]
            and parts[5:] == ["batch", "read"]
            and method == "POST"
        ):
            return self.associations_batch(parts[3], parts[4], payload)
        if len(parts) in (4, 5) and parts[1:3] == ["v3", "properties"] and method == "GET":
            return self.properties(parts[3], parts[4] if len(parts) == 5 else None)
        if len(parts) in (3, 4) and parts[1:3] == ["v3", "owners"] and method == "GET":
            return self.owners(parts[3] if len(parts) == 4 else None, params)
        return Reply(404, None, {})

    # --- reading ------------------------------------------------------------------------

    def _wanted(self, kind: str, names: list[str] | None) -> list[str]:
        if not names:
            return list(DEFAULT_PROPERTIES[kind])
        known = property_map(kind)
        return [n for n in dict.fromkeys(names) if n in known]  # unknown names are ignored

    def get(self, kind: str, object_id: str, params: Mapping[str, list[str]]) -> Reply:
        id_property = _first(params, "idProperty")
        if id_property and id_property not in property_map(kind):
            return _validation(f"Property {id_property} does not exist")
        obj = self.store.find(kind, object_id, id_property)
        if obj is None or obj.archived != (_first(params, "archived") == "true"):
            self.ledger.record("hubspot", "object.get", object_id, object_type=kind, found=False)
            return _not_found(object_id)
        self.ledger.record("hubspot", "object.get", obj.id, object_type=kind, found=True)
        out = obj.to_json(self._wanted(kind, _csv(params, "properties")))
        assoc = _csv(params, "associations")
        if assoc:
            out["associations"] = self._v3_associations(obj, assoc)
        return Reply(200, out)

    def _v3_associations(self, obj: HObject, names: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in names:
            target = object_type(name)
            if target is None:
                continue
            results = []
            for to_id, types in self.store.associated(obj.object_type, obj.id, target):
                for type_id in types:
                    results.append({"id": to_id, "type": ASSOCIATION_TYPES[type_id].name})
            if results:
                out[target] = {"results": results}
        return out

    def list_objects(self, kind: str, params: Mapping[str, list[str]]) -> Reply:
        limit = _int(_first(params, "limit"), 10, "limit")
        if not 1 <= limit <= 100:
            return _validation("limit must be between 1 and 100")
        after = _int(_first(params, "after"), 0, "after")
        rows = sorted(self.store.objects[kind].values(), key=lambda o: int(o.id))
        page = rows[after : after + limit]
        wanted = self._wanted(kind, _csv(params, "properties"))
        assoc = _csv(params, "associations")
        results = []
        for obj in page:
            item = obj.to_json(wanted)
            if assoc:
                item["associations"] = self._v3_associations(obj, assoc)
            results.append(item)
        body: dict[str, Any] = {"results": results}
        if after + limit < len(rows):
            nxt = str(after + limit)
            body["paging"] = {"next": {"after": nxt, "link": f"?after={nxt}"}}
        self.ledger.record("hubspot", "object.list", None, object_type=kind, count=len(page))
        return Reply(200, body)

    def batch_read(self, kind: str, payload: Any, params: Mapping[str, list[str]]) -> Reply:
        if not isinstance(payload, dict) or not isinstance(payload.get("inputs"), list):
            return _validation("Invalid input JSON: inputs is required")
        inputs = payload["inputs"]
        if len(inputs) > MAX_BATCH:
            return _validation(
                f"Batch input size must not exceed {MAX_BATCH} (got {len(inputs)})",
                context={"inputs": [str(len(inputs))]},
            )
        id_property = payload.get("idProperty")
        if id_property:
            prop = property_map(kind).get(id_property)
            if prop is None:
                return _validation(f"Property {id_property} does not exist")
            if not prop.unique and id_property != "hs_object_id":
                return _validation(
                    f"{id_property} is not a unique property; idProperty must "
                    "be a property with unique values"
                )
        started = hs_datetime(self.store.now())
        wanted = self._wanted(kind, payload.get("properties"))
        results: list[dict[str, Any]] = []
        missing: list[str] = []
        for item in inputs:
            value = str((item or {}).get("id", ""))
            obj = self.store.find(kind, value, id_property)
            if obj is None or obj.archived:
                missing.append(value)
                continue
            out = obj.to_json(wanted)
            if id_property and id_property not in out["properties"]:
                out["properties"][id_property] = obj.properties.get(id_property)
            if all(r["id"] != out["id"] for r in results):
                results.append(out)
        self.ledger.record(
            "hubspot",
            "batch.read",
            None,
            object_type=kind,
            inputs=len(inputs),
            found=len(results),
            id_property=id_property or "hs_object_id",
        )
        body: dict[str, Any] = {
            "status": "COMPLETE",
            "results": results,
            "startedAt": started,
            "completedAt": hs_datetime(self.store.now()),
        }
        if not missing:
            return Reply(200, body)
        body["numErrors"] = 1
        body["errors"] = [
            {
                "status": "error",
                "category": "OBJECT_NOT_FOUND",
                "message": f"Could not get some {OBJECT_TYPES[kind][2]} objects, they may be "
                "deleted or not exist. Check that ids are valid.",
                "context": {"ids": missing},
                "errors": [],
                "links": {},
            }
        ]
        return Reply(207, body)

    # --- search -------------------------------------------------------------------------

    def search(self, kind: str, payload: Any) -> Reply:
        if not isinstance(payload, dict):
            payload = {}
        limit = payload.get("limit") or 10
        if not isinstance(limit, int) or not 1 <= limit <= MAX_SEARCH_LIMIT:
            return _validation(f"limit must be between 1 and {MAX_SEARCH_LIMIT}")
        after = _int(payload.get("after"), 0, "after")
        if after + limit > MAX_SEARCH_RESULTS:
            return _validation(
                f"The search endpoint can page through at most {MAX_SEARCH_RESULTS} results"
            )
        groups = payload.get("filterGroups") or []
        if len(groups) > MAX_FILTER_GROUPS:
            return _validation(f"Too many filter groups: at most {MAX_FILTER_GROUPS}")
        props = property_map(kind)
        for group in groups:
            filters = (group or {}).get("filters") or []
            if len(filters) > MAX_FILTERS_PER_GROUP:
                return _validation(
                    f"Too many filters in a filter group: at most {MAX_FILTERS_PER_GROUP}"
                )
            for f in filters:
                name = f.get("propertyName")
                if name not in props:
                    return _validation(
                        f"There was a problem with the request: property "
                        f"'{name}' does not exist on {kind}",
                        context={"propertyName": [str(name)]},
                    )
        rows = [o for o in self.store.objects[kind].values() if not o.archived]
        if groups:
            rows = [o for o in rows if any(_group_matches(kind, g, o) for g in groups)]
        text = (payload.get("query") or "").strip().lower()
        if text:
            rows = [
                o
                for o in rows
                if any(text in o.properties.get(p, "").lower() for p in SEARCHABLE[kind])
            ]
        rows = _sort(kind, rows, payload.get("sorts") or [])
        page = rows[after : after + limit]
        wanted = self._wanted(kind, payload.get("properties"))
        body: dict[str, Any] = {"total": len(rows), "results": [o.to_json(wanted) for o in page]}
        if after + limit < len(rows):
            nxt = str(after + limit)
            body["paging"] = {"next": {"after": nxt, "link": f"?after={nxt}"}}
        self.ledger.record(
            "hubspot", "search", None, object_type=kind, total=len(rows), groups=len(groups)
        )
        return Reply(200, body)

    # --- writes -------------------------------------------------------------------------

    def _check_properties(self, kind: str, properties: Any) -> dict[str, Any]:
        if not isinstance(properties, dict):
            raise _BadRequest(_validation("Invalid input JSON: properties is required"))
        known = property_map(kind)
        problems = []
        for name in properties:
            prop = known.get(name)
            if prop is None:
                problems.append(
                    {
                        "isValid": False,
                        "message": f'Property "{name}" does not exist',
                        "error": "PROPERTY_DOESNT_EXIST",
                        "name": name,
                        "localizedErrorMessage": f'Property "{name}" does not exist',
                    }
                )
            elif prop.read_only:
                problems.append(
                    {
                        "isValid": False,
                        "message": f"{name} is a read only property",
                        "error": "READ_ONLY_VALUE",
                        "name": name,
                    }
                )
            elif (
                prop.options
                and prop.type == "enumeration"
                and properties[name] not in (None, "")
                and str(properties[name]) not in {v for v, _ in prop.options}
            ):
                message = (
                    f"{properties[name]} was not one of the allowed options: "
                    f"{', '.join(v for v, _ in prop.options)}"
                )
                problems.append(
                    {"isValid": False, "message": message, "error": "INVALID_OPTION", "name": name}
                )
        if problems:
            raise _BadRequest(
                _validation(
                    f"Property values were not valid: {json.dumps(problems)}",
                    errors=[
                        {
                            "message": p["message"],
                            "code": p["error"],
                            "context": {"propertyName": [p["name"]]},
                        }
                        for p in problems
                    ],
                )
            )
        return properties

    def create(self, kind: str, payload: Any) -> Reply:
        if not isinstance(payload, dict):
            return _validation("Invalid input JSON: properties is required")
        properties = dict(self._check_properties(kind, payload.get("properties")))
        if kind == "notes" and not properties.get("hs_timestamp"):
            return _validation(
                'Property values were not valid: [{"isValid":false,"message":'
                '"hs_timestamp is required","error":"REQUIRED_FIELD",'
                '"name":"hs_timestamp"}]'
            )
        if kind == "contacts" and properties.get("email"):
            existing = self.store.find("contacts", str(properties["email"]), "email")
            if existing is not None and not existing.archived:
                return hs_error(
                    409, "CONFLICT", f"Contact already exists. Existing ID: {existing.id}"
                )
        links = []
        for assoc in payload.get("associations") or []:
            to_id = str(((assoc or {}).get("to") or {}).get("id", ""))
            for spec in (assoc or {}).get("types") or []:
                type_id = spec.get("associationTypeId")
                atype = ASSOCIATION_TYPES.get(type_id) if isinstance(type_id, int) else None
                if atype is None or atype.from_type != kind:
                    return _validation(
                        f"{type_id} is not a valid association type id for {OBJECT_TYPES[kind][1]}",
                        context={"associationTypeId": [str(type_id)]},
                    )
                if self.store.find(atype.to_type, to_id) is None:
                    return _validation(
                        "One or more associations are invalid", context={"toObjectId": [to_id]}
                    )
                links.append((atype, to_id))
        obj = self.store.insert(kind, properties)
        for atype, to_id in links:
            self.store.associate(kind, obj.id, atype.to_type, to_id, atype.type_id)
        action = "note.create" if kind == "notes" else "object.create"
        self.ledger.record(
            "hubspot",
            action,
            obj.id,
            object_type=kind,
            associations=[{"to": to_id, "typeId": a.type_id} for a, to_id in links],
        )
        return Reply(201, obj.to_json(sorted(obj.properties)))

    def update(self, kind: str, object_id: str, payload: Any) -> Reply:
        obj = self.store.find(kind, object_id)
        if obj is None:
            return _not_found(object_id)
        properties = self._check_properties(kind, (payload or {}).get("properties"))
        self.store.update(obj, properties)
        self.ledger.record(
            "hubspot", "object.update", obj.id, object_type=kind, properties=sorted(properties)
        )
        return Reply(200, obj.to_json(sorted(obj.properties)))

    def archive(self, kind: str, object_id: str) -> Reply:
        obj = self.store.find(kind, object_id)
        if obj is not None and not obj.archived:
            obj.archived = True
            self.ledger.record("hubspot", "object.archive", obj.id, object_type=kind)
        return Reply(204)

    # --- associations v4 ----------------------------------------------------------------

    def associations(
        self, from_name: str, object_id: str, to_name: str, params: Mapping[str, list[str]]
    ) -> Reply:
        from_kind, to_kind = object_type(from_name), object_type(to_name)
        if from_kind is None or to_kind is None:
            return _validation(
                f"Unable to infer object type from: {from_name if from_kind is None else to_name}"
            )
        limit = _int(_first(params, "limit"), 500, "limit")
        after = _int(_first(params, "after"), 0, "after")
        edges = self.store.associated(from_kind, object_id, to_kind)
        page = edges[after : after + limit]
        body: dict[str, Any] = {"results": [self._edge(to_id, types) for to_id, types in page]}
        if after + limit < len(edges):
            nxt = str(after + limit)
            body["paging"] = {"next": {"after": nxt, "link": None}}
        self.ledger.record(
            "hubspot", "associations.read", object_id, from_type=from_kind, to_type=to_kind
        )
        return Reply(200, body)

    @staticmethod
    def _edge(to_id: str, types: list[int]) -> dict[str, Any]:
        return {
            "toObjectId": int(to_id),
            "associationTypes": [ASSOCIATION_TYPES[t].to_json() for t in types],
        }

    def associations_batch(self, from_name: str, to_name: str, payload: Any) -> Reply:
        from_kind, to_kind = object_type(from_name), object_type(to_name)
        if from_kind is None or to_kind is None:
            return _validation(
                f"Unable to infer object type from: {from_name if from_kind is None else to_name}"
            )
        inputs = (payload or {}).get("inputs")
        if not isinstance(inputs, list):
            return _validation("Invalid input JSON: inputs is required")
        if len(inputs) > 1000:
            return _validation("Batch input size must not exceed 1000")
        started = hs_datetime(self.store.now())
        results, errors = [], []
        for item in inputs:
            object_id = str((item or {}).get("id", ""))
            edges = self.store.associated(from_kind, object_id, to_kind)
            if not edges:
                errors.append(
                    {
                        "status": "error",
                        "category": "OBJECT_NOT_FOUND",
                        "subCategory": "crm.associations.NO_ASSOCIATIONS_FOUND",
                        "message": f"No {OBJECT_TYPES[to_kind][1]} is associated with "
                        f"{OBJECT_TYPES[from_kind][1]} {object_id}.",
                        "context": {
                            "fromObjectId": [object_id],
                            "toObjectType": [OBJECT_TYPES[to_kind][2]],
                        },
                        "errors": [],
                        "links": {},
                    }
                )
                continue
            results.append(
                {
                    "from": {"id": object_id},
                    "to": [self._edge(to_id, types) for to_id, types in edges],
                }
            )
        self.ledger.record(
            "hubspot",
            "associations.batch_read",
            None,
            from_type=from_kind,
            to_type=to_kind,
            inputs=len(inputs),
        )
        body: dict[str, Any] = {
            "status": "COMPLETE",
            "results": results,
            "startedAt": started,
            "completedAt": hs_datetime(self.store.now()),
        }
        if errors:
            body["numErrors"] = len(errors)
            body["errors"] = errors
            return Reply(207, body)
        return Reply(200, body)

    # --- properties and owners ----------------------------------------------------------

    def properties(self, name: str, prop_name: str | None) -> Reply:
        kind = object_type(name)
        if kind is None:
            return _validation(f"Unable to infer object type from: {name}")
        created = hs_datetime(datetime(2019, 1, 2, tzinfo=UTC))
        if prop_name is None:
            self.ledger.record("hubspot", "properties.list", None, object_type=kind)
            return Reply(200, {"results": [p.to_json(created) for p in PROPERTIES[kind]]})
        prop = property_map(kind).get(prop_name)
        if prop is None:
            return hs_error(
                404,
                "OBJECT_NOT_FOUND",
                f"Unable to find property {prop_name} on object type {OBJECT_TYPES[kind][2]}",
            )
        return Reply(200, prop.to_json(created))

    def owners(self, owner_id: str | None, params: Mapping[str, list[str]]) -> Reply:
        if owner_id is not None:
            owner = self.store.owners.get(owner_id)
            if owner is None:
                return _not_found(owner_id)
            return Reply(200, owner.to_json())
        email = (_first(params, "email") or "").lower()
        rows = [o for o in self.store.owners.values() if not email or o.email == email]
        limit = _int(_first(params, "limit"), 100, "limit")
        after = _int(_first(params, "after"), 0, "after")
        body: dict[str, Any] = {"results": [o.to_json() for o in rows[after : after + limit]]}
        if after + limit < len(rows):
            nxt = str(after + limit)
            body["paging"] = {"next": {"after": nxt, "link": f"?after={nxt}"}}
        self.ledger.record("hubspot", "owners.list", None)
        return Reply(200, body)


# --- filters and sorts --------------------------------------------------------------------


def _group_matches(kind: str, group: Any, obj: HObject) -> bool:
    return all(_filter_matches(kind, f, obj) for f in (group or {}).get("filters") or [])


def _typed(kind: str, name: str, raw: Any) -> Any:
    prop = property_map(kind)[name]
    text = str(raw)
    if prop.type == "number":
        try:
            return float(text)
        except ValueError:
            raise _BadRequest(_validation(f"{text} is not a valid number for {name}")) from None
    if prop.type in ("date", "datetime"):
        return _epoch_ms(text, name)
    if prop.type == "bool":
        return text.lower() == "true"
    return text.lower()


def _epoch_ms(text: str, name: str) -> float:
    if re.fullmatch(r"-?\d+", text):
        return float(text)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise _BadRequest(_validation(f"{text} is not a valid date for {name}")) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp() * 1000


def _filter_matches(kind: str, f: Mapping[str, Any], obj: HObject) -> bool:
    name, operator = f.get("propertyName", ""), str(f.get("operator", "EQ"))
    raw = obj.properties.get(name)
    present = raw not in (None, "")
    if operator == "HAS_PROPERTY":
        return present
    if operator == "NOT_HAS_PROPERTY":
        return not present
    if operator in ("IN", "NOT_IN"):
        values = [_typed(kind, name, v) for v in f.get("values") or []]
        hit = present and _typed(kind, name, raw) in values
        return hit if operator == "IN" else not hit
    if operator in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        hit = present and _contains_token(str(raw), str(f.get("value", "")))
        return hit if operator == "CONTAINS_TOKEN" else not hit
    if f.get("value") is None:
        raise _BadRequest(_validation(f"Filter on {name} with operator {operator} needs a value"))
    value = _typed(kind, name, f["value"])
    if operator == "NEQ":
        return not present or _typed(kind, name, raw) != value
    if not present:
        return False
    left = _typed(kind, name, raw)
    if operator == "EQ":
        return bool(left == value)
    if operator == "BETWEEN":
        high = _typed(kind, name, f.get("highValue"))
        return bool(value <= left <= high)
    compare = {"LT": left < value, "LTE": left <= value, "GT": left > value, "GTE": left >= value}
    if operator not in compare:
        raise _BadRequest(_validation(f"Unknown operator {operator}"))
    return bool(compare[operator])


def _contains_token(text: str, token: str) -> bool:
    token = token.lower()
    lowered = text.lower()
    if "*" in token:
        if fnmatch.fnmatchcase(lowered, token):
            return True
        return any(fnmatch.fnmatchcase(t, token) for t in re.split(r"[\s,;]+", lowered))
    return token == lowered or token in re.split(r"[^a-z0-9]+", lowered)


def _sort(kind: str, rows: list[HObject], sorts: list[Any]) -> list[HObject]:
    rows = sorted(rows, key=lambda o: int(o.id))
    specs: list[tuple[str, bool]] = []
    for item in sorts:
        if isinstance(item, dict):
            specs.append(
                (
                    str(item.get("propertyName")),
                    str(item.get("direction", "ASCENDING")).upper() == "DESCENDING",
                )
            )
        elif isinstance(item, str):
            text = item.strip()
            if text.startswith("{"):
                try:
                    parsed = json.loads(text)
                except ValueError:
                    raise _BadRequest(_validation(f"Invalid sort: {text}")) from None
                specs.append(
                    (
                        str(parsed.get("propertyName")),
                        str(parsed.get("direction", "ASCENDING")).upper() == "DESCENDING",
                    )
                )
            else:
                specs.append((text.lstrip("-"), text.startswith("-")))
    props = property_map(kind)
    for name, descending in reversed(specs):
        if name not in props:
            raise _BadRequest(_validation(f"Cannot sort by unknown property {name}"))
        present = [o for o in rows if o.properties.get(name) not in (None, "")]
        absent = [o for o in rows if o.properties.get(name) in (None, "")]
        present.sort(key=lambda o, n=name: _typed(kind, n, o.properties[n]), reverse=descending)
        rows = present + absent
    return rows


def _first(params: Mapping[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    return values[0] if values else None


def _csv(params: Mapping[str, list[str]], name: str) -> list[str] | None:
    values = params.get(name)
    if not values:
        return None
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def _int(value: Any, default: int, name: str) -> int:
    if value in (None, ""):
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _BadRequest(_validation(f"{name} must be an integer")) from None
