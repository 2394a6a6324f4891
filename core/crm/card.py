"""From a lookup result to what the ticket carries: the account card, Zendesk fields, rules.

:func:`build_enrichment` applies the mapping to one :class:`~core.crm.model.LookupResult`:

- the **account card** (title, labelled lines, related lists, link, match key) for the
  agent's note, rendered by :meth:`CardResult.note_html` with its freshness;
- the **Zendesk values**: custom fields by id, tags, requester and organization fields;
- the **business-rule fields**, a flat dict for ``ConversationSnapshot.crm``.

Sensitive fields feed only the business rules: they are never put on the card or in any
Zendesk value (the mapping refuses such a configuration, and this module filters again).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from typing import Any, Literal

from core.crm.mapping import CrmMapping, FieldSpec, SourceSpec
from core.crm.model import Ambiguous, CrmRecord, LookupResult, Matched, NoMatch
from core.crm.transforms import Value, apply, parse_moment, tag_of
from core.handoff import TicketUpdate

SOURCE_LABELS = {"salesforce": "Salesforce", "hubspot": "HubSpot"}
_PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_]+)\}")

#: tags Baton puts on every enriched ticket, by outcome
TAG_MATCHED = "baton_crm_matched"
TAG_NO_MATCH = "baton_crm_no_match"
TAG_AMBIGUOUS = "baton_crm_ambiguous"
TAG_PENDING = "baton_crm_pending"
TAG_FAILED = "baton_crm_unavailable"


@dataclass(frozen=True, slots=True)
class CardLine:
    name: str
    label: str
    display: str


@dataclass(frozen=True, slots=True)
class CardSection:
    name: str
    label: str
    rows: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AccountCard:
    source: str
    record_id: str
    url: str | None
    matched_by: str
    title: str
    lines: tuple[CardLine, ...]
    sections: tuple[CardSection, ...] = ()


@dataclass(frozen=True, slots=True)
class ZendeskValues:
    """What the ticket carries besides the note (never any sensitive field)."""

    custom_fields: tuple[tuple[int, str], ...] = ()
    tags: tuple[str, ...] = ()
    requester_fields: tuple[tuple[str, str], ...] = ()
    organization_fields: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Enrichment:
    status: Literal["matched", "no_match", "ambiguous"]
    source: str | None
    detail: str
    card: AccountCard | None = None
    zendesk: ZendeskValues = ZendeskValues()
    rules: Mapping[str, Any] = field(default_factory=dict)
    #: ambiguous: (record id, url) of each candidate
    candidates: tuple[tuple[str, str | None], ...] = ()


# --- building ----------------------------------------------------------------------------


def _raw(spec: SourceSpec, record: CrmRecord) -> Any:
    if spec.path:
        return record.values.get(spec.path)
    if spec.join:
        parts = [str(record.values[p]).strip() for p in spec.join if record.values.get(p)]
        return " ".join(p for p in parts if p) or None
    assert spec.count is not None
    items = record.lists.get(spec.count, ())
    wanted = {k: str(v).lower() for k, v in spec.where.items()}
    return sum(
        1
        for item in items
        if all(str(_bool_text(item.get(k))).lower() == v for k, v in wanted.items())
    )


def _bool_text(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def field_values(mapping: CrmMapping, record: CrmRecord) -> dict[str, Value]:
    """Every field the mapping defines for the record's CRM, transformed (missing ones out)."""
    out: dict[str, Value] = {}
    for spec in mapping.fields:
        source: SourceSpec | None = getattr(spec, record.source, None)
        if source is None:
            continue
        raw = _raw(source, record)
        if (raw is None or raw == "") and spec.default is not None:
            raw = spec.default
        currency = record.values.get(source.currency_path) if source.currency_path else None
        value = apply(spec.transform, raw, currency=str(currency) if currency else None)
        if value is None and spec.default is not None:
            value = apply(spec.transform, spec.default)
            if value is None:
                value = Value(spec.default, str(spec.default))
        if value is not None:
            out[spec.name] = value
    return out


def _fill(template: str, values: Mapping[str, str]) -> str:
    text = _PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), template)
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"(\s*[·|,\-–—]\s*)+$", "", text)
    text = re.sub(r"^(\s*[·|,\-–—]\s*)+", "", text)
    return re.sub(r"(\s[·|\-–—])(\s[·|\-–—])+", r"\1", text).strip()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
    text = str(value)
    if re.match(r"^\d{4}-\d{2}-\d{2}T", text):
        moment = parse_moment(text)
        if moment is not None:
            return moment.date().isoformat()
    return text


def _sections(mapping: CrmMapping, record: CrmRecord) -> tuple[CardSection, ...]:
    out = []
    for name, layout in mapping.card.lists.items():
        items = record.lists.get(name)
        template = layout.row_for(record.source)
        if items is None or template is None:
            continue
        rows = []
        for item in items:
            cells = {k: layout.labels.get(k, {}).get(_cell(v), _cell(v)) for k, v in item.items()}
            rows.append(_fill(template, cells))
        out.append(CardSection(name, layout.label, tuple(rows)))
    return tuple(out)


