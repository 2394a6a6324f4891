"""Raw CRM values to Baton values and card text: dates, currency, enumerations, defaults.

Every transform returns a :class:`Value`: ``value`` is what machines get (Zendesk custom
fields, tags, business rules) and ``display`` what agents read on the card. A value the
CRM does not have (and that has no default) is ``None`` and is left out everywhere.
Both CRMs' raw shapes are accepted: HubSpot sends every property as a string
(``"120000"``, ``"true"``, ``"2027-01-31"``, epoch milliseconds); Salesforce sends JSON
numbers, booleans and ISO dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from core.crm.mapping import Transform

ValueType = str | int | float | bool


@dataclass(frozen=True, slots=True)
class Value:
    value: ValueType
    display: str


_EPOCH_MS = re.compile(r"^-?\d{11,14}$")


def _missing(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def parse_moment(raw: Any) -> datetime | None:
    """A datetime (UTC) from ISO text, a date, or epoch milliseconds; None if unparsable."""
    if isinstance(raw, datetime):
        return raw if raw.tzinfo else raw.replace(tzinfo=UTC)
    if isinstance(raw, date):
        return datetime(raw.year, raw.month, raw.day, tzinfo=UTC)
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return datetime.fromtimestamp(raw / 1000, tz=UTC)
    text = str(raw).strip()
    if _EPOCH_MS.match(text):
        return datetime.fromtimestamp(int(text) / 1000, tz=UTC)
    text = text.replace("Z", "+00:00")
    if re.search(r"[+-]\d{4}$", text):  # Salesforce: 2026-11-29T10:00:00.000+0000
        text = text[:-2] + ":" + text[-2:]
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_number(raw: Any) -> float | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        return float(raw)
    try:
        return float(str(raw).replace(",", "").strip())
    except ValueError:
        return None


def parse_bool(raw: Any) -> bool | None:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("true", "1", "yes", "y"):
        return True
    if text in ("false", "0", "no", "n"):
        return False
    return None


def _grouped(number: float, decimals: int) -> str:
    return f"{number:,.{decimals}f}"


def apply(transform: Transform, raw: Any, *, currency: str | None = None) -> Value | None:
    """Transform one raw value; None when it is missing or cannot be read."""
    if _missing(raw):
        return None
    kind = transform.type
    if kind == "enum":
        text = str(raw).strip()
        lookup = {k.lower(): v for k, v in transform.values.items()}
        value = lookup.get(text.lower())
        if value is None:
            return None
        label = transform.labels.get(value, value.replace("_", " ").capitalize())
        return Value(value, label)
    if kind in ("number", "count"):
        number = parse_number(raw)
        if number is None:
            return None
        if kind == "count" or (transform.decimals == 0 and number.is_integer()):
            return Value(int(number), _grouped(number, 0))
        return Value(round(number, transform.decimals), _grouped(number, transform.decimals))
    if kind == "currency":
        number = parse_number(raw)
        if number is None:
            return None
        code = transform.currency or currency
        amount = round(number, transform.decimals)
        text = _grouped(amount, transform.decimals)
        return Value(amount, f"{code} {text}" if code else text)
    if kind in ("date", "datetime"):
        moment = parse_moment(raw)
        if moment is None:
            return None
        if kind == "date":
            return Value(moment.date().isoformat(), moment.strftime(transform.format or "%d %b %Y"))
        return Value(
            moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
            moment.strftime(transform.format or "%d %b %Y %H:%M UTC"),
        )
    if kind == "boolean":
        flag = parse_bool(raw)
        if flag is None:
            return None
        return Value(flag, transform.true_label if flag else transform.false_label)
    text = " ".join(str(raw).split())
    if transform.max_length and len(text) > transform.max_length:
        text = text[: transform.max_length - 1].rstrip() + "…"
    return Value(text, text)


def tag_of(template: str, value: ValueType) -> str:
    """A Zendesk tag from a template: lower-case, no spaces (Zendesk splits tags on them)."""
    text = template.replace("{value}", str(value).lower())
    return re.sub(r"[^a-z0-9_:\-/]+", "_", text.lower()).strip("_")
