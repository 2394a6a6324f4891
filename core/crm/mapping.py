"""The CRM mapping file's schema: what CRM admins write, validated once at start-up.

A mapping says how a chat customer is matched to a CRM record, which objects and fields
are fetched from Salesforce and HubSpot, how each value is transformed, where it lands in
Zendesk, which values are sensitive and never leave Baton, and which feed the decision
engine's business rules. ``config/mappings/demo.yaml`` is a commented example and
``docs/crm-mapping.md`` the reference.

Field sources are CRM paths:

- Salesforce: SOQL field paths relative to the matched object (``Email``,
  ``Account.Tier__c``, ``Account.Owner.Name``);
- HubSpot: ``contact.<property>``, ``company.<property>`` (the contact's primary
  company), ``contact.owner.<field>`` / ``company.owner.<field>`` (the record's owner:
  ``name``, ``email``...).

A source can also count the items of a related list (``{count: open_cases}``), optionally
only those matching ``where``.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from core.crm.model import MatchKey

CrmName = Literal["salesforce", "hubspot"]
CRM_NAMES: tuple[CrmName, ...] = ("salesforce", "hubspot")

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_SF_PATH = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$")
_HS_PATH = re.compile(r"^(contact|company)\.(owner\.)?[a-z0-9_]+$")
_TEMPLATE_FIELD = re.compile(r"\{([A-Za-z0-9_]+)\}")
Scalar = str | int | float | bool


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- matching --------------------------------------------------------------------------


class MatchPolicy(_Frozen):
    """How a chat customer is matched to a CRM record."""

    #: keys tried in this order; the first that finds a record decides
    keys: tuple[MatchKey, ...] = ("email", "phone", "external_id")
    #: several records for the deciding key: report them (``ambiguous``), narrow them
    #: with the next keys (``next_key``), or take the most recently modified one
    on_several: Literal["ambiguous", "next_key", "most_recent"] = "ambiguous"
    #: no record in a source: try the next source, or stop there
    on_none: Literal["next_source", "stop"] = "next_source"

    @field_validator("keys")
    @classmethod
    def _distinct(cls, keys: tuple[MatchKey, ...]) -> tuple[MatchKey, ...]:
        if not keys:
            raise ValueError("name at least one key: email, phone or external_id")
        if len(set(keys)) != len(keys):
            raise ValueError("each key may appear only once")
        return keys


class RouteCondition(_Frozen):
    """Which customers a route applies to (all given conditions must hold)."""

    email_domain: tuple[str, ...] = ()
    phone_prefix: tuple[str, ...] = ()
    external_id_prefix: tuple[str, ...] = ()

    @field_validator("email_domain")
    @classmethod
    def _lower(cls, domains: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(d.lower().lstrip("@") for d in domains)

    @model_validator(mode="after")
    def _something(self) -> RouteCondition:
        if not (self.email_domain or self.phone_prefix or self.external_id_prefix):
            raise ValueError("give email_domain, phone_prefix or external_id_prefix")
        return self


class Route(_Frozen):
    """Customers matching ``when`` are looked up in ``sources`` (in order) instead."""

    when: RouteCondition
    sources: tuple[CrmName, ...] = Field(min_length=1)


def _keys(**paths: tuple[str, ...]) -> dict[MatchKey, tuple[str, ...]]:
    out: dict[MatchKey, tuple[str, ...]] = {}
    for key in ("email", "phone", "external_id"):
        if key in paths:
            out[key] = paths[key]
    return out


# --- per-CRM sections ------------------------------------------------------------------


class SalesforceList(_Frozen):
    """A child relationship of the matched record, fetched in the same SOQL query."""

    relationship: str  # e.g. Cases, Opportunities (child relationship of the object)
    fields: tuple[str, ...] = Field(min_length=1)
    where: str | None = None  # a SOQL condition on the child object
    order_by: str | None = None  # e.g. "CreatedDate DESC"
    limit: int = Field(default=5, ge=1, le=200)

    @field_validator("fields")
    @classmethod
    def _paths(cls, fields: tuple[str, ...]) -> tuple[str, ...]:
        for name in fields:
            if not _SF_PATH.match(name):
                raise ValueError(f"{name!r} is not a Salesforce field path")
        return fields

    @field_validator("where", "order_by")
    @classmethod
    def _no_injection(cls, text: str | None) -> str | None:
        if text is not None and any(c in text for c in ";()"):
            raise ValueError("only a plain condition or field list is allowed here")
        return text


class SalesforceSection(_Frozen):
    object: str = "Contact"
    #: the record's fields holding each key (several phone fields are common)
    keys: dict[MatchKey, tuple[str, ...]] = Field(
        default_factory=lambda: _keys(email=("Email",), phone=("MobilePhone", "Phone"))
    )
    #: the "last modified" field used by ``on_several: most_recent``
    updated_field: str = "LastModifiedDate"
    #: link to the record for agents; ``{id}`` is replaced (default: Lightning URL)
    record_url: str | None = None
    lists: dict[str, SalesforceList] = Field(default_factory=dict)

    @field_validator("keys")
    @classmethod
    def _key_paths(cls, keys: dict[MatchKey, tuple[str, ...]]) -> dict[MatchKey, tuple[str, ...]]:
        for key, paths in keys.items():
            if not paths:
                raise ValueError(f"{key}: name at least one field")
            for path in paths:
                if not _SF_PATH.match(path) or "." in path:
                    raise ValueError(f"{key}: {path!r} must be a field of the object itself")
        return keys


class HubSpotList(_Frozen):
    """Objects associated with the matched contact (deals, tickets...), batch-read."""

    object: Literal["deals", "tickets", "companies", "notes"]
    properties: tuple[str, ...] = Field(min_length=1)
    #: equality filters on the associated objects' properties (applied after reading)
    where: dict[str, Scalar] = Field(default_factory=dict)
    #: property to sort by; ``-`` in front for descending
    order_by: str | None = None
    limit: int = Field(default=5, ge=1, le=100)


class HubSpotSection(_Frozen):
    keys: dict[MatchKey, tuple[str, ...]] = Field(
        default_factory=lambda: _keys(email=("email",), phone=("mobilephone", "phone"))
    )
    updated_field: str = "lastmodifieddate"
    record_url: str | None = None
    #: which associated company is the account: the one labelled Primary
    company: Literal["primary", "first"] = "primary"
    lists: dict[str, HubSpotList] = Field(default_factory=dict)


# --- fields ----------------------------------------------------------------------------


class SourceSpec(_Frozen):
    """Where a field's value comes from in one CRM."""

    path: str | None = None
    #: several paths joined with a space (first and last names)
    join: tuple[str, ...] = ()
    #: count the items of a list (optionally only those matching ``where``)
    count: str | None = None
    where: dict[str, Scalar] = Field(default_factory=dict)
    #: for ``type: currency``: the path holding the ISO currency code
    currency_path: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"path": data}
        if isinstance(data, list):
            return {"join": data}
        return data

    @model_validator(mode="after")
    def _one(self) -> SourceSpec:
        given = [x for x in (self.path, self.join or None, self.count) if x]
        if len(given) != 1:
            raise ValueError("give exactly one of a path, a list of paths, or count")
        if self.where and not self.count:
            raise ValueError("where applies to count only")
        return self

    def paths(self) -> tuple[str, ...]:
        """Scalar CRM paths this source reads."""
        out = [self.path] if self.path else list(self.join)
        if self.currency_path:
            out.append(self.currency_path)
        return tuple(out)