def _machine(value: Any) -> str:
    """A value as Zendesk fields take it: ``true``, ``120000``, ``1234.5``, ``2027-01-31``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _zendesk(specs: Mapping[str, FieldSpec], values: Mapping[str, Value]) -> ZendeskValues:
    custom: list[tuple[int, str]] = []
    tags: list[str] = []
    requester: list[tuple[str, str]] = []
    organization: list[tuple[str, str]] = []
    for name, value in values.items():
        spec = specs[name]
        if spec.sensitive or spec.zendesk is None:
            continue
        target = spec.zendesk
        text = _machine(value.value)
        if target.custom_field is not None:
            custom.append((target.custom_field, text))
        if target.tag:
            tag = tag_of(target.tag, value.value)
            if tag and tag not in tags:
                tags.append(tag)
        if target.requester_field:
            requester.append((target.requester_field, text))
        if target.organization_field:
            organization.append((target.organization_field, text))
    return ZendeskValues(tuple(custom), tuple(tags), tuple(requester), tuple(organization))


def build_enrichment(mapping: CrmMapping, result: LookupResult) -> Enrichment:
    """Apply the mapping to a lookup result (a NoMatch here means: in no source at all)."""
    if isinstance(result, NoMatch):
        keys = ", ".join(k.replace("_", " ") for k in result.tried) or "no key"
        return Enrichment(
            "no_match",
            None,
            f"No CRM record matches this customer (tried {keys}).",
            zendesk=ZendeskValues(tags=(TAG_NO_MATCH,)),
            rules={"crm_match": "no_match"},
        )
    if isinstance(result, Ambiguous):
        label = SOURCE_LABELS.get(result.source, result.source)
        return Enrichment(
            "ambiguous",
            result.source,
            f"{len(result.candidates)} {label} records match this customer's "
            f"{result.key.replace('_', ' ')}; none was chosen.",
            zendesk=ZendeskValues(tags=(TAG_AMBIGUOUS, f"baton_crm_{result.source}")),
            rules={"crm_match": "ambiguous", "crm_source": result.source},
            candidates=tuple((c.record_id, c.url) for c in result.candidates),
        )
    assert isinstance(result, Matched)
    record = result.record
    specs = {f.name: f for f in mapping.fields}
    values = field_values(mapping, record)
    visible = {n: v for n, v in values.items() if not specs[n].sensitive}
    lines = tuple(
        CardLine(n, specs[n].title, v.display) for n, v in visible.items() if specs[n].on_card
    )
    title = _fill(mapping.card.title, {n: v.display for n, v in visible.items()})
    card = AccountCard(
        source=record.source,
        record_id=record.record_id,
        url=record.url,
        matched_by=result.matched_by,
        title=title or record.record_id,
        lines=lines,
        sections=_sections(mapping, record),
    )
    zendesk = _zendesk(specs, visible)
    zendesk = ZendeskValues(
        zendesk.custom_fields,
        (TAG_MATCHED, f"baton_crm_{record.source}", *zendesk.tags),
        zendesk.requester_fields,
        zendesk.organization_fields,
    )
    rules: dict[str, Any] = {"crm_match": "matched", "crm_source": record.source}
    for name, value in values.items():
        rule = specs[name].rule
        if rule:
            rules[rule] = value.value
    label = SOURCE_LABELS.get(record.source, record.source)
    return Enrichment(
        "matched",
        record.source,
        f"Matched in {label} by {result.matched_by.replace('_', ' ')}.",
        card=card,
        zendesk=zendesk,
        rules=rules,
    )


# --- the result a handoff gets -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CardResult:
    """What :meth:`Enricher.card_for` answers: an enrichment with its age, or "pending".

    ``ready``: ``enrichment`` holds the outcome (matched, no match, ambiguous), fetched at
    ``fetched_at`` (``stale`` when served past its TTL because a refresh failed or was
    slow). ``pending``: the CRM did not answer within the budget or is failing; the card
    follows later (``Enricher`` calls its ``on_ready`` hook / ``take_ready()``).
    ``failed``: the lookup cannot succeed as configured (credentials, mapping) or the CRM
    stayed down past the retry horizon; ``reason`` says why, no card will follow.
    """

    status: Literal["ready", "pending", "failed"]
    enrichment: Enrichment | None = None
    fetched_at: datetime | None = None
    stale: bool = False
    reason: str | None = None

    @property
    def tags(self) -> tuple[str, ...]:
        if self.enrichment is None:
            return (TAG_FAILED,) if self.status == "failed" else (TAG_PENDING,)
        return self.enrichment.zendesk.tags

    @property
    def custom_fields(self) -> tuple[tuple[int, str], ...]:
        return self.enrichment.zendesk.custom_fields if self.enrichment else ()

    @property
    def rules(self) -> Mapping[str, Any]:
        """Business-rule fields for ``ConversationSnapshot.crm`` (empty while pending)."""
        return self.enrichment.rules if self.enrichment else {}

    def note_html(self, now: datetime) -> str:
        """The card's part of the internal note, with its freshness."""
        if self.enrichment is None and self.status == "failed":
            return (
                "<h3>Account card</h3><p><b>CRM data unavailable</b>"
                f" ({escape(self.reason or 'lookup failed')}). Look the customer up in the "
                "CRM directly.</p>"
            )
        if self.enrichment is None:
            reason = f" ({escape(self.reason)})" if self.reason else ""
            return (
                "<h3>Account card</h3><p><b>CRM data is not available yet</b>"
                f"{reason}. Baton will add the card to this ticket as soon as the CRM "
                "answers.</p>"
            )
        return render_html(self.enrichment, self.fetched_at, now, stale=self.stale)

    def note_text(self, now: datetime) -> str:
        if self.enrichment is None:
            return f"Account card: CRM data is not available yet ({self.reason or 'pending'})."
        return render_text(self.enrichment, self.fetched_at, now)


