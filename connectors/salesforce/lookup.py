"""Salesforce as a :class:`core.crm.model.CrmSource`: one SOQL query per batch of customers.

For a batch of customers the connector sends a single query (per ``batch_size``
customers) that selects every field the mapping reads, the records' own key fields, and
each related list as a child sub-query, filtered by every key value of every customer::

    SELECT Id, Email, MobilePhone, Phone, Chat_Customer_Id__c, LastModifiedDate,
           Name, Account.Name, Account.Tier__c, ...,
           (SELECT CaseNumber, Subject, ... FROM Cases WHERE IsClosed = false
            ORDER BY CreatedDate DESC LIMIT 5)
    FROM Contact
    WHERE Email IN ('a@x.example', ...) OR MobilePhone IN ('+65...', ...) OR ...

then matches customers to records in Python (:func:`core.crm.matching.resolve`), so N
conversations escalating together cost one API call.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from connectors.salesforce.client import SalesforceClient
from connectors.salesforce.settings import SalesforceSettings
from core.crm.mapping import CrmMapping, SalesforceSection
from core.crm.matching import normalize, resolve
from core.crm.model import CrmRecord, CustomerKeys, LookupResult, MatchKey
from core.crm.transforms import parse_moment


def soql_literal(value: str) -> str:
    """A SOQL string literal: backslashes and quotes escaped."""
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    escaped = escaped.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return f"'{escaped}'"


def _navigate(record: Mapping[str, Any] | None, path: str) -> Any:
    node: Any = record
    for part in path.split("."):
        if not isinstance(node, Mapping):
            return None
        match = next((k for k in node if k.lower() == part.lower()), None)
        if match is None:
            return None
        node = node[match]
    return node


class SalesforceConnector:
    """Looks up chat customers in Salesforce as the mapping says."""

    name = "salesforce"

    def __init__(self, client: SalesforceClient, mapping: CrmMapping) -> None:
        if mapping.salesforce is None:
            raise ValueError("the mapping has no salesforce section")
        self.client = client
        self.mapping = mapping
        self.section: SalesforceSection = mapping.salesforce

    @classmethod
    def from_settings(
        cls, settings: SalesforceSettings, mapping: CrmMapping
    ) -> SalesforceConnector:
        return cls(SalesforceClient(settings), mapping)

    # --- the query --------------------------------------------------------------------

    def select_list(self) -> list[str]:
        """Every field of the query, de-duplicated case-insensitively, in a stable order."""
        section = self.section
        fields: dict[str, str] = {}
        wanted = ["Id"]
        for key in self.mapping.match.keys:
            wanted += list(section.keys.get(key, ()))
        wanted.append(section.updated_field)
        wanted += list(self.mapping.field_paths("salesforce"))
        for name in wanted:
            fields.setdefault(name.lower(), name)
        return list(fields.values())

    def subqueries(self) -> list[str]:
        out = []
        for spec in self.section.lists.values():
            # names come from the validated mapping, never from customers
            parts = [f"SELECT {', '.join(spec.fields)} FROM {spec.relationship}"]  # noqa: S608
            if spec.where:
                parts.append(f"WHERE {spec.where}")
            if spec.order_by:
                parts.append(f"ORDER BY {spec.order_by}")
            parts.append(f"LIMIT {spec.limit}")
            out.append(f"({' '.join(parts)})")
        return out

    def build_query(self, customers: Sequence[CustomerKeys]) -> str | None:
        """The SOQL for a batch; None when no customer has a key the mapping matches by."""
        conditions = []
        for key in self.mapping.match.keys:
            values = sorted({v for c in customers if (v := c.get(key))})
            if not values:
                continue
            literal = ", ".join(soql_literal(v) for v in values)
            for field in self.section.keys.get(key, ()):
                conditions.append(f"{field} IN ({literal})")
        if not conditions:
            return None
        select = ", ".join([*self.select_list(), *self.subqueries()])
        # customer values are escaped literals (soql_literal); names come from the mapping
        where = " OR ".join(conditions)
        return f"SELECT {select} FROM {self.section.object} WHERE {where}"  # noqa: S608

    # --- records ----------------------------------------------------------------------

    def to_record(self, raw: Mapping[str, Any]) -> CrmRecord:
        section = self.section
        record_id = str(raw.get("Id"))
        values = {path: _navigate(raw, path) for path in self.mapping.field_paths("salesforce")}
        lists: dict[str, tuple[Mapping[str, Any], ...]] = {}
        for name, spec in section.lists.items():
            child = _navigate(raw, spec.relationship)
            rows = child.get("records", []) if isinstance(child, Mapping) else []
            lists[name] = tuple(
                {field: _navigate(row, field) for field in spec.fields} for row in rows
            )
        keys: dict[MatchKey, tuple[str, ...]] = {}
        for key, fields in section.keys.items():
            found = [normalize(key, _navigate(raw, f)) for f in fields]
            keys[key] = tuple(v for v in found if v)
        template = section.record_url or (
            f"{self.client.settings.base}/lightning/r/{section.object}/{{id}}/view"
        )
        return CrmRecord(
            source="salesforce",
            record_id=record_id,
            values=values,
            lists=lists,
            keys=keys,
            url=template.replace("{id}", record_id),
            updated_at=parse_moment(_navigate(raw, section.updated_field) or ""),
        )

    # --- CrmSource -------------------------------------------------------------------

    def fetch(self, customers: Sequence[CustomerKeys]) -> list[CrmRecord]:
        """Every candidate record for these customers (one query per ``batch_size``)."""
        size = self.client.settings.batch_size
        records: list[CrmRecord] = []
        timeout = self.client.settings.timeout_seconds
        for start in range(0, len(customers), size):
            soql = self.build_query(customers[start : start + size])
            if soql is None:
                continue
            answer = self.client.call(lambda sf, q=soql: sf.query_all(q, timeout=timeout), "query")
            records += [self.to_record(r) for r in answer.get("records", [])]
        return records

    def lookup_many(self, customers: Sequence[CustomerKeys]) -> dict[str, LookupResult]:
        candidates = self.fetch(customers)
        policy = self.mapping.match
        return {
            c.cache_key: resolve(
                c, candidates, source="salesforce", order=policy.keys, on_several=policy.on_several
            )
            for c in customers
        }

    # --- for ``baton mappings check`` ---------------------------------------------------

    def describe(self, sobject: str) -> dict[str, Any]:
        timeout = self.client.settings.timeout_seconds
        result: dict[str, Any] = self.client.call(
            lambda sf: sf.restful(f"sobjects/{sobject}/describe", timeout=timeout), "describe"
        )
        return result

    def object_names(self) -> list[str]:
        timeout = self.client.settings.timeout_seconds
        result = self.client.call(lambda sf: sf.describe(timeout=timeout), "describe_global")
        return [str(o["name"]) for o in (result or {}).get("sobjects", [])]