class Transform(_Frozen):
    """How a raw CRM value becomes Baton's value and the text agents see."""

    type: Literal["text", "enum", "number", "currency", "date", "datetime", "boolean", "count"] = (
        "text"
    )
    #: enum: raw CRM value -> Baton value (compared case-insensitively)
    values: dict[str, str] = Field(default_factory=dict)
    #: enum: Baton value -> label on the card (default: the value, capitalized)
    labels: dict[str, str] = Field(default_factory=dict)
    #: currency: a fixed ISO code when the CRM has no currency field
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    decimals: int = Field(default=0, ge=0, le=6)
    #: date/datetime: strftime format on the card
    format: str | None = None
    max_length: int | None = Field(default=None, ge=4)
    true_label: str = "Yes"
    false_label: str = "No"


class ZendeskTarget(_Frozen):
    """Where a value lands on the ticket."""

    #: ticket custom field id (its value is Baton's value, e.g. ``gold``, ``2027-01-31``)
    custom_field: int | None = Field(default=None, gt=0)
    #: a tag template, e.g. ``tier_{value}`` (lower-cased, spaces to underscores)
    tag: str | None = None
    #: requester (user) field key
    requester_field: str | None = None
    #: organization field key
    organization_field: str | None = None

    @field_validator("tag")
    @classmethod
    def _tag(cls, tag: str | None) -> str | None:
        if tag is not None and set(_TEMPLATE_FIELD.findall(tag)) - {"value"}:
            raise ValueError("a tag template may only use {value}")
        return tag