# --- rendering -----------------------------------------------------------------------------


def freshness(fetched_at: datetime | None, now: datetime) -> str:
    """``fetched 3 min ago (10:02 UTC)``."""
    if fetched_at is None:
        return "freshness unknown"
    seconds = max(0.0, (now - fetched_at).total_seconds())
    if seconds < 60:
        ago = "just now" if seconds < 5 else f"{int(seconds)} s ago"
    elif seconds < 3600:
        ago = f"{int(seconds // 60)} min ago"
    elif seconds < 86_400:
        ago = f"{int(seconds // 3600)} h ago"
    else:
        ago = f"{int(seconds // 86_400)} d ago"
    return f"fetched {ago} ({fetched_at.strftime('%Y-%m-%d %H:%M UTC')})"


def render_html(
    enrichment: Enrichment, fetched_at: datetime | None, now: datetime, *, stale: bool = False
) -> str:
    fresh = escape(freshness(fetched_at, now)) + (" — <b>stale</b>" if stale else "")
    card = enrichment.card
    if card is None:
        links = "".join(
            f'<li><a href="{escape(url)}">{escape(rid)}</a></li>'
            if url
            else f"<li>{escape(rid)}</li>"
            for rid, url in enrichment.candidates
        )
        listing = f"<ul>{links}</ul>" if links else ""
        return (
            f"<h3>Account card</h3><p>{escape(enrichment.detail)}</p>{listing}"
            f"<p><small>{fresh}</small></p>"
        )
    source = SOURCE_LABELS.get(card.source, card.source)
    link = f' · <a href="{escape(card.url)}">open in {escape(source)}</a>' if card.url else ""
    rows = "".join(
        f"<tr><td>{escape(line.label)}</td><td><b>{escape(line.display)}</b></td></tr>"
        for line in card.lines
    )
    sections = ""
    for section in card.sections:
        items = "".join(f"<li>{escape(row)}</li>" for row in section.rows) or "<li>none</li>"
        sections += f"<h4>{escape(section.label)} ({len(section.rows)})</h4><ul>{items}</ul>"
    return (
        f"<h3>Account card — {escape(source)}</h3>"
        f"<p><b>{escape(card.title)}</b>{link}</p>"
        f"<table>{rows}</table>{sections}"
        f"<p><small>Matched by {escape(card.matched_by.replace('_', ' '))} · {fresh}</small></p>"
    )


def render_text(enrichment: Enrichment, fetched_at: datetime | None, now: datetime) -> str:
    card = enrichment.card
    if card is None:
        return f"Account card: {enrichment.detail} ({freshness(fetched_at, now)})"
    width = max((len(line.label) for line in card.lines), default=0)
    out = [f"{card.title} — {SOURCE_LABELS.get(card.source, card.source)}"]
    out += [f"  {line.label.ljust(width)}  {line.display}" for line in card.lines]
    for section in card.sections:
        out.append(f"  {section.label} ({len(section.rows)})")
        out += [f"    - {row}" for row in section.rows]
    out.append(f"  matched by {card.matched_by.replace('_', ' ')}, {freshness(fetched_at, now)}")
    return "\n".join(out)


# --- the "card pending" flow ----------------------------------------------------------------


def late_card_update(card: CardResult, now: datetime) -> TicketUpdate:
    """The ticket update for a card delivered after the ticket was created without it."""
    zendesk = card.enrichment.zendesk if card.enrichment else ZendeskValues()
    intro = (
        "<p><i>The CRM answered after the ticket was created; here is the account card.</i></p>"
        if card.status == "ready"
        else "<p><i>The CRM lookup did not succeed.</i></p>"
    )
    return TicketUpdate(
        note_html=intro + card.note_html(now),
        add_tags=card.tags,
        remove_tags=(TAG_PENDING,),
        custom_fields=card.custom_fields,
        requester_fields=zendesk.requester_fields,
        organization_fields=zendesk.organization_fields,
    )
