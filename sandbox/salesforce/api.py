"""Salesforce REST API handlers: one dispatcher, so that ``composite`` reuses every route.

Paths are relative to ``/services/data/vXX.X/`` (any version is accepted):

=====================================  ===============================================
``GET  query?q=SOQL``, ``queryAll``    records in batches; ``nextRecordsUrl`` pages on
``GET  query/{locator}-{offset}``      the next batch of an open cursor
``GET  sobjects``                      describe global
``GET  sobjects/{T}``, ``.../describe``  basic info, describe
``POST sobjects/{T}``                  create → 201 ``{"id", "success", "errors"}``
``GET  sobjects/{T}/{id}[?fields=]``   one record
``GET  sobjects/{T}/{ExtField}/{v}``   one record by external id
``PATCH/DELETE sobjects/{T}/{id}``     → 204
``POST composite``                     up to 25 subrequests, ``@{ref.path}`` references
``GET  limits``                        ``DailyApiRequests``
=====================================  ===============================================

Errors are JSON arrays ``[{"message", "errorCode", "fields"?}]``; every authenticated
answer carries ``Sforce-Limit-Info: api-usage=N/LIMIT``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sandbox.salesforce import soql
from sandbox.salesforce.schema import NUMBER_TYPES, SObject
from sandbox.salesforce.store import (
    DEFAULT_BATCH,
    MAX_BATCH,
    MIN_BATCH,
    SalesforceStore,
)

_VERSION = re.compile(r"^v(\d{2,3}\.\d)$")
_REFERENCE = re.compile(r"@\{([A-Za-z0-9_]+)\.([^}]+)\}")
MAX_COMPOSITE = 25


@dataclass(slots=True)
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


def error(status: int, code: str, message: str, fields: list[str] | None = None) -> Reply:
    item: dict[str, Any] = {"message": message, "errorCode": code}
    if fields is not None:
        item["fields"] = fields
    return Reply(status, [item])


NOT_FOUND = ("NOT_FOUND", "The requested resource does not exist")


class SalesforceApi:
    """Answers one authenticated REST request. Call under ``state.lock``."""

    def __init__(self, store: SalesforceStore) -> None:
        self.store = store

    # --- entry point ------------------------------------------------------------------

    def handle(
        self,
        method: str,
        version: str,
        rest: str,
        params: Mapping[str, list[str]],
        body: bytes | Any,
        headers: Mapping[str, str],
        *,
        parsed_body: bool = False,
    ) -> Reply:
        parts = [p for p in rest.split("/") if p]
        if not parts:
            return Reply(200, self._resources(version))
        head = parts[0]
        try:
            if head in ("query", "queryAll") and method == "GET":
                if len(parts) == 1:
                    return self._query(version, params, headers, head == "queryAll")
                if len(parts) == 2:
                    return self._query_more(version, parts[1])
            elif head == "sobjects":
                payload = body if parsed_body else _json(body)
                return self._sobjects(method, version, parts[1:], params, payload)
            elif head == "composite" and len(parts) == 1 and method == "POST":
                payload = body if parsed_body else _json(body)
                return self._composite(version, payload, headers)
            elif head == "limits" and method == "GET":
                return self._limits()
        except _JsonError as exc:
            return error(400, "JSON_PARSER_ERROR", str(exc))
        return error(404, *NOT_FOUND)

    # --- resources and limits -----------------------------------------------------------

    def _resources(self, version: str) -> dict[str, str]:
        base = f"/services/data/v{version}"
        return {
            name: f"{base}/{name}"
            for name in ("sobjects", "query", "queryAll", "composite", "limits", "search")
        }

    def _limits(self) -> Reply:
        limit, used = self.store.daily_limit, self.store.usage
        return Reply(
            200,
            {
                "DailyApiRequests": {"Max": limit, "Remaining": max(0, limit - used)},
                "ConcurrentAsyncGetReportInstances": {"Max": 200, "Remaining": 200},
            },
        )

    # --- SOQL ---------------------------------------------------------------------------

    def _query(
        self,
        version: str,
        params: Mapping[str, list[str]],
        headers: Mapping[str, str],
        include_deleted: bool,
    ) -> Reply:
        text = (params.get("q") or [""])[0]
        if not text.strip():
            return error(400, "MALFORMED_QUERY", "SOQL statement cannot be empty")
        try:
            query = soql.compile_query(text, self.store.schema)
        except soql.SoqlError as exc:
            return error(400, exc.error_code, exc.message)
        source = soql.RecordSource(
            self.store.all, self.store.get, self.store.children, self.store.now
        )
        total, records = soql.execute(query, source, version)
        batch = _batch_size(headers)
        assert query.obj is not None
        self.store.state.ledger.record(
            "salesforce",
            "soql.query",
            None,
            sobject=query.obj.name,
            rows=total,
            soql=text,
        )
        if len(records) <= batch:
            return Reply(200, {"totalSize": total, "done": True, "records": records})
        locator = self.store.open_cursor(records, batch, total)
        return Reply(
            200,
            {
                "totalSize": total,
                "done": False,
                "nextRecordsUrl": f"/services/data/v{version}/query/{locator}-{batch}",
                "records": records[:batch],
            },
        )

    def _query_more(self, version: str, token: str) -> Reply:
        locator, _, offset_text = token.rpartition("-")
        cursor = self.store.cursor(locator) if locator and offset_text.isdigit() else None
        if cursor is None:
            return error(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        offset = int(offset_text)
        chunk = cursor.records[offset : offset + cursor.batch]
        end = offset + len(chunk)
        self.store.state.ledger.record("salesforce", "soql.query_more", locator, offset=offset)
        body: dict[str, Any] = {
            "totalSize": cursor.total,
            "done": end >= len(cursor.records),
            "records": chunk,
        }
        if not body["done"]:
            body["nextRecordsUrl"] = f"/services/data/v{version}/query/{locator}-{end}"
        else:
            self.store.cursors.pop(locator, None)
        return Reply(200, body)

    # --- sObjects -----------------------------------------------------------------------

    def _sobjects(
        self,
        method: str,
        version: str,
        parts: list[str],
        params: Mapping[str, list[str]],
        payload: Any,
    ) -> Reply:
        if not parts:
            if method != "GET":
                return error(
                    405,
                    "METHOD_NOT_ALLOWED",
                    f"HTTP Method '{method}' not allowed. Allowed are GET,HEAD",
                )
            return Reply(
                200,
                {
                    "encoding": "UTF-8",
                    "maxBatchSize": 200,
                    "sobjects": [o.basic(version) for o in self.store.schema.values()],
                },
            )
        obj = self.store.schema.get(parts[0].lower())
        if obj is None:
            return error(404, "NOT_FOUND", "The requested resource does not exist")
        rest = parts[1:]
        if not rest:
            if method == "GET":
                return Reply(200, {"objectDescribe": obj.basic(version), "recentItems": []})
            if method == "POST":
                return self._create(obj, version, payload)
            return error(
                405,
                "METHOD_NOT_ALLOWED",
                f"HTTP Method '{method}' not allowed. Allowed are GET,HEAD,POST",
            )
        if rest == ["describe"] and method == "GET":
            self.store.state.ledger.record("salesforce", "describe", obj.name)
            return Reply(200, obj.describe(version))
        if len(rest) == 1:
            record = self.store.get(obj.name, rest[0]) if _looks_like_id(rest[0], obj) else None
            if record is None:
                if not _looks_like_id(rest[0], obj):
                    return error(
                        404,
                        "NOT_FOUND",
                        "Provided external ID field does not exist "
                        f"or is not accessible: {rest[0]}",
                    )
                return error(404, *NOT_FOUND)
            if method == "GET":
                fields = (params.get("fields") or [""])[0]
                self.store.state.ledger.record(
                    "salesforce", "sobject.get", record["Id"], sobject=obj.name
                )
                return self._render(obj, version, record, fields)
            if method == "PATCH":
                return self._update(obj, record, payload)
            if method == "DELETE":
                self.store.delete(obj.name, record["Id"])
                self.store.state.ledger.record(
                    "salesforce", "sobject.delete", record["Id"], sobject=obj.name
                )
                return Reply(204)
            return error(
                405,
                "METHOD_NOT_ALLOWED",
                f"HTTP Method '{method}' not allowed. Allowed are HEAD,GET,PATCH,DELETE",
            )
        if len(rest) == 2 and method == "GET":
            ext = obj.field(rest[0])
            if ext is None or not (ext.external_id or ext.name == "Id"):
                return error(
                    404,
                    "NOT_FOUND",
                    f"Provided external ID field does not exist or is not accessible: {rest[0]}",
                )
            matches = [
                r
                for r in self.store.all(obj.name)
                if str(r.get(ext.name) or "").lower() == rest[1].lower()
            ]
            if not matches:
                return error(404, *NOT_FOUND)
            if len(matches) > 1:
                return Reply(
                    300,
                    [f"/services/data/v{version}/sobjects/{obj.name}/{m['Id']}" for m in matches],
                )
            return self._render(obj, version, matches[0], "")
        return error(404, *NOT_FOUND)

    def _render(self, obj: SObject, version: str, record: dict[str, Any], fields: str) -> Reply:
        names = [f.strip() for f in fields.split(",") if f.strip()]
        wanted = []
        for name in names:
            f = obj.field(name)
            if f is None:
                return error(
                    400, "INVALID_FIELD", f"No such column '{name}' on sobject of type {obj.name}"
                )
            wanted.append(f.name)
        out: dict[str, Any] = {
            "attributes": {
                "type": obj.name,
                "url": f"/services/data/v{version}/sobjects/{obj.name}/{record['Id']}",
            }
        }
        for f in obj.fields.values():
            if not wanted or f.name in wanted or f.name == "Id":
                out[f.name] = record.get(f.name)
        return Reply(200, out)

    def _writable(self, obj: SObject, payload: Any, creating: bool) -> dict[str, Any] | Reply:
        if not isinstance(payload, dict):
            return error(
                400,
                "JSON_PARSER_ERROR",
                f"Cannot deserialize instance of {obj.name} from {_json_kind(payload)} value",
            )
        values: dict[str, Any] = {}
        locked: list[str] = []
        for key, value in payload.items():
            if key == "attributes":
                continue
            f = obj.field(key)
            if f is None:
                return error(
                    400, "INVALID_FIELD", f"No such column '{key}' on sobject of type {obj.name}"
                )
            if not (f.createable if creating else f.updateable):
                locked.append(f.name)
                continue
            problem = _type_problem(f.type, value)
            if problem:
                return error(400, "JSON_PARSER_ERROR", problem.format(value=value))
            if f.type == "reference" and value:
                targets = {self.store.schema[t.lower()].key_prefix for t in f.reference_to}
                if str(value)[:3] not in targets:
                    return error(
                        400,
                        "FIELD_INTEGRITY_EXCEPTION",
                        f"{f.label}: id value of incorrect type: {value}",
                        [f.name],
                    )
                target = self.store.object_of(str(value))
                if target is None or self.store.get(target, str(value)) is None:
                    return error(
                        400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [f.name]
                    )
            values[f.name] = value
        if locked:
            return error(
                400,
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                f"Unable to create/update fields: {', '.join(locked)}. Please check the "
                "security settings of this field and verify that it is read/write for "
                "your profile or permission set.",
                locked,
            )
        return values

    def _create(self, obj: SObject, version: str, payload: Any) -> Reply:
        values = self._writable(obj, payload, creating=True)
        if isinstance(values, Reply):
            return values
        missing = [f.name for f in obj.fields.values() if f.required and not values.get(f.name)]
        if missing:
            return error(
                400,
                "REQUIRED_FIELD_MISSING",
                f"Required fields are missing: [{', '.join(missing)}]",
                missing,
            )
        record = self.store.insert(obj.name, values)
        self.store.state.ledger.record(
            "salesforce", "sobject.create", record["Id"], sobject=obj.name, fields=sorted(values)
        )
        return Reply(
            201,
            {"id": record["Id"], "success": True, "errors": []},
            {"Location": f"/services/data/v{version}/sobjects/{obj.name}/{record['Id']}"},
        )

    def _update(self, obj: SObject, record: dict[str, Any], payload: Any) -> Reply:
        values = self._writable(obj, payload, creating=False)
        if isinstance(values, Reply):
            return values
        cleared = [
            f.name
            for f in obj.fields.values()
            if f.required and f.name in values and not values[f.name]
        ]
        if cleared:
            return error(
                400,
                "REQUIRED_FIELD_MISSING",
                f"Required fields are missing: [{', '.join(cleared)}]",
                cleared,
            )
        self.store.update(obj.name, record, values)
        self.store.state.ledger.record(
            "salesforce", "sobject.update", record["Id"], sobject=obj.name, fields=sorted(values)
        )
        return Reply(204)

    # --- composite ----------------------------------------------------------------------

    def _composite(self, version: str, payload: Any, headers: Mapping[str, str]) -> Reply:
        if not isinstance(payload, dict) or not isinstance(payload.get("compositeRequest"), list):
            return error(
                400,
                "JSON_PARSER_ERROR",
                "Cannot deserialize instance of CompositeRequest: compositeRequest is required",
            )
        requests = payload["compositeRequest"]
        if len(requests) > MAX_COMPOSITE:
            return error(
                400,
                "LIMIT_EXCEEDED",
                "Limit Exceeded: a composite request may "
                f"contain at most {MAX_COMPOSITE} subrequests",
            )
        all_or_none = bool(payload.get("allOrNone", False))
        snapshot = self.store.snapshot() if all_or_none else None
        results: list[dict[str, Any]] = []
        bodies: dict[str, Any] = {}
        failed = False
        for sub in requests:
            ref = str(sub.get("referenceId", ""))
            try:
                url = _resolve(str(sub.get("url", "")), bodies)
                body = _resolve_json(sub.get("body"), bodies)
            except KeyError as exc:
                reply = error(
                    400,
                    "PROCESSING_HALTED",
                    f"Invalid reference specified. No value for {exc.args[0]} found "
                    f"in {exc.args[0].split('.')[0]}. Provided referenceId "
                    f"('{ref}') must be unique.",
                )
            else:
                reply = self._subrequest(
                    str(sub.get("method", "GET")).upper(), url, body, headers, version
                )
            if reply.status < 300 and reply.body is not None:
                bodies[ref] = reply.body
            failed = failed or reply.status >= 400
            results.append(
                {
                    "body": reply.body,
                    "httpHeaders": reply.headers,
                    "httpStatusCode": reply.status,
                    "referenceId": ref,
                }
            )
            if failed and all_or_none:
                break
        if failed and all_or_none:
            assert snapshot is not None
            self.store.restore(snapshot)
            halted = [
                {
                    "errorCode": "PROCESSING_HALTED",
                    "message": "The transaction was rolled back since another operation "
                    "in the same transaction failed.",
                }
            ]
            for result in results:
                if result["httpStatusCode"] < 400:
                    result.update(body=halted, httpHeaders={}, httpStatusCode=400)
            for sub in requests[len(results) :]:
                results.append(
                    {
                        "body": halted,
                        "httpHeaders": {},
                        "httpStatusCode": 400,
                        "referenceId": str(sub.get("referenceId", "")),
                    }
                )
        self.store.state.ledger.record(
            "salesforce", "composite", None, subrequests=len(requests), all_or_none=all_or_none
        )
        return Reply(200, {"compositeResponse": results})

    def _subrequest(
        self, method: str, url: str, body: Any, headers: Mapping[str, str], default_version: str
    ) -> Reply:
        parts = urlsplit(url)
        match = re.match(r"^/services/data/(v[^/]+)/?(.*)$", parts.path)
        if match is None or not _VERSION.match(match.group(1)):
            return error(404, *NOT_FOUND)
        version = match.group(1)[1:]
        rest = match.group(2).rstrip("/")
        if rest.endswith(".json"):
            rest = rest[:-5]
        if rest.split("/")[0] == "composite":
            return error(400, "INVALID_API_INPUT", "Composite subrequests cannot be composite")
        return self.handle(
            method, version, rest, parse_qs(parts.query), body, headers, parsed_body=True
        )


# --- helpers -----------------------------------------------------------------------------


class _JsonError(ValueError):
    pass


def _json(body: bytes | Any) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise _JsonError(f"Unexpected character: was expecting a JSON value ({exc})") from exc


def _json_kind(value: Any) -> str:
    return {list: "START_ARRAY", str: "VALUE_STRING", type(None): "VALUE_NULL"}.get(
        type(value), "VALUE_NUMBER_INT"
    )


def _type_problem(kind: str, value: Any) -> str | None:
    if value is None:
        return None
    if kind == "boolean" and not isinstance(value, bool):
        return "Cannot deserialize instance of boolean from VALUE_STRING value {value}"
    if kind in NUMBER_TYPES and (isinstance(value, bool) or not isinstance(value, int | float)):
        return "Cannot deserialize instance of double from VALUE_STRING value {value}"
    if kind == "date":
        try:
            date.fromisoformat(str(value))
        except ValueError:
            return "Cannot deserialize instance of date from VALUE_STRING value {value}"
    if kind == "datetime":
        try:
            datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return "Cannot deserialize instance of datetime from VALUE_STRING value {value}"
    return None


def _batch_size(headers: Mapping[str, str]) -> int:
    options = headers.get("sforce-query-options", "")
    match = re.search(r"batchSize\s*=\s*(\d+)", options, flags=re.IGNORECASE)
    if not match:
        return DEFAULT_BATCH
    return max(MIN_BATCH, min(MAX_BATCH, int(match.group(1))))


def _looks_like_id(value: str, obj: SObject) -> bool:
    return len(value) in (15, 18) and value[:3] == obj.key_prefix and value.isalnum()


def _lookup(bodies: Mapping[str, Any], ref: str, path: str) -> Any:
    current: Any = bodies[ref] if ref in bodies else _missing(ref, path)
    for token in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        if token.startswith("["):
            index = int(token[1:-1])
            if not isinstance(current, list) or index >= len(current):
                _missing(ref, path)
            current = current[index]
        else:
            if not isinstance(current, dict) or token not in current:
                _missing(ref, path)
            current = current[token]
    return current


def _missing(ref: str, path: str) -> Any:
    raise KeyError(f"{ref}.{path}")


def _resolve(text: str, bodies: Mapping[str, Any]) -> str:
    return _REFERENCE.sub(lambda m: str(_lookup(bodies, m.group(1), m.group(2))), text)


def _resolve_json(value: Any, bodies: Mapping[str, Any]) -> Any:
    if isinstance(value, str):
        whole = _REFERENCE.fullmatch(value)
        if whole:
            return _lookup(bodies, whole.group(1), whole.group(2))
        return _resolve(value, bodies)
    if isinstance(value, list):
        return [_resolve_json(v, bodies) for v in value]
    if isinstance(value, dict):
        return {k: _resolve_json(v, bodies) for k, v in value.items()}
    return value


def version_of(segment: str) -> str | None:
    """``59.0`` for ``v59.0``; None for anything that is not an API version."""
    match = _VERSION.match(segment)
    return match.group(1) if match else None
