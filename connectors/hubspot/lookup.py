"""HubSpot as a :class:`core.crm.model.CrmSource`: a few batch calls per batch of customers.

For a batch of customers (whatever its size up to 100):

1. contacts by the first match key: emails with one **batch read** (``idProperty:
   email``; no search, so no search rate limit), other keys with one **search** (``IN``
   filters, one filter group per property, groups OR-ed);
2. only for customers still unmatched (or ambiguous under ``next_key``): one search on
   the remaining keys;
3. for the matched contacts: one **associations v4 batch read** per related object type
   (companies, deals, tickets...) and one **batch read** of those objects — the object
   types side by side, so about two round trips;
4. owners (for ``*.owner.name``) from the owners list, kept for ``owners_ttl_seconds``.

So a batch costs about 4 to 7 calls however many customers it holds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from connectors.hubspot.client import HubSpotClient
from connectors.hubspot.settings import HubSpotSettings
from core.crm.mapping import CrmMapping, HubSpotList, HubSpotSection
from core.crm.matching import needs_more_keys, normalize, resolve
from core.crm.model import CrmRecord, CustomerKeys, LookupResult, Matched, MatchKey
from core.crm.transforms import parse_moment

BATCH_LIMIT = 100
SEARCH_LIMIT = 200
MAX_GROUPS = 5
PRIMARY_COMPANY = 1  # HUBSPOT_DEFINED contact→company "Primary"


def _chunks(items: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _owner_field(owner: Any, name: str) -> str | None:
    if owner is None:
        return None
    if name == "name":
        parts = [owner.first_name, owner.last_name]
        return " ".join(p for p in parts if p) or owner.email
    mapping = {
        "email": owner.email,
        "first_name": owner.first_name,
        "firstname": owner.first_name,
        "last_name": owner.last_name,
        "lastname": owner.last_name,
        "id": owner.id,
    }
    value = mapping.get(name)
    return str(value) if value is not None else None


class HubSpotConnector:
    """Looks up chat customers in HubSpot as the mapping says."""

    name = "hubspot"

    def __init__(self, client: HubSpotClient, mapping: CrmMapping) -> None:
        if mapping.hubspot is None:
            raise ValueError("the mapping has no hubspot section")
        self.client = client
        self.mapping = mapping
        self.section: HubSpotSection = mapping.hubspot
        paths = mapping.field_paths("hubspot")
        contact = [p.split(".", 1)[1] for p in paths if p.startswith("contact.")]
        company = [p.split(".", 1)[1] for p in paths if p.startswith("company.")]
        key_props = [p for props in self.section.keys.values() for p in props]
        self.contact_properties = self._props(
            [*key_props, self.section.updated_field, *contact], owners="contact.owner."
        )
        self.company_properties = self._props(company, owners="company.owner.")
        self.needs_company = bool(company)
        self.needs_owners = any(".owner." in p for p in paths)
        self._owners: dict[str, Any] = {}
        self._owners_at = -float("inf")
        self._owners_lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: HubSpotSettings, mapping: CrmMapping) -> HubSpotConnector:
        return cls(HubSpotClient(settings), mapping)

    def _props(self, names: Iterable[str], owners: str) -> list[str]:
        out = [n for n in names if not n.startswith("owner.")]
        if any(p.startswith(owners) for p in self.mapping.field_paths("hubspot")):
            out.append("hubspot_owner_id")
        return list(dict.fromkeys(out))

    # --- contacts by key ---------------------------------------------------------------

    def _batch_read(
        self,
        object_type: str,
        ids: Sequence[str],
        properties: list[str],
        id_property: str | None = None,
    ) -> list[Any]:
        api = self.client.batch_apis[object_type]
        out: list[Any] = []
        for chunk in _chunks(list(dict.fromkeys(ids)), BATCH_LIMIT):
            body: dict[str, Any] = {
                "inputs": [{"id": i} for i in chunk],
                "properties": properties,
                "propertiesWithHistory": [],
            }
            if id_property:
                body["idProperty"] = id_property
            answer = self.client.call(
                lambda b=body: api.read(b, archived=False, _request_timeout=self.client.timeout),
                f"{object_type}.batch_read",
            )
            out += list(answer.results or [])
        return out

    def _search(self, groups: list[tuple[str, list[str]]]) -> list[Any]:
        """Contacts whose property is IN values, for any (property, values) pair."""
        out: list[Any] = []
        expanded = [
            (prop, list(chunk)) for prop, values in groups for chunk in _chunks(values, BATCH_LIMIT)
        ]
        for start in range(0, len(expanded), MAX_GROUPS):
            filter_groups = [
                {"filters": [{"propertyName": prop, "operator": "IN", "values": values}]}
                for prop, values in expanded[start : start + MAX_GROUPS]
            ]
            after: str | None = None
            while True:
                body: dict[str, Any] = {
                    "filterGroups": filter_groups,
                    "properties": self.contact_properties,
                    "limit": SEARCH_LIMIT,
                }
                if after:
                    body["after"] = after
                answer = self.client.call(
                    lambda b=body: self.client.contacts_search.do_search(
                        b, _request_timeout=self.client.timeout
                    ),
                    "contacts.search",
                )
                out += list(answer.results or [])
                nxt = answer.paging.next if answer.paging else None
                if nxt is None or not nxt.after:
                    break
                after = nxt.after
        return out

    def _contacts_for(
        self, keys: Sequence[MatchKey], customers: Sequence[CustomerKeys]
    ) -> list[Any]:
        found: list[Any] = []
        groups: list[tuple[str, list[str]]] = []
        for key in keys:
            values = sorted({v for c in customers if (v := c.get(key))})
            props = self.section.keys.get(key, ())
            if not values or not props:
                continue
            if key == "email" and list(props) == ["email"]:
                # email is unique in HubSpot: a batch read, which the search limit spares
                found += self._batch_read("contacts", values, self.contact_properties, "email")
            else:
                groups += [(prop, values) for prop in props]
        if groups:
            found += self._search(groups)
        return found

    # --- records --------------------------------------------------------------------

    def _bare(self, contact: Any) -> CrmRecord:
        props: Mapping[str, Any] = contact.properties or {}
        keys: dict[MatchKey, tuple[str, ...]] = {}
        for key, names in self.section.keys.items():
            found = [normalize(key, props.get(n)) for n in names]
            keys[key] = tuple(v for v in found if v)
        record_id = str(contact.id)
        template = self.section.record_url
        updated = parse_moment(props.get(self.section.updated_field) or "") or contact.updated_at
        return CrmRecord(
            source="hubspot",
            record_id=record_id,
            values={f"contact.{k}": v for k, v in props.items()},
            keys=keys,
            url=template.replace("{id}", record_id) if template else None,
            updated_at=updated,
        )

    def lookup_many(self, customers: Sequence[CustomerKeys]) -> dict[str, LookupResult]:
        policy = self.mapping.match
        order = policy.keys
        pool: dict[str, Any] = {}
        for contact in self._contacts_for(order[:1], customers):
            pool[str(contact.id)] = contact
        results = self._resolve(customers, pool)
        unsettled = [
            c for c in customers if needs_more_keys(results[c.cache_key], policy.on_several)
        ]
        if unsettled and len(order) > 1:
            for contact in self._contacts_for(order[1:], unsettled):
                pool[str(contact.id)] = contact
            results.update(self._resolve(unsettled, pool))
        matched = {r.record.record_id for r in results.values() if isinstance(r, Matched)}
        if not matched:
            return results
        enriched = self._enrich({i: pool[i] for i in matched})
        for key, result in results.items():
            if isinstance(result, Matched):
                results[key] = Matched(enriched[result.record.record_id], result.matched_by)
        return results

    def _resolve(
        self, customers: Sequence[CustomerKeys], pool: Mapping[str, Any]
    ) -> dict[str, LookupResult]:
        candidates = [self._bare(c) for c in pool.values()]
        policy = self.mapping.match
        return {
            c.cache_key: resolve(
                c, candidates, source="hubspot", order=policy.keys, on_several=policy.on_several
            )
            for c in customers
        }

    # --- around the matched contacts -------------------------------------------------------

    def _associated(self, to_type: str, contact_ids: Sequence[str]) -> dict[str, list[Any]]:
        """contact id → its associations to ``to_type`` (``to_object_id``, types)."""
        out: dict[str, list[Any]] = {}
        for chunk in _chunks(list(contact_ids), BATCH_LIMIT):
            body = {"inputs": [{"id": i} for i in chunk]}
            answer = self.client.call(
                lambda b=body: self.client.associations_batch.get_page(
                    "contacts", to_type, b, _request_timeout=self.client.timeout
                ),
                f"associations.contacts_{to_type}",
            )
            for item in answer.results or []:
                out[str(item._from.id)] = list(item.to or [])
        return out

    def _owners_by_id(self) -> dict[str, Any]:
        with self._owners_lock:
            return self._owners_locked()

    def _owners_locked(self) -> dict[str, Any]:
        now = time.monotonic()
        if now - self._owners_at > self.client.settings.owners_ttl_seconds:
            owners: dict[str, Any] = {}
            after: str | None = None
            while True:
                kwargs: dict[str, Any] = {"limit": 100, "_request_timeout": self.client.timeout}
                if after:
                    kwargs["after"] = after
                page = self.client.call(
                    lambda k=kwargs: self.client.owners.get_page(**k), "owners.list"
                )
                owners.update({str(o.id): o for o in page.results or []})
                nxt = page.paging.next if page.paging else None
                if nxt is None or not nxt.after:
                    break
                after = nxt.after
            self._owners, self._owners_at = owners, now
        return self._owners

    def _list_items(self, spec: HubSpotList, objects: list[Any]) -> tuple[Mapping[str, Any], ...]:
        rows = []
        for obj in objects:
            props = obj.properties or {}
            if all(
                str(props.get(k, "")).lower() == str(v).lower()
                for k, v in ((k, _text(v)) for k, v in spec.where.items())
            ):
                rows.append(obj)
        if spec.order_by:
            name = spec.order_by.lstrip("-")
            rows.sort(
                key=lambda o: _sort_key((o.properties or {}).get(name)),
                reverse=spec.order_by.startswith("-"),
            )
        return tuple(
            {p: (o.properties or {}).get(p) for p in spec.properties} for o in rows[: spec.limit]
        )

    def _companies(self, ids: Sequence[str]) -> dict[str, Any]:
        """contact id → its account company (the primary one)."""
        links = self._associated("companies", ids)
        chosen = {cid: self._primary(edges) for cid, edges in links.items()}
        wanted = [c for c in chosen.values() if c]
        companies = (
            {str(c.id): c for c in self._batch_read("companies", wanted, self.company_properties)}
            if wanted
            else {}
        )
        return {cid: companies.get(co) for cid, co in chosen.items() if co}

    def _lists(
        self, object_type: str, specs: list[tuple[str, HubSpotList]], ids: Sequence[str]
    ) -> dict[str, dict[str, tuple[Mapping[str, Any], ...]]]:
        """contact id → list name → items, for the lists of one associated object type."""
        links = self._associated(object_type, ids)
        related = sorted({str(e.to_object_id) for edges in links.values() for e in edges})
        props = list(
            dict.fromkeys(
                p
                for _, s in specs
                for p in (
                    *s.properties,
                    *s.where,
                    *([s.order_by.lstrip("-")] if s.order_by else []),
                )
            )
        )
        objects = (
            {str(o.id): o for o in self._batch_read(object_type, related, props)} if related else {}
        )
        out: dict[str, dict[str, tuple[Mapping[str, Any], ...]]] = {}
        for cid in ids:
            mine = [
                objects[str(e.to_object_id)]
                for e in links.get(cid, [])
                if str(e.to_object_id) in objects
            ]
            out[cid] = {name: self._list_items(spec, mine) for name, spec in specs}
        return out

    def _enrich(self, contacts: Mapping[str, Any]) -> dict[str, CrmRecord]:
        """Companies, related lists and owners around the matched contacts.

        The chains are independent (associations then batch read, per object type), so
        they run side by side: a batch costs about three round trips, not nine.
        """
        ids = list(contacts)
        by_type: dict[str, list[tuple[str, HubSpotList]]] = {}
        for name, spec in self.section.lists.items():
            by_type.setdefault(spec.object, []).append((name, spec))
        with ThreadPoolExecutor(
            max_workers=2 + len(by_type), thread_name_prefix="baton-hubspot"
        ) as pool:
            companies = pool.submit(self._companies, ids) if self.needs_company else None
            owners_job = pool.submit(self._owners_by_id) if self.needs_owners else None
            list_jobs = [pool.submit(self._lists, t, specs, ids) for t, specs in by_type.items()]
            company_of = companies.result() if companies is not None else {}
            lists: dict[str, dict[str, tuple[Mapping[str, Any], ...]]] = {i: {} for i in ids}
            for job in list_jobs:
                for cid, named in job.result().items():
                    lists[cid].update(named)
            owners = owners_job.result() if owners_job is not None else {}
        out: dict[str, CrmRecord] = {}
        for cid, contact in contacts.items():
            bare = self._bare(contact)
            values = dict(bare.values)
            company = company_of.get(cid)
            if company is not None:
                values.update({f"company.{k}": v for k, v in (company.properties or {}).items()})
            for path in self.mapping.field_paths("hubspot"):
                head, _, rest = path.partition(".")
                if rest.startswith("owner."):
                    owner_id = values.get(f"{head}.hubspot_owner_id")
                    values[path] = _owner_field(owners.get(str(owner_id)), rest[6:])
            out[cid] = CrmRecord(
                source="hubspot",
                record_id=bare.record_id,
                values=values,
                lists=lists[cid],
                keys=bare.keys,
                url=bare.url,
                updated_at=bare.updated_at,
            )
        return out

    def _primary(self, edges: Sequence[Any]) -> str | None:
        if not edges:
            return None
        if self.section.company == "primary":
            for edge in edges:
                for t in edge.association_types or []:
                    if t.type_id == PRIMARY_COMPANY or (t.label or "").lower() == "primary":
                        return str(edge.to_object_id)
        return str(min(edges, key=lambda e: int(e.to_object_id)).to_object_id)

    # --- for ``baton mappings check`` -----------------------------------------------------

    def property_names(self, object_type: str) -> list[str]:
        answer = self.client.call(
            lambda: self.client.properties.get_all(
                object_type, _request_timeout=self.client.timeout
            ),
            "properties.list",
        )
        return [str(p.name) for p in answer.results or []]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _sort_key(value: Any) -> tuple[int, Any]:
    if value in (None, ""):
        return (1, "")
    moment = parse_moment(value)
    if moment is not None and not str(value).replace(".", "").isdigit():
        return (0, moment.timestamp())
    try:
        return (0, float(value))
    except (TypeError, ValueError):
        return (0, str(value).lower())