class FieldSpec(_Frozen):
    """One value of the account card."""

    name: str
    label: str | None = None
    salesforce: SourceSpec | None = None
    hubspot: SourceSpec | None = None
    transform: Transform = Transform()
    #: value used when the CRM has none (before the transform)
    default: Scalar | None = None
    #: shown as a line of the account card (default: yes, unless sensitive)
    card: bool | None = None
    zendesk: ZendeskTarget | None = None
    #: never leaves Baton: not on the card, not on the ticket, not in logs. May feed a rule.
    sensitive: bool = False
    #: name under which the value is given to the decision engine's business rules
    rule: str | None = None

    @field_validator("name", "rule")
    @classmethod
    def _identifier(cls, name: str | None) -> str | None:
        if name is not None and not _NAME.match(name):
            raise ValueError("use lower_case letters, digits and underscores")
        return name

    @model_validator(mode="after")
    def _consistent(self) -> FieldSpec:
        if self.salesforce is None and self.hubspot is None:
            raise ValueError("give a salesforce or a hubspot source (or both)")
        if self.sensitive and self.card:
            raise ValueError("a sensitive field cannot be shown on the card")
        if self.sensitive and self.zendesk is not None:
            raise ValueError("a sensitive field cannot be sent to Zendesk")
        if self.sensitive and self.rule is None:
            raise ValueError(
                "a sensitive field is only fetched to feed a rule: add rule: or remove it"
            )
        for crm in CRM_NAMES:
            spec: SourceSpec | None = getattr(self, crm)
            if spec is None:
                continue
            if spec.count and self.transform.type not in ("count", "number"):
                raise ValueError(f"{crm}: a count needs transform type count")
            if spec.currency_path and self.transform.type != "currency":
                raise ValueError(f"{crm}: currency_path needs transform type currency")
            pattern = _SF_PATH if crm == "salesforce" else _HS_PATH
            for path in spec.paths():
                if not pattern.match(path):
                    hint = (
                        "e.g. Account.Tier__c"
                        if crm == "salesforce"
                        else "e.g. contact.email, company.name, company.owner.name"
                    )
                    raise ValueError(f"{crm}: {path!r} is not a {crm} path ({hint})")
        if self.transform.type == "enum" and not self.transform.values:
            raise ValueError("transform type enum needs values")
        return self

    @property
    def on_card(self) -> bool:
        return (not self.sensitive) if self.card is None else self.card

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()


class CardLayout(_Frozen):
    """The account card's header and related lists."""

    #: header template using field names, e.g. ``"{contact_name} · {account_name}"``
    title: str = "{contact_name}"
    #: related lists shown under the lines, with a row template per list
    lists: dict[str, CardList] = Field(default_factory=dict)


class CardList(_Frozen):
    label: str
    #: one row per item, e.g. ``"{CaseNumber} {Subject} ({Status})"``; one template for
    #: both CRMs, or one per CRM (their field names differ)
    row: str | dict[CrmName, str]
    #: per column: raw value -> label (e.g. HubSpot stage ids to names)
    labels: dict[str, dict[str, str]] = Field(default_factory=dict)

    def row_for(self, crm: str) -> str | None:
        if isinstance(self.row, str):
            return self.row
        for name, template in self.row.items():
            if name == crm:
                return template
        return None


