"""Matching a chat customer to CRM records: pure, in-memory records (no CRM involved)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.conversation import CustomerInfo
from core.crm.matching import (
    customer_keys,
    needs_more_keys,
    normalize_email,
    normalize_phone,
    resolve,
)
from core.crm.model import Ambiguous, CrmRecord, CustomerKeys, Matched, NoMatch

ORDER = ("email", "phone", "external_id")


def record(
    rid: str,
    *,
    email: str | None = None,
    phone: str | None = None,
    ext: str | None = None,
    updated: int = 1,
) -> CrmRecord:
    keys = {
        "email": (email,) if email else (),
        "phone": (phone,) if phone else (),
        "external_id": (ext,) if ext else (),
    }
    return CrmRecord(
        "salesforce",
        rid,
        {},
        keys=keys,  # type: ignore[arg-type]
        updated_at=datetime(2026, 1, updated, tzinfo=UTC),
    )


class TestNormalization:
    """Keys are compared in one canonical form, or not at all."""

    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("+65 9123 4567", "+6591234567"),
            ("+1 (415) 555-0123", "+14155550123"),
            ("0065-9123-4567", "+6591234567"),
            ("91234567", None),  # no country code: never guessed
            ("+0123", None),
            ("", None),
        ],
    )
    def test_phones_become_e164_or_nothing(self, raw: str, expected: str | None) -> None:
        assert normalize_phone(raw) == expected

    def test_emails_are_lower_cased_and_trimmed(self) -> None:
        assert normalize_email("  Ana.Tan@LumenFoods.Example ") == "ana.tan@lumenfoods.example"
        assert normalize_email("not an email") is None

    def test_a_customer_without_keys_is_not_usable(self) -> None:
        assert not customer_keys(CustomerInfo(name="Anonymous")).usable
        assert customer_keys(CustomerInfo(id="c_9")).usable


class TestKeyOrder:
    """The first key (in the configured order) that finds a record decides."""

    def test_email_first(self) -> None:
        by_email = record("A", email="a@x.example")
        by_phone = record("B", phone="+6591234567")
        who = CustomerKeys(email="a@x.example", phone="+6591234567")
        result = resolve(
            who, [by_email, by_phone], source="salesforce", order=ORDER, on_several="ambiguous"
        )
        assert result == Matched(by_email, "email")

    def test_phone_when_the_email_finds_nothing(self) -> None:
        by_phone = record("B", phone="+6591234567")
        who = CustomerKeys(email="new@x.example", phone="+6591234567")
        result = resolve(who, [by_phone], source="salesforce", order=ORDER, on_several="ambiguous")
        assert result == Matched(by_phone, "phone")

    def test_the_configured_order_wins(self) -> None:
        by_email = record("A", email="a@x.example")
        by_ext = record("C", ext="c_9")
        who = CustomerKeys(email="a@x.example", external_id="c_9")
        result = resolve(
            who,
            [by_email, by_ext],
            source="salesforce",
            order=("external_id", "email"),
            on_several="ambiguous",
        )
        assert result == Matched(by_ext, "external_id")

    def test_no_key_finds_anything(self) -> None:
        who = CustomerKeys(email="nobody@x.example", phone="+6590000000")
        result = resolve(
            who,
            [record("A", email="a@x.example")],
            source="hubspot",
            order=ORDER,
            on_several="ambiguous",
        )
        assert result == NoMatch("hubspot", ("email", "phone"))
        assert needs_more_keys(result, "ambiguous")


class TestSeveralMatches:
    """Two records share the deciding key: the policy decides."""

    twins = (
        record("OLD", email="raj@x.example", phone="+6581112222", updated=1),
        record("NEW", email="raj@x.example", updated=9),
    )
    who = CustomerKeys(email="raj@x.example", phone="+6581112222")

    def test_ambiguous_reports_every_candidate(self) -> None:
        result = resolve(
            self.who, self.twins, source="salesforce", order=ORDER, on_several="ambiguous"
        )
        assert isinstance(result, Ambiguous)
        assert {r.record_id for r in result.candidates} == {"OLD", "NEW"}
        assert result.key == "email"

    def test_next_key_narrows_with_the_phone(self) -> None:
        result = resolve(
            self.who, self.twins, source="salesforce", order=ORDER, on_several="next_key"
        )
        assert result == Matched(self.twins[0], "email")

    def test_next_key_stays_ambiguous_without_a_distinguishing_key(self) -> None:
        who = CustomerKeys(email="raj@x.example")
        result = resolve(who, self.twins, source="salesforce", order=ORDER, on_several="next_key")
        assert isinstance(result, Ambiguous)
        assert needs_more_keys(result, "next_key")
        assert not needs_more_keys(result, "ambiguous")

    def test_most_recent_takes_the_latest_modified(self) -> None:
        result = resolve(
            self.who, self.twins, source="salesforce", order=ORDER, on_several="most_recent"
        )
        assert result == Matched(self.twins[1], "email")