CardLayout.model_rebuild()


class CrmMapping(_Frozen):
    """A whole mapping file."""

    version: Literal[1] = 1
    #: CRMs tried in order for every customer (unless a route says otherwise)
    sources: tuple[CrmName, ...] = Field(min_length=1)
    routes: tuple[Route, ...] = ()
    match: MatchPolicy = MatchPolicy()
    salesforce: SalesforceSection | None = None
    hubspot: HubSpotSection | None = None
    fields: tuple[FieldSpec, ...] = Field(min_length=1)
    card: CardLayout = CardLayout()

    def problems(self) -> list[tuple[tuple[str | int, ...], str]]:
        """Cross-references the schema alone cannot check, each with its location.

        ``config.mappings.load_mapping`` turns these into ``file:line: field: problem``.
        """
        out: list[tuple[tuple[str | int, ...], str]] = []
        used = list(dict.fromkeys([*self.sources, *(s for r in self.routes for s in r.sources)]))
        for crm in used:
            if getattr(self, crm) is None:
                where: tuple[str | int, ...] = ("sources",)
                out.append((where, f"{crm} is used but the mapping has no {crm}: section"))
        seen: set[str] = set()
        for i, spec in enumerate(self.fields):
            if spec.name in seen:
                out.append((("fields", i, "name"), f"duplicate field name {spec.name!r}"))
            seen.add(spec.name)
        for crm in used:
            section: SalesforceSection | HubSpotSection | None = getattr(self, crm)
            if section is None:
                continue
            missing = [k for k in self.match.keys if k not in section.keys]
            if missing:
                out.append(((crm, "keys"), f"no {crm} field for match key(s) {', '.join(missing)}"))
        for i, spec in enumerate(self.fields):
            for crm in CRM_NAMES:
                source: SourceSpec | None = getattr(spec, crm)
                section = getattr(self, crm)
                if source is None or not source.count:
                    continue
                if section is None or source.count not in section.lists:
                    defined = ", ".join(section.lists) if section is not None else "none"
                    out.append(
                        (
                            ("fields", i, crm, "count"),
                            f"list {source.count!r} is not defined in {crm}.lists "
                            f"(defined: {defined})",
                        )
                    )
        for name in _TEMPLATE_FIELD.findall(self.card.title):
            if name not in seen:
                out.append((("card", "title"), f"{{{name}}} is not a field name"))
        for list_name in self.card.lists:
            if not any(
                list_name in section.lists
                for section in (self.salesforce, self.hubspot)
                if section is not None
            ):
                out.append(
                    (("card", "lists", list_name), "no salesforce or hubspot list has this name")
                )
        return out

    # --- what to fetch -------------------------------------------------------------------

    def field_paths(self, crm: CrmName) -> tuple[str, ...]:
        """Every scalar path the mapping reads from ``crm``, in first-use order."""
        out: dict[str, None] = {}
        for spec in self.fields:
            source: SourceSpec | None = getattr(spec, crm)
            if source is not None:
                for path in source.paths():
                    out[path] = None
        return tuple(out)

    def sources_for(
        self, email: str | None, phone: str | None, external_id: str | None
    ) -> tuple[CrmName, ...]:
        """The CRMs to try for a customer, in order (the first matching route wins)."""
        domain = email.rsplit("@", 1)[-1].lower() if email else None
        for route in self.routes:
            cond = route.when
            if cond.email_domain and domain not in cond.email_domain:
                continue
            if cond.phone_prefix and not (
                phone and any(phone.startswith(p) for p in cond.phone_prefix)
            ):
                continue
            if cond.external_id_prefix and not (
                external_id and any(external_id.startswith(p) for p in cond.external_id_prefix)
            ):
                continue
            return route.sources
        return self.sources

    @property
    def sensitive_fields(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.sensitive)
